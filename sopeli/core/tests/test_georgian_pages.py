"""The public pages in Georgian: the interface text comes from the ka catalogue, never in capitals."""

import re

import pytest
from django.core.management import call_command

from sopeli.core.tests.test_georgian import has_mtavruli

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/ka/", "/ka/kazbegi/", "/ka/kazbegi/members/", "/ka/kazbegi/decisions/",
                "/ka/kazbegi/members/join/", "/ka/accounts/login/", "/ka/accounts/signup/"]


@pytest.fixture
def catalogue_compiled():
    # `make test` compiles the catalogue first; compile here too so the test stands alone.
    call_command("compilemessages", locale=["ka"], ignore_patterns=[".venv"], verbosity=0)


@pytest.fixture
def kazbegi(catalogue_compiled):
    from sopeli.core.demo import seed

    return seed.build_kazbegi()


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_speak_georgian_and_never_in_capitals(client, kazbegi, path):
    response = client.get(path)
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert 'lang="ka"' in response.content.decode()
    assert not has_mtavruli(text)
    # The navigation is Georgian, not the English source text.
    assert "შესვლა" in text or "გასვლა" in text
    for english in ["Log in", "Members", "Decisions", "Skip to content"]:
        assert english not in text, f"{english!r} untranslated on {path}"


def test_the_lag_home_in_georgian_names_its_sections(client, kazbegi):
    text = visible_text(client.get("/ka/kazbegi/").content.decode())
    for georgian in ["წევრები", "გადაწყვეტილებები", "ტერიტორია", "გახდით წევრი"]:
        assert georgian in text


def test_time_left_and_amounts_read_in_georgian():
    """Django's Georgian catalogue lacks the words of "6 days, 23 hours"; Sopeli's supplies them, and
    Georgian amounts group thousands with a no-break space so they never break across lines."""
    from datetime import datetime, timedelta
    from decimal import Decimal

    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation
    from django.utils.timesince import timeuntil

    now = datetime(2026, 11, 27, 12, 0)
    with translation.override("ka"):
        assert timeuntil(now + timedelta(days=6, hours=23), now) == "6\xa0დღე, 23\xa0საათი"
        assert intcomma(Decimal("15000.00")) == "15\xa0000.00"
    with translation.override("en"):
        assert timeuntil(now + timedelta(days=6, hours=23), now) == "6\xa0days, 23\xa0hours"
        assert intcomma(Decimal("15000.00")) == "15,000.00"
