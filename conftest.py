import pytest

from sopeli.testing.factories import LagFactory, make_persona


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
