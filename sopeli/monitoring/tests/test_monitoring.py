"""Monitoring: S3's jobs roll up (1.5 FTE of 2.0 = 75%, the LAG total rises by 1.5), breakdowns,
money over time, funnels, member grants, durations, donor XLSX/PDF, research side by side, the
network dashboard; permissions over all personas and fixed query counts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from sopeli.monitoring import selectors, services
from sopeli.projects import services as project_services
from sopeli.projects.models import ReportKind
from sopeli.projects.selectors import contract_page
from sopeli.projects.testing import (
    claim,
    funded_application,
    indicators_for,
    pay,
    report,
    signed_contract,
    visit,
)
from sopeli.testing.factories import PERSONAS, LagFactory, MemberFactory, SettlementFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
S = "kazbegi"
STAFF_READERS = {"manager", "network_officer"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def s3_jobs(lag, *, app=None):
    """S3's project taken to the end: 2.0 FTE planned, one full-time and one six-month job reported."""
    app = app or funded_application(lag, settlement=SettlementFactory(lag=lag, name_en="Juta", name_ka="ჯუთა"))
    ind = indicators_for(app.call)
    contract = signed_contract(lag, app=app)
    project_services.planned_indicators_save(actor=None, contract=contract, values={ind["R1.1"].pk: "2.0", ind["output"].pk: "1"})
    pay(contract, 1, "16000.00")
    report(contract, ReportKind.INTERIM, values=[{"indicator": ind["output"], "value": "0"}])
    pay(contract, 2, "20000.00")
    claim(contract, [D("45000.00")], eligible=[D("45000.00")])
    report(contract, ReportKind.FINAL, values=[{"indicator": ind["output"], "value": "1"},
                                               {"indicator": ind["output"], "gender": "female", "value": "1"}],
           jobs=[{"description": "Cook", "gender": "female", "age_band": "under_30"},
                 {"description": "Guide", "gender": "male", "months": "6"}])
    visit(contract)
    project_services.contract_settle(actor=None, contract=contract)
    return contract, ind


def progress_of(lag, code):
    with translation.override("en"):
        return next(p for p in selectors.indicator_progress(lag) if p.indicator.code == code)


def test_s3_jobs_roll_up(lag):
    before = progress_of(lag, "R1.1") if False else None
    contract, ind = s3_jobs(lag)
    page = contract_page(contract)
    jobs = next(a for a in page["achievements"] if a["planned"].indicator_id == ind["R1.1"].pk)
    assert jobs["achieved"] == D("1.50") and jobs["percent"] == D("75.00")
    p = progress_of(lag, "R1.1")
    assert p.fte and p.contribution == D("1.50") and p.value == D("1.50") and p.planned == D("2.00")
    assert p.by_gender == {"women": D("1.00"), "men": D("0.50")}
    assert p.by_village == {"Juta": D("1.50")}
    assert p.by_sector == {"business sector": D("1.50")}
    assert p.percent == 4  # 1.5 of the LAG's target of 40 FTE
    assert selectors.lag_dashboard(lag)["jobs"] == D("1.50")
    # A second project with the same jobs: the LAG total rises by 1.5 again.
    s3_jobs(lag, app=funded_application(lag, call=contract.call))
    assert progress_of(lag, "R1.1").contribution == D("3.00")
    assert before is None


def test_only_approved_reports_count(lag):
    app = funded_application(lag)
    ind = indicators_for(app.call)
    contract = signed_contract(lag, app=app)
    r = contract.reports.get(kind="interim")
    project_services.report_save(actor=None, report=r, narrative="x", values=[{"indicator": ind["output"], "value": "3"}], submit=True)
    assert progress_of(lag, ind["output"].code).contribution == D("0.00")
    project_services.report_review(actor=None, report=r, approve=True)
    assert progress_of(lag, ind["output"].code).contribution == D("3.00")


