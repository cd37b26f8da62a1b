"""Reads for evaluators (their queue, one assignment) and for the manager (progress, pool).

A draft score sheet is read only by ``own_sheet`` for its author. Everything shown to anyone else
reads submitted sheets only, and the progress page never loads a draft's points.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Prefetch, Q
from django.http import Http404

from sopeli.accounts.models import Role, RoleGrant
from sopeli.grants.models import (
    Application,
    Assignment,
    Call,
    EvaluatorPool,
    Score,
    ScoreSheet,
)
from sopeli.grants.services.evaluation import EVALUATED_STATUSES
from sopeli.grants.workflow import ApplicationStatus


def my_assignments(user, lag):
    """The evaluator's assignments in ``lag`` with the application's public facts; paginate the result.

    Work still to do comes first (newest first), then finished sheets (latest first), then declared
    conflicts. ``submitted_at`` is the own sheet's submission time (None: not submitted).
    """
    return (
        Assignment.objects.filter(evaluator=user, application__lag=lag)
        .select_related("application__call", "application__measure__measure", "application__settlement")
        .annotate(submitted_at=F("sheet__submitted_at"))
        .order_by("conflict_declared", F("submitted_at").desc(nulls_first=True), "-assigned_at", "-id")
    )


def my_assignment_counts(user, lag) -> dict[str, int]:
    """How many of the evaluator's assignments in ``lag`` are still to score, and how many are done (1 query)."""
    return Assignment.objects.filter(evaluator=user, application__lag=lag).aggregate(
        to_do=Count("id", filter=Q(conflict_declared=False, sheet__submitted_at__isnull=True)),
        done=Count("id", filter=Q(sheet__submitted_at__isnull=False)),
    )


def assignment_for_evaluator(user, lag, pk: int) -> Assignment:
    """The user's own assignment in ``lag``; 404 for anyone else's."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    a = (Assignment.objects.filter(pk=pk, evaluator=user, application__lag=lag)
         .select_related("application__call", "application__measure__measure", "application__settlement", "appeal").first())
    if a is None:
        raise Http404
    return a


def own_sheet(assignment: Assignment) -> ScoreSheet | None:
    return ScoreSheet.objects.filter(assignment=assignment).prefetch_related("scores").first()


def others_sheets(assignment: Assignment) -> list[dict[str, Any]]:
    """Other evaluators' submitted sheets for the same application, only once the evaluator submitted their own."""
    mine = ScoreSheet.objects.filter(assignment=assignment, submitted_at__isnull=False).exists()
    if not mine:
        return []
    others = (Assignment.objects.filter(application_id=assignment.application_id, conflict_declared=False,
                                        sheet__submitted_at__isnull=False)
              .exclude(pk=assignment.pk).select_related("sheet")
              .prefetch_related(Prefetch("sheet__scores", queryset=Score.objects.select_related("criterion")))
              .order_by("assigned_at", "id"))
    if assignment.round == "appeal":
        others = others.filter(round="appeal", appeal_id=assignment.appeal_id)
    else:
        others = others.exclude(round="appeal")
    return [{"number": n, "total": a.sheet.total, "scores": list(a.sheet.scores.all()), "comment": a.sheet.comment}
            for n, a in enumerate(others, 1)]


def progress(call: Call) -> list[Application]:
    """Every application being (or already) scored with its assignments and what is missing (three queries).

    Only whether a sheet is submitted, and the submitted total, are read: never a draft's points.
    """
    apps = list(
        Application.objects.filter(call=call, number__isnull=False)
        .exclude(status__in=(ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.NEEDS_FIXES,
                             ApplicationStatus.INELIGIBLE, ApplicationStatus.WITHDRAWN))
        .select_related("measure__measure", "call")
        .prefetch_related(Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("evaluator").order_by("assigned_at", "id"),
        ))
        .order_by("number")
    )
    ids = [x.pk for app in apps for x in app.assignments.all()]
    sheets = {pk: (submitted, total) for pk, submitted, total in
              ScoreSheet.objects.filter(assignment_id__in=ids).values_list("assignment_id", "submitted_at", "total")}
    for app in apps:
        app.rows = []
        missing = 0
        for a in app.assignments.all():
            submitted, total = sheets.get(a.pk, (None, None))
            state = ("conflict" if a.conflict_declared else "submitted" if submitted else
                     "scoring" if a.independence_declared_at else "waiting")
            if state in ("scoring", "waiting") and app.status == ApplicationStatus.UNDER_EVALUATION:
                missing += 1
            app.rows.append({"assignment": a, "state": state, "total": total if submitted else None, "submitted_at": submitted})
        app.missing = missing
    return apps


def progress_counts(call: Call) -> dict[str, int]:
    return Assignment.objects.filter(application__call=call).aggregate(
        total=Count("id", filter=Q(conflict_declared=False)),
        submitted=Count("id", filter=Q(conflict_declared=False, sheet__submitted_at__isnull=False)),
        conflicts=Count("id", filter=Q(conflict_declared=True)),
    ) | {"waiting_apps": Application.objects.filter(call=call, status__in=EVALUATED_STATUSES).count()}


def pool(call: Call) -> list[EvaluatorPool]:
    rows = list(EvaluatorPool.objects.filter(call=call).select_related("evaluator").order_by("evaluator__full_name"))
    load = dict(Assignment.objects.filter(application__call=call, conflict_declared=False)
                .values_list("evaluator_id").annotate(n=Count("id")).values_list("evaluator_id", "n"))
    for row in rows:
        row.load = load.get(row.evaluator_id, 0)
    return rows


def pool_candidates(call: Call):
    """People with the evaluator or board role in the LAG who are not in the pool yet."""
    from sopeli.accounts.models import User

    in_pool = EvaluatorPool.objects.filter(call=call).values("evaluator_id")
    ids = RoleGrant.objects.filter(lag_id=call.lag_id, role__in=(Role.EVALUATOR, Role.BOARD)).values("user_id")
    return User.objects.filter(pk__in=ids).exclude(pk__in=in_pool).order_by("full_name")


def application_content(app: Application) -> Application:
    """What an evaluator reads once independence is declared: answers, budget, files (fixed queries)."""
    from sopeli.grants.selectors.applications import application_full

    return application_full(app)
