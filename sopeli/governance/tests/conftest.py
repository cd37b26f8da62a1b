"""The board of scenario S1 (domain.md), built in the database (see sopeli.testing.s1)."""

import pytest

from sopeli.testing.s1 import S1, Board  # noqa: F401  (S1 is used by the tests)


@pytest.fixture
def board(lag):
    return Board(lag)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 is right for people, slow for a test that creates a dozen users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english():
    """Assertions read the English source strings; keep them true once the Georgian catalogue exists."""
    from django.utils import translation

    with translation.override("en"):
        yield
