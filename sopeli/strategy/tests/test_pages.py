"""Strategy pages: who sees what, bad input, the PDF, and query counts."""

import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sopeli.strategy import services
from sopeli.strategy.models import FinancialPlanRow, Measure, StrategyVersion, VersionStatus
from sopeli.strategy.tests.conftest import fill_version, make_assembly_item
from sopeli.testing.factories import PERSONAS, LagFactory

pytestmark = pytest.mark.django_db

BASE = "/en/kazbegi"


def login(client, persona, name):
    user = persona(name)
    if user is not None:
        client.force_login(user)
    return user


@pytest.fixture
def amended(approved):
    """Version 1 approved, version 2 a draft amendment."""
    return services.strategy_version_create_amendment(actor=None, strategy=approved.strategy)


def expected_for_staff_read(name):
    return {"anonymous": 302, "manager": 200, "network_officer": 200}.get(name, 403)


def expected_for_manager_only(name):
    return {"anonymous": 302, "manager": 200}.get(name, 403)


@pytest.mark.parametrize("name", PERSONAS)
def test_staff_overview_pages_are_for_managers_and_network_officers(client, persona, amended, name):
    login(client, persona, name)
    for url in [f"{BASE}/manage/strategy/", f"{BASE}/manage/strategy/versions/1/", f"{BASE}/manage/strategy/versions/2/"]:
        response = client.get(url)
        assert response.status_code == expected_for_staff_read(name), url
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", PERSONAS)
def test_edit_pages_are_for_managers_only(client, persona, amended, name):
    login(client, persona, name)
    m = Measure.objects.get(version=amended, code="M1")
    urls = [f"{BASE}/manage/strategy/versions/2/text/{s}/" for s in ["profile", "needs", "vision", "monitoring", "summary"]]
    urls += [f"{BASE}/manage/strategy/versions/2/{k}/new/" for k in
             ["key-figures", "swot", "objectives", "result-indicators", "measures", "output-indicators", "calls", "finance"]]
    urls += [f"{BASE}/manage/strategy/versions/2/measures/{m.pk}/", f"{BASE}/manage/strategy/versions/2/measures/{m.pk}/delete/"]
    for url in urls:
        assert client.get(url).status_code == expected_for_manager_only(name), url


@pytest.mark.parametrize("name", PERSONAS)
def test_approve_page_and_actions_are_for_managers_only(client, persona, amended, name):
    login(client, persona, name)
    services.strategy_version_submit(actor=None, version=amended)
    item = make_assembly_item(amended.lag, code="GA-2")
    assert client.get(f"{BASE}/manage/strategy/versions/2/approve/").status_code == expected_for_manager_only(name)
    response = client.post(f"{BASE}/manage/strategy/versions/2/approve/", {"agenda_item": item.pk})
    amended.refresh_from_db()
    if name == "manager":
        assert response.status_code == 302 and amended.status == VersionStatus.APPROVED
    else:
        assert response.status_code in (302, 403) and amended.status == VersionStatus.CONSULTATION


