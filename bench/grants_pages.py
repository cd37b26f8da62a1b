"""Issue 4's pages at scale for `make bench`: a small-grant call with 10,000 applications on the measured
LAG, 100,000 applications in all, an evaluator with a few hundred assignments, and the time to rank.

The measured LAG (``world["lag"]``) gets four calls:

- ``2025/1``, results published: BENCH_CALL_APPLICATIONS submitted applications over two measures;
  every one checked (about 7% ineligible, 0.5% withdrawn before the check), the eligible ones scored
  by two evaluators each (about 4% diverge and have a third), ranked with the pure rules exactly as
  ``services.selection.compute`` ranks them, the proposals decided by the board (one approved agenda
  item per funded or reserve application, with the board's votes) and published;
- ``2026/1``, closed, being scored: about a tenth of the rest, 60% of the score sheets submitted,
  some drafts, some not started;
- ``2026/2``, open: a few hundred submitted applications and some drafts;
- ``2026/3``, opening soon.

The other LAGs get one call each (open, or closed with the eligibility check done) so that there are
BENCH_APPLICATIONS applications in all. Every applicant has an account and the applicant role.
BENCH_CALL_EVALUATORS evaluators share the big call's scoring; the first of them is the evaluator
whose queue is measured.

Rows are bulk-created, as the services would leave them (numbers gapless per call, the aid check of
``services.applications.check_limits``, the call's snapshot from ``services.calls.call_snapshot``,
final scores from the pure rules), so the benchmark measures reading them, not writing them. No
audit events or ledger entries are written for them (the ledger is only ever written by
``audit_record``). Sizes: BENCH_CALL_APPLICATIONS [10000], BENCH_APPLICATIONS [100000],
BENCH_CALL_EVALUATORS [60].

``measure()`` times ranking the 10,000-application call: the pure rules alone (``rules.rank`` and
``rules.select_for_budget`` per measure, inputs already in memory) and the service that loads and
ranks (``services.selection.compute`` per measure: the queries, the final scores from the score
sheets, the ranking). Seconds are from a run without tracing; peak memory from a second run under
tracemalloc (tracing slows Python down, so its time is not the one reported).
"""

from __future__ import annotations

import os
import random
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

D = Decimal
PROJECTS = [
    ("საოჯახო სასტუმრო", "Family guesthouse"), ("ყველის საწარმო", "Cheese dairy"), ("ცხენით ტურები", "Horse trekking"),
    ("საცხობი", "Bakery"), ("მეფუტკრეობა", "Bee-keeping"), ("სოფლის ბიბლიოთეკა", "Village library"),
    ("სუვენირების სახელოსნო", "Souvenir workshop"), ("ხილის საშრობი", "Fruit drier"), ("სათბური", "Greenhouse"),
    ("ველოსიპედების გაქირავება", "Bicycle rental"), ("კაფე", "Café"), ("ხალიჩების ქსოვა", "Carpet weaving"),
]
FIRST = ["ნინო", "გიორგი", "თამარ", "დავით", "ლევან", "მარიამ", "ანა", "ირაკლი", "ეკა", "ზურაბ", "ნათია", "ლაშა"]
LAST = ["ბერიძე", "კაპანაძე", "გელაშვილი", "ჩოხელი", "ხეცურიანი", "ყაზბეგი", "სულაძე", "არაბული", "გიგაური"]
RATES = {"person": D("80.00"), "business": D("80.00"), "cooperative": D("85.00"), "ngo": D("90.00")}
FACTORS = [D("1.25"), D("1.40"), D("1.60"), D("2.00")]
WHY = "პროექტი ემსახურება სტრატეგიის მიზანს; ხარჯები რეალისტურია, თანადაფინანსება დადასტურებულია."


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def build(world: dict) -> dict:
    with transaction.atomic():
        extra = _build(world)
    if connection.vendor == "postgresql":
        # auto_now_add gave every bulk-created row the same instant: spread them as the services would have.
        with connection.cursor() as cur:
            cur.execute("UPDATE grants_application SET created_at = submitted_at - interval '3 days' "
                        "WHERE submitted_at IS NOT NULL")
            cur.execute("UPDATE grants_eligibilitycheck SET started_at = decided_at - interval '1 day' "
                        "WHERE decided_at IS NOT NULL")
            cur.execute("UPDATE grants_assignment SET assigned_at = independence_declared_at - interval '1 day' "
                        "- (id % 1000) * interval '1 second' WHERE independence_declared_at IS NOT NULL")
    return extra


# --- the parts ------------------------------------------------------------------------------------


