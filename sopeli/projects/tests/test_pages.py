"""Projects pages: every private page over all personas (a grantee sees only their own contract and
claims; network officers read staff pages and get 403 on POST), query counts on lists, bad input
answered clearly (never a 500), personal data never on public pages, the contract PDF."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sopeli.projects import services
from sopeli.projects.models import Claim, Contract, Payment, ReportKind
from sopeli.projects.testing import (
    claim,
    funded_application,
    indicators_for,
    pay,
    pdf,
    png,
    signed_contract,
    visit,
)
from sopeli.testing.factories import PERSONAS, UserFactory

pytestmark = pytest.mark.django_db
S = "kazbegi"
STAFF_READERS = {"manager", "network_officer"}
D = Decimal


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def url(name, *args):
    return reverse(f"projects:{name}", args=[S, *args])


def login(client, user):
    if user is not None:
        client.force_login(user)


@pytest.fixture
def world(lag):
    """A signed contract with a paid advance, a submitted claim and a submitted interim report; a
    draft contract; a funded application waiting for its contract; a published story."""
    grantee = UserFactory(email="grantee@example.ge", full_name="ნინო გელაშვილი", phone="+995 555 12 34 56")
    contract = signed_contract(lag, user=grantee)
    pay(contract, 1, "16000.00")
    c = claim(contract, [D("1200.00")])
    r = contract.reports.get(kind=ReportKind.INTERIM)
    services.report_save(actor=grantee, report=r, narrative="Rooms done", photos=[png()], submit=True)
    v = visit(contract)
    services.site_visit_record(actor=None, contract=contract, visited_on=timezone.localdate(), checklist=[], photos=[png("v.png")])
    story = services.story_save(actor=None, contract=contract, data={"title_ka": "სასტუმრო", "body_ka": "ამბავი"}, photos=[png()], publish=True)
    app2 = funded_application(lag, call=contract.call)
    today = timezone.localdate()
    draft = services.contract_generate(actor=None, application=app2, starts_on=today, ends_on=today + datetime.timedelta(days=30))
    waiting = funded_application(lag, call=contract.call)
    return {"contract": contract, "claim": c, "report": r, "visit": v, "story": story, "draft": draft, "waiting": waiting,
            "grantee": grantee, "scan": contract.scans.first(), "receipt": c.lines.first().receipts.first(),
            "photo": r.photos.first(), "visit_photo": contract.visits.last().photos.first()}


def staff_gets(w):
    c = w["contract"]
    return [url("manage_list"), url("manage_template"), url("manage_ledger"), url("manage_ledger_export", "xlsx"),
            url("manage_ledger_export", "csv"), url("manage_contract", c.pk), url("manage_contract", w["draft"].pk),
            url("manage_claim", c.pk, w["claim"].pk), url("manage_report", c.pk, w["report"].pk), url("manage_story", c.pk)]


def staff_posts(w):
    """Each staff POST with valid data, in an order in which each succeeds for a manager."""
    c, d = w["contract"], w["draft"]
    today = timezone.localdate().isoformat()
    line = w["claim"].lines.first()
    return [
        (url("manage_template"), {"body_ka": "ხელშეკრულება {number}", "body_en": "Contract {number}", "obligations_ka": "", "obligations_en": ""}),
        (url("manage_generate", w["waiting"].pk), {"starts_on": today, "ends_on": today, "tranches": "40/50/10"}),
        (url("manage_check", d.pk), {"eligible": "yes", "note": ""}),
        (url("manage_sign", d.pk), {"grantee_on": today, "lag_on": today, "scan": pdf("s.pdf")}),
        (url("manage_planned", c.pk), {}),
        (url("manage_claim", c.pk, w["claim"].pk), {f"eligible-{line.pk}": "1200.00"}),
        (url("manage_report", c.pk, w["report"].pk), {"decision": "approve", "note": ""}),
        (url("manage_payment", c.pk), {"tranche": c.tranches.get(number=2).pk, "paid_on": today, "amount": "100.00", "reference": "T-2"}),
        (url("manage_visit", c.pk), {"visited_on": today, "notes": "fine"}),
        (url("manage_amend", c.pk), {"reason": "Later end", "ends_on": (timezone.localdate() + datetime.timedelta(days=400)).isoformat()}),
        (url("manage_story", c.pk), {"title_ka": "ამბავი", "body_ka": "ტექსტი", "publish": "on"}),
        (url("manage_settle", c.pk), {}),
    ]


@pytest.mark.parametrize("name", PERSONAS)
def test_staff_pages_read(client, persona, world, name):
    login(client, persona(name))
    for u in staff_gets(world):
        response = client.get(u)
        if name == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], u
        elif name in STAFF_READERS:
            assert response.status_code == 200, u
        else:
            assert response.status_code == 403, u


@pytest.mark.parametrize("name", PERSONAS)
def test_staff_posts(client, persona, world, name):
    login(client, persona(name))
    before = (Contract.objects.count(), Payment.objects.count(), Claim.objects.filter(status="verified").count())
    for u, data in staff_posts(world):
        response = client.post(u, data)
        if name == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], u
        elif name == "manager":
            assert response.status_code == 302 and "/manage/projects/" in response["Location"], (u, response.content[:500])
            messages = [str(m) for m in response.wsgi_request._messages]
            assert not any("cannot" in m or "must" in m for m in messages), (u, messages)
        else:
            assert response.status_code == 403, u
    after = (Contract.objects.count(), Payment.objects.count(), Claim.objects.filter(status="verified").count())
    if name == "manager":
        assert after == (before[0] + 1, before[1] + 1, before[2] + 1)
        assert Contract.objects.get(pk=world["contract"].pk).status == "signed"  # settlement refused: final report missing
    else:
        assert after == before


def grantee_urls(w):
    c = w["contract"]
    return [url("my_contract", c.pk), url("my_claim_new", c.pk), url("my_report", c.pk, w["report"].pk),
            url("contract_pdf", c.pk), url("file", "scan", w["scan"].pk), url("file", "receipt", w["receipt"].pk),
            url("file", "report-photo", w["photo"].pk), url("file", "visit-photo", w["visit_photo"].pk)]


@pytest.mark.parametrize("name", PERSONAS + ["grantee"])
def test_grantee_pages_only_for_the_grantee(client, persona, world, name):
    user = world["grantee"] if name == "grantee" else persona(name)
    login(client, user)
    for u in grantee_urls(world):
        response = client.get(u)
        if name == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], u
        elif name == "grantee":
            assert response.status_code == 200, u
        elif name in STAFF_READERS and ("/files/" in u or u.endswith(".pdf")):
            assert response.status_code == 200, u  # staff read the documents through the same permission check
        else:
            assert response.status_code == 404, u


def test_another_grantee_cannot_see_or_claim(client, lag, world):
    other = signed_contract(lag, call=world["contract"].call)
    client.force_login(other.grantee)
    assert client.get(url("my_contract", world["contract"].pk)).status_code == 404
    assert client.post(url("my_claim_new", world["contract"].pk), {"rows": "1"}).status_code == 404
    page = client.get(url("my_list")).content.decode()
    assert other.title in page and world["contract"].title not in page


def test_grantee_sends_a_claim_and_a_report(client, world):
    c = world["contract"]
    client.force_login(world["grantee"])
    response = client.post(url("my_claim_new", c.pk), {
        "rows": "2", "line-0-description": "Windows", "line-0-amount": "2500.00", "line-0-receipt": pdf("inv.pdf"),
        "line-1-description": "", "line-1-amount": ""})
    assert response.status_code == 302
    assert c.claims.count() == 2
    indicators_for(c.call)
    final = c.reports.get(kind="final")
    response = client.post(url("my_report", c.pk, final.pk), {
        "narrative": "All done", "job-0-description": "Cook", "job-0-gender": "female", "job-1-description": "Guide",
        "job-1-gender": "male", "job-1-months": "6", "submit": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    final.refresh_from_db()
    assert final.status == "submitted"
    assert final.values.filter(gender="", value=D("1.50")).exists()


@pytest.mark.parametrize(("data", "message"), [
    ({"line-0-description": "Wood", "line-0-amount": "-5", "line-0-receipt": "pdf"}, "cannot be negative"),
    ({"line-0-description": "Wood", "line-0-amount": "60000", "line-0-receipt": "pdf"}, "exceed the project"),
    ({"line-0-description": "Wood", "line-0-amount": "100", "line-0-receipt": "exe"}, "not accepted"),
    ({"line-0-description": "Wood", "line-0-amount": "100"}, "Attach the receipt"),
    ({"line-0-description": "Wood", "line-0-amount": "1e400", "line-0-receipt": "pdf"}, "too large"),
])
def test_claim_bad_input(client, world, data, message):
    client.force_login(world["grantee"])
    files = {"pdf": pdf("r.pdf"), "exe": SimpleUploadedFile("r.exe", b"MZ\x90\x00")}
    if "line-0-receipt" in data:
        data = {**data, "line-0-receipt": files[data["line-0-receipt"]]}
    response = client.post(url("my_claim_new", world["contract"].pk), {"rows": "1", **data})
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize(("amount", "message"), [("-100", "cannot be negative"), ("99999", "At most"), ("abc", "amount such as")])
def test_payment_bad_input_page(client, persona, world, amount, message):
    client.force_login(persona("manager"))
    c = world["contract"]
    response = client.post(url("manage_payment", c.pk), {"tranche": c.tranches.get(number=1).pk, "paid_on": timezone.localdate().isoformat(),
                                                         "amount": amount, "reference": "X"}, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_verify_claim_bad_input(client, persona, world):
    client.force_login(persona("manager"))
    c, cl = world["contract"], world["claim"]
    line = cl.lines.first()
    response = client.post(url("manage_claim", c.pk, cl.pk), {f"eligible-{line.pk}": "5000"})
    assert response.status_code == 400 and "cannot exceed" in response.content.decode()
    response = client.post(url("manage_claim", c.pk, cl.pk), {f"eligible-{line.pk}": "-1"})
    assert response.status_code == 400 and "cannot be negative" in response.content.decode()


def test_generate_bad_tranches(client, persona, world):
    client.force_login(persona("manager"))
    today = timezone.localdate().isoformat()
    response = client.post(url("manage_generate", world["waiting"].pk), {"starts_on": today, "ends_on": today, "tranches": "40/50"},
                           follow=True)
    assert response.status_code == 200 and "add up to 100" in response.content.decode()


def test_contract_pdf_renders_georgian(client, world, tmp_path):
    from pypdf import PdfReader

    client.force_login(world["grantee"])
    response = client.get(url("contract_pdf", world["contract"].pk))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = text.replace("\xa0", " ")  # Georgian groups thousands with a no-break space
    assert "ხელშეკრულება" in text and world["contract"].grantee_name in text
    assert "16,000.00" in text  # the 40% advance in the payment schedule, grouped
    assert "მხარეები" in text and "Parties" in text


def test_public_pages_show_no_personal_data(client, world):
    for u in (url("public_list"), url("public_story", world["story"].pk)):
        body = client.get(u).content.decode()
        assert "ნინო გელაშვილი" not in body or u.endswith("/projects/")
        for secret in ("+995", "grantee@example.ge", world["contract"].application.summary):
            assert secret not in body, (u, secret)
    assert client.get(url("file", "story-photo", world["story"].photos.first().pk)).status_code == 200
    assert client.get(url("file", "scan", world["scan"].pk)).status_code == 302  # private: login first


def _count(client, u):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(u).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_counts_do_not_grow(client, persona, lag, world):
    manager = persona("manager")
    pages = [url("manage_list"), url("manage_ledger"), url("public_list")]
    client.force_login(manager)
    small = {u: _count(client, u) for u in pages}
    client.force_login(world["grantee"])
    small_my = _count(client, url("my_list"))
    for _i in range(6):
        c = signed_contract(lag, call=world["contract"].call, user=world["grantee"])
        services.story_save(actor=None, contract=c, data={"title_ka": "ა", "body_ka": "ბ"}, photos=[png()], publish=True)
        funded_application(lag, call=world["contract"].call)
    client.force_login(manager)
    for u in pages:
        assert _count(client, u) == small[u], u
    client.force_login(world["grantee"])
    assert _count(client, url("my_list")) == small_my


def test_ledger_export_xlsx_reads_back(client, persona, world):
    from openpyxl import load_workbook

    client.force_login(persona("network_officer"))
    response = client.get(url("manage_ledger_export", "xlsx"))
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.values)
    assert rows[0][2] == "Allocated"
    total = rows[-1]
    assert total[0] == "Total" and Decimal(str(total[5])) == D("16000.00")


def test_amend_budget_lines_page(client, persona, world):
    client.force_login(persona("manager"))
    c = world["contract"]
    response = client.post(url("manage_amend", c.pk), {"reason": "Cheaper roof", "budget_lines": "Roof; 30000.00\nFurniture; 20000"},
                           follow=True)
    assert response.status_code == 200 and "Amendment recorded" in response.content.decode()
    assert list(c.budget_lines.values_list("description", "amount")) == [("Roof", D("30000.00")), ("Furniture", D("20000.00"))]
    response = client.post(url("manage_amend", c.pk), {"reason": "x", "budget_lines": "Roof 30000"}, follow=True)
    assert "item; amount" in response.content.decode()
    response = client.post(url("manage_amend", c.pk), {"reason": "x", "budget_lines": "Roof; -3"}, follow=True)
    assert "cannot be negative" in response.content.decode()
