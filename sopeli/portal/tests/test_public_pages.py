"""Public portal pages: funded projects with filters, the money, the map, the LAG home's overview,
the network home's figures and the search across LAGs. Public to everyone; fixed query counts;
bad filters answered with a clear page; no personal data of the applicant."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from sopeli.grants.models import Application
from sopeli.grants.testing import ApplicationFactory, CallFactory
from sopeli.grants.workflow import ApplicationStatus
from sopeli.projects.testing import funded_application, pay, signed_contract
from sopeli.testing.factories import LagFactory, SettlementFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
SECRET_PHONE = "+995 zq2001"
SECRET_EMAIL = "zq2002@example.ge"


def url(name, lag, **query):
    from urllib.parse import urlencode

    u = reverse(f"public:{name}", args=[lag.slug])
    return u + ("?" + urlencode(query) if query else "")


def _call(lag, **kw):
    return CallFactory(lag=lag, status="results_published", published_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC), **kw)


@pytest.fixture
def funded(lag):
    """Two calls of the LAG: a signed contract paid in part, a funded application without contract, and
    applications that must not show (rejected; funded but results not yet published)."""
    applicant = UserFactory(phone=SECRET_PHONE, email=SECRET_EMAIL)
    sno = SettlementFactory(lag=lag, name_ka="სნო", name_en="Sno", latitude=D("42.60000"), longitude=D("44.60000"))
    juta = SettlementFactory(lag=lag, name_ka="ჯუთა", name_en="Juta", latitude=D("42.58000"), longitude=D("44.75000"))
    call = _call(lag)
    contract = signed_contract(lag, call=call, user=applicant, settlement=sno, title="Guesthouse in Sno",
                               applicant_name="Nino Beridze", applicant_type="person")
    pay(contract, 1, contract.tranches.get(number=1).amount)
    second = funded_application(lag, call=call, settlement=juta, title="ყველის საწარმო ჯუთაში", awarded=D("12000.00"),
                                applicant_name="Juta Cheese LLC")
    Application.objects.filter(pk=second.pk).update(decided_at=dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC))
    ApplicationFactory(call=call, lag=lag, status=ApplicationStatus.REJECTED, number=9, title="zq2003 rejected project",
                       submitted_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    pending = CallFactory(lag=lag, status="evaluated", published_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    funded_application(lag, call=pending, title="zq2004 not yet public", awarded=D("5000.00"))
    return {"contract": contract, "second": second, "sno": sno, "juta": juta, "call": call, "applicant": applicant}


def _text(response) -> str:
    return response.content.decode()


def test_funded_projects_lists_public_facts_only(client, lag, funded):
    r = client.get(url("projects", lag), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    text = _text(r)
    assert "Guesthouse in Sno" in text and "ყველის საწარმო ჯუთაში" in text
    assert "Nino Beridze" in text and "Juta Cheese LLC" in text
    assert "40,000.00" in text and "12,000.00" in text
    assert "signed: project running" in text and "selected: contract being prepared" in text
    assert "zq20" not in text
    assert SECRET_PHONE not in text and SECRET_EMAIL not in text


def test_individual_names_hidden_when_the_network_says_so(client, lag, funded, settings):
    settings.SOPELI_PUBLISH_INDIVIDUAL_NAMES = False
    text = _text(client.get(url("projects", lag)))
    assert "Nino Beridze" not in text and "Individual recipient" in text and "Juta Cheese LLC" in text


def test_filters_by_measure_village_and_year(client, lag, funded):
    measure = funded["second"].measure.measure
    text = _text(client.get(url("projects", lag, village=funded["juta"].pk)))
    assert "ყველის საწარმო ჯუთაში" in text and "Guesthouse in Sno" not in text
    text = _text(client.get(url("projects", lag, year=2025)))
    assert "ყველის საწარმო ჯუთაში" in text and "Guesthouse in Sno" not in text
    text = _text(client.get(url("projects", lag, measure=measure.pk)))
    assert "ყველის საწარმო ჯუთაში" in text


@pytest.mark.parametrize("query", [{"measure": "abc"}, {"village": "999999"}, {"year": "1900"}, {"year": "2026'"},
                                   {"page": "x"}, {"measure": "-1", "village": "", "year": "٣"}])
def test_bad_filters_answer_clearly(client, lag, funded, query):
    r = client.get(url("projects", lag, **query), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code in (200, 400)
    text = _text(r)
    if r.status_code == 400:
        assert "is not one of the choices" in text
    assert "Guesthouse in Sno" in text  # the unfiltered list is still shown


def test_money_per_measure(client, lag, funded):
    text = _text(client.get(url("money", lag), HTTP_ACCEPT_LANGUAGE="en"))
    assert "52,000.00" in text and "57,000.00" not in text  # awarded: 40,000 + 12,000 (not the unpublished call's 5,000 — it is not funded-public)
    paid = funded["contract"].tranches.get(number=1).amount
    assert f"{paid:,.2f}" in text


def test_map_lists_villages_and_projects_without_tiles(client, lag, funded, settings):
    settings.SOPELI_MAP_TILES = ""
    text = _text(client.get(url("map", lag), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Sno" in text and "42.60000, 44.60000" in text and "Guesthouse in Sno" in text
    assert 'id="map-markers"' in text and "leaflet" in text  # markers for the script, Leaflet loaded on request
    assert "No map background is configured" in text


def test_map_script_only_on_the_map_page(client, lag, funded):
    for page in (url("projects", lag), url("money", lag), reverse("core:lag_home", args=[lag.slug]), reverse("core:home")):
        assert "leaflet" not in _text(client.get(page)).lower()


def test_lag_home_brings_it_together(client, lag, funded):
    text = _text(client.get(reverse("core:lag_home", args=[lag.slug]), HTTP_ACCEPT_LANGUAGE="en"))
    assert url("projects", lag) in text and url("money", lag) in text and url("map", lag) in text
    assert "Guesthouse in Sno" in text and "52,000.00" in text


def test_network_home_figures_and_search(client, lag, funded):
    other = LagFactory(slug="other", name_en="Other LAG")
    funded_application(other, call=_call(other), title="Honey of the other valley", awarded=D("7000.00"))
    text = _text(client.get("/en/"))
    assert "2 funded projects" in text and "52,000 GEL awarded" in text
    assert "1 funded project" in text and "7,000 GEL awarded" in text
    r = client.get("/en/search/", {"q": "HONEY"})
    assert r.status_code == 200 and "Honey of the other valley" in _text(r) and "Guesthouse in Sno" not in _text(r)
    r = client.get("/ka/search/", {"q": "ყველის"})
    assert "ყველის საწარმო ჯუთაში" in _text(r) and "Honey" not in _text(r)
    assert "not yet public" not in _text(client.get("/en/search/", {"q": "zq2004"}))
    for q in ("", "%", "_", "'; drop", "x" * 5000):
        assert client.get("/en/search/", {"q": q}).status_code == 200


def _many(lag, n):
    call = _call(lag)
    for i in range(n):
        funded_application(lag, call=call, title=f"Bulk project {i}", awarded=D("1000.00"))


@pytest.mark.parametrize("where", ["projects", "money", "map", "home", "network", "search"])
def test_query_counts_do_not_grow(client, lag, funded, where, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    target = {"home": reverse("core:lag_home", args=[lag.slug]), "network": "/en/",
              "search": "/en/search/?q=o"}.get(where) or url(where, lag)
    with CaptureQueriesContext(connection) as first:
        assert client.get(target).status_code == 200
    _many(lag, 12)
    LagFactory(slug="third")
    cache.clear()  # compare uncached renderings (the home's overview is cached, see the next test)
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(target).status_code == 200


def test_the_home_overview_is_cached_until_the_public_record_grows(client, lag, funded):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sopeli.core.audit import audit_record

    home = reverse("core:lag_home", args=[lag.slug])
    with CaptureQueriesContext(connection) as first:
        assert "Bulk project 0" not in _text(client.get(home))
    _many(lag, 1)  # rows written without a public fact: the cached overview stands (for up to a minute)
    with CaptureQueriesContext(connection) as second:
        assert "Bulk project 0" not in _text(client.get(home))
    assert len(second.captured_queries) < len(first.captured_queries)
    audit_record(actor=None, lag=lag, action="grants.results_publish", summary="Results", public=True)
    assert "Bulk project 0" in _text(client.get(home))  # a new public fact shows at once


def test_every_page_is_public_and_clean_of_personal_data(client, lag, funded):
    pages = [url("projects", lag), url("money", lag), url("map", lag), reverse("core:lag_home", args=[lag.slug]),
             "/en/", "/en/search/?q=Guesthouse"]
    for page in pages:
        r = client.get(page)
        assert r.status_code == 200, page
        body = _text(r)
        assert not re.search(r"zq20\d\d", body), page
        assert SECRET_PHONE not in body and SECRET_EMAIL not in body


def test_unknown_lag_is_404(client):
    assert client.get("/en/nowhere/money/").status_code == 404