def _measures(lag, assembly, now, manager):
    """Two measures of the LAG's approved strategy (the strategy suite's when it ran), made if missing."""
    from sopeli.governance.models import AgendaItem, ItemStatus, Procedure
    from sopeli.strategy.models import AidRate, Measure, Strategy, StrategyVersion, VersionStatus

    version = StrategyVersion.objects.filter(lag=lag, status=VersionStatus.APPROVED).first()
    if version is None:
        item = AgendaItem.objects.create(
            lag=lag, body=assembly, procedure=Procedure.WRITTEN, code="S-1", title_ka="სტრატეგიის დამტკიცება",
            title_en="Approval of the strategy", opens_at=now - timedelta(days=400), closes_at=now - timedelta(days=393),
            status=ItemStatus.APPROVED, decided_at=now - timedelta(days=393), outcome={"result": "approved"})
        strategy = Strategy.objects.filter(lag=lag).first() or Strategy.objects.create(
            lag=lag, title_ka="ადგილობრივი განვითარების სტრატეგია", title_en="Local development strategy")
        version = StrategyVersion.objects.create(
            lag=lag, strategy=strategy, number=(strategy.versions.count() + 1), status=VersionStatus.APPROVED,
            approved_at=now - timedelta(days=393), approved_by_item=item, period_start=2025, period_end=2030)
    found = list(Measure.objects.filter(version=version).order_by("order", "id")[:2])
    for n in range(len(found) + 1, 3):
        m = Measure.objects.create(
            version=version, code=f"M{n}", order=n, title_ka=["ტურიზმი", "სოფლის მეურნეობა"][n - 1],
            title_en=["Tourism", "Farming"][n - 1], min_grant=D("2000.00"), max_grant=D("40000.00"), budget=D("1000000.00"))
        AidRate.objects.bulk_create([AidRate(measure=m, applicant_type=t, max_rate=r) for t, r in RATES.items()])
        found.append(m)
    return version, found


def _call(lag, version, measures, *, code, title, opens, closes, status, manager, budgets):
    """A complete call (measures, aid rates, criteria, one question, a two-line checklist) with its snapshot."""
    from sopeli.grants.models import (
        Call,
        CallAidRate,
        CallCounter,
        CallMeasure,
        CallQuestion,
        ChecklistItem,
        Criterion,
    )
    from sopeli.grants.services.calls import call_snapshot

    call = Call.objects.create(
        lag=lag, strategy_version=version, code=code, title_ka=title[0], title_en=title[1],
        summary_ka="ვაფინანსებთ მცირე საწარმოებს, საოჯახო სასტუმროებს და სათემო მომსახურებას.",
        summary_en="We fund small businesses, family guesthouses and community services.",
        who_can_apply_ka="მუნიციპალიტეტის მცხოვრებლები, მეწარმეები და ორგანიზაციები.",
        who_can_apply_en="Residents, businesses and organisations of the municipality.",
        how_to_apply_ka="განაცხადი შეავსეთ საიტზე ან ასჯ-ის ოფისში.", how_to_apply_en="Apply on this website or at the LAG's office.",
        min_grant=D("2000.00"), max_grant=D("40000.00"), opens_at=opens.replace(microsecond=0),
        closes_at=closes.replace(microsecond=0), min_total=D("50.00"), evaluators_per_application=2,
        divergence_share=D("0.30"), aggregation="closest_pair", tie_breaks=[{"kind": "lower_amount"}],
        budget_variant="strict", status="published", published_at=opens, published_by=manager, created_by=manager,
    )
    CallMeasure.objects.bulk_create([CallMeasure(call=call, measure=m, budget=b, order=n)
                                     for n, (m, b) in enumerate(zip(measures, budgets, strict=False))])
    CallAidRate.objects.bulk_create([CallAidRate(call=call, applicant_type=t, max_rate=r) for t, r in RATES.items()])
    Criterion.objects.bulk_create([
        Criterion(call=call, code="E1", kind="pass_fail", title_ka="პროექტი მუნიციპალიტეტის ტერიტორიაზეა",
                  title_en="The project is in the municipality", order=0),
        Criterion(call=call, code="C1", kind="scored", title_ka="კავშირი სტრატეგიასთან", title_en="Fit with the strategy",
                  max_points=D(60), order=1),
        Criterion(call=call, code="C2", kind="scored", title_ka="მდგრადობა", title_en="Sustainability", max_points=D(40), order=2),
    ])
    CallQuestion.objects.create(call=call, kind="long_text", label_ka="რა პრობლემას წყვეტს პროექტი?",
                                label_en="What problem does the project solve?", order=1)
    ChecklistItem.objects.bulk_create([
        ChecklistItem(call=call, text_ka="განაცხადი ვადაში შემოვიდა", text_en="The application arrived on time", order=1),
        ChecklistItem(call=call, text_ka="განმცხადებელი უფლებამოსილია", text_en="The applicant is eligible", order=2),
    ])
    call.snapshot = call_snapshot(call)
    call.status = status
    call.save(update_fields=["snapshot", "status"])
    CallCounter.objects.create(call=call)  # the numbering counter call_publish sets up
    return call