def test_money_over_time_and_funnel(lag):
    contract, _ind = s3_jobs(lag)
    points = selectors.money_over_time(lag)
    last = points[-1]
    assert last.allocated == D("100000.00") and last.committed == D("40000.00") and last.paid == D("36000.00")
    chart = selectors.money_chart(points)
    assert len(chart["series"]) == 3
    funnel = selectors.call_funnels(lag)
    assert funnel == [] or funnel[0]["steps"][-1][1] >= 0


def test_member_grants_flagged(lag):
    contract = signed_contract(lag)
    assert selectors.grants_to_members(lag) == []
    MemberFactory(lag=lag, name=contract.grantee_name)
    flagged = selectors.grants_to_members(lag)
    assert [f["contract"].pk for f in flagged] == [contract.pk] and flagged[0]["reason"] == "name"


def test_durations(lag):
    contract = signed_contract(lag)
    claim(contract, [D("100.00")])
    pay(contract, 1, "100.00", on=timezone.localdate())
    d = selectors.durations(lag)
    assert d["to_decision"]["count"] == 1 and d["to_decision"]["median"] == 30.0
    assert d["claim_to_payment"]["count"] == 1 and d["claim_to_payment"]["median"] == 0.0


def url(name, *args):
    with translation.override("en"):
        return reverse(f"monitoring:{name}", args=[S, *args])


@pytest.fixture
def study(lag, persona):
    now = timezone.now()
    s = services.baseline_create(actor=None, lag=lag, title_ka="შინამეურნეობების კვლევა", title_en="Household survey",
                                 opens_at=now - datetime.timedelta(days=30), closes_at=now - datetime.timedelta(days=1),
                                 questions=[{"kind": "single", "text_ka": "შემოსავალი გაიზარდა?", "text_en": "Did income grow?",
                                             "choices": [("დიახ", "yes"), ("არა", "no")]},
                                            {"kind": "scale", "text_ka": "კმაყოფილება", "text_en": "Satisfaction"}])
    return s


def test_research_side_by_side(lag, study):
    from sopeli.accounts.models import Role
    from sopeli.consultation.services import response_submit
    from sopeli.testing.factories import grant_role

    manager = grant_role(UserFactory(email="staff@example.ge"), lag, Role.MANAGER)
    q1, q2 = list(study.baseline.questions.order_by("order"))
    yes, no = list(q1.choices.order_by("order"))
    for choice, scale in ((yes, 2), (no, 3), (no, 2)):
        response_submit(actor=manager, survey=study.baseline, answers={q1.pk: choice.pk, q2.pk: scale}, paper_reference="Sno, form 1")
    now = timezone.now()
    study = services.endline_create(actor=manager, study=study, opens_at=now, closes_at=now + datetime.timedelta(days=30))
    e1, e2 = list(study.endline.questions.order_by("order"))
    eyes = e1.choices.order_by("order").first()
    for scale in (4, 5):
        response_submit(actor=manager, survey=study.endline, answers={e1.pk: eyes.pk, e2.pk: scale}, paper_reference="Sno, form 2")
    cmp = selectors.research_comparison(selectors.study_for(lag, study.pk))
    assert cmp["base_total"] == 3 and cmp["end_total"] == 2
    listed = selectors.studies(lag).get(pk=study.pk)
    assert (listed.base_n, listed.end_n) == (3, 2)
    first = cmp["rows"][0]["bars"][0]
    assert (first["base_pct"], first["end_pct"], first["change"]) == (33, 100, 67)
    assert cmp["rows"][1]["base_mean"] == "2.3" and cmp["rows"][1]["end_mean"] == "4.5"
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already has"):
        services.endline_create(actor=manager, study=study, opens_at=now, closes_at=now + datetime.timedelta(days=1))


@pytest.fixture
def world(lag, study):
    contract, ind = s3_jobs(lag)
    return {"contract": contract, "study": study}


def staff_gets(w):
    return [url("dashboard"), url("donor_report", "xlsx"), url("donor_report", "pdf"), url("research"),
            url("study", w["study"].pk), url("study_entry", w["study"].pk, "baseline")]


