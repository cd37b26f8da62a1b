"""Small-grant competitions: calls, applications, checks, evaluation, selection and appeals.

The whole data model of issue 4 lives here so the modules that build on it (calls, applications
and checks; evaluation, selection and appeals) can be written in parallel. The pure rules are in
``rules.py``; the state machines (statuses and allowed moves with roles) in ``workflow.py``.

Conventions kept by every model:
- Every row reachable from a URL has a ``lag`` (directly or through its call) and is fetched scoped
  by it (``selectors`` / ``permissions``).
- Money is ``Decimal`` with two places (``MONEY``), never negative (check constraints).
- Aid rates are percentages with two places (80.00 = 80%), as in ``strategy.AidRate``; services
  divide by 100 before calling ``projects.rules.check_aid``.
- Times are stored UTC; the call's deadlines are whole seconds (``rules.is_on_time``).
- A published call never changes (services refuse it); the ``snapshot`` taken at publication is the
  record of the rules the competition runs under, and changes are ``CallAmendment`` rows.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from sopeli.grants.rules import Aggregation as RuleAggregation
from sopeli.grants.rules import BudgetVariant as RuleBudgetVariant
from sopeli.grants.workflow import ApplicationStatus, CallStatus
from sopeli.strategy.models import ApplicantType

MONEY = {"max_digits": 14, "decimal_places": 2}
POINTS = {"max_digits": 7, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2}


# --- choices -------------------------------------------------------------------------------------


class Aggregation(models.TextChoices):
    MEAN = RuleAggregation.MEAN.value, _("mean of all scores")
    CLOSEST_PAIR = RuleAggregation.CLOSEST_PAIR.value, _("mean of the two closest scores")


class BudgetVariant(models.TextChoices):
    STRICT = RuleBudgetVariant.STRICT.value, _("strict rank order: stop at the first that does not fit")
    SKIP = RuleBudgetVariant.SKIP.value, _("skip what does not fit and continue")
    BORDER_RAISE = RuleBudgetVariant.BORDER_RAISE.value, _("border project: raise the allocation to fund it")
    BORDER_PARTIAL = RuleBudgetVariant.BORDER_PARTIAL.value, _("border project: offer the remainder as a partial grant")


class Stage(models.TextChoices):
    IDEA = "idea", _("project idea")
    FULL = "full", _("full application")


class QuestionKind(models.TextChoices):
    TEXT = "text", _("short text")
    LONG_TEXT = "long_text", _("long text")
    NUMBER = "number", _("number")
    CHOICE = "choice", _("choice")
    FILE = "file", _("file")


class QuestionStage(models.TextChoices):
    FULL = "full", _("full application")
    IDEA = "idea", _("project idea")
    BOTH = "both", _("both stages")


class CriterionKind(models.TextChoices):
    PASS_FAIL = "pass_fail", _("pass / fail")
    SCORED = "scored", _("scored")


class AttachmentPurpose(models.TextChoices):
    DOCUMENT = "document", _("required document")
    ANSWER = "answer", _("answer to a question")
    OTHER = "other", _("other document")
    SCAN = "scan", _("scan of a paper application")
    FIX = "fix", _("document sent to fix a missing item")
    APPEAL = "appeal", _("appeal document")


class CheckOutcome(models.TextChoices):
    PENDING = "pending", _("being checked")
    ELIGIBLE = "eligible", _("eligible")
    INELIGIBLE = "ineligible", _("ineligible")


class ChecklistAnswer(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")
    NOT_APPLICABLE = "na", _("not applicable")


class AssignmentRound(models.TextChoices):
    ORIGINAL = "original", _("original evaluation")
    EXTRA = "extra", _("extra evaluator (scores diverged)")
    APPEAL = "appeal", _("re-evaluation after an appeal")


class Outcome(models.TextChoices):
    FUNDED = "funded", _("funded")
    RESERVE = "reserve", _("reserve list")
    REJECTED = "rejected", _("not funded")
    INELIGIBLE = "ineligible", _("ineligible")
    WITHDRAWN = "withdrawn", _("withdrawn")


# What an appeal can end in: an outcome of the ranking, or (an ineligibility appeal upheld before the
# ranking) "eligible": the application is then scored and ranked with the others.
APPEAL_ELIGIBLE = "eligible"
APPEAL_OUTCOMES = [*Outcome.choices, (APPEAL_ELIGIBLE, _("eligible"))]


class AppealStatus(models.TextChoices):
    FILED = "filed", _("filed")
    REJECTED = "rejected", _("rejected with reasons")
    REEVALUATION = "reevaluation", _("re-evaluation ordered")
    RESOLVED = "resolved", _("re-evaluated: decision taken")


# --- the call ------------------------------------------------------------------------------------


class Call(models.Model):
    """A competition for small grants under one or more measures of the approved strategy."""

    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="calls")
    strategy_version = models.ForeignKey(
        "strategy.StrategyVersion", verbose_name=_("strategy version"), on_delete=models.PROTECT, related_name="calls"
    )
    code = models.CharField(_("number"), max_length=30, help_text=_("e.g. 2026/1"))
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("what the call funds, in plain words"), blank=True)
    who_can_apply = models.TextField(_("who can apply, in plain words"), blank=True)
    how_to_apply = models.TextField(_("how to apply and where to get help"), blank=True)
    contact = models.CharField(_("contact for questions"), max_length=300, blank=True)

    # Money and limits
    min_grant = models.DecimalField(_("minimum grant"), **MONEY, default=0)
    max_grant = models.DecimalField(_("maximum grant"), **MONEY)
    eligible_settlements = models.ManyToManyField(
        "core.Settlement", verbose_name=_("eligible villages"), blank=True, related_name="+",
        help_text=_("Leave empty for the whole territory."),
    )
    min_duration_months = models.PositiveSmallIntegerField(_("shortest project (months)"), null=True, blank=True)
    max_duration_months = models.PositiveSmallIntegerField(_("longest project (months)"), null=True, blank=True)

    # Dates (stored UTC, shown Asia/Tbilisi; deadlines are whole seconds)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("deadline for applications"))
    has_idea_stage = models.BooleanField(
        _("first stage: project ideas"), default=False,
        help_text=_("Applicants first send a short idea; those invited then send a full application."),
    )
    ideas_close_at = models.DateTimeField(_("deadline for ideas"), null=True, blank=True)

    # Scoring and selection rules (frozen at publication)
    min_total = models.DecimalField(_("minimum total score to be funded"), **POINTS, default=0)
    evaluators_per_application = models.PositiveSmallIntegerField(_("evaluators per application"), default=2)
    divergence_share = models.DecimalField(
        _("divergence share"), max_digits=3, decimal_places=2, null=True, blank=True, default="0.30",
        help_text=_("A third evaluator scores when two scores differ by more than this share of the higher one. Empty: never."),
    )
    aggregation = models.CharField(_("aggregation"), max_length=20, choices=Aggregation.choices, default=Aggregation.CLOSEST_PAIR)
    # [{"kind": "lower_amount"} | {"kind": "earlier_submission"} | {"kind": "higher_criterion", "criterion": "C1"}]
    tie_breaks = models.JSONField(_("tie-break order"), default=list, blank=True)
    budget_variant = models.CharField(_("when the budget runs out"), max_length=20, choices=BudgetVariant.choices, default=BudgetVariant.STRICT)
    max_raise = models.DecimalField(_("largest allocation raise for a border project"), **MONEY, null=True, blank=True)
    reserve_valid_days = models.PositiveSmallIntegerField(_("reserve list valid (days)"), default=180)
    appeal_days = models.PositiveSmallIntegerField(_("appeal window (days)"), default=14)
    received_list_days = models.PositiveSmallIntegerField(_("received list published within (days)"), default=5)
    show_evaluator_names = models.BooleanField(_("show evaluators' names to applicants"), default=False)

    # Lifecycle
    status = models.CharField(_("status"), max_length=20, choices=CallStatus.choices, default=CallStatus.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    snapshot = models.JSONField(_("rules frozen at publication"), default=dict, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    received_list_published_at = models.DateTimeField(_("received list published"), null=True, blank=True)
    results_published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opens_at", "-id"]
        indexes = [models.Index(fields=["lag", "status", "closes_at"])]
        constraints = [
            models.UniqueConstraint(fields=["lag", "code"], name="call_unique_code_per_lag",
                                    violation_error_message=_("Another call of this LAG has this number.")),
            models.CheckConstraint(condition=Q(min_grant__gte=0), name="call_min_grant_nonnegative",
                                   violation_error_message=_("The minimum grant cannot be negative.")),
            models.CheckConstraint(condition=Q(max_grant__gte=F("min_grant")), name="call_min_le_max_grant",
                                   violation_error_message=_("The maximum grant must be at least the minimum grant.")),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="call_closes_after_opening",
                                   violation_error_message=_("The deadline must come after the opening.")),
            models.CheckConstraint(
                condition=Q(has_idea_stage=False, ideas_close_at__isnull=True)
                | Q(has_idea_stage=True, ideas_close_at__isnull=False, ideas_close_at__gt=F("opens_at"), ideas_close_at__lt=F("closes_at")),
                name="call_idea_stage_shape",
                violation_error_message=_("The deadline for ideas must fall between the opening and the deadline for applications."),
            ),
            models.CheckConstraint(
                condition=Q(min_duration_months__isnull=True) | Q(max_duration_months__isnull=True)
                | Q(max_duration_months__gte=F("min_duration_months")),
                name="call_duration_order",
                violation_error_message=_("The longest duration cannot be shorter than the shortest."),
            ),
            models.CheckConstraint(condition=Q(min_total__gte=0), name="call_min_total_nonnegative"),
            models.CheckConstraint(condition=Q(evaluators_per_application__gte=1), name="call_at_least_one_evaluator",
                                   violation_error_message=_("At least one evaluator must score each application.")),
            models.CheckConstraint(
                condition=Q(divergence_share__isnull=True) | Q(divergence_share__gte=0, divergence_share__lte=1),
                name="call_divergence_share_0_1",
                violation_error_message=_("The divergence share is between 0 and 1 (0.30 for 30%)."),
            ),
            models.CheckConstraint(condition=Q(max_raise__isnull=True) | Q(max_raise__gte=0), name="call_max_raise_nonnegative"),
            models.CheckConstraint(
                condition=~Q(status="draft") | Q(published_at__isnull=True), name="call_draft_not_published"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="call_published_has_date"
            ),
        ]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        # Deadlines are whole seconds (rules.is_on_time refuses anything else).
        for name in ("opens_at", "closes_at", "ideas_close_at"):
            value = getattr(self, name)
            if value is not None and value.microsecond:
                setattr(self, name, value.replace(microsecond=0))
        super().save(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status != CallStatus.DRAFT

    def deadline_for(self, stage: str) -> models.DateTimeField:
        return self.ideas_close_at if stage == Stage.IDEA and self.has_idea_stage else self.closes_at


class CallCounter(models.Model):
    """The last reference number handed out in a call (gapless, per call).

    A row of its own so that numbering a submission locks nothing anyone else waits for: the call row
    is locked by managers' work (amendments, closing, paper applications), this one only by
    ``services.applications`` for the few statements that give a submission its number. Created with
    the call's publication (and on first use for calls made otherwise, e.g. in tests).
    """

    call = models.OneToOneField(Call, primary_key=True, on_delete=models.CASCADE, related_name="counter")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.call_id}: {self.last_number}"


class CallMeasure(models.Model):
    """A measure the call funds, with its own budget: each measure is ranked separately."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="call_measures")
    measure = models.ForeignKey("strategy.Measure", verbose_name=_("measure"), on_delete=models.PROTECT, related_name="call_measures")
    budget = models.DecimalField(_("budget"), **MONEY)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["call", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "measure"], name="callmeasure_unique",
                                    violation_error_message=_("This measure is already in the call.")),
            models.CheckConstraint(condition=Q(budget__gte=0), name="callmeasure_budget_nonnegative",
                                   violation_error_message=_("The budget cannot be negative.")),
        ]
        verbose_name = _("measure of a call")
        verbose_name_plural = _("measures of a call")

    def __str__(self) -> str:
        return str(self.measure)


