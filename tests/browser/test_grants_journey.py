"""Issue 4's journey on a phone, in real Chromium, through Sopeli's own pages:

the manager publishes a prepared draft call → two residents apply from their phones (budget table,
aid rate within the limits, a double tap submits once, receipt) → a third is too late and refused →
the manager's eligibility check → evaluators declare independence and score; one application's two
scores diverge by more than 30%, so a third evaluator is brought in by itself → the manager computes
the ranking and puts it to the board by written procedure → board members vote from their phones,
one recuses on one application → the decision is recorded and the results published → an applicant
reads their scores with the justifications and files an appeal within the window.

Services and factories only set up the starting data (strategy, draft call, board, evaluators with
TOTP, accounts) and move deadlines into the past instead of waiting; ``grants_due`` is the cron job.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from sopeli.accounts.models import Role
from sopeli.core.models import AuditEvent
from sopeli.governance.models import AgendaItem, ItemStatus
from sopeli.grants.models import Appeal, Application, Assignment, AssignmentRound, Call, CallMeasure
from sopeli.grants.testing import CallFactory, ready_application
from sopeli.grants.testing_selection import board_for
from sopeli.grants.workflow import ApplicationStatus, CallStatus
from sopeli.testing.factories import SettlementFactory, UserFactory, give_totp, grant_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The evaluators' totals per application, in the order the evaluators are assigned.
# Eka: 80 and 78 agree. Giorgi: 70 and 45 differ by 25 > 30% of 70 (21) -> a third gives 66;
# the closest pair (70, 66) averages 68.00.
SCORES = {
    "eka": [(48, 32), (47, 31)],
    "giorgi": [(42, 28), (27, 18), (40, 26)],
}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def as_user(page, log_in, user):
    page.context.clear_cookies()
    log_in(page, user)


def apply_from_phone(page, url, call, *, who, title, village, lines, requested, photo, double_tap=False, shot=None):
    """A resident fills the five steps of the form on the phone and submits."""
    page.goto(f"{url}/calls/")
    page.get_by_role("link", name=call.title_en).click()
    expect(page.get_by_text("Tbilisi time").first).to_be_visible()
    page.locator(".notice.ok").get_by_role("link", name="Apply", exact=True).click()
    page.get_by_role("button", name="Start my application").click()
    page.get_by_label("You apply as").select_option("business")
    page.get_by_label("Applicant (person or organisation)").fill(who)
    page.get_by_label("Village of the project").select_option(label=village)
    page.get_by_label("Project title").fill(title)
    page.get_by_label("Project summary").fill(f"{title}: rooms and services for visitors to Kazbegi.")
    page.get_by_label("Duration (months)").fill("12")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("What problem does the project solve?").fill("Visitors have nowhere to stay in the village.")
    page.get_by_role("button", name="Save and continue").click()

    # The budget table: cost lines, the requested grant; the aid rate is checked while typing.
    for n, (desc, amount) in enumerate(lines, 1):
        page.locator(f"#desc_{n}").fill(desc)
        page.locator(f"#amount_{n}").fill(amount)
    total = sum(Decimal(a) for _d, a in lines)
    page.locator("#requested_grant").fill(requested)
    check = page.locator("#budget-check")
    rate = (Decimal(requested) / total * 100).quantize(Decimal("0.01"))
    expect(check).to_contain_text(f"{rate}%", timeout=15000)
    expect(check).to_contain_text("Within the call's limits", timeout=15000)
    no_sideways_scroll(page)
    if shot:
        shot(page, "grants-journey-1-budget-phone")
    page.get_by_role("button", name="Save and continue").click()

    page.locator("input[type=file]").first.set_input_files(str(photo))
    page.get_by_role("button", name="Upload").first.click()
    expect(page.get_by_text("File attached.")).to_be_visible()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Everything needed is there.")).to_be_visible()
    button = page.get_by_role("button", name="Submit the application")
    with page.expect_navigation():
        if double_tap:
            button.dblclick()
        else:
            button.click()
    page.wait_for_load_state("networkidle")  # a second tap's request, if any, has landed too
    expect(page.get_by_text("Your application was received").first).to_be_visible()
    expect(page.get_by_role("link", name="Receipt (PDF)")).to_be_visible()
    no_sideways_scroll(page)


def score_on_phone(page, assignment, points, *, shot=None):
    """The evaluator opens the assignment from their queue, declares independence and scores."""
    criteria = {c.code: c.pk for c in assignment.application.call.criteria.all()}
    page.get_by_role("link", name=assignment.application.reference).click()
    expect(page.get_by_text(assignment.application.title)).to_have_count(0)  # not before the declaration
    page.get_by_role("button", name="I am independent: open the application").click()
    expect(page.get_by_text("The application is open for you to score.")).to_be_visible()
    expect(page.locator("h1")).to_contain_text(assignment.application.title)
    c1, c2 = points
    page.locator(f"input[name=points_{criteria['C1']}]").fill(str(c1))
    page.locator(f"#j{criteria['C1']}").fill(f"Fit with the tourism objective: {c1} of 60, the plan is concrete.")
    page.locator(f"input[name=points_{criteria['C2']}]").fill(str(c2))
    page.locator(f"#j{criteria['C2']}").fill(f"Sustainability: {c2} of 40, the own contribution is secured.")
    page.locator(f"input[name=passed_{criteria['E1']}][value=yes]").check()
    page.locator(f"#j{criteria['E1']}").fill("The project is in the territory.")
    no_sideways_scroll(page)
    if shot:
        shot(page, "grants-journey-3-score-sheet-phone")
    page.get_by_role("button", name="Submit the scores (final)").click()
    expect(page.get_by_text(f"{c1 + c2}.00 points").first).to_be_visible()
    expect(page.get_by_text("Your scores can no longer be changed.")).to_be_visible()


def test_a_call_from_publication_to_results_and_an_appeal(live_server, page, lag, log_in, screenshot, tmp_path):
    url = f"{live_server.url}/en/{lag.slug}"
    SettlementFactory(lag=lag, name_ka="ჯუთა", name_en="Juta")
    SettlementFactory(lag=lag, name_ka="სნო", name_en="Sno")
    manager = grant_role(UserFactory(email="manager@example.ge", full_name="Nino Manager"), lag, Role.MANAGER)
    give_totp(manager)
    evaluators = []
    for name in ("Tamar Beridze", "Levan Kapanadze", "Nana Gelashvili"):
        user = grant_role(UserFactory(email=f"{name.split()[0].lower()}@example.ge", full_name=name), lag, Role.EVALUATOR)
        give_totp(user)
        evaluators.append(user)
    board = board_for(lag)  # 6 members, 2 public, each with an account and TOTP
    eka = UserFactory(email="eka@example.ge", full_name="Eka Sujashvili")
    giorgi = UserFactory(email="giorgi@example.ge", full_name="Giorgi Chkareuli")
    late = UserFactory(email="late@example.ge", full_name="Dato Late")
    # A prepared draft call: one measure of the approved strategy with a budget of 50,000 GEL,
    # business projects at most 80%, two scored criteria, a checklist, a question, a document.
    call = CallFactory(lag=lag, title_en="Small grants for rural tourism", code="2026/7")
    CallMeasure.objects.filter(call=call).update(budget=Decimal("50000.00"))
    photo = tmp_path / "extract.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"0" * 2000)

    # 1. The manager finishes the draft's publication on the phone.
    as_user(page, log_in, manager)
    page.goto(f"{url}/manage/calls/")
    page.get_by_role("link", name=re.compile(r"2026.7 Small grants")).click()
    expect(page.get_by_text("The call is complete.")).to_be_visible()
    page.get_by_role("button", name="Publish the call").click()
    expect(page.get_by_text("The call is published. Its rules are now frozen.")).to_be_visible()
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED and call.snapshot
    no_sideways_scroll(page)

    # 2. Two residents apply from their phones; Eka's double tap on "Submit" submits once.
    as_user(page, log_in, eka)
    apply_from_phone(page, url, call, who="Eka's guesthouse", title="Three rooms for hikers in Juta", village="Juta",
                     lines=[("Rooms", "38000"), ("Beds and linen", "12000")], requested="40000", photo=photo,
                     double_tap=True, shot=screenshot)
    screenshot(page, "grants-journey-2-receipt-phone")
    eka_app = Application.objects.get(applicant=eka)
    assert eka_app.status == ApplicationStatus.SUBMITTED and eka_app.number == 1
    assert Application.objects.filter(call=call).exclude(status=ApplicationStatus.DRAFT).count() == 1
    assert AuditEvent.objects.filter(action="grants.application_submit", target_id=str(eka_app.pk)).count() == 1
    expect(page.get_by_text(eka_app.reference).first).to_be_visible()

    as_user(page, log_in, giorgi)
    apply_from_phone(page, url, call, who="Sno horse trekking", title="Horse trekking from Sno", village="Sno",
                     lines=[("Four horses", "30000"), ("Saddles", "7500")], requested="30000", photo=photo)
    giorgi_app = Application.objects.get(applicant=giorgi)
    assert giorgi_app.number == 2 and giorgi_app.requested_grant == Decimal("30000.00")

    # 3. A third resident is ready, but the deadline passes just before they press the button.
    draft = ready_application(call, late, requested=Decimal("8000.00"), total=Decimal("10000.00"),
                              title="Café in Tkarsheti", applicant_name="Dato Late")
    as_user(page, log_in, late)
    page.goto(f"{url}/my/applications/{draft.pk}/step/review/")
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now().replace(microsecond=0) - dt.timedelta(seconds=1))
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_text("can no longer be accepted")).to_be_visible()
    expect(page.get_by_text("Tbilisi time").first).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "grants-journey-2b-late-phone")
    assert Application.objects.get(pk=draft.pk).status == ApplicationStatus.DRAFT
    # The cron job closes the call once on-time submissions can no longer be in progress (CLOSING_GRACE).
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now().replace(microsecond=0) - dt.timedelta(minutes=3))
    call_command("grants_due")
    call.refresh_from_db()
    assert call.status == CallStatus.CLOSED

    # 4. The manager's administrative and eligibility check: both eligible.
    as_user(page, log_in, manager)
    for app in (eka_app, giorgi_app):
        page.goto(f"{url}/manage/calls/{call.pk}/applications/")
        page.get_by_role("link", name=app.title).click()
        page.locator("input[type=radio][name^=item_][value=yes]").first.check()
        page.get_by_role("button", name="Save the checklist").click()
        expect(page.get_by_text("Checklist saved.")).to_be_visible()
        page.get_by_label("Eligible", exact=True).check()
        page.get_by_role("button", name="Record the decision").click()
        expect(page.get_by_text("Decision recorded; the applicant is notified.")).to_be_visible()
        no_sideways_scroll(page)
    assert set(Application.objects.filter(call=call, number__isnull=False).values_list("status", flat=True)) == {
        ApplicationStatus.ELIGIBLE}
    page.goto(f"{url}/manage/calls/{call.pk}/applications/")
    expect(page.get_by_text("Dato Late")).to_have_count(0)
    expect(page.get_by_text("Café in Tkarsheti")).to_have_count(0)  # the late draft was never received

    # 5. The manager fills the evaluator pool and assigns two evaluators per application.
    page.goto(f"{url}/manage/calls/{call.pk}/evaluation/")
    page.get_by_role("button", name="Add to the pool").click()
    expect(page.get_by_text("3 people added to the pool.")).to_be_visible()
    page.get_by_role("button", name="Assign evaluators").click()
    expect(page.get_by_text("4 assignments made.")).to_be_visible()

    # 6. Each evaluator scores from their phone; Giorgi's two scores diverge, a third is brought in.
    apps = {eka_app.pk: "eka", giorgi_app.pk: "giorgi"}
    shot = screenshot
    while True:
        pending = (Assignment.objects.filter(application__call=call, conflict_declared=False, sheet__isnull=True)
                   .select_related("application__call").order_by("assigned_at", "id").first())
        if pending is None:
            break
        order = list(Assignment.objects.filter(application=pending.application).order_by("assigned_at", "id")
                     .values_list("pk", flat=True))
        points = SCORES[apps[pending.application_id]][order.index(pending.pk)]
        as_user(page, log_in, pending.evaluator)
        page.goto(f"{url}/my/evaluations/")
        score_on_phone(page, pending, points, shot=shot)
        shot = None
    extra = Assignment.objects.get(application=giorgi_app, round=AssignmentRound.EXTRA)
    assert Assignment.objects.filter(application=eka_app).count() == 2
    assert extra.evaluator_id not in set(Assignment.objects.filter(application=giorgi_app, round=AssignmentRound.ORIGINAL)
                                         .values_list("evaluator_id", flat=True))
    # The third evaluator sees the others' scores only now that theirs are in.
    expect(page.get_by_text("The other evaluators' scores")).to_be_visible()

    # 7. The manager follows the progress, finishes the evaluation and computes the ranking.
    as_user(page, log_in, manager)
    page.goto(f"{url}/manage/calls/{call.pk}/evaluation/")
    expect(page.get_by_text("5 of 5 score sheets submitted")).to_be_visible()
    expect(page.get_by_text("extra evaluator (scores diverged)")).to_be_visible()
    page.get_by_role("button", name="Finish the evaluation").click()
    expect(page.get_by_text("The evaluation is finished; the ranking can be computed.")).to_be_visible()
    page.get_by_role("link", name="Ranking and selection").click()
    page.get_by_role("button", name="Compute the ranking").click()
    expect(page.get_by_text("The ranking is computed.")).to_be_visible()
    ranking = page.locator("main")
    expect(ranking).to_contain_text("79.00")  # Eka: mean of 80 and 78
    expect(ranking).to_contain_text("68.00")  # Giorgi: closest pair 70 and 66
    no_sideways_scroll(page)

    # 8. ...and puts it to the board by written procedure (votes open for two days).
    closes = timezone.localtime(timezone.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page.locator("input[type=datetime-local][name=closes_at]").fill(closes)
    page.get_by_role("button", name="Put to the board").click()
    expect(page.get_by_text("The proposal is on the board's agenda.")).to_be_visible()
    items = {item.code: item for item in AgendaItem.objects.filter(lag=lag, is_selection=True)}
    assert set(items) == {eka_app.reference, giorgi_app.reference}

    # 9. Board members vote from their phones; member 3 is Eka's cousin and recuses on her item.
    for n, user in enumerate(board.users, 1):
        as_user(page, log_in, user)
        page.goto(f"{url}/my/votes/")
        if n == 3:
            card = page.locator(f"#item-{items[eka_app.reference].pk}")
            card.get_by_text("I have a conflict of interest").click()
            card.get_by_label(re.compile("Your link to this item")).fill("Eka Sujashvili is my cousin.")
            card.get_by_role("button", name="Declare the conflict and do not vote").click()
            expect(page.locator(f"#item-{items[eka_app.reference].pk}")).to_contain_text("You declared a conflict of interest")
            no_sideways_scroll(page)
            screenshot(page, "grants-journey-4-board-recusal-phone")
        for code in sorted(items):
            card = page.locator(f"#item-{items[code].pk}")
            if n == 3 and code == eka_app.reference:
                expect(card.locator("button[name=choice]")).to_have_count(0)
                continue
            with page.expect_navigation():
                card.locator("button[name=choice][value=for]").click()
            expect(page.locator(f"#item-{items[code].pk}")).to_contain_text("Your vote is final")
    # The deadline passes (moved, rather than waiting two days); the manager closes both votes.
    AgendaItem.objects.filter(pk__in=[i.pk for i in items.values()]).update(
        closes_at=timezone.now() - dt.timedelta(seconds=1))
    as_user(page, log_in, manager)
    page.goto(f"{url}/manage/procedures/")
    for _item in items:
        with page.expect_navigation():
            page.get_by_role("button", name="Close and record the result").first.click()
    for item in items.values():
        item.refresh_from_db()
        assert item.status == ItemStatus.APPROVED, (item.code, item.outcome)
    recused = items[eka_app.reference]
    assert recused.conflicts.filter(member=board.members[2]).exists()
    assert recused.votes.count() == 5 and items[giorgi_app.reference].votes.count() == 6
    # The closed procedure is public, with the recusal on record.
    page.context.clear_cookies()
    page.goto(f"{url}/decisions/procedures/{recused.pk}/")
    expect(page.locator("main")).to_contain_text("Board member 3: Eka Sujashvili is my cousin.")
    no_sideways_scroll(page)
    as_user(page, log_in, manager)

    # 10. The board's decision is recorded and the results are published.
    page.goto(f"{url}/manage/calls/{call.pk}/ranking/")
    page.get_by_role("button", name="Record the board's decision").click()
    expect(page.get_by_text("The board's decision is recorded.")).to_be_visible()
    page.get_by_role("button", name="Publish the results").click()
    expect(page.get_by_text("The results are published.")).to_be_visible()
    eka_app.refresh_from_db()
    giorgi_app.refresh_from_db()
    assert eka_app.status == ApplicationStatus.FUNDED and eka_app.awarded_grant == Decimal("40000.00")
    assert giorgi_app.status == ApplicationStatus.RESERVE

    # The public results page: funded with amount and score, the reserve list.
    page.context.clear_cookies()
    page.goto(f"{url}/calls/{call.pk}/results/")
    funded = page.locator("table").first
    expect(funded).to_contain_text("Three rooms for hikers in Juta")
    expect(funded).to_contain_text("Eka's guesthouse")
    expect(funded).to_contain_text("40,000")
    expect(funded).to_contain_text("79.00")
    expect(page.locator("main ol").last).to_contain_text("Horse trekking from Sno")
    expect(page.locator("main")).not_to_contain_text("Dato Late")
    no_sideways_scroll(page)
    screenshot(page, "grants-journey-5-results-phone")

    # 11. Giorgi reads his own scores and the justifications, and appeals within the window.
    as_user(page, log_in, giorgi)
    page.goto(f"{url}/my/applications/")
    page.get_by_role("link", name="Horse trekking from Sno").click()
    expect(page.locator("main .badge").first).to_have_text("on the reserve list")
    page.get_by_role("link", name="Your scores and appeal").click()
    expect(page).to_have_url(re.compile(rf"/my/applications/{giorgi_app.pk}/scores/$"))
    main = page.locator("main")
    expect(main).to_contain_text("final score 68.00")
    expect(main).to_contain_text("45.00 points")
    expect(main).to_contain_text("Sustainability: 18 of 40, the own contribution is secured.")
    for name in ("Tamar Beridze", "Levan Kapanadze", "Nana Gelashvili"):
        expect(main).not_to_contain_text(name)  # evaluators' names stay hidden
    expect(main).to_contain_text("You may appeal until")
    no_sideways_scroll(page)
    screenshot(page, "grants-journey-6-my-scores-phone")
    page.get_by_role("link", name="Appeal", exact=True).click()
    page.get_by_label("Grounds of the appeal").fill(
        "The second evaluator gave 27 points for the fit with the strategy although the trekking routes are "
        "named in the strategy's tourism objective. Please have the application scored again.")
    page.get_by_role("button", name="File the appeal").click()
    expect(page.get_by_text("Your appeal is filed. The LAG answers it in writing.")).to_be_visible()
    expect(page.get_by_text("Original decision")).to_be_visible()
    no_sideways_scroll(page)
    appeal = Appeal.objects.get(application=giorgi_app)
    assert appeal.original_outcome == "reserve" and appeal.original_score == Decimal("68.00")

    # The manager sees it in the call's appeals.
    as_user(page, log_in, manager)
    page.goto(f"{url}/manage/calls/{call.pk}/appeals/")
    expect(page.get_by_role("link", name=giorgi_app.reference)).to_be_visible()
