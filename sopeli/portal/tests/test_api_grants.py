"""The open-data API's calls, received applications, results, projects, payments and indicators:
content as the public pages show it, nothing before it is public, filters, privacy and query counts."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sopeli.core.privacy import INDIVIDUAL_RECIPIENT_GENERIC_NAME
from sopeli.grants.models import Application, CallAmendment
from sopeli.grants.testing import CallFactory
from sopeli.portal.tests.world_grants import COMPETITION_SECRETS, build_competition
from sopeli.projects.testing import funded_application, pay, signed_contract
from sopeli.testing.factories import LagFactory, SettlementFactory

pytestmark = pytest.mark.django_db
MARKER = re.compile(r"zq30\d\d")


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:500])
    return response.json()


@pytest.fixture
def comp(lag):
    return build_competition(lag)


def test_calls_with_measures_budgets_limits_dates_criteria_and_amendments(client, comp):
    data = get(client, "/api/v1/calls?lag=kazbegi")
    by_id = {c["id"]: c for c in data["items"]}
    assert set(by_id) == {comp.call.pk, comp.hidden_call.pk}  # never the draft call
    call = by_id[comp.call.pk]
    assert call["code"] == comp.call.code and call["status"] == "results_published"
    assert call["total_budget"] == "100000.00" and call["max_grant"] == "40000.00" and call["min_total"] == "50.00"
    assert [m["budget"] for m in call["measures"]] == ["100000.00"]
    assert {r["applicant_type"]: r["max_rate"] for r in call["aid_rates"]} == {"person": "80.00", "business": "80.00",
                                                                              "ngo": "90.00"}
    assert [(c["code"], c["kind"], c["max_points"]) for c in call["criteria"]] == [
        ("E1", "pass_fail", None), ("C1", "scored", "60.00"), ("C2", "scored", "40.00")]
    assert call["closes_at"].startswith("2016-06-10T13:30:00")  # 17:30 Tbilisi, in UTC
    assert call["received_list_published_at"] and call["results_published_at"]
    assert call["eligible_villages"] == [] and call["amendments"] == []
    assert get(client, f"/api/v1/calls/{comp.call.pk}") == call
    get(client, f"/api/v1/calls/{comp.draft_call.pk}", 404)


def test_calls_filters(client, comp, lag):
    assert get(client, "/api/v1/calls?status=results_published")["count"] == 1
    assert get(client, "/api/v1/calls?status=evaluated")["items"][0]["id"] == comp.hidden_call.pk
    code = comp.call.call_measures.get().measure.code
    assert [c["id"] for c in get(client, f"/api/v1/calls?measure={code}")["items"]] == [comp.call.pk]
    assert [c["id"] for c in get(client, "/api/v1/calls?year=2016")["items"]] == [comp.call.pk]
    sno, far = SettlementFactory(lag=lag), SettlementFactory(lag=lag)
    comp.hidden_call.eligible_settlements.set([sno])
    assert get(client, f"/api/v1/calls?village={sno.pk}")["count"] == 2  # the other call is open everywhere
    assert [c["id"] for c in get(client, f"/api/v1/calls?village={far.pk}")["items"]] == [comp.call.pk]


def test_amendments_are_public_with_their_reason(client, comp):
    CallAmendment.objects.create(call=comp.call, number=1, reason_ka="ვადა გაგრძელდა", reason_en="Deadline extended",
                                 changes=[{"field": "closes_at", "label": "Deadline", "before": "10 June", "after": "17 June"}])
    CallAmendment.objects.create(call=comp.call, number=2, reason_ka="შიდა", reason_en="Internal", is_public=False)
    [amendment] = get(client, f"/api/v1/calls/{comp.call.pk}")["amendments"]
    assert amendment["number"] == 1 and amendment["reason_en"] == "Deadline extended"
    assert amendment["changes"][0]["after"] == "17 June"


def test_received_applications_once_the_list_is_published_without_names(client, comp):
    data = get(client, "/api/v1/received?lag=kazbegi")
    assert data["count"] == 8  # A–H; not the draft, not the late one, not the unpublished call's
    first = data["items"][0]
    assert set(first) == {"id", "lag", "call", "reference", "number", "title", "stage", "applicant_type", "measure",
                          "village", "requested_grant"}
    assert first["reference"] == f"{comp.call.code}-001" and first["title"] == "Guesthouse in Sno: six rooms"
    assert first["requested_grant"] == "40000.00"
    assert "Applicant" not in json.dumps(data)
    assert get(client, f"/api/v1/received?call={comp.hidden_call.pk}")["count"] == 0
    assert get(client, f"/api/v1/received?call={comp.call.pk}&applicant_type=business")["count"] == 8
    assert get(client, "/api/v1/received?applicant_type=person")["count"] == 0
    assert get(client, f"/api/v1/received?village={comp.apps['C'].settlement_id}")["count"] == 1
    assert get(client, "/api/v1/received?year=2016")["count"] == 8


def test_results_funded_and_reserve_in_rank_order_with_counts_of_the_rest(client, comp):
    data = get(client, "/api/v1/results?lag=kazbegi")
    assert [r["call"] for r in data["items"]] == [comp.call.pk]  # not the call whose results are not published
    [measure] = data["items"][0]["measures"]
    apps = comp.apps
    assert [(f["application"], f["rank"], f["score"], f["awarded"]) for f in measure["funded"]] == [
        (apps["A"].pk, 1, "82.00", "40000.00"), (apps["B"].pk, 2, "76.00", "30000.00"), (apps["C"].pk, 3, "71.00", "25000.00")]
    assert measure["funded"][0]["recipient"] == {"individual": False, "name": "Applicant A"}
    assert [(r["application"], r["position"]) for r in measure["reserve"]] == [
        (apps["E"].pk, 1), (apps["D"].pk, 2), (apps["F"].pk, 3)]
    assert "recipient" not in measure["reserve"][0]
    assert (measure["rejected"], measure["ineligible"], measure["withdrawn"]) == (1, 1, 0)
    assert measure["total_funded"] == "95000.00" and measure["reserve_valid_until"]
    assert data["items"][0]["appeals"] == [{"reference": apps["G"].reference, "status": "rejected",
                                            "original_outcome": "rejected", "original_score": "47.00",
                                            "new_outcome": "rejected", "new_score": "47.00"}]
    assert get(client, f"/api/v1/results/{comp.call.pk}") == data["items"][0]
    get(client, f"/api/v1/results/{comp.hidden_call.pk}", 404)
    code = measure["measure"]["code"]
    assert get(client, f"/api/v1/results?measure={code}")["count"] == 1
    assert get(client, "/api/v1/results?measure=NOPE")["count"] == 0


def test_results_page_and_api_agree_with_the_public_results_page(client, comp):
    page = client.get(reverse("grants:results", args=["kazbegi", comp.call.pk])).content.decode()
    for item in get(client, f"/api/v1/results/{comp.call.pk}")["measures"][0]["funded"]:
        assert item["title"] in page and item["recipient"]["name"] in page


def test_projects_funded_and_contracted_with_payments(client, comp):
    data = get(client, "/api/v1/projects?lag=kazbegi")
    by_id = {p["id"]: p for p in data["items"]}
    a, b, c = (comp.apps[x] for x in "ABC")
    assert set(by_id) == {a.pk, b.pk, c.pk}  # not the unpublished call's funded application
    assert by_id[a.pk]["contract_status"] == "signed" and by_id[a.pk]["paid"] == str(comp.payment.amount)
    assert by_id[a.pk]["starts_on"] == comp.contract_a.starts_on.isoformat()
    assert by_id[c.pk]["contract_status"] is None and by_id[c.pk]["paid"] is None
    assert by_id[a.pk]["awarded"] == "40000.00" and by_id[a.pk]["recipient"]["name"] == "Applicant A"
    assert {p["id"] for p in get(client, "/api/v1/projects?status=signed")["items"]} == {a.pk, b.pk}
    assert [p["id"] for p in get(client, "/api/v1/projects?status=selected")["items"]] == [c.pk]
    assert get(client, "/api/v1/projects?status=settled")["count"] == 0
    assert [p["id"] for p in get(client, f"/api/v1/projects?village={a.settlement_id}")["items"]] == [a.pk]
    assert get(client, f"/api/v1/projects?call={comp.call.pk}")["count"] == 3
    year = a.decided_at.year
    assert get(client, f"/api/v1/projects?year={year}")["count"] == 3 and get(client, f"/api/v1/projects?year={year - 1}")["count"] == 0


def test_payments_dates_and_amounts_never_the_bank_reference(client, comp):
    data = get(client, "/api/v1/payments?lag=kazbegi")
    assert data["items"] == [{"id": comp.payment.pk, "lag": "kazbegi", "project": comp.apps["A"].pk, "call": comp.call.pk,
                              "paid_on": comp.payment.paid_on.isoformat(), "amount": str(comp.payment.amount), "tranche": 1}]
    assert get(client, f"/api/v1/payments?project={comp.apps['B'].pk}")["count"] == 0
    assert get(client, f"/api/v1/payments?year={comp.payment.paid_on.year}")["count"] == 1
    # A payment under a call whose results are not published yet is not public.
    hidden = signed_contract(comp.lag, app=comp.hidden)
    pay(hidden, 1, hidden.tranches.get(number=1).amount)
    assert get(client, "/api/v1/payments")["count"] == 1


def test_indicators_with_targets_and_totals_of_approved_reports_only(client, comp):
    data = get(client, "/api/v1/indicators?lag=kazbegi")
    by_code = {i["code"]: i for i in data["items"]}
    output = by_code[comp.indicators["output"].code]
    # A's approved report says 1; B's report (5) is still under review and does not count.
    assert (output["value"], output["target_value"], output["percent"], output["projects"]) == ("1.00", "20.00", 5, 1)
    assert output["kind"] == "output" and output["measure"] == comp.call.call_measures.get().measure.code
    jobs = by_code["R1.1"]
    assert jobs["kind"] == "result" and jobs["objective"] and jobs["full_time_equivalents"]
    assert get(client, "/api/v1/indicators?kind=result")["count"] == 1
    assert get(client, f"/api/v1/indicators?measure={output['measure']}")["count"] == 1


def test_a_natural_persons_name_is_withheld_where_the_network_decides_so(client, comp, settings):
    Application.objects.filter(pk=comp.apps["A"].pk).update(applicant_type="person")
    settings.SOPELI_PUBLISH_INDIVIDUAL_NAMES = False
    funded = get(client, f"/api/v1/results/{comp.call.pk}")["measures"][0]["funded"][0]
    assert funded["recipient"] == {"individual": True, "name": INDIVIDUAL_RECIPIENT_GENERIC_NAME}
    project = get(client, f"/api/v1/projects?village={comp.apps['A'].settlement_id}")["items"][0]
    assert project["recipient"]["name"] == INDIVIDUAL_RECIPIENT_GENERIC_NAME
    page = client.get(reverse("grants:results", args=["kazbegi", comp.call.pk])).content.decode()
    assert "Applicant A" not in page and "Applicant B" in page


ENDPOINTS = ["calls", "received", "results", "projects", "payments", "indicators"]


def test_no_private_marker_in_any_answer(client, comp):
    assert all(MARKER.search(v) for v in COMPETITION_SECRETS.values())
    urls = [f"/api/v1/{e}?limit=50" for e in ENDPOINTS] + [f"/api/v1/calls/{comp.call.pk}", f"/api/v1/results/{comp.call.pk}"]
    for url in urls:
        text = client.get(url).content.decode()
        assert not MARKER.search(text), (url, MARKER.findall(text))


@pytest.mark.parametrize("url", [
    "/api/v1/calls?status=draft", "/api/v1/calls?year=99", "/api/v1/calls?measure=M%201", "/api/v1/received?applicant_type=king",
    "/api/v1/results?limit=51", "/api/v1/projects?status=cancelled", "/api/v1/payments?project=0",
    "/api/v1/indicators?kind=impact", "/api/v1/calls/abc", "/api/v1/results/0",
])
def test_bad_input_is_a_clear_422(client, url):
    detail = get(client, url, 422)["detail"]
    assert detail and all(d["msg"] for d in detail)


def test_unknown_lag_is_a_clear_404(client, comp):
    for endpoint in ENDPOINTS:
        assert "nowhere" in get(client, f"/api/v1/{endpoint}?lag=nowhere", 404)["detail"]


# --- a fixed number of queries whatever the size --------------------------------------------------
FIXED_QUERIES = {"calls": 7, "received": 2, "results": 6, "projects": 2, "payments": 2, "indicators": 5}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response.json()["items"], url  # measured with data in the answer
    return len(ctx.captured_queries)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_list_endpoints_cost_a_fixed_number_of_queries(client, lag, endpoint):
    build_competition(lag)
    few = {"all": _queries(client, f"/api/v1/{endpoint}"), "lag": _queries(client, f"/api/v1/{endpoint}?lag=kazbegi")}
    build_competition(LagFactory(slug="borjomi"))
    now = timezone.now()
    extra = CallFactory(lag=lag, status="results_published", published_at=now - timedelta(days=60),
                        received_list_published_at=now - timedelta(days=30), results_published_at=now - timedelta(days=1))
    for i in range(6):  # more funded projects in the measured LAG, half of them under contract and paid
        app = funded_application(lag, call=extra, applicant_name=f"More {i}", awarded=Decimal("1000.00"),
                                 requested=Decimal("1000.00"), total=Decimal("2000.00"))
        if i < 3:
            contract = signed_contract(lag, app=app)
            pay(contract, 1, contract.tranches.get(number=1).amount)
    limit = 50 if endpoint == "results" else 200
    many = {"all": _queries(client, f"/api/v1/{endpoint}?limit={limit}"),
            "lag": _queries(client, f"/api/v1/{endpoint}?lag=kazbegi&limit={limit}")}
    assert few == many == {"all": FIXED_QUERIES[endpoint], "lag": FIXED_QUERIES[endpoint] + 1}, (few, many)