class Applicants:
    """Applicant accounts, made in one go and handed out one per application."""

    def __init__(self, count: int, rnd: random.Random):
        from sopeli.accounts.models import User

        self.users = User.objects.bulk_create([
            User(email=f"applicant{n}@bench.example.ge", full_name=f"{rnd.choice(FIRST)} {rnd.choice(LAST)}", password="!")
            for n in range(count)
        ], batch_size=5000)
        self.next = 0
        self.roles: set[tuple[int, int]] = set()

    def take(self, lag_id: int):
        user = self.users[self.next]
        self.next += 1
        self.roles.add((user.pk, lag_id))
        return user

    def save_roles(self) -> None:
        from sopeli.accounts.models import Role, RoleGrant

        RoleGrant.objects.bulk_create([RoleGrant(user_id=u, lag_id=lag, role=Role.APPLICANT) for u, lag in self.roles],
                                      batch_size=5000)


class AidChecks:
    """``services.applications.check_limits`` as stored at submission, computed once per distinct input."""

    def __init__(self):
        self.cache: dict = {}

    def __call__(self, call, applicant_type, total, requested) -> dict:
        from sopeli.grants.services.applications import _aid_record, check_limits

        key = (call.min_grant, call.max_grant, applicant_type, total, requested)
        if key not in self.cache:
            self.cache[key] = _aid_record(check_limits(call=call, applicant_type=applicant_type, total_budget=total,
                                                       requested=requested, rates=RATES))
        return self.cache[key]


def _applications(call, call_measures, count, *, rnd, applicants, villages, aid, submitted_from, submitted_to,
                  status, drafts=0):
    """``count`` submitted applications numbered 1..count (submission times in order), plus ``drafts``."""
    from sopeli.grants.models import Answer, Application, BudgetLine, CallCounter, CallQuestion

    span = (submitted_to - submitted_from).total_seconds()
    times = sorted(submitted_from + timedelta(seconds=rnd.random() * span) for _ in range(count))
    rows = []
    for n in range(count + drafts):
        user = applicants.take(call.lag_id)
        cm = call_measures[0] if len(call_measures) == 1 or rnd.random() < 0.6 else call_measures[1]
        requested = D(500 * rnd.randint(4, 80)).quantize(D("0.01"))
        total = (requested * rnd.choice(FACTORS)).quantize(D("0.01"))
        kind = rnd.choice(list(RATES))
        ka, en = rnd.choice(PROJECTS)
        village = rnd.choice(villages)
        submitted = n < count
        rows.append(Application(
            lag_id=call.lag_id, call=call, measure=cm, stage="full", applicant=user, applicant_type=kind,
            applicant_name=user.full_name if kind == "person" else f"შპს {ka} {n + 1}", settlement=village,
            title=f"{ka} — {village.name_ka}", summary=f"{en} in {village.name_en}: rooms, equipment and services.",
            duration_months=rnd.choice([6, 12, 18]), total_budget=total, requested_grant=requested,
            own_contribution=total - requested, aid_check=aid(call, kind, total, requested) if submitted else {},
            status=status if submitted else "draft", number=n + 1 if submitted else None,
            submitted_at=times[n] if submitted else None, status_changed_at=times[n] if submitted else None,
            step=5 if submitted else 2,
        ))
    rows = Application.objects.bulk_create(rows, batch_size=5000)
    question = CallQuestion.objects.filter(call=call).first()
    Answer.objects.bulk_create([Answer(application=a, question=question, text=a.summary) for a in rows], batch_size=5000)
    BudgetLine.objects.bulk_create([BudgetLine(application=a, description=a.title[:200], amount=a.total_budget) for a in rows],
                                   batch_size=5000)
    if count:
        CallCounter.objects.filter(call=call).update(last_number=count)
    return rows[:count]


def _check(apps, call, *, manager, at, rnd, ineligible_share, statuses_for_eligible="eligible"):
    """The eligibility check of every application given: outcome, checklist answers, the application's status."""
    from sopeli.grants.models import Application, CheckItemResult, ChecklistItem, EligibilityCheck

    items = list(ChecklistItem.objects.filter(call=call))
    checks = []
    for app in apps:
        eligible = rnd.random() >= ineligible_share
        app.status = statuses_for_eligible if eligible else "ineligible"
        app.status_changed_at = at
        checks.append(EligibilityCheck(
            application=app, outcome="eligible" if eligible else "ineligible", checked_by=manager, decided_at=at,
            reason="" if eligible else "განმცხადებელი რეგისტრირებულია ტერიტორიის გარეთ."))
    checks = EligibilityCheck.objects.bulk_create(checks, batch_size=5000)
    CheckItemResult.objects.bulk_create([
        CheckItemResult(check_record=c, item=i, answer="yes" if c.outcome == "eligible" or i.order == 1 else "no")
        for c in checks for i in items], batch_size=5000)
    Application.objects.bulk_update(apps, ["status", "status_changed_at"], batch_size=5000)