class CallAidRate(models.Model):
    """The maximum aid rate for one applicant type. A type is eligible for the call iff it has a row."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="aid_rates")
    applicant_type = models.CharField(_("applicant type"), max_length=30, choices=ApplicantType.choices)
    max_rate = models.DecimalField(_("maximum aid rate (%)"), **PERCENT)

    class Meta:
        ordering = ["call", "applicant_type"]
        constraints = [
            models.UniqueConstraint(fields=["call", "applicant_type"], name="callaidrate_unique_type",
                                    violation_error_message=_("This applicant type already has a rate.")),
            models.CheckConstraint(condition=Q(max_rate__gte=0, max_rate__lte=100), name="callaidrate_0_100",
                                   violation_error_message=_("An aid rate is a percentage between 0 and 100.")),
        ]
        verbose_name = _("aid rate")
        verbose_name_plural = _("aid rates")

    def __str__(self) -> str:
        return f"{self.get_applicant_type_display()} {self.max_rate}%"


class CallDocument(models.Model):
    """A document the applicant must (or may) attach, e.g. a land ownership extract."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("document"), max_length=200)
    description = models.TextField(_("explanation"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    stage = models.CharField(_("stage"), max_length=10, choices=QuestionStage.choices, default=QuestionStage.FULL)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["call", "order", "id"]
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self) -> str:
        return self.name


class CallQuestion(models.Model):
    """A question of the call's own application form."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind of answer"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.LONG_TEXT)
    label = models.CharField(_("question"), max_length=300)
    help_text = models.TextField(_("explanation"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    stage = models.CharField(_("stage"), max_length=10, choices=QuestionStage.choices, default=QuestionStage.FULL)
    # [{"value": "yes", "label_ka": "...", "label_en": "..."}], for choice questions only.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    max_length = models.PositiveIntegerField(_("maximum length (characters)"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["call", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(max_length__isnull=True) | Q(max_length__gte=1), name="callquestion_max_length_positive"),
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.label


class Criterion(models.Model):
    """A selection criterion: pass/fail, or scored with maximum points, weight and optional minimum."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("code"), max_length=20, help_text=_("e.g. C1"))
    kind = models.CharField(_("kind"), max_length=10, choices=CriterionKind.choices, default=CriterionKind.SCORED)
    title = models.CharField(_("criterion"), max_length=300)
    guidance = models.TextField(_("how it is scored"), blank=True)
    max_points = models.DecimalField(_("maximum points"), **POINTS, null=True, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=1)
    min_points = models.DecimalField(_("minimum points"), **POINTS, null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["call", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="criterion_unique_code",
                                    violation_error_message=_("This code is already used in this call.")),
            models.CheckConstraint(
                condition=Q(kind="pass_fail", max_points__isnull=True, min_points__isnull=True)
                | Q(kind="scored", max_points__isnull=False, max_points__gt=0),
                name="criterion_shape",
                violation_error_message=_("A scored criterion needs positive maximum points; a pass/fail one has no points."),
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="criterion_weight_nonnegative",
                                   violation_error_message=_("The weight cannot be negative.")),
            models.CheckConstraint(
                condition=Q(min_points__isnull=True) | Q(min_points__gte=0, min_points__lte=F("max_points")),
                name="criterion_min_le_max",
                violation_error_message=_("The minimum points must be between 0 and the maximum points."),
            ),
        ]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ChecklistItem(models.Model):
    """One line of the call's administrative and eligibility checklist."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="checklist")
    text = models.CharField(_("check"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["call", "order", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist")

    def __str__(self) -> str:
        return self.text


class CallAmendment(models.Model):
    """A change to a published call, with its reason and the values before and after."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField(_("amendment"))
    reason = models.TextField(_("reason"))
    # [{"field": "closes_at", "label": "Deadline", "before": "...", "after": "..."}]
    changes = models.JSONField(_("what changed"), default=list)
    is_public = models.BooleanField(_("public"), default=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["call", "number"]
        constraints = [models.UniqueConstraint(fields=["call", "number"], name="callamendment_unique_number")]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")

    def __str__(self) -> str:
        return f"{self.call.code} #{self.number}"


# --- applications --------------------------------------------------------------------------------


class Application(models.Model):
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="applications")
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    measure = models.ForeignKey(CallMeasure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="applications")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.FULL)
    idea = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="full_applications",
        help_text=_("In a two-stage call: the idea this full application follows."),
    )
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grant_applications")
    applicant_type = models.CharField(_("applicant type"), max_length=30, choices=ApplicantType.choices)
    applicant_name = models.CharField(
        _("applicant (person or organisation)"), max_length=200,
        help_text=_("Shown on the results page if the project is funded."),
    )
    settlement = models.ForeignKey("core.Settlement", verbose_name=_("village of the project"), null=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("project title"), max_length=200)
    summary = models.TextField(_("project summary"), blank=True)
    partners = models.TextField(_("partners"), blank=True, help_text=_("Partner organisations, one per line."))
    duration_months = models.PositiveSmallIntegerField(_("duration (months)"), null=True, blank=True)

    total_budget = models.DecimalField(_("total budget"), **MONEY, default=0)
    requested_grant = models.DecimalField(_("requested grant"), **MONEY, default=0)
    own_contribution = models.DecimalField(_("own contribution"), **MONEY, default=0)
    # projects.rules.check_aid at submission (rates as strings): what the checker and evaluators see.
    aid_check = models.JSONField(default=dict, blank=True, editable=False)

    status = models.CharField(_("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    step = models.PositiveSmallIntegerField(default=1, help_text="last step of the form the applicant saved")
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by staff"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="assisted_applications",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    awarded_grant = models.DecimalField(_("grant fixed by the LAG"), **MONEY, null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["call", "number", "id"]
        indexes = [
            models.Index(fields=["call", "status"]),
            models.Index(fields=["call", "measure", "status"]),
            models.Index(fields=["applicant", "-created_at"]),
            models.Index(fields=["lag", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["call", "number"], name="application_unique_number_per_call"),
            models.CheckConstraint(
                condition=Q(total_budget__gte=0, requested_grant__gte=0, own_contribution__gte=0),
                name="application_money_nonnegative",
                violation_error_message=_("Amounts cannot be negative."),
            ),
            models.CheckConstraint(condition=Q(requested_grant__lte=F("total_budget")), name="application_grant_within_budget",
                                   violation_error_message=_("The requested grant cannot exceed the total budget.")),
            models.CheckConstraint(condition=Q(awarded_grant__isnull=True) | Q(awarded_grant__gte=0), name="application_awarded_nonnegative"),
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True, submitted_at__isnull=True)
                | (~Q(status="draft") & Q(number__isnull=False, submitted_at__isnull=False))
                | Q(status="withdrawn", number__isnull=True),  # a draft can be withdrawn (deleted in effect)
                name="application_number_iff_submitted",
            ),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        """The number people quote: the call's number and the application's, e.g. 2026/1-007."""
        if self.number is None:
            return str(_("draft"))
        return f"{self.call.code}-{self.number:03d}"

    @property
    def is_editable(self) -> bool:
        from sopeli.grants.workflow import EDITABLE_STATUSES

        return self.status in EDITABLE_STATUSES


class BudgetLine(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    description = models.CharField(_("cost item"), max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["application", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budgetline_amount_nonnegative",
                                   violation_error_message=_("Amounts cannot be negative.")),
        ]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class Answer(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(CallQuestion, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True)
    number = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    choice = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "question"], name="answer_unique_per_question")]

    def __str__(self) -> str:
        return f"{self.application_id}/{self.question_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """Private storage path; the name is random so paths cannot be guessed."""
    suffix = PurePath(get_valid_filename(filename)).suffix.lower()[:10]
    return f"grants/{instance.application.lag_id}/{instance.application.call_id}/{instance.application_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """An uploaded file, kept in private storage and served only through a permission-checked view."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    purpose = models.CharField(_("purpose"), max_length=10, choices=AttachmentPurpose.choices, default=AttachmentPurpose.DOCUMENT)
    document = models.ForeignKey(CallDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    question = models.ForeignKey(CallQuestion, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    appeal = models.ForeignKey("Appeal", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "uploaded_at", "id"]
        indexes = [models.Index(fields=["application", "purpose"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose="document", document__isnull=False) | ~Q(purpose="document"),
                name="attachment_document_has_type",
            ),
            models.CheckConstraint(
                condition=Q(purpose="answer", question__isnull=False) | ~Q(purpose="answer"),
                name="attachment_answer_has_question",
            ),
        ]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


# --- administrative and eligibility check --------------------------------------------------------


class EligibilityCheck(models.Model):
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="eligibility")
    outcome = models.CharField(_("outcome"), max_length=12, choices=CheckOutcome.choices, default=CheckOutcome.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="pending", decided_at__isnull=True) | (~Q(outcome="pending") & Q(decided_at__isnull=False)),
                name="eligibilitycheck_decided_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="ineligible") | ~Q(reason=""), name="eligibilitycheck_ineligible_has_reason",
                violation_error_message=_("Give the reason why the application is ineligible."),
            ),
        ]
        verbose_name = _("eligibility check")
        verbose_name_plural = _("eligibility checks")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.outcome}"


