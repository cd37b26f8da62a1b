from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from sopeli.testing.factories import LagFactory, make_persona

# Property tests check rules, not speed: on a shared 2-core CI machine an example can take longer
# than Hypothesis's default 200 ms deadline, which failed a governance property once for no reason.
settings.register_profile("sopeli", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("sopeli")


@pytest.fixture
def lag(db):
    return LagFactory(slug="kazbegi", name_ka="ყაზბეგის ადგილობრივი სამოქმედო ჯგუფი", name_en="Kazbegi LAG")


@pytest.fixture
def persona(lag):
    """persona("manager") -> a logged-in-able user with that role in ``lag`` (None for anonymous)."""
    return lambda name: make_persona(name, lag)


@pytest.fixture(autouse=True)
def _fast_static(settings):
    # Tests do not run collectstatic; the manifest storage would fail on {% static %}.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.WHITENOISE_USE_FINDERS = True
    # WhiteNoise warns on every request handler when STATIC_ROOT is missing (a fresh clone).
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rolled-back rows reuse their ids on SQLite, so a page
    cached by one test (the approved strategy's body, keyed by id) must not leak into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow (about 0.1-1 s a hash): fine for a login, ruinous for hundreds of
    # test users. Same algorithm and "argon2$..." format, tiny cost (sopeli/testing/hashers.py).
    settings.PASSWORD_HASHERS = ["sopeli.testing.hashers.FastArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_by_default():
    """Tests read the English source strings, so they stay true as the Georgian catalogue grows.

    ``reverse`` then builds /en/ addresses; tests of the Georgian pages use /ka/ paths or
    ``translation.override("ka")`` themselves (see sopeli/core/tests/test_georgian_pages.py).
    """
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _tasks_in_process(monkeypatch, settings):
    """Background tasks run in the test's own process as they are enqueued (django-q2's sync mode),
    so a test that runs the on-commit callbacks sees the worker's work done; SMS go to a list."""
    from django_q.conf import Conf

    from sopeli.notifications import sms

    monkeypatch.setattr(Conf, "SYNC", True)
    settings.SOPELI_SMS_BACKEND = "sopeli.notifications.sms.MemoryBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()