def _scores_for(rnd):
    """Two evaluators' totals (and a third when the two diverge by more than 30%)."""
    base = rnd.gauss(64, 11)
    if rnd.random() < 0.04:
        high = max(60, min(95, round(base + 12)))
        return [D(high), D(round(high * 0.6)), D(max(0, min(100, high - rnd.randint(0, 8))))]
    a = max(20, min(98, round(base)))
    b = max(20, min(98, a + rnd.randint(-6, 6)))
    return [D(a), D(b)]


def _sheets(assignments_totals, criteria, *, at, rnd, failing):
    """Submitted score sheets with points per criterion (C1 60%, C2 the rest; E1 met unless ``failing``)."""
    from sopeli.grants.models import Score, ScoreSheet

    sheets = []
    for assignment, total in assignments_totals:
        sheets.append(ScoreSheet(assignment=assignment, total=total, comment="", submitted_at=at + timedelta(hours=rnd.randint(1, 300))))
    sheets = ScoreSheet.objects.bulk_create(sheets, batch_size=5000)
    by_code = {c.code: c for c in criteria}
    scores = []
    for sheet, (assignment, total) in zip(sheets, assignments_totals, strict=True):
        c1 = (total * D("0.6")).quantize(D("0.01"))
        scores += [
            Score(sheet=sheet, criterion=by_code["C1"], points=c1, justification=WHY),
            Score(sheet=sheet, criterion=by_code["C2"], points=total - c1, justification=WHY),
            Score(sheet=sheet, criterion=by_code["E1"], passed=assignment.application_id not in failing,
                  justification="პროექტი მუნიციპალიტეტის ტერიტორიაზეა."),
        ]
    Score.objects.bulk_create(scores, batch_size=10000)
    return sheets


def _evaluators(lag, count, manager):
    from allauth.account.models import EmailAddress

    from sopeli.accounts.models import Role, RoleGrant, User
    from sopeli.testing.factories import give_totp

    users = User.objects.bulk_create([
        User(email=f"evaluator{n}@bench.example.ge", full_name=f"{FIRST[n % len(FIRST)]} {LAST[n % len(LAST)]} (შემფასებელი {n + 1})",
             password="!") for n in range(count)])
    EmailAddress.objects.bulk_create([EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users])
    RoleGrant.objects.bulk_create([RoleGrant(user=u, lag=lag, role=Role.EVALUATOR) for u in users])
    for u in users:  # evaluators must have an authenticator (the middleware insists)
        give_totp(u)
    return users


def _assign(apps, evaluators, call, *, manager, at, start=0):
    """Two evaluators per application, the load spread evenly (as ``evaluation_assign`` would)."""
    from sopeli.grants.models import Assignment, EvaluatorPool

    EvaluatorPool.objects.bulk_create([EvaluatorPool(call=call, evaluator=u, added_by=manager) for u in evaluators])
    rows = []
    e = len(evaluators)
    for i, app in enumerate(apps):
        for k in range(2):
            rows.append(Assignment(application=app, evaluator=evaluators[(start + 2 * i + k) % e], assigned_by=manager,
                                   independence_declared_at=at))
    return Assignment.objects.bulk_create(rows, batch_size=5000)


# --- the measured LAG's big call, from submission to published results ---------------------------


