"""The grant workflows declared as data: statuses, and one table of transitions per object.

Services never compare statuses by hand; they ask ``transition(...)`` for the one allowed move and
let it refuse anything else with a translated message. Each row says who may trigger the move:

- ``ROLE_*`` strings below are roles (``sopeli.accounts.models.Role`` values) plus two pseudo
  roles: ``owner`` (the applicant who created the application) and ``system`` (a management
  command or another service acting on its own, e.g. the deadline passing or a ranking run).

The table is what the applicant's timeline ("what happens next") and the manager's buttons read,
so a new transition added here shows up on those pages without touching their templates.

Call:        draft → published → closed → evaluated → results_published
Application: draft → submitted → (needs_fixes → submitted) → eligible | ineligible
             eligible → under_evaluation → scored → funded | reserve | rejected
             reserve → funded (reserve list activated)
             any state before a decision (and funded/reserve, until a contract) → withdrawn
             scored/funded/reserve/rejected → under_evaluation (an appeal ordered a re-evaluation)
In a two-stage call an *idea* (stage ``idea``) runs draft → submitted → eligible ("invited to a full
application") | ineligible ("not invited"), and then the full application is a new Application
whose ``idea`` points at it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

ROLE_MANAGER = "manager"
ROLE_BOARD = "board"
ROLE_EVALUATOR = "evaluator"
ROLE_OWNER = "owner"
ROLE_SYSTEM = "system"


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("open for applications")
    CLOSED = "closed", _("closed: applications being checked and scored")
    EVALUATED = "evaluated", _("evaluated: awaiting the board's decision")
    RESULTS_PUBLISHED = "results_published", _("results published")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    NEEDS_FIXES = "needs_fixes", _("missing items to fix")
    ELIGIBLE = "eligible", _("eligible")
    INELIGIBLE = "ineligible", _("ineligible")
    UNDER_EVALUATION = "under_evaluation", _("being scored")
    SCORED = "scored", _("scored")
    FUNDED = "funded", _("funded")
    RESERVE = "reserve", _("on the reserve list")
    REJECTED = "rejected", _("not funded")
    WITHDRAWN = "withdrawn", _("withdrawn")


# Public once the call is closed: these applications appear on the received list.
RECEIVED_STATUSES = tuple(s for s in ApplicationStatus if s not in (ApplicationStatus.DRAFT,))
# A decision has been taken: the applicant can no longer withdraw without a trace of the decision.
DECIDED_STATUSES = (ApplicationStatus.FUNDED, ApplicationStatus.RESERVE, ApplicationStatus.REJECTED)
# The applicant may still change the content.
EDITABLE_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.NEEDS_FIXES)
WITHDRAWABLE_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.NEEDS_FIXES,
    ApplicationStatus.ELIGIBLE,
    ApplicationStatus.UNDER_EVALUATION,
    ApplicationStatus.SCORED,
    ApplicationStatus.FUNDED,  # before a contract is signed (projects app checks that)
    ApplicationStatus.RESERVE,
)
# Calls whose page anyone may read.
PUBLIC_CALL_STATUSES = (
    CallStatus.PUBLISHED,
    CallStatus.CLOSED,
    CallStatus.EVALUATED,
    CallStatus.RESULTS_PUBLISHED,
)


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    action: str
    roles: frozenset[str]
    label: object  # lazy translated text for buttons and the timeline
    next_step: object = ""  # what the applicant is told happens next (timeline)


def _t(source, target, action, roles, label, next_step=""):
    return Transition(str(source), str(target), action, frozenset(roles), label, next_step)


C, A = CallStatus, ApplicationStatus
M, B, OWN, S = ROLE_MANAGER, ROLE_BOARD, ROLE_OWNER, ROLE_SYSTEM

CALL_TRANSITIONS: tuple[Transition, ...] = (
    _t(C.DRAFT, C.PUBLISHED, "publish", {M}, _("Publish the call")),
    _t(C.PUBLISHED, C.CLOSED, "close", {M, S}, _("Close the call after its deadline")),
    _t(C.CLOSED, C.EVALUATED, "finish_evaluation", {M, S}, _("Finish the evaluation")),
    _t(C.EVALUATED, C.RESULTS_PUBLISHED, "publish_results", {M}, _("Publish the results")),
)

APPLICATION_TRANSITIONS: tuple[Transition, ...] = (
    _t(A.DRAFT, A.SUBMITTED, "submit", {OWN, M}, _("Submit"),
       _("The LAG checks that the application is complete and eligible.")),
    _t(A.SUBMITTED, A.NEEDS_FIXES, "request_fixes", {M}, _("Ask the applicant to fix missing items"),
       _("Fix the missing items before the deadline you were given.")),
    _t(A.NEEDS_FIXES, A.SUBMITTED, "resubmit", {OWN, M}, _("Send the fixed application"),
       _("The LAG checks the fixed application.")),
    _t(A.NEEDS_FIXES, A.INELIGIBLE, "fix_deadline_missed", {M, S}, _("Fix deadline missed")),
    _t(A.SUBMITTED, A.ELIGIBLE, "declare_eligible", {M}, _("Eligible"),
       _("Independent evaluators score the application against the published criteria.")),
    _t(A.SUBMITTED, A.INELIGIBLE, "declare_ineligible", {M}, _("Ineligible")),
    _t(A.ELIGIBLE, A.UNDER_EVALUATION, "start_evaluation", {M, S}, _("Start the evaluation"),
       _("Independent evaluators score the application against the published criteria.")),
    _t(A.UNDER_EVALUATION, A.SCORED, "finish_scoring", {S, M}, _("Scoring finished"),
       _("The board decides on the ranked list.")),
    _t(A.SCORED, A.FUNDED, "fund", {B, S}, _("Funded"),
       _("The accountable body checks the project and prepares the contract.")),
    _t(A.SCORED, A.RESERVE, "reserve", {B, S}, _("On the reserve list"),
       _("If money frees up, reserve projects are funded in rank order.")),
    _t(A.SCORED, A.REJECTED, "reject", {B, S}, _("Not funded")),
    _t(A.RESERVE, A.FUNDED, "activate_reserve", {M, B, S}, _("Funded from the reserve list"),
       _("The accountable body checks the project and prepares the contract.")),
    _t(A.RESERVE, A.REJECTED, "reserve_expired", {S, M}, _("Reserve list expired")),
    # Appeals (owned by the appeals module): a re-evaluation reopens the scoring.
    *(_t(s, A.UNDER_EVALUATION, "reevaluate", {M}, _("Re-evaluation ordered after an appeal"),
         _("Different evaluators score the application again; the original decision stays on record."))
      for s in (A.SCORED, A.FUNDED, A.RESERVE, A.REJECTED)),
    _t(A.INELIGIBLE, A.SUBMITTED, "reopen_check", {M}, _("Eligibility check reopened after an appeal"),
       _("The LAG checks the application again.")),
    *(_t(s, A.WITHDRAWN, "withdraw", {OWN, M}, _("Withdraw")) for s in WITHDRAWABLE_STATUSES),
)


def transitions_from(table: tuple[Transition, ...], status: str) -> list[Transition]:
    return [t for t in table if t.source == str(status)]


def find(table: tuple[Transition, ...], status: str, action: str) -> Transition | None:
    for t in table:
        if t.source == str(status) and t.action == action:
            return t
    return None


def transition(table: tuple[Transition, ...], status: str, action: str, *, role: str | None = None) -> Transition:
    """The allowed move for ``action`` from ``status`` (by ``role`` if given), or a ValidationError."""
    move = find(table, status, action)
    if move is None:
        raise ValidationError(_("This step is not possible at the current stage."), code="bad_transition")
    if role is not None and role not in move.roles:
        raise ValidationError(_("You are not allowed to take this step."), code="role")
    return move


def next_step(status: str) -> str:
    """What the applicant is told happens next, for the timeline."""
    for t in APPLICATION_TRANSITIONS:
        if t.target == str(status) and t.next_step:
            return t.next_step
    return ""
