"""A cheap Argon2 for tests: same algorithm and hash format as production, tiny cost parameters.

Production's Argon2 takes 0.1-1 s a hash by design; hundreds of test users would spend minutes on
it. The root conftest puts this hasher in PASSWORD_HASHERS for every test.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64  # KiB
    parallelism = 1
