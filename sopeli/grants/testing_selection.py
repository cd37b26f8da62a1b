"""A whole competition told through the services: S2 (domain.md) for tests and for the demo data.

``build_s2(lag, ...)`` publishes a call (budget 100,000 GEL, minimum score 50, tie-break: lower
amount), receives A–H on time (I arrives 17:30:01 and is refused), finds H ineligible, lets the
evaluators score A–G (C: 74 and 50 diverge, a third evaluator gives 68, closest pair 71.00) and
finishes the evaluation. ``board_for(lag)`` gives a small board (2 public of 6) with user accounts.
Every step goes through the owners' services, so the data is what the product would produce.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sopeli.accounts.models import Role
from sopeli.grants import rules
from sopeli.grants.models import Application, Call
from sopeli.grants.services import applications as app_services
from sopeli.grants.services import calls as call_services
from sopeli.grants.services import checks, evaluation
from sopeli.grants.testing import CallFactory, ready_application
from sopeli.membership.models import Body, BodyKind, Sector
from sopeli.testing.factories import (
    InterestGroupFactory,
    MemberFactory,
    SeatFactory,
    UserFactory,
    give_totp,
    grant_role,
)

D = Decimal
TBILISI = rules.TBILISI
S2_DEADLINE = rules.deadline_at(date(2016, 6, 10), time(17, 30))
S2_OPENS = datetime(2016, 5, 1, 9, 0, tzinfo=TBILISI)

# letter: (requested, evaluators' totals in order, submitted at (Tbilisi))
S2 = {
    "A": (D("40000.00"), [D(82), D(82)], datetime(2016, 6, 1, 12, 0, tzinfo=TBILISI)),
    "B": (D("30000.00"), [D(76), D(76)], datetime(2016, 6, 2, 12, 0, tzinfo=TBILISI)),
    "C": (D("25000.00"), [D(74), D(50), D(68)], datetime(2016, 6, 3, 12, 0, tzinfo=TBILISI)),
    "D": (D("15000.00"), [D(68), D(68)], datetime(2016, 6, 8, 10, 0, tzinfo=TBILISI)),
    "E": (D("10000.00"), [D(68), D(68)], datetime(2016, 6, 9, 14, 0, tzinfo=TBILISI)),
    "F": (D("4000.00"), [D(55), D(55)], datetime(2016, 6, 10, 17, 29, 59, tzinfo=TBILISI)),
    "G": (D("5000.00"), [D(47), D(47)], datetime(2016, 6, 4, 12, 0, tzinfo=TBILISI)),
    "H": (D("5000.00"), [], datetime(2016, 6, 5, 12, 0, tzinfo=TBILISI)),
}
EVALUATOR_NAMES = ["Tamar Beridze", "Levan Kapanadze", "Nana Gelashvili"]
TITLES = {
    "A": "Guesthouse in Sno: six rooms", "B": "Cheese dairy in Arsha", "C": "Horse trekking in Juta",
    "D": "Bakery in Stepantsminda", "E": "Bee-keeping in Gergeti", "F": "Village library in Sioni",
    "G": "Souvenir workshop in Kobi", "H": "Car wash in Pansheti", "I": "Café in Tkarsheti",
}


def split(total: Decimal) -> tuple[Decimal, Decimal]:
    """Points on C1 (max 60) and C2 (max 40) adding up to ``total``."""
    c1 = rules.q2(total * D("0.6"))
    return c1, total - c1


def score(assignment, total: Decimal, *, submit: bool = True, now=None, note: str = ""):
    """The assigned evaluator declares independence and scores ``total`` (split over C1, C2; E1 met)."""
    user = assignment.evaluator
    if not assignment.independence_declared_at:
        evaluation.assignment_declare(actor=user, assignment=assignment, independent=True, now=now)
    c1, c2 = split(total)
    crit = {c.code: c.pk for c in assignment.application.call.criteria.all()}
    why = note or "Clear plan, costs are realistic, fits the strategy's tourism objective."
    return evaluation.sheet_save(actor=user, assignment=assignment, submit=submit, now=now, scores={
        crit["C1"]: {"points": str(c1), "justification": why},
        crit["C2"]: {"points": str(c2), "justification": why},
        crit["E1"]: {"passed": "yes", "justification": "The project is in the territory."},
    })


@dataclass
class S2Result:
    call: Call
    apps: dict[str, Application]
    evaluators: list
    manager: object
    late_error: str = ""
    extra: dict = field(default_factory=dict)


def build_s2(lag, *, manager=None, evaluators=None, applicants=None, tie_breaks=None, variant="strict",
             code=None, score_apps=True) -> S2Result:
    """S2 up to "evaluated": ranking and the board come next (``services.selection``)."""
    from django.core.exceptions import ValidationError

    if manager is None:
        manager = grant_role(UserFactory(email=f"manager.s2.{lag.slug}@example.ge", full_name="Nino Manager"), lag, Role.MANAGER)
        give_totp(manager)
    call = CallFactory(lag=lag, opens_at=S2_OPENS, closes_at=S2_DEADLINE, min_total=D(50), evaluators_per_application=2,
                       tie_breaks=tie_breaks if tie_breaks is not None else [{"kind": "lower_amount"}],
                       budget_variant=variant, **({"code": code} if code else {}))
    call = call_services.call_publish(actor=manager, call=call, now=S2_OPENS)
    apps: dict[str, Application] = {}
    applicants = applicants or {}
    for letter, (requested, _totals, at) in S2.items():
        user = applicants.get(letter) or UserFactory(email=f"applicant.{letter.lower()}.{call.pk}@example.ge",
                                                     full_name=f"Applicant {letter}")
        app = ready_application(call, user, requested=requested, total=rules.q2(requested * D("1.25")),
                                title=TITLES[letter], applicant_name=f"Applicant {letter}")
        apps[letter] = app_services.application_submit(actor=user, application=app, now=at)
    late_user = applicants.get("I") or UserFactory(email=f"applicant.i.{call.pk}@example.ge", full_name="Applicant I")
    late = ready_application(call, late_user, requested=D("8000.00"), total=D("10000.00"), title=TITLES["I"], applicant_name="Applicant I")
    late_error = ""
    try:
        app_services.application_submit(actor=late_user, application=late, now=S2_DEADLINE + timedelta(seconds=1))
    except ValidationError as exc:
        late_error = " ".join(exc.messages)
    call_services.call_close(actor=manager, call=call, now=S2_DEADLINE + timedelta(minutes=5))
    decided = S2_DEADLINE + timedelta(days=3)
    for letter, app in apps.items():
        checks.check_decide(actor=manager, application=app, eligible=letter != "H",
                            reason="" if letter != "H" else "The applicant is registered outside the territory.", now=decided)
    if evaluators is None:
        evaluators = []
        for n in range(3):
            user = grant_role(UserFactory(email=f"evaluator{n + 1}.{call.pk}@example.ge", full_name=EVALUATOR_NAMES[n]),
                              lag, Role.EVALUATOR)
            give_totp(user)
            evaluators.append(user)
    for user in evaluators:
        evaluation.pool_add(actor=manager, call=call, evaluator=user)
    evaluation.evaluation_assign(actor=manager, call=call, now=decided)
    result = S2Result(call=call, apps={k: Application.objects.get(pk=v.pk) for k, v in apps.items()},
                      evaluators=evaluators, manager=manager, late_error=late_error)
    if score_apps:
        score_all(result)
    return result


def score_all(result: S2Result) -> None:
    """Every evaluator scores as S2 says; C gets its third evaluator through the divergence rule."""
    for letter, (_req, totals, _at) in S2.items():
        if not totals:
            continue
        app = result.apps[letter]
        for position, total in enumerate(totals):
            assignments = list(app.assignments.filter(conflict_declared=False).select_related("evaluator", "application__call")
                               .order_by("assigned_at", "id"))
            score(assignments[position], total)
    evaluation.evaluation_finish(actor=result.manager, call=result.call)
    result.call.refresh_from_db()
    for app in result.apps.values():
        app.refresh_from_db()


@dataclass
class BoardSetup:
    body: Body
    members: list
    users: list


def board_for(lag, *, size: int = 6, public: int = 2) -> BoardSetup:
    """A board (selection committee) of ``size`` with ``public`` public-sector members, each with an account."""
    body = Body.objects.filter(lag=lag, kind=BodyKind.BOARD).first()
    if body is None:
        body = Body.objects.create(lag=lag, kind=BodyKind.BOARD, name_ka="პროექტების შემფასებელი კომიტეტი",
                                   name_en="Project evaluation committee")
    groups = [InterestGroupFactory(lag=lag, name_en=name, name_ka=ka) for name, ka in
              (("tourism", "ტურიზმი"), ("agriculture", "სოფლის მეურნეობა"), ("community", "თემი"))]
    members, users = [], []
    for n in range(size):
        user = grant_role(UserFactory(email=f"board{n + 1}.{lag.slug}.{body.pk}@example.ge", full_name=f"Board member {n + 1}"),
                          lag, Role.BOARD)
        give_totp(user)
        sector = Sector.PUBLIC if n < public else (Sector.BUSINESS if n % 2 else Sector.CIVIL)
        member = MemberFactory(lag=lag, name=f"Board member {n + 1}", sector=sector, interest_group=groups[n % 3], user=user,
                               email=user.email)
        SeatFactory(body=body, member=member)
        members.append(member)
        users.append(user)
    return BoardSetup(body, members, users)