def _big_call(lag, version, measures, *, n_apps, evaluators, manager, board, now, rnd, applicants, villages, aid):
    from sopeli.governance.models import AgendaItem, Attendance, Choice, Meeting, MeetingStatus, Vote
    from sopeli.grants import rules
    from sopeli.grants.models import (
        Application,
        Assignment,
        CallMeasure,
        Criterion,
        Outcome,
        RankingResult,
        Selection,
    )
    from sopeli.grants.services import selection as selection_services
    from sopeli.grants.services.calls import criteria_scheme
    from sopeli.grants.services.evaluation import scoring_rule
    from sopeli.membership.selectors import seat_holders

    opens = now - timedelta(days=200)
    closes = timezone.localtime(now - timedelta(days=150)).replace(hour=17, minute=30, second=0, microsecond=0)
    budgets = [D("600000.00"), D("400000.00")]
    call = _call(lag, version, measures, code="2025/1", budgets=budgets, status="results_published", manager=manager,
                 title=("მცირე გრანტები სოფლის ეკონომიკისთვის", "Small grants for the village economy"),
                 opens=opens, closes=closes)
    cms = list(CallMeasure.objects.filter(call=call).select_related("measure").order_by("order", "id"))
    apps = _applications(call, cms, n_apps, rnd=rnd, applicants=applicants, villages=villages, aid=aid,
                         submitted_from=opens + timedelta(days=1), submitted_to=closes - timedelta(seconds=1), status="submitted")
    checked_at = closes + timedelta(days=6)
    withdrawn = [a for a in apps if rnd.random() < 0.005]
    for a in withdrawn:
        a.status, a.withdrawn_at, a.status_changed_at = "withdrawn", closes + timedelta(days=3), closes + timedelta(days=3)
        a.withdrawal_reason = "პროექტს სხვა დაფინანსება მოეძებნა."
    Application.objects.bulk_update(withdrawn, ["status", "withdrawn_at", "status_changed_at", "withdrawal_reason"])
    to_check = [a for a in apps if a.status != "withdrawn"]
    _check(to_check, call, manager=manager, at=checked_at, rnd=rnd, ineligible_share=0.07, statuses_for_eligible="scored")
    eligible = [a for a in to_check if a.status == "scored"]

    assigned_at = checked_at + timedelta(days=1)
    assignments = _assign(eligible, evaluators, call, manager=manager, at=assigned_at + timedelta(hours=2))
    totals = {a.pk: _scores_for(rnd) for a in eligible}
    extras = []
    e = len(evaluators)
    for i, app in enumerate(eligible):
        if len(totals[app.pk]) == 3:
            extras.append(Assignment(application=app, evaluator=evaluators[(2 * i + 2) % e], round="extra",
                                     assigned_by=manager, independence_declared_at=assigned_at + timedelta(days=9)))
    extras = Assignment.objects.bulk_create(extras, batch_size=5000)
    by_app: dict[int, list] = {}
    for a in [*assignments, *extras]:  # originals first, then the extra one: the order the service reads
        by_app.setdefault(a.application_id, []).append(a)
    failing = {a.pk for a in eligible if rnd.random() < 0.01}
    criteria = list(Criterion.objects.filter(call=call).order_by("order", "id"))
    _sheets([(asg, totals[app_id][k]) for app_id, rows in by_app.items() for k, asg in enumerate(rows)], criteria,
            at=assigned_at, rnd=rnd, failing=failing)

    # Final scores and the ranking with the pure rules, as services.selection.compute does it.
    scheme, rule = criteria_scheme(criteria, call.min_total), scoring_rule(call)
    inputs: dict[int, list] = {cm.pk: [] for cm in cms}
    finals = {}
    by_ref = {}
    for app in to_check:
        ref = f"{app.number:05d}"
        by_ref[(app.measure_id, ref)] = app
        if app.status == "ineligible":
            inputs[app.measure_id].append(rules.Application(ref, app.requested_grant, app.submitted_at, eligible=False))
            continue
        values = totals[app.pk]
        used = rules.scores_used(values, rule)
        per_sheet = []
        for i in used:
            c1 = (values[i] * D("0.6")).quantize(D("0.01"))
            per_sheet.append({"C1": c1, "C2": values[i] - c1})
        points = rules.mean_points(scheme, per_sheet)
        total = rules.aggregate_scores(values, rule)
        assessment = rules.assess(scheme, passed={"E1": app.pk not in failing}, points=points, total=total)
        finals[app.pk] = assessment
        meets = not any(s.kind != rules.ShortfallKind.BELOW_MINIMUM_TOTAL for s in assessment.shortfalls)
        inputs[app.measure_id].append(rules.Application(ref, app.requested_grant, app.submitted_at, score=total,
                                                        meets_criteria=meets, criterion_points=points))

    # The board's meeting: one approved selection item per proposed application, everyone present votes for.
    decided = closes + timedelta(days=40)
    members = list(seat_holders(board, on=timezone.localdate(decided)))
    meeting = Meeting.objects.create(
        lag=lag, body=board, title_ka="პროექტების შერჩევა: კონკურსი 2025/1", title_en="Project selection: call 2025/1",
        place="სტეფანწმინდა, ასჯ-ის ოფისი", starts_at=decided - timedelta(hours=2), status=MeetingStatus.PUBLISHED,
        invitations_sent_at=decided - timedelta(days=8), minutes_published_at=decided + timedelta(days=2))
    Attendance.objects.bulk_create([Attendance(meeting=meeting, member=m, present=True) for m in members])
    published = decided + timedelta(days=1)
    results_rows, items, status_of, award_of = [], [], {}, {}
    for cm in cms:
        ranking = rules.rank(inputs[cm.pk], min_score=call.min_total, tie_breaks=selection_services.tie_breaks(call))
        result = rules.select_for_budget(ranking, budget=cm.budget, variant=call.budget_variant)
        selection = Selection.objects.create(
            call=call, call_measure=cm, run=1, budget=result.budget, total_funded=result.total_funded, computed_by=manager,
            rules_used={"min_score": str(call.min_total), "tie_breaks": call.tie_breaks, "variant": call.budget_variant,
                        "max_raise": None, "min_partial": None, "budget": str(result.budget),
                        "aggregation": call.aggregation, "divergence_share": str(call.divergence_share)},
            decided_at=decided, published_at=published)
        awards = {a.ref: a.amount for a in result.funded}
        reserve = {ref: i for i, ref in enumerate(result.reserve_refs, 1)}
        for position, r in enumerate(result.ranked, 1):
            app = by_ref[(cm.pk, r.ref)]
            funded = r.ref in awards
            row = RankingResult(selection=selection, application=app, rank=position, score=r.score,
                                outcome=Outcome.FUNDED if funded else Outcome.RESERVE, requested=r.requested,
                                proposed_amount=awards.get(r.ref), awarded_amount=awards.get(r.ref),
                                reserve_position=reserve.get(r.ref))
            results_rows.append(row)
            status_of[app.pk] = "funded" if funded else "reserve"
            award_of[app.pk] = awards.get(r.ref)
        for r in result.rejected:
            app = by_ref[(cm.pk, r.ref)]
            results_rows.append(RankingResult(
                selection=selection, application=app, score=r.score, outcome=Outcome.REJECTED, requested=r.requested,
                shortfalls=[selection_services._shortfall_json(s) for s in finals[app.pk].shortfalls]))
            status_of[app.pk] = "rejected"
        for r in result.ineligible:
            app = by_ref[(cm.pk, r.ref)]
            results_rows.append(RankingResult(selection=selection, application=app, outcome=Outcome.INELIGIBLE,
                                               requested=app.requested_grant))
    proposed = [r for r in results_rows if r.outcome in (Outcome.FUNDED, Outcome.RESERVE)]
    for r in proposed:
        items.append(AgendaItem(
            lag=lag, body=board, meeting=meeting, procedure="meeting", code=r.application.reference[:20],
            title_ka=selection_services.item_title(r, "ka")[:300], title_en=selection_services.item_title(r, "en")[:300],
            description_ka=selection_services.item_description(r, "ka"),
            description_en=selection_services.item_description(r, "en"),
            is_selection=True, status="approved", decided_at=decided, outcome={"result": "approved"}))
    items = AgendaItem.objects.bulk_create(items, batch_size=5000)
    for r, item in zip(proposed, items, strict=True):
        r.decision_item = item
    Vote.objects.bulk_create([Vote(item=i, member=m, choice=Choice.FOR, entered_by=manager) for i in items for m in members],
                             batch_size=10000)
    RankingResult.objects.bulk_create(results_rows, batch_size=5000)
    for s in Selection.objects.filter(call=call):
        first = next((r.decision_item for r in proposed if r.selection_id == s.pk), None)
        s.decision_item = first
        s.save(update_fields=["decision_item"])
    for app in eligible:
        app.status = status_of.get(app.pk, app.status)
        app.decided_at = decided
        app.status_changed_at = decided
        app.awarded_grant = award_of.get(app.pk)
    Application.objects.bulk_update(eligible, ["status", "decided_at", "status_changed_at", "awarded_grant"], batch_size=5000)
    type(call).objects.filter(pk=call.pk).update(
        closed_at=closes + timedelta(minutes=5), received_list_published_at=closes + timedelta(days=2),
        results_published_at=published)
    call.refresh_from_db()
    return call, len(assignments) + len(extras), len(items)