@pytest.mark.parametrize("name", PERSONAS)
def test_staff_pages_over_personas(client, persona, world, name):
    user = persona(name)
    if user is not None:
        client.force_login(user)
    for u in staff_gets(world):
        response = client.get(u)
        if name == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], u
        elif name in STAFF_READERS:
            assert response.status_code == 200, u
        else:
            assert response.status_code == 403, u
    now = timezone.now()
    posts = [(url("study", world["study"].pk), {"opens_at": now.strftime("%Y-%m-%dT%H:%M"),
                                                "closes_at": (now + datetime.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")})]
    for u, data in posts:
        response = client.post(u, data)
        if name == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif name == "manager":
            assert response.status_code == 302
        else:
            assert response.status_code == 403


@pytest.mark.parametrize("name", PERSONAS)
def test_network_dashboard(client, persona, world, name):
    user = persona(name)
    if user is not None:
        client.force_login(user)
    response = client.get("/en/network/monitoring/")
    if name == "anonymous":
        assert response.status_code == 302
    elif name == "network_officer":
        assert response.status_code == 200
        assert "1.50" in response.content.decode()
        assert client.post("/en/network/monitoring/").status_code == 403
    else:
        assert response.status_code == 403


def test_donor_xlsx_has_the_figures(client, persona, world):
    from openpyxl import load_workbook

    client.force_login(persona("manager"))
    response = client.get(url("donor_report", "xlsx"))
    wb = load_workbook(io.BytesIO(response.content))
    indicators, money = wb.worksheets
    rows = list(indicators.values)
    header = rows[2]
    jobs = next(r for r in rows[3:] if r[0] == "R1.1")
    assert jobs[header.index("Achieved by projects")] == 1.5
    assert jobs[header.index("Planned by projects")] == 2
    total = list(money.values)[-1]
    assert total[0] == "Total" and total[5] == 36000  # paid; settlement at 45,000 leaves nothing to pay


def test_donor_pdf_renders_georgian(client, persona, world):
    from pypdf import PdfReader

    client.force_login(persona("manager"))
    with translation.override("ka"):
        response = client.get(reverse("monitoring:donor_report", args=[S, "pdf"]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "ყაზბეგის" in text and "R1.1" in text


def test_paper_entry_bad_input(client, persona, world):
    client.force_login(persona("manager"))
    response = client.post(url("study_entry", world["study"].pk, "baseline"), {"paper_reference": ""})
    assert response.status_code == 400
    response = client.get(url("study_entry", world["study"].pk, "nonsense"))
    assert response.status_code == 404


def test_dashboard_query_count_does_not_grow(client, persona, lag, world):
    client.force_login(persona("manager"))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("dashboard")).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for _i in range(3):
        s3_jobs(lag, app=funded_application(lag, call=world["contract"].call))
    assert count() == small


def test_network_query_count_does_not_grow(client, persona, lag, world):
    officer = persona("network_officer")
    client.force_login(officer)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/en/network/monitoring/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    other = LagFactory(slug="borjomi")
    s3_jobs(other)
    assert count() == small


def test_dashboard_shows_no_personal_data_to_network(client, persona, world):
    client.force_login(persona("network_officer"))
    body = client.get(url("dashboard")).content.decode()
    assert "+995" not in body and "@example.ge" not in body


def test_two_lags_are_separate(lag):
    s3_jobs(lag)
    other = LagFactory(slug="borjomi")
    assert all(p.contribution == 0 for p in selectors.indicator_progress(other))
    assert UserFactory  # factories import kept for readers


def test_research_list_query_count(client, persona, lag, study):
    client.force_login(persona("manager"))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("research")).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    now = timezone.now()
    for i in range(3):
        services.baseline_create(actor=None, lag=lag, title_ka=f"კვლევა {i}", title_en=f"Study {i}", opens_at=now,
                                 closes_at=now + datetime.timedelta(days=1), questions=[])
    assert count() == small
