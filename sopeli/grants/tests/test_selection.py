"""Ranking, the board's selection decision, results and the reserve list: S2 end to end through the services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sopeli.core.models import AuditEvent, LedgerEntry
from sopeli.governance import services as governance
from sopeli.governance.models import ConflictDeclaration, ItemStatus
from sopeli.grants.models import AssignmentRound, Outcome, RankingResult
from sopeli.grants.selectors import selection as selectors
from sopeli.grants.services import applications as app_services
from sopeli.grants.services import selection
from sopeli.grants.testing_selection import board_for, build_s2
from sopeli.grants.workflow import ApplicationStatus, CallStatus

pytestmark = pytest.mark.django_db
D = Decimal


def refs(result, letters):
    return [result.apps[x].reference for x in letters]


def outcome_of(res, app):
    return RankingResult.objects.filter(application=app, selection__call=res.call).order_by("-selection__run").first()


def decide_at_meeting(res, sel, board, *, against=()):
    meeting = governance.meeting_create(actor=res.manager, lag=res.call.lag, body=board.body, title_ka="სხდომა",
                                        title_en="Selection meeting", starts_at=timezone.now(), place="სტეფანწმინდა")
    governance.attendance_record(actor=res.manager, meeting=meeting, present_member_ids=[m.pk for m in board.members])
    items = selection.selection_to_board(actor=res.manager, selection=sel, meeting=meeting)
    for item in items:
        recused = set(ConflictDeclaration.objects.filter(item=item).values_list("member_id", flat=True))
        choice = "against" if item.code in against else "for"
        governance.votes_record(actor=res.manager, item=item,
                                votes={m.pk: choice for m in board.members if m.pk not in recused})
        governance.item_decide(actor=res.manager, item=item)
    for item in items:
        item.refresh_from_db()
    return items


@pytest.fixture
def s2(lag):
    return build_s2(lag)


def test_s2_scores_late_refusal_divergence_and_closest_pair(s2):
    assert "17:30:01" in s2.late_error or "late" in s2.late_error.lower() or s2.late_error
    c = s2.apps["C"]
    rounds = list(c.assignments.order_by("assigned_at", "id").values_list("round", flat=True))
    assert rounds == [AssignmentRound.ORIGINAL, AssignmentRound.ORIGINAL, AssignmentRound.EXTRA]
    assert AuditEvent.objects.filter(action="grants.extra_evaluator", target_id=str(c.pk)).exists()
    cm = s2.call.call_measures.get()
    inputs = selection.measure_inputs(cm)
    scores = {inputs.by_ref[a.ref].title: a.score for a in inputs.applications if a.score is not None}
    assert scores["Horse trekking in Juta"] == D("71.00")
    assert s2.call.status == CallStatus.EVALUATED
    assert {a.status for a in s2.apps.values()} == {ApplicationStatus.SCORED, ApplicationStatus.INELIGIBLE}


def test_s2_strict_ranking_board_decision_publication_and_reserve_activation(s2, lag, django_capture_on_commit_callbacks):
    cm = s2.call.call_measures.get()
    sel = selection.selection_compute(actor=s2.manager, call_measure=cm)
    rows = {r.application_id: r for r in sel.results.all()}
    ranked = sorted((r for r in rows.values() if r.rank), key=lambda r: r.rank)
    assert [r.application_id for r in ranked] == [s2.apps[x].pk for x in "ABCEDF"]
    assert [r.outcome for r in ranked] == [Outcome.FUNDED] * 3 + [Outcome.RESERVE] * 3
    assert sel.total_funded == D("95000.00")
    assert rows[s2.apps["G"].pk].outcome == Outcome.REJECTED and rows[s2.apps["G"].pk].shortfalls[0]["kind"] == "below_minimum_total"
    assert rows[s2.apps["H"].pk].outcome == Outcome.INELIGIBLE

    board = board_for(lag)
    # A board member who is the applicant of E is recused from E's item automatically.
    board.members[3].name = "Applicant E"
    board.members[3].save()
    items = decide_at_meeting(s2, sel, board)
    assert all(i.is_selection and i.status == ItemStatus.APPROVED for i in items), [(i.code, i.status, i.outcome) for i in items]
    e_item = RankingResult.objects.get(selection=sel, application=s2.apps["E"]).decision_item
    assert ConflictDeclaration.objects.filter(item=e_item, member=board.members[3]).exists()
    with django_capture_on_commit_callbacks(execute=True):
        selection.selection_decide(actor=s2.manager, selection=sel)
        selection.results_publish(actor=s2.manager, call=s2.call)
    for letter, status in zip("ABCDEFGH", ["funded"] * 3 + ["reserve"] * 3 + ["rejected", "ineligible"], strict=True):
        s2.apps[letter].refresh_from_db()
        assert s2.apps[letter].status == status, letter
    assert s2.apps["A"].awarded_grant == D("40000.00")
    entry = LedgerEntry.objects.filter(lag=lag).order_by("-pk").first()
    assert entry is not None
    event = AuditEvent.objects.get(action="grants.results_publish")
    assert event.is_public and [f["reference"] for f in event.data["measures"][0]["funded"]] == refs(s2, "ABC")
    assert [f["reference"] for f in event.data["measures"][0]["reserve"]] == refs(s2, "EDF")

    # B withdraws: 35,000 free -> E, D, F all funded at once, in rank order (the withdrawal activates the reserve).
    app_services.application_withdraw(actor=s2.apps["B"].applicant, application=s2.apps["B"], reason="Found other money")
    for letter in "EDF":
        s2.apps[letter].refresh_from_db()
        assert s2.apps[letter].status == ApplicationStatus.FUNDED
    assert outcome_of(s2, s2.apps["B"]).outcome == Outcome.WITHDRAWN
    sel.refresh_from_db()
    assert sel.total_funded == D("94000.00")
    event = AuditEvent.objects.get(action="grants.reserve_activate")
    assert event.is_public and event.data["funded"] == refs(s2, "EDF") and event.data["withdrawn"] == s2.apps["B"].reference
    assert selection.reserve_activate(actor=s2.manager, call_measure=cm) == []  # nothing left to fund


def test_board_items_name_the_project_and_the_amount_once_in_both_languages(s2, lag):
    sel = selection.selection_compute(actor=s2.manager, call_measure=s2.call.call_measures.get())
    board = board_for(lag)
    meeting = governance.meeting_create(actor=s2.manager, lag=lag, body=board.body, title_ka="სხდომა", title_en="Meeting",
                                        starts_at=timezone.now(), place="სტეფანწმინდა")
    items = {i.code: i for i in selection.selection_to_board(actor=s2.manager, selection=sel, meeting=meeting)}
    a, e = items[s2.apps["A"].reference], items[s2.apps["E"].reference]
    assert a.title_en == "Guesthouse in Sno: six rooms: fund with 40,000.00 GEL"
    assert e.title_en == "Bee-keeping in Gergeti: reserve list, position 1"
    assert a.description_en == "Rank 1, score 82.00, requested 40,000.00 GEL."
    # Georgian groups thousands with a no-break space, so the amount never breaks across lines
    assert a.title_ka.startswith("Guesthouse in Sno: six rooms: ") and "40\u00a0000.00" in a.title_ka
    assert "40\u00a0000.00" in a.description_ka
    for code, item in items.items():  # the number is the item's own; the title does not repeat it
        assert code not in item.title_en and code not in item.title_ka


def test_what_if_shows_every_variant_without_saving(s2):
    cm = s2.call.call_measures.get()
    titles = {a.pk: letter for letter, a in s2.apps.items()}

    def letters(refs_, inputs):
        return "".join(titles[inputs.by_ref[r].pk] for r in refs_)

    expected = {
        ("strict", None): ("ABC", "EDF", D("95000.00")),
        ("skip", None): ("ABCF", "ED", D("99000.00")),
        ("border_raise", None): ("ABCE", "DF", D("105000.00")),
        ("border_raise", "time"): ("ABCD", "EF", D("110000.00")),
    }
    for (variant, tb), (funded, reserve, total) in expected.items():
        tie = [{"kind": "earlier_submission"}] if tb else None
        result, inputs = selection.compute(cm, variant=variant, tie_break_list=tie)
        assert letters(result.funded_refs, inputs) == funded, variant
        assert letters(result.reserve_refs, inputs) == reserve, variant
        assert result.total_funded == total
    assert not s2.call.selections.exists()
    with CaptureQueriesContext(connection) as loading:
        view = selectors.what_if(cm, variant="skip")
    assert view["selection"].total_funded == D("99000.00")
    assert len(loading.captured_queries) <= 6  # the call's applications, criteria, sheets, scores: not per application
    with CaptureQueriesContext(connection) as showing:
        shown = [f"{r['app'].reference} {r['app'].title}" for r in view["rows"]]
    assert len(shown) == 8 and not showing.captured_queries  # every row's reference without a query per row


def test_board_lowers_an_amount_with_a_reason_and_bad_amounts_are_clear(s2, lag):
    cm = s2.call.call_measures.get()
    sel = selection.selection_compute(actor=s2.manager, call_measure=cm)
    a = RankingResult.objects.get(selection=sel, application=s2.apps["A"])
    for bad, words in (("abc", "amount"), ("0", "more than 0"), ("50000", "at most"), ("1.234", "two decimal")):
        with pytest.raises(ValidationError) as exc:
            selection.selection_fix_amount(actor=s2.manager, result=a, amount=bad, reason="x")
        assert words in " ".join(exc.value.messages)
    with pytest.raises(ValidationError):
        selection.selection_fix_amount(actor=s2.manager, result=a, amount="38000", reason="")
    selection.selection_fix_amount(actor=s2.manager, result=a, amount="38000", reason="Equipment over the market price")
    board = board_for(lag)
    decide_at_meeting(s2, sel, board)
    selection.selection_decide(actor=s2.manager, selection=sel)
    s2.apps["A"].refresh_from_db()
    assert s2.apps["A"].awarded_grant == D("38000.00")


def test_board_rejecting_a_proposal_frees_money_for_the_reserve(s2, lag):
    cm = s2.call.call_measures.get()
    sel = selection.selection_compute(actor=s2.manager, call_measure=cm)
    board = board_for(lag)
    decide_at_meeting(s2, sel, board, against={s2.apps["B"].reference})
    selection.selection_decide(actor=s2.manager, selection=sel)
    for letter, status in (("B", "rejected"), ("E", "funded"), ("D", "funded"), ("F", "funded"), ("A", "funded")):
        s2.apps[letter].refresh_from_db()
        assert s2.apps[letter].status == status, letter


def test_decision_waits_for_every_item_and_recompute_is_refused_after_the_board(s2, lag):
    cm = s2.call.call_measures.get()
    sel = selection.selection_compute(actor=s2.manager, call_measure=cm)
    board = board_for(lag)
    with pytest.raises(ValidationError):
        selection.selection_decide(actor=s2.manager, selection=sel)
    items = selection.selection_to_board(actor=s2.manager, selection=sel, closes_at=timezone.now() + timedelta(days=3))
    assert all(i.procedure == "written" and i.is_selection for i in items)
    with pytest.raises(ValidationError) as exc:
        selection.selection_decide(actor=s2.manager, selection=sel)
    assert "not decided yet" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError):
        selection.selection_compute(actor=s2.manager, call_measure=cm)
    with pytest.raises(ValidationError):
        selection.results_publish(actor=s2.manager, call=s2.call)
    assert board.body.pk == items[0].body_id


def test_selection_item_blocked_by_the_49_percent_rule_is_not_decided(s2, lag):
    cm = s2.call.call_measures.get()
    sel = selection.selection_compute(actor=s2.manager, call_measure=cm)
    board = board_for(lag, size=4, public=2)  # 2 public of 4 = 50%: blocked
    meeting = governance.meeting_create(actor=s2.manager, lag=lag, body=board.body, title_ka="სხდომა", starts_at=timezone.now(),
                                        place="სტეფანწმინდა")
    governance.attendance_record(actor=s2.manager, meeting=meeting, present_member_ids=[m.pk for m in board.members])
    items = selection.selection_to_board(actor=s2.manager, selection=sel, meeting=meeting)
    governance.votes_record(actor=s2.manager, item=items[0], votes={m.pk: "for" for m in board.members})
    item = governance.item_decide(actor=s2.manager, item=items[0])
    assert item.status == ItemStatus.BLOCKED
    with pytest.raises(ValidationError):
        selection.selection_decide(actor=s2.manager, selection=sel)


def test_reserve_activation_after_the_validity_is_refused(s2, lag):
    cm = s2.call.call_measures.get()
    sel = selection.selection_compute(actor=s2.manager, call_measure=cm)
    decide_at_meeting(s2, sel, board_for(lag))
    selection.selection_decide(actor=s2.manager, selection=sel)
    with pytest.raises(ValidationError) as exc:
        selection.reserve_activate(actor=s2.manager, call_measure=cm, now=timezone.now() + timedelta(days=400))
    assert "valid until" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError):
        selection.reserve_activate(actor=s2.manager, call_measure=cm, added_money="-5")
    assert selection.reserve_activate(actor=s2.manager, call_measure=cm, added_money="25000") == refs(s2, "EDF")