def _evaluation_call(lag, version, measures, *, n_apps, evaluators, manager, now, rnd, applicants, villages, aid):
    """Closed, being scored: 60% of the sheets submitted, 10% drafts, the rest not started."""
    from sopeli.grants.models import Application, Criterion, ScoreSheet

    opens = now - timedelta(days=70)
    closes = timezone.localtime(now - timedelta(days=25)).replace(hour=17, minute=30, second=0, microsecond=0)
    call = _call(lag, version, measures[:1], code="2026/1", budgets=[D("300000.00")], status="closed", manager=manager,
                 title=("მცირე გრანტები ტურიზმისთვის", "Small grants for tourism"), opens=opens, closes=closes)
    cms = list(call.call_measures.all())
    apps = _applications(call, cms, n_apps, rnd=rnd, applicants=applicants, villages=villages, aid=aid,
                         submitted_from=opens + timedelta(days=1), submitted_to=closes - timedelta(seconds=1), status="submitted")
    checked = closes + timedelta(days=5)
    _check(apps, call, manager=manager, at=checked, rnd=rnd, ineligible_share=0.1, statuses_for_eligible="under_evaluation")
    eligible = [a for a in apps if a.status == "under_evaluation"]
    assignments = _assign(eligible, evaluators, call, manager=manager, at=None, start=1)
    criteria = list(Criterion.objects.filter(call=call).order_by("order", "id"))
    started = checked + timedelta(days=2)
    submitted, drafts = [], []
    for a in assignments:
        roll = rnd.random()
        if roll < 0.7:
            a.independence_declared_at = started + timedelta(hours=rnd.randint(0, 200))
            (submitted if roll < 0.6 else drafts).append(a)
    from sopeli.grants.models import Assignment

    Assignment.objects.bulk_update(assignments, ["independence_declared_at"], batch_size=5000)
    _sheets([(a, D(max(20, min(98, round(rnd.gauss(64, 11)))))) for a in submitted], criteria, at=started, rnd=rnd, failing=set())
    ScoreSheet.objects.bulk_create([ScoreSheet(assignment=a, comment="") for a in drafts], batch_size=5000)
    done: dict[int, int] = {}
    for a in submitted:
        done[a.application_id] = done.get(a.application_id, 0) + 1
    scored = [a for a in eligible if done.get(a.pk) == 2]
    for a in scored:
        a.status = "scored"
    Application.objects.bulk_update(scored, ["status"], batch_size=5000)
    type(call).objects.filter(pk=call.pk).update(closed_at=closes + timedelta(minutes=5),
                                                 received_list_published_at=closes + timedelta(days=2))
    return call