class CheckItemResult(models.Model):
    check_record = models.ForeignKey(EligibilityCheck, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="results")
    answer = models.CharField(_("result"), max_length=3, choices=ChecklistAnswer.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["check_record", "item"], name="checkitemresult_unique")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.answer}"


class FixRequest(models.Model):
    """The applicant is asked to fix missing items by a deadline (server clock, to the second)."""

    check_record = models.ForeignKey(EligibilityCheck, on_delete=models.CASCADE, related_name="fix_requests")
    items = models.TextField(_("what is missing"))
    deadline = models.DateTimeField(_("fix by"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    fixed_at = models.DateTimeField(_("fixed"), null=True, blank=True)

    class Meta:
        ordering = ["check_record", "requested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(deadline__gt=F("requested_at")), name="fixrequest_deadline_after_request"),
        ]

    def __str__(self) -> str:
        return f"{self.check_record_id} by {self.deadline:%Y-%m-%d %H:%M}"


# --- evaluation (module owned by the evaluation engineer) ----------------------------------------


class EvaluatorPool(models.Model):
    """Who may evaluate the call's applications."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="evaluator_pool")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluator_pools")
    is_external = models.BooleanField(_("outside expert"), default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["call", "evaluator"], name="evaluatorpool_unique")]

    def __str__(self) -> str:
        return f"{self.call_id}: {self.evaluator_id}"


class Assignment(models.Model):
    """An evaluator assigned to one application. Content is shown only after independence is declared."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grant_assignments")
    round = models.CharField(_("round"), max_length=10, choices=AssignmentRound.choices, default=AssignmentRound.ORIGINAL)
    appeal = models.ForeignKey("Appeal", null=True, blank=True, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    independence_declared_at = models.DateTimeField(_("independence declared"), null=True, blank=True)
    conflict_declared = models.BooleanField(_("conflict of interest declared"), default=False)
    conflict_reason = models.TextField(_("conflict of interest"), blank=True)
    conflict_declared_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "assigned_at", "id"]
        indexes = [models.Index(fields=["evaluator", "application"])]
        constraints = [
            models.UniqueConstraint(fields=["application", "evaluator"], name="assignment_unique_evaluator_per_application",
                                    violation_error_message=_("This evaluator is already assigned to this application.")),
            models.CheckConstraint(
                condition=~(Q(conflict_declared=True) & Q(independence_declared_at__isnull=False)),
                name="assignment_conflict_xor_independence",
            ),
            models.CheckConstraint(
                condition=Q(conflict_declared=False) | ~Q(conflict_reason=""), name="assignment_conflict_has_reason",
            ),
            models.CheckConstraint(condition=~Q(round="appeal") | Q(appeal__isnull=False), name="assignment_appeal_round_has_appeal"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.evaluator_id}"


class ScoreSheet(models.Model):
    """One evaluator's scores for one application; a draft until ``submitted_at`` is set (then locked)."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="sheet")
    total = models.DecimalField(_("total"), **POINTS, null=True, blank=True)
    comment = models.TextField(_("overall comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(submitted_at__isnull=True) | Q(total__isnull=False), name="scoresheet_submitted_has_total"),
            models.CheckConstraint(condition=Q(total__isnull=True) | Q(total__gte=0), name="scoresheet_total_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.total}"


class Score(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    points = models.DecimalField(_("points"), **POINTS, null=True, blank=True)  # scored criteria
    passed = models.BooleanField(_("met"), null=True, blank=True)  # pass/fail criteria
    justification = models.TextField(_("justification"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="score_unique_per_criterion"),
            models.CheckConstraint(condition=Q(points__isnull=True) | Q(points__gte=0), name="score_points_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.points}"


# --- ranking and selection (module owned by the selection engineer) ------------------------------


class Selection(models.Model):
    """One computed ranking of a measure's applications under the call's rules, and its decision.

    A new run is a new row (``run``); the one the board decides on carries ``decision_item``.
    """

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="selections")
    call_measure = models.ForeignKey(CallMeasure, on_delete=models.PROTECT, related_name="selections")
    run = models.PositiveSmallIntegerField(default=1)
    rules_used = models.JSONField(default=dict, help_text="min score, tie-breaks, variant, budget as used")
    budget = models.DecimalField(_("budget"), **MONEY)
    added_money = models.DecimalField(_("money added later"), **MONEY, default=0)
    allocation_raise = models.DecimalField(_("allocation raised by"), **MONEY, default=0)
    total_funded = models.DecimalField(_("total funded"), **MONEY, default=0)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    computed_at = models.DateTimeField(auto_now_add=True)
    decision_item = models.ForeignKey(
        "governance.AgendaItem", verbose_name=_("board decision"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="grant_selections",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["call", "call_measure", "-run"]
        constraints = [
            models.UniqueConstraint(fields=["call_measure", "run"], name="selection_unique_run"),
            models.CheckConstraint(
                condition=Q(budget__gte=0, added_money__gte=0, allocation_raise__gte=0, total_funded__gte=0),
                name="selection_money_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call_measure_id} run {self.run}"


class RankingResult(models.Model):
    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="results")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="ranking_results")
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)  # None: not ranked (rejected, ineligible)
    score = models.DecimalField(_("score"), **POINTS, null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    requested = models.DecimalField(_("requested"), **MONEY)
    proposed_amount = models.DecimalField(_("proposed grant"), **MONEY, null=True, blank=True)
    awarded_amount = models.DecimalField(_("grant fixed"), **MONEY, null=True, blank=True)
    partial = models.BooleanField(_("partial grant"), default=False)
    amount_reason = models.TextField(_("why the amount was changed"), blank=True)
    reserve_position = models.PositiveIntegerField(null=True, blank=True)
    shortfalls = models.JSONField(default=list, blank=True)
    # The board's selection item for this application (one per proposed application, so members recuse per application).
    decision_item = models.ForeignKey(
        "governance.AgendaItem", verbose_name=_("board decision"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="grant_results",
    )

    class Meta:
        ordering = ["selection", "rank", "id"]
        # A big call's reserve list runs to thousands: its public pages read it in order, 50 at a time.
        indexes = [models.Index(fields=["selection", "reserve_position", "id"], condition=Q(outcome="reserve"),
                                name="rankingresult_reserve_order")]
        constraints = [
            models.UniqueConstraint(fields=["selection", "application"], name="rankingresult_unique_application"),
            models.UniqueConstraint(fields=["selection", "rank"], name="rankingresult_unique_rank"),
            models.CheckConstraint(
                condition=Q(requested__gte=0)
                & (Q(proposed_amount__isnull=True) | Q(proposed_amount__gte=0))
                & (Q(awarded_amount__isnull=True) | Q(awarded_amount__gte=0)),
                name="rankingresult_money_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(awarded_amount__isnull=True) | Q(awarded_amount__lte=F("requested")),
                name="rankingresult_award_within_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}: {self.application_id} {self.outcome}"


# --- appeals (module owned by the appeals engineer) ----------------------------------------------


class Appeal(models.Model):
    """An applicant's appeal; the original decision stays unchanged beside the re-evaluation."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="appeals")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    grounds = models.TextField(_("grounds"))
    filed_at = models.DateTimeField(_("filed"))
    status = models.CharField(_("status"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.FILED)
    decision_reason = models.TextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    original_outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    original_score = models.DecimalField(**POINTS, null=True, blank=True)
    original_amount = models.DecimalField(**MONEY, null=True, blank=True)
    # An ineligibility appeal: the check's reason as it stood when the appeal was filed, and the reason
    # of the new check if it found the application ineligible again (the check itself is one row).
    original_reason = models.TextField(_("reason of the original decision"), blank=True)
    new_outcome = models.CharField(max_length=12, choices=APPEAL_OUTCOMES, blank=True)
    new_score = models.DecimalField(**POINTS, null=True, blank=True)
    new_amount = models.DecimalField(**MONEY, null=True, blank=True)
    new_reason = models.TextField(_("reason of the new decision"), blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "filed_at"]
        indexes = [models.Index(fields=["application", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""), name="appeal_rejection_has_reason",
                violation_error_message=_("Give the reasons for rejecting the appeal."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.status}"