@pytest.mark.parametrize("name", PERSONAS)
def test_write_actions_refuse_everyone_but_the_manager(client, persona, amended, name):
    login(client, persona, name)
    m = Measure.objects.get(version=amended, code="M1")
    posts = [
        (f"{BASE}/manage/strategy/versions/2/measures/{m.pk}/delete/", {}),
        (f"{BASE}/manage/strategy/versions/2/swot/new/", {"kind": "T", "code": "T9", "order": 0, "text_ka": "ზვავი"}),
        (f"{BASE}/manage/strategy/versions/2/submit/", {}),
        (f"{BASE}/manage/strategy/amend/", {}),
        (f"{BASE}/manage/strategy/create/", {"title_ka": "სხვა"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        if name != "manager":
            assert response.status_code == expected_for_manager_only(name), url
    amended.refresh_from_db()
    if name == "manager":
        assert amended.status == VersionStatus.CONSULTATION
        assert not Measure.objects.filter(pk=m.pk).exists()
        assert amended.swot_items.filter(code="T9").exists()
    else:
        assert amended.status == VersionStatus.DRAFT and Measure.objects.filter(pk=m.pk).exists()
        assert not amended.swot_items.filter(code="T9").exists()


@pytest.mark.parametrize("name", PERSONAS)
def test_public_pages_are_public_and_drafts_are_not(client, persona, amended, name):
    login(client, persona, name)
    for url in [f"{BASE}/strategy/", f"{BASE}/strategy/versions/", f"{BASE}/strategy/versions/1/",
                f"{BASE}/strategy/compare/?a=1&b=1", f"{BASE}/strategy/versions/1.pdf"]:
        assert client.get(url).status_code == 200, url
    staff = name in {"manager", "network_officer"}
    assert client.get(f"{BASE}/strategy/versions/2/").status_code == (200 if staff else 404)
    assert client.get(f"{BASE}/strategy/versions/2.pdf").status_code == (200 if staff else 404)
    assert client.get(f"{BASE}/strategy/compare/?a=1&b=2").status_code == (200 if staff else 400)
    listing = client.get(f"{BASE}/strategy/versions/").content.decode()
    assert ("Version 2" in listing) == staff


def test_public_strategy_page_shows_measures_budget_rates_and_the_25_percent_figure(client, approved):
    page = client.get(f"{BASE}/strategy/").content.decode()
    assert 'id="measures"' in page and 'id="measure-M1"' in page and 'id="financial-plan"' in page
    assert "40,000.00" in page and "60%" in page and "90%" in page
    # running 20,000 of 100,000 public money
    assert "20.00% of the strategy's public money (100,000.00 GEL)" in page
    assert 'id="indicator-R1"' in page and "Jobs created" in page
    assert "ღონისძიება" in client.get("/ka/kazbegi/strategy/").content.decode()


def test_the_page_warns_when_running_costs_exceed_the_cap(client, persona, draft):
    FinancialPlanRow.objects.filter(version=draft, kind="running").update(amount=Decimal("40000.00"))
    login(client, persona, "manager")
    page = client.get(f"{BASE}/manage/strategy/versions/1/").content.decode()
    assert "Cut running costs by at least 13,333.34 GEL" in page


def test_no_strategy_yet_is_a_friendly_page(client, lag):
    response = client.get(f"{BASE}/strategy/")
    assert response.status_code == 200 and "no approved strategy yet" in response.content.decode()


def test_pdf_is_a_real_pdf_with_georgian_text(client, approved):
    from pypdf import PdfReader

    response = client.get("/ka/kazbegi/strategy/versions/1.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "ყაზბეგის სტრატეგია" in text and "ღონისძიება 1" in text and "ტურიზმი" in text


def test_comparison_page_shows_what_changed(client, persona, amended):
    login(client, persona, "manager")
    services.measure_save(actor=None, version=amended, instance=Measure.objects.get(version=amended, code="M1"),
                          data={"budget": Decimal("55000.00")})
    page = client.get(f"{BASE}/strategy/compare/?a=1&b=2").content.decode()
    assert 'id="diff-measures"' in page and "indicative budget" in page
    assert "40000.00" in page and "55000.00" in page
    assert client.get(f"{BASE}/strategy/compare/?a=x&b=2").status_code == 400
    assert "Choose two versions" in client.get(f"{BASE}/strategy/compare/?a=1&b=99").content.decode()


# --- Bad input: a message, never a 500 ---------------------------------------------------------


def test_measure_form_with_min_above_max_is_answered_with_a_message(client, persona, draft):
    login(client, persona, "manager")
    response = client.post(f"{BASE}/manage/strategy/versions/1/measures/new/", {
        "code": "M9", "order": 9, "title_ka": "ახალი", "min_grant": "5000", "max_grant": "1000", "budget": "abc",
        "rate_business": "120",
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert "The maximum grant must be at least the minimum grant." in page
    assert "Enter a number." in page and "less than or equal to 100" in page
    assert not Measure.objects.filter(version=draft, code="M9").exists()


def test_duplicate_code_and_duplicate_finance_row_are_refused_clearly(client, persona, draft):
    login(client, persona, "manager")
    response = client.post(f"{BASE}/manage/strategy/versions/1/objectives/new/", {"code": "O1", "order": 0, "title_ka": "ორი"})
    assert response.status_code == 400 and "already used" in response.content.decode()
    m1 = Measure.objects.get(version=draft, code="M1")
    response = client.post(f"{BASE}/manage/strategy/versions/1/finance/new/", {"measure": m1.pk, "year": 2026, "amount": "1"})
    assert response.status_code == 400 and "already a row for this measure and year" in response.content.decode()
    response = client.post(f"{BASE}/manage/strategy/versions/1/finance/new/", {"measure": "", "year": 1900, "amount": "-5"})
    assert response.status_code == 400 and "between 2000 and 2100" in response.content.decode()


def test_a_measure_of_another_lag_cannot_be_chosen(client, persona, draft):
    other = LagFactory(slug="borjomi")
    other_version = fill_version(services.strategy_create(actor=None, lag=other, title_ka="ბორჯომი"), measures=1)
    foreign = Measure.objects.get(version=other_version)
    login(client, persona, "manager")
    response = client.post(f"{BASE}/manage/strategy/versions/1/calls/new/", {
        "code": "C9", "measure": foreign.pk, "planned_on": "2026-05-01", "amount": "100",
    })
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    # Nor can its rows be edited through this LAG's address.
    assert client.get(f"{BASE}/manage/strategy/versions/1/measures/{foreign.pk}/").status_code == 404


def test_editing_an_approved_version_redirects_with_a_message(client, persona, approved):
    login(client, persona, "manager")
    m = Measure.objects.get(version=approved, code="M1")
    response = client.post(f"{BASE}/manage/strategy/versions/1/measures/{m.pk}/", {"code": "M1", "title_ka": "x",
                           "min_grant": "0", "max_grant": "1", "budget": "1"}, follow=True)
    assert response.status_code == 200 and "cannot be changed" in response.content.decode()
    assert Measure.objects.get(pk=m.pk).budget == Decimal("40000.00")
    assert client.get(f"{BASE}/manage/strategy/versions/1/nonsense/new/").status_code == 404
    assert client.get(f"{BASE}/manage/strategy/versions/1/text/nonsense/").status_code == 404


def test_approving_a_draft_not_in_consultation_is_refused_with_a_message(client, persona, draft):
    login(client, persona, "manager")
    item = make_assembly_item(draft.lag)
    response = client.post(f"{BASE}/manage/strategy/versions/1/approve/", {"agenda_item": item.pk})
    assert response.status_code == 400 and "cannot be changed this way" in response.content.decode()
    response = client.post(f"{BASE}/manage/strategy/versions/1/approve/", {"agenda_item": "999999"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


def test_manager_journey_create_edit_submit_approve(client, persona, lag):
    login(client, persona, "manager")
    response = client.post(f"{BASE}/manage/strategy/create/", {"title_ka": "სტრატეგია", "title_en": "Strategy"})
    assert response.status_code == 302
    assert client.post(f"{BASE}/manage/strategy/versions/1/text/vision/", {"vision_ka": "ხედვა", "vision_en": "Vision"}).status_code == 302
    assert client.post(f"{BASE}/manage/strategy/versions/1/objectives/new/", {"code": "O1", "order": 1, "title_ka": "ტურიზმი"}).status_code == 302
    v = StrategyVersion.objects.get(lag=lag)
    o1 = v.objectives.get()
    response = client.post(f"{BASE}/manage/strategy/versions/1/measures/new/", {
        "code": "M1", "order": 1, "title_ka": "სასტუმრო სახლები", "min_grant": "1000", "max_grant": "20000",
        "budget": "100000", "objectives": [o1.pk], "rate_business": "60", "rate_ngo": "90",
    })
    assert response.status_code == 302, response.content.decode()
    m1 = v.measures.get()
    assert {r.applicant_type: r.max_rate for r in m1.aid_rates.all()} == {"business": Decimal("60.00"), "ngo": Decimal("90.00")}
    assert client.post(f"{BASE}/manage/strategy/versions/1/output-indicators/new/", {
        "measure": m1.pk, "code": "P1", "order": 0, "name_ka": "სახლები", "unit_ka": "ცალი", "target_value": "10", "aggregation": "sum",
    }).status_code == 302
    assert client.post(f"{BASE}/manage/strategy/versions/1/finance/new/", {"measure": m1.pk, "year": 2026, "amount": "100000"}).status_code == 302
    assert client.post(f"{BASE}/manage/strategy/versions/1/finance/new/", {"measure": "", "year": 2026, "amount": "20000"}).status_code == 302
    assert client.post(f"{BASE}/manage/strategy/versions/1/submit/").status_code == 302
    item = make_assembly_item(lag)
    assert client.post(f"{BASE}/manage/strategy/versions/1/approve/", {"agenda_item": item.pk}).status_code == 302
    page = client.get(f"{BASE}/strategy/").content.decode()
    assert "M1" in page and "100,000.00" in page and "16.67%" in page


# --- Query counts ------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_strategy_pages_cost_the_same_queries_whatever_the_number_of_rows(client, persona, lag, django_assert_num_queries):
    small = fill_version(services.strategy_create(actor=None, lag=lag, title_ka="ა"), measures=1)
    services.strategy_version_submit(actor=None, version=small)
    services.strategy_version_approve(actor=None, version=small, agenda_item=make_assembly_item(lag))
    services.strategy_version_create_amendment(actor=None, strategy=small.strategy)
    big_lag = LagFactory(slug="borjomi")
    big = fill_version(services.strategy_create(actor=None, lag=big_lag, title_ka="ბ"), measures=12)
    services.strategy_version_submit(actor=None, version=big)
    services.strategy_version_approve(actor=None, version=big, agenda_item=make_assembly_item(big_lag))
    for n in range(2, 8):  # many versions
        v = services.strategy_version_create_amendment(actor=None, strategy=big.strategy)
        services.strategy_version_submit(actor=None, version=v)
        services.strategy_version_approve(actor=None, version=v, agenda_item=make_assembly_item(big_lag, code=f"GA-{n}"))
    services.strategy_version_create_amendment(actor=None, strategy=big.strategy)
    assert Measure.objects.filter(version__lag=big_lag, version__status="approved").count() == 12
    login(client, persona, "network_officer")
    for path in ["strategy/", "strategy/versions/", "strategy/versions/1/", "manage/strategy/", "manage/strategy/versions/2/",
                 "strategy/compare/?a=1&b=2"]:
        cache.clear()  # compare uncached renderings (the approved body is cached once rendered)
        one_row = _queries(client, f"/en/kazbegi/{path}")
        cache.clear()
        with django_assert_num_queries(one_row):
            assert client.get(f"/en/borjomi/{path}").status_code == 200


def test_the_approved_strategy_body_is_rendered_once_and_a_new_approval_shows_at_once(client, lag):
    v1 = fill_version(services.strategy_create(actor=None, lag=lag, title_ka="ა"), measures=3)
    services.strategy_version_submit(actor=None, version=v1)
    services.strategy_version_approve(actor=None, version=v1, agenda_item=make_assembly_item(lag))
    first = _queries(client, "/en/kazbegi/strategy/")
    again = _queries(client, "/en/kazbegi/strategy/")
    assert again < first  # the immutable body came from the cache
    page = client.get("/en/kazbegi/strategy/").content.decode()
    assert all(m.title_en in page for m in Measure.objects.filter(version=v1))
    # an amendment, approved, replaces the cached body at once (its own key); v1's page says it was replaced
    v2 = services.strategy_version_create_amendment(actor=None, strategy=v1.strategy)
    Measure.objects.filter(version=v2, code="M1").update(title_en="Renamed measure")
    services.strategy_version_submit(actor=None, version=v2)
    services.strategy_version_approve(actor=None, version=v2, agenda_item=make_assembly_item(lag, code="GA-2"))
    page = client.get("/en/kazbegi/strategy/").content.decode()
    assert "Renamed measure" in page
    old = client.get("/en/kazbegi/strategy/versions/1/").content.decode()
    assert "replaced by a later one" in old and "Renamed measure" not in old