# --- build ----------------------------------------------------------------------------------------


def _build(world: dict) -> dict:
    from sopeli.core.models import Lag, Settlement
    from sopeli.grants.models import Application, Call
    from sopeli.membership.models import Body, BodyKind

    rnd = random.Random(11)
    now = timezone.now().replace(microsecond=0)
    lag, manager, board = world["lag"], world["manager"], world["board"]
    call_apps = env_int("BENCH_CALL_APPLICATIONS", 10000)
    all_apps = max(env_int("BENCH_APPLICATIONS", 100000), call_apps)
    n_evaluators = env_int("BENCH_CALL_EVALUATORS", 60)
    lags = list(Lag.objects.order_by("id"))
    others = [x for x in lags if x.pk != lag.pk]
    villages: dict[int, list] = {}
    for s in Settlement.objects.filter(lag__in=lags).order_by("id"):
        villages.setdefault(s.lag_id, []).append(s)
    assemblies = {b.lag_id: b for b in Body.objects.filter(kind=BodyKind.ASSEMBLY).order_by("id")}

    rest = all_apps - call_apps
    open_apps = min(300, rest // 3)  # small sizes (a quick trial run) still leave some for the other calls
    drafts = 50
    eval_apps = min(max(rest // 10, 0), 2000) if others else rest - open_apps
    other_apps = max(rest - open_apps - eval_apps, 0)
    applicants = Applicants(all_apps + drafts * (1 + len(others)), rnd)
    aid = AidChecks()
    version, measures = _measures(lag, assemblies[lag.pk], now, manager)
    evaluators = _evaluators(lag, n_evaluators, manager)

    big, n_assignments, n_items = _big_call(lag, version, measures, n_apps=call_apps, evaluators=evaluators, manager=manager,
                                            board=board, now=now, rnd=rnd, applicants=applicants, villages=villages[lag.pk],
                                            aid=aid)
    evaluating = _evaluation_call(lag, version, measures, n_apps=eval_apps, evaluators=evaluators, manager=manager, now=now,
                                  rnd=rnd, applicants=applicants, villages=villages[lag.pk], aid=aid)
    open_call = _call(lag, version, measures, code="2026/2", budgets=[D("250000.00"), D("150000.00")], status="published",
                      manager=manager, title=("საოჯახო სასტუმროები და ხელობა", "Family guesthouses and crafts"),
                      opens=now - timedelta(days=20), closes=now + timedelta(days=25))
    _applications(open_call, list(open_call.call_measures.all()), open_apps, rnd=rnd, applicants=applicants,
                  villages=villages[lag.pk], aid=aid, submitted_from=now - timedelta(days=19), submitted_to=now, status="submitted",
                  drafts=drafts)
    _call(lag, version, measures, code="2026/3", budgets=[D("200000.00")], status="published", manager=manager,
          title=("სათემო მომსახურება", "Community services"), opens=now + timedelta(days=10), closes=now + timedelta(days=70))

    # One call in every other LAG: half open, half closed with the eligibility check done.
    per_lag = [other_apps // len(others) + (1 if i < other_apps % len(others) else 0) for i in range(len(others))] if others else []
    for i, (other, count) in enumerate(zip(others, per_lag, strict=True)):
        v, ms = _measures(other, assemblies[other.pk], now, None)
        closed = i % 2 == 1
        opens = now - timedelta(days=90 if closed else 15)
        closes = now - timedelta(days=30) if closed else now + timedelta(days=30)
        call = _call(other, v, ms, code="2026/1", budgets=[D("300000.00"), D("200000.00")], manager=None,
                     status="closed" if closed else "published", title=(f"მცირე გრანტები {i + 1}", f"Small grants {i + 1}"),
                     opens=opens, closes=closes)
        apps = _applications(call, list(call.call_measures.all()), count, rnd=rnd, applicants=applicants,
                             villages=villages[other.pk], aid=aid, submitted_from=opens + timedelta(hours=1),
                             submitted_to=min(closes, now) - timedelta(seconds=1), status="submitted",
                             drafts=0 if closed else drafts)
        if closed:
            _check([a for a in apps if rnd.random() < 0.85], call, manager=None, at=closes + timedelta(days=4), rnd=rnd,
                   ineligible_share=0.1)
    applicants.save_roles()

    queue = evaluators[0]
    from sopeli.grants.models import Assignment, RankingResult

    biggest = (RankingResult.objects.filter(selection__call=big, outcome="reserve").values("selection__call_measure_id")
               .annotate(n=Count("id")).order_by("-n").first())

    counts = {
        "applications in all": Application.objects.exclude(status="draft").count(),
        f"applications in call {big.code} of {lag.slug}": Application.objects.filter(call=big).count(),
        "calls": Call.objects.count(),
        f"assignments in call {big.code}": n_assignments,
        f"board selection items for call {big.code}": n_items,
        "assignments in the measured evaluator's queue": Assignment.objects.filter(evaluator=queue, application__lag=lag).count(),
    }
    world["counts"].update(counts)
    return {"call": big, "evaluating": evaluating, "open": open_call, "evaluator": queue,
            "queue": counts["assignments in the measured evaluator's queue"], "call_apps": call_apps, "all_apps": all_apps,
            "reserve_measure": biggest["selection__call_measure_id"], "reserve": biggest["n"]}


# --- pages and measures ---------------------------------------------------------------------------


def pages(world: dict, extra: dict) -> list[tuple[str, str, list, object]]:
    slug, call, n = world["lag"].slug, extra["call"], extra["call_apps"]
    return [
        ("calls list", "grants:calls", [slug], False),
        (f"call page ({call.code})", "grants:call", [slug, call.pk], False),
        (f"results ({n:,} applications)", "grants:results", [slug, call.pk], False),
        (f"results: a measure's whole reserve list ({extra['reserve']:,}), page 1", "grants:results_reserve",
         [slug, call.pk, extra["reserve_measure"]], False),
        (f"received list ({n:,} applications)", "grants:received", [slug, call.pk], False),
        (f"evaluator's queue ({extra['queue']:,} assignments)", "grants:evaluations", [slug], extra["evaluator"]),
        (f"staff: applications of a call ({n:,})", "grants:manage_applications", [slug, call.pk], True),
        (f"staff: ranking ({n:,} applications)", "grants:ranking", [slug, call.pk], True),
    ]


def measure(world: dict, extra: dict) -> list[dict]:
    from sopeli.grants import rules
    from sopeli.grants.models import CallMeasure, Outcome, RankingResult
    from sopeli.grants.services import selection as services

    call = extra["call"]
    cms = list(CallMeasure.objects.filter(call=call).select_related("call", "measure").order_by("order", "id"))
    inputs = {cm.pk: services.measure_inputs(cm) for cm in cms}
    n = sum(len(i.applications) for i in inputs.values())

    def pure():
        out = {}
        for cm in cms:
            ranking = rules.rank(inputs[cm.pk].applications, min_score=call.min_total, tie_breaks=services.tie_breaks(call))
            out[cm.pk] = rules.select_for_budget(ranking, budget=cm.budget, variant=call.budget_variant)
        return out

    def service():
        return {cm.pk: services.compute(cm)[0] for cm in cms}

    rows = []
    for label, work in ((f"rank call {call.code} ({n:,} applications, {len(cms)} measures): pure rules", pure),
                        (f"rank call {call.code} ({n:,} applications): load + rank (services.selection.compute)", service)):
        seconds, result = _timed(work)
        tracemalloc.start()
        work()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        stored = set(RankingResult.objects.filter(selection__call=call, outcome=Outcome.FUNDED)
                     .values_list("application__number", flat=True))
        funded = {int(ref) for r in result.values() for ref in r.funded_refs}
        rows.append({"label": label, "seconds": seconds, "peak_mb": peak,
                     "note": f"{seconds * 1000:.1f} ms; {len(funded)} funded, " + ("same as the stored results" if funded == stored
                                                          else "DIFFERS from the stored results")})
    return rows


def _timed(work):
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result
