import pytest

from sopeli.portal.tests.world import build_world


@pytest.fixture
def world(lag):
    return build_world(lag)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
