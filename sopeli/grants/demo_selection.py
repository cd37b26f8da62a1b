"""Demo data for evaluation, selection and appeals (``seed_selection_demo``): Kazbegi's closed call 2026/1.

The whole competition is told through the services with the clock pinned to past dates: S2's
figures scaled to measure M1's limits (budget 50,000 GEL, minimum score 50, lower amount first):
A 82 / 20,000; B 76 / 15,000; C 71 (74 and 50 diverge, a third evaluator gives 68) / 12,500;
D 68 / 7,500 (earlier); E 68 / 5,000; F 55 / 3,000; G 47 / 3,000 (below the minimum); H ineligible;
I arrives one second late and is refused. Strict stop: A, B, C funded (47,500), reserve E, D, F.
The board (S1's committee) decides at a meeting with M5 recused from A (his brother's guesthouse),
fixes A's grant at 19,000 with a reason, the results are published, and G appeals: two other
evaluators re-score it (61.00) and it joins the reserve list — beside the original decision.
Idempotent: nothing happens when call 2026/1 exists.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from sopeli.accounts.models import Role, RoleGrant, User
from sopeli.core.models import Lag, Settlement
from sopeli.governance import services as governance
from sopeli.governance.models import ConflictDeclaration
from sopeli.grants import rules
from sopeli.grants.models import Application, Assignment, Call, RankingResult, Stage
from sopeli.grants.services import appeals, checks, evaluation, selection
from sopeli.grants.services import applications as app_services
from sopeli.grants.services import calls as call_services
from sopeli.membership.models import Body, BodyKind, Member
from sopeli.strategy.selectors import measures_for_calls

CODE = "2026/1"
D = Decimal
# letter: requested, evaluators' totals, days before the deadline it was submitted, title ka/en, village
APPS = {
    "A": (D(20000), [D(82), D(82)], 9, "საოჯახო სასტუმრო სნოში: ექვსი ოთახი", "Family guesthouse in Sno: six rooms"),
    "B": (D(15000), [D(76), D(76)], 8, "ყველის საწარმო არშაში", "Cheese dairy in Arsha"),
    "C": (D("12500"), [D(74), D(50), D(68)], 7, "ცხენით ტურები ჯუთაში", "Horse trekking in Juta"),
    "D": (D(7500), [D(68), D(68)], 2, "საცხობი სტეფანწმინდაში", "Bakery in Stepantsminda"),
    "E": (D(5000), [D(68), D(68)], 1, "მეფუტკრეობა გერგეტში", "Bee-keeping in Gergeti"),
    "F": (D(3000), [D(55), D(55)], 0, "სოფლის ბიბლიოთეკა სიონში", "Village library in Sioni"),
    "G": (D(3000), [D(47), D(47)], 6, "სუვენირების სახელოსნო კობში", "Souvenir workshop in Kobi"),
    "H": (D(4000), [], 5, "ავტოსამრეცხაო ფანშეტში", "Car wash in Pansheti"),
}
APPLICANTS = {
    "A": "ნინო ჭინჭარაული", "B": "არშის კოოპერატივი", "C": "გიორგი სუჯაშვილი", "D": "ლია ბეჟაშვილი",
    "E": "დავით ხუციშვილი", "F": "სიონის სათემო ორგანიზაცია", "G": "მარიამ გუდუშაური", "H": "შპს ფანშეტი",
}
VILLAGES = {"A": "Sno", "B": "Arsha", "C": "Juta", "D": "Stepantsminda", "E": "Gergeti", "F": "Sioni", "G": "Kobi",
            "H": "Pansheti", "I": "Tkarsheti"}
WHY = {
    "C1": "პროექტი პირდაპირ ემსახურება სტრატეგიის ტურიზმის მიზანს; ხარჯები რეალისტურია.",
    "C2": "განმცხადებელს აქვს გამოცდილება და ბაზარი; თანადაფინანსება დადასტურებულია.",
    "E1": "პროექტი მუნიციპალიტეტის ტერიტორიაზეა.",
}


def _user(email: str, name: str, *, role: str | None = None, lag: Lag | None = None) -> User:
    from sopeli.core.demo.seed import make_user

    user = User.objects.filter(email=email).first() or make_user(email, name, totp=role in (Role.EVALUATOR, Role.MANAGER, Role.BOARD))
    if role and lag:
        RoleGrant.objects.get_or_create(user=user, lag=lag, role=role)
    return user


def _score(assignment: Assignment, total: Decimal, at) -> None:
    crit = {c.code: c.pk for c in assignment.application.call.criteria.all()}
    c1 = rules.q2(total * D("0.6"))
    evaluation.assignment_declare(actor=assignment.evaluator, assignment=assignment, independent=True, now=at)
    evaluation.sheet_save(actor=assignment.evaluator, assignment=assignment, submit=True, now=at + timedelta(hours=2), scores={
        crit["C1"]: {"points": str(c1), "justification": WHY["C1"]},
        crit["C2"]: {"points": str(total - c1), "justification": WHY["C2"]},
        crit["E1"]: {"passed": "yes", "justification": WHY["E1"]},
    })


def _active(app: Application) -> list[Assignment]:
    return list(app.assignments.filter(conflict_declared=False).exclude(round="appeal")
                .select_related("evaluator", "application__call").order_by("assigned_at", "id"))


@transaction.atomic
def closed_call(lag: Lag) -> Call | None:
    """Build call 2026/1 with its whole history (idempotent); None without the demo strategy or board."""
    existing = Call.objects.filter(lag=lag, code=CODE).first()
    if existing is not None:
        return existing
    measure = next((m for m in measures_for_calls(lag) if m.code == "M1"), None)
    board = Body.objects.filter(lag=lag, kind=BodyKind.BOARD).first()
    if measure is None or board is None:
        return None
    now = timezone.now().replace(microsecond=0)
    opens = now - timedelta(days=120)
    deadline = timezone.localtime(now - timedelta(days=75)).replace(hour=17, minute=30, second=0)
    manager = RoleGrant.objects.filter(lag=lag, role=Role.MANAGER).select_related("user").first()
    manager = manager.user if manager else None
    rates = {r.applicant_type: r.max_rate for r in measure.aid_rates.all()}
    call = call_services.call_save_draft(actor=manager, lag=lag, call=None, budgets={measure.pk: D("50000.00")}, rates=rates,
                                         settlements=[], data={
        "code": CODE,
        "title_ka": "მცირე გრანტები საოჯახო სასტუმროებისა და სოფლის მომსახურებისთვის",
        "title_en": "Small grants for family guesthouses and village services",
        "summary_ka": "პირველი კონკურსი: საოჯახო სასტუმროები, მცირე საწარმოები და სათემო მომსახურება.",
        "summary_en": "The first round: family guesthouses, small businesses and community services.",
        "who_can_apply_ka": "ყაზბეგის მუნიციპალიტეტის მცხოვრებლები, მეწარმეები და ორგანიზაციები.",
        "who_can_apply_en": "Residents, businesses and organisations of Kazbegi municipality.",
        "opens_at": opens, "closes_at": deadline, "min_grant": measure.min_grant, "max_grant": measure.max_grant,
        "min_total": D("50.00"), "evaluators_per_application": 2, "divergence_share": D("0.30"), "aggregation": "closest_pair",
        "tie_breaks": [{"kind": "lower_amount"}], "budget_variant": "strict", "reserve_valid_days": 180, "appeal_days": 14,
        "received_list_days": 5,
    })
    for kind, data in [
        ("criteria", {"code": "E1", "kind": "pass_fail", "title_ka": "პროექტი მუნიციპალიტეტის ტერიტორიაზეა",
                      "title_en": "The project is in the municipality", "order": 0}),
        ("criteria", {"code": "C1", "kind": "scored", "title_ka": "კავშირი სტრატეგიასთან", "title_en": "Fit with the strategy",
                      "max_points": D(60), "order": 1}),
        ("criteria", {"code": "C2", "kind": "scored", "title_ka": "მდგრადობა", "title_en": "Sustainability", "max_points": D(40), "order": 2}),
        ("questions", {"kind": "long_text", "label_ka": "რა პრობლემას წყვეტს პროექტი?", "label_en": "What problem does the project solve?",
                       "required": True, "order": 1}),
        ("documents", {"name_ka": "ხარჯთაღრიცხვა", "name_en": "Quotes for the main costs", "required": True, "order": 1}),
        ("checklist", {"text_ka": "ყველა დოკუმენტი თანდართულია", "text_en": "All documents are attached", "order": 1}),
    ]:
        call_services.call_part_save(actor=manager, call=call, kind=kind, data=data)
    call = call_services.call_publish(actor=manager, call=call, now=opens)
    question = call.questions.first()
    document = call.documents.first()
    cm = call.call_measures.get()
    villages = {v.name_en: v for v in Settlement.objects.filter(lag=lag)}
    first_village = next(iter(villages.values()), None)
    applicants = {"G": User.objects.filter(email="applicant@kazbegi.example").first()}
    apps: dict[str, Application] = {}
    for letter, (requested, _totals, days, title_ka, title_en) in [*APPS.items(), ("I", (D(6000), [], -1, "კაფე თხარშეთში", "Café in Tkarsheti"))]:
        user = applicants.get(letter) or _user(f"applicant.{letter.lower()}@kazbegi.example", APPLICANTS.get(letter, "ლევან ცისკარიშვილი"))
        RoleGrant.objects.get_or_create(user=user, lag=lag, role=Role.APPLICANT)
        app = Application.objects.create(lag=lag, call=call, measure=cm, stage=Stage.FULL, applicant=user, applicant_type="business",
                                         applicant_name=APPLICANTS.get(letter, user.full_name), title=title_ka, duration_months=12,
                                         settlement=villages.get(VILLAGES[letter], first_village),
                                         summary=title_en)
        app_services.application_answers_save(actor=user, application=app, answers={question.pk: title_en + "."})
        app_services.application_budget_save(actor=user, application=app, lines=[(title_ka, requested * 2)], requested_grant=requested)
        app_services.attachment_add(actor=user, application=app, document=document,
                                    upload=SimpleUploadedFile("quotes.pdf", b"%PDF-1.4 demo quotes", content_type="application/pdf"))
        at = deadline - timedelta(days=days) if days > 0 else deadline - timedelta(seconds=1)
        if letter == "I":
            try:
                app_services.application_submit(actor=user, application=app, now=deadline + timedelta(seconds=1))
            except Exception:  # noqa: BLE001 - the late one is refused, as in S2
                pass
            continue
        apps[letter] = app_services.application_submit(actor=user, application=app, now=at)
    call_services.call_close(actor=manager, call=call, now=deadline + timedelta(minutes=5))
    checks.received_list_publish(actor=manager, call=call, now=deadline + timedelta(days=2))
    checked = deadline + timedelta(days=6)
    for letter, app in apps.items():
        checks.check_decide(actor=manager, application=app, eligible=letter != "H", now=checked,
                            reason="" if letter != "H" else "ავტოსამრეცხაო არ შედის ღონისძიება M1-ში.")
    evaluators = [_user("evaluator@kazbegi.example", "ირაკლი ჯალაბაძე", role=Role.EVALUATOR, lag=lag)]
    for n, name in enumerate(["ეკა მამულაშვილი", "ზურაბ ქავთარაძე", "ქეთი ბერიძე", "ლაშა ღოღობერიძე"], 2):
        evaluators.append(_user(f"evaluator{n}@kazbegi.example", name, role=Role.EVALUATOR, lag=lag))
    for user in evaluators[:3]:
        evaluation.pool_add(actor=manager, call=call, evaluator=user)
    evaluation.evaluation_assign(actor=manager, call=call, now=checked + timedelta(days=1))
    scored = checked + timedelta(days=5)
    for letter, (_r, totals, *_rest) in APPS.items():
        for position, total in enumerate(totals):
            _score(_active(apps[letter])[position], total, scored + timedelta(hours=position * 3))
    evaluation.evaluation_finish(actor=manager, call=call)
    sel = selection.selection_compute(actor=manager, call_measure=cm)
    a_result = RankingResult.objects.get(selection=sel, application=apps["A"])
    selection.selection_fix_amount(actor=manager, result=a_result, amount="19000",
                                   reason="ავეჯის ფასი ბაზრის ფასზე მაღალია; კომიტეტმა 1,000 ლარით შეამცირა.")
    from sopeli.membership.selectors import seat_holders

    meeting_at = scored + timedelta(days=10)
    meeting = governance.meeting_create(actor=manager, lag=lag, body=board, title_ka="პროექტების შერჩევა: კონკურსი 2026/1",
                                        title_en="Project selection: call 2026/1", starts_at=meeting_at, place="სტეფანწმინდა, ასჯ-ის ოფისი")
    members = list(seat_holders(board, on=timezone.localdate(meeting_at)))
    governance.attendance_record(actor=manager, meeting=meeting, present_member_ids=[m.pk for m in members])
    items = selection.selection_to_board(actor=manager, selection=sel, meeting=meeting)
    m5 = Member.objects.filter(pk__in=[m.pk for m in members], user__email="guesthouse@kazbegi.example").first()
    for item in items:
        if m5 is not None and item.code == apps["A"].reference and not ConflictDeclaration.objects.filter(item=item, member=m5).exists():
            governance.conflict_declare(actor=manager, item=item, member=m5, reason="განმცხადებელი მისი ძმის ოჯახია.")
        recused = set(ConflictDeclaration.objects.filter(item=item).values_list("member_id", flat=True))
        governance.votes_record(actor=manager, item=item, votes={m.pk: "for" for m in members if m.pk not in recused})
        governance.item_decide(actor=manager, item=item, now=meeting_at + timedelta(hours=1))
    decided_at = meeting_at + timedelta(hours=2)
    selection.selection_decide(actor=manager, selection=sel, now=decided_at)
    published = decided_at + timedelta(days=1)
    selection.results_publish(actor=manager, call=call, now=published)
    appeal = appeals.appeal_file(actor=apps["G"].applicant, application=apps["G"], now=published + timedelta(days=5), grounds=(
        "შემფასებლებმა არ გაითვალისწინეს თანდართული ბიზნეს-გეგმა (გვ. 4), სადაც ნაჩვენებია ბაზარი და ორი ახალი სამუშაო ადგილი."))
    for user in evaluators[3:]:
        evaluation.pool_add(actor=manager, call=call, evaluator=user)
    reevaluated = published + timedelta(days=7)
    new = appeals.appeal_order_reevaluation(actor=manager, appeal=appeal, now=reevaluated,
                                            reason="საჩივარი საფუძვლიანია: ბიზნეს-გეგმა ხელახლა უნდა შეფასდეს.")
    for n, (assignment, total) in enumerate(zip(new, (D(60), D(62)), strict=True)):
        fresh = Assignment.objects.select_related("evaluator", "application__call").get(pk=assignment.pk)
        _score(fresh, total, reevaluated + timedelta(days=2, hours=n))
    return Call.objects.get(pk=call.pk)
