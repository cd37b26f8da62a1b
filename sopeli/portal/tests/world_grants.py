"""A competition told end to end through the services, with a secret marker in every private field.

``build_competition(lag)`` runs S2 (``grants.testing_selection.build_s2``: call 100,000 GEL, A–H,
H ineligible, C's scores diverge), publishes the received list, lets a board decide the ranking at a
meeting and publishes the results (A, B, C funded; E, D, F reserve; G below the minimum), G appeals
and the appeal is rejected; A gets a signed contract, a first payment and an approved interim report
with indicator values, B a signed contract and a report that is submitted but not approved yet. Not
public at all: a draft call, a draft application, and a second call whose results (and received
list) are not published. Returns the objects and ``COMPETITION_SECRETS``.

Markers are ``zq3`` + three digits (``portal.tests.world`` uses ``zq10…``, the open-data exports'
world ``zq20…``). They are planted after the step that could have copied a field into a public fact
only where the field is typed by a person later anyway (comments, references), so a leak through the
public ledger would show too.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from sopeli.governance import services as governance
from sopeli.governance.models import ConflictDeclaration
from sopeli.grants.models import Application, Assignment, BudgetLine, EligibilityCheck, Score, ScoreSheet
from sopeli.grants.services import appeals as appeal_services
from sopeli.grants.services import checks as check_services
from sopeli.grants.services import selection
from sopeli.grants.testing import ApplicationFactory, CallFactory
from sopeli.grants.testing_selection import board_for, build_s2
from sopeli.projects.models import ClaimLine, Contract
from sopeli.projects.testing import claim, funded_application, indicators_for, pay, report, signed_contract

D = Decimal

COMPETITION_SECRETS = {
    "applicant.phone": "+995 zq3001",
    "applicant.email": "zq3002@example.ge",
    "reserve.name": "zq3003 Reserve Applicant",
    "rejected.name": "zq3004 Rejected Applicant",
    "ineligible.name": "zq3005 Ineligible Applicant",
    "ineligible.reason": "zq3006 eligibility reason",
    "application.partners": "zq3007 partner",
    "application.budget_line": "zq3008 budget line",
    "score.comment": "zq3009 evaluator comment",
    "score.justification": "zq3010 justification",
    "score.draft_comment": "zq3011 draft comment",
    "draft.title": "zq3012 draft project",
    "draft.name": "zq3013 Draft Applicant",
    "draft_call.title": "zq3014 draft call",
    "hidden.title": "zq3015 not yet public",
    "hidden.name": "zq3016 Unpublished Applicant",
    "appeal.grounds": "zq3017 appeal grounds, the evaluators misread the budget of the project",
    "appeal.reason": "zq3018 appeal rejected because",
    "contract.note": "zq3019 eligibility note",
    "contract.text": "zq3020 contract text",
    "payment.reference": "zq3021",
    "claim.supplier": "zq3022 Supplier",
    "report.narrative": "zq3023 narrative",
    "report.evidence": "zq3024 evidence",
    "withdrawal.reason": "zq3025 withdrawal reason",
}


def _decide_at_meeting(manager, sel, board) -> None:
    """The board decides each proposed application at a meeting; recused members do not vote."""
    meeting = governance.meeting_create(actor=manager, lag=sel.call.lag, body=board.body, title_ka="შერჩევა",
                                        title_en="Selection meeting", starts_at=timezone.now(), place="სტეფანწმინდა")
    governance.attendance_record(actor=manager, meeting=meeting, present_member_ids=[m.pk for m in board.members])
    for item in selection.selection_to_board(actor=manager, selection=sel, meeting=meeting):
        recused = set(ConflictDeclaration.objects.filter(item=item).values_list("member_id", flat=True))
        governance.votes_record(actor=manager, item=item, votes={m.pk: "for" for m in board.members if m.pk not in recused})
        governance.item_decide(actor=manager, item=item)


def build_competition(lag) -> SimpleNamespace:
    s = COMPETITION_SECRETS
    s2 = build_s2(lag)
    call, apps, manager = s2.call, s2.apps, s2.manager
    # Private from the start: who the applicants are, their partners and budget lines; names of those
    # never funded; what the evaluators wrote.
    for app in apps.values():
        app.applicant.phone, app.applicant.email = s["applicant.phone"], f"{app.pk}.{s['applicant.email']}"
        app.applicant.save(update_fields=["phone", "email"])
    Application.objects.filter(pk__in=[a.pk for a in apps.values()]).update(partners=s["application.partners"])
    BudgetLine.objects.filter(application__call=call).update(description=s["application.budget_line"])
    for letter, key in (("D", "reserve"), ("G", "rejected"), ("H", "ineligible")):
        Application.objects.filter(pk=apps[letter].pk).update(applicant_name=s[f"{key}.name"])
    EligibilityCheck.objects.filter(application=apps["H"]).update(reason=s["ineligible.reason"])
    ScoreSheet.objects.filter(assignment__application__call=call).update(comment=s["score.comment"])
    Score.objects.filter(sheet__assignment__application__call=call).update(justification=s["score.justification"])

    check_services.received_list_publish(actor=manager, call=call)
    sel = selection.selection_compute(actor=manager, call_measure=call.call_measures.get())
    board = board_for(lag)
    _decide_at_meeting(manager, sel, board)
    selection.selection_decide(actor=manager, selection=sel)
    selection.results_publish(actor=manager, call=call)
    call.refresh_from_db()
    for app in apps.values():
        app.refresh_from_db()

    g = apps["G"]
    appeal = appeal_services.appeal_file(actor=g.applicant, application=g, grounds=s["appeal.grounds"])
    appeal_services.appeal_reject(actor=manager, appeal=appeal, reason=s["appeal.reason"])

    # Projects: A under a signed contract, paid and reported; B signed with a report under review.
    indicators = indicators_for(call)
    contract_a = signed_contract(lag, app=apps["A"])
    Contract.objects.filter(pk=contract_a.pk).update(eligibility_note=s["contract.note"], text_ka=s["contract.text"],
                                                     text_en=s["contract.text"])
    payment = pay(contract_a, 1, contract_a.tranches.get(number=1).amount)
    payment.reference = s["payment.reference"]
    payment.save(update_fields=["reference"])
    claim(contract_a, [D("1000.00")])
    ClaimLine.objects.filter(claim__contract=contract_a).update(supplier=s["claim.supplier"])
    report(contract_a, "interim", values=[
        {"indicator": indicators["output"], "value": "1", "evidence": s["report.evidence"]},
    ])
    contract_b = signed_contract(lag, app=apps["B"])
    report(contract_b, "interim", approve=False, values=[{"indicator": indicators["output"], "value": "5"}])
    from sopeli.projects.models import Report

    Report.objects.filter(contract__in=[contract_a, contract_b]).update(narrative=s["report.narrative"])

    # An evaluator's unsubmitted sheet on another call's application; a draft; a draft call; a call
    # whose received list and results are not published.
    hidden_call = CallFactory(lag=lag, status="evaluated", published_at=timezone.now())
    hidden = funded_application(lag, call=hidden_call, applicant_name=s["hidden.name"], title=s["hidden.title"])
    Application.objects.filter(pk=hidden.pk).update(withdrawal_reason=s["withdrawal.reason"])
    draft_sheet = ScoreSheet.objects.create(assignment=Assignment.objects.create(application=hidden, evaluator=board.users[0]),
                                            comment=s["score.draft_comment"], total=D("10.00"))
    ApplicationFactory(call=call, lag=lag, title=s["draft.title"], applicant_name=s["draft.name"])
    draft_call = CallFactory(lag=lag, title_ka=s["draft_call.title"], title_en=s["draft_call.title"])
    return SimpleNamespace(
        lag=lag, call=call, apps=apps, manager=manager, board=board, selection=sel, appeal=appeal,
        indicators=indicators, contract_a=contract_a, contract_b=contract_b, payment=payment,
        hidden_call=hidden_call, hidden=hidden, draft_sheet=draft_sheet, draft_call=draft_call,
    )
