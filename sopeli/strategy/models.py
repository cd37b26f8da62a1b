"""The LAG's local development strategy, in numbered versions, and its parts.

One ``Strategy`` per LAG; each ``StrategyVersion`` is a complete copy of the text, objectives,
indicators, measures, action plan and financial plan, so any two versions can be compared and an
approved version never changes (``services`` refuse writes to it). An amendment is a deep copy of
the current approved version (``services.strategy_version_create_amendment``).

Stable references for other apps:
- ``Objective.code``, ``Measure.code`` and ``Indicator.code`` stay the same across versions (the
  copy keeps them), so calls (grants), monitoring and consultation answers can match them.
- ``StrategySection`` names the sections of a version (also the anchors of the public page), so a
  consultation comment can point at ``(version, section)`` and optionally at an item code.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


class StrategySection(models.TextChoices):
    """The sections of a strategy version, in reading order (anchors on the public page)."""

    PROFILE = "profile", _("Territory profile")
    NEEDS = "needs", _("Needs analysis")
    SWOT = "swot", _("SWOT analysis")
    VISION = "vision", _("Vision")
    OBJECTIVES = "objectives", _("Objectives and result indicators")
    MEASURES = "measures", _("Measures")
    ACTION_PLAN = "action-plan", _("Action plan")
    FINANCIAL_PLAN = "financial-plan", _("Financial plan")
    MONITORING = "monitoring", _("Monitoring and evaluation")
    INVOLVEMENT = "involvement", _("How the community was involved")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    CONSULTATION = "consultation", _("public consultation")
    APPROVED = "approved", _("approved")
    SUPERSEDED = "superseded", _("superseded")


# The parts of a version may change only in these states; approved and superseded are frozen.
EDITABLE_STATUSES = (VersionStatus.DRAFT, VersionStatus.CONSULTATION)
# Anyone may read these versions; drafts are for staff only.
PUBLIC_STATUSES = (VersionStatus.CONSULTATION, VersionStatus.APPROVED, VersionStatus.SUPERSEDED)


class Strategy(models.Model):
    lag = models.OneToOneField("core.Lag", on_delete=models.CASCADE, related_name="strategy")
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")

    def __str__(self) -> str:
        return self.title


class StrategyVersion(models.Model):
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="strategy_versions")
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="amendments",
        help_text=_("The approved version this amendment was copied from."),
    )
    period_start = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    change_summary = models.TextField(_("what this version changes"), blank=True)
    territory_profile = models.TextField(_("territory profile"), blank=True)
    needs_analysis = models.TextField(_("needs analysis"), blank=True)
    vision = models.TextField(_("vision"), blank=True)
    monitoring = models.TextField(_("monitoring and evaluation arrangements"), blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by_item = models.ForeignKey(
        "governance.AgendaItem", verbose_name=_("approving decision"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="approved_strategy_versions",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["strategy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="strategyversion_unique_number"),
            models.UniqueConstraint(
                fields=["strategy"], condition=Q(status="approved"), name="strategyversion_one_approved"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "superseded"])
                | Q(approved_at__isnull=False, approved_by_item__isnull=False),
                name="strategyversion_approved_has_decision",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True) | Q(period_end__isnull=True) | Q(period_end__gte=F("period_start")),
                name="strategyversion_period_order",
                violation_error_message=_("The last year cannot come before the first year."),
            ),
        ]
        verbose_name = _("strategy version")
        verbose_name_plural = _("strategy versions")

    def __str__(self) -> str:
        return f"{self.strategy} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


class VersionPart(models.Model):
    """A row belonging to one version, with a code unique among its kind in that version."""

    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("code"), max_length=20, help_text=_("A short stable code, e.g. M1."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "code"]


class KeyFigure(VersionPart):
    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="key_figures")
    label = models.CharField(_("figure"), max_length=200)
    value = models.CharField(_("value"), max_length=60)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta(VersionPart.Meta):
        constraints = [models.UniqueConstraint(
                fields=["version", "code"], name="keyfigure_unique_code",
                violation_error_message=_("This code is already used in this version."),
            )]
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")

    def __str__(self) -> str:
        return self.label


class SwotKind(models.TextChoices):
    STRENGTH = "S", _("strength")
    WEAKNESS = "W", _("weakness")
    OPPORTUNITY = "O", _("opportunity")
    THREAT = "T", _("threat")


class SwotItem(VersionPart):
    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="swot_items")
    kind = models.CharField(_("kind"), max_length=1, choices=SwotKind.choices)
    text = models.CharField(_("text"), max_length=500)

    class Meta(VersionPart.Meta):
        ordering = ["kind", "order", "code"]
        constraints = [models.UniqueConstraint(
                fields=["version", "code"], name="swotitem_unique_code",
                violation_error_message=_("This code is already used in this version."),
            )]
        verbose_name = _("SWOT item")
        verbose_name_plural = _("SWOT items")

    def __str__(self) -> str:
        return self.text


class Objective(VersionPart):
    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta(VersionPart.Meta):
        constraints = [models.UniqueConstraint(
                fields=["version", "code"], name="objective_unique_code",
                violation_error_message=_("This code is already used in this version."),
            )]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ApplicantType(models.TextChoices):
    PERSON = "person", _("person / farmer")
    BUSINESS = "business", _("business")
    COOPERATIVE = "cooperative", _("cooperative")
    NGO = "ngo", _("NGO")
    MUNICIPALITY = "municipality", _("municipality")
    PUBLIC_INSTITUTION = "public_institution", _("public institution")


class Measure(VersionPart):
    """What can be funded, for whom, at what aid rate and with what budget. Calls hang on these."""

    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="measures")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("what it funds"), blank=True)
    beneficiaries = models.TextField(_("eligible beneficiaries"), blank=True)
    min_grant = models.DecimalField(_("minimum grant"), **MONEY, default=0)
    max_grant = models.DecimalField(_("maximum grant"), **MONEY)
    budget = models.DecimalField(_("indicative budget"), **MONEY)
    objectives = models.ManyToManyField(Objective, verbose_name=_("objectives served"), related_name="measures", blank=True)

    class Meta(VersionPart.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="measure_unique_code",
                violation_error_message=_("This code is already used in this version."),
            ),
            models.CheckConstraint(
                condition=Q(min_grant__gte=0), name="measure_min_grant_nonnegative",
                violation_error_message=_("The minimum grant cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(max_grant__gte=F("min_grant")), name="measure_min_le_max_grant",
                violation_error_message=_("The maximum grant must be at least the minimum grant."),
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0), name="measure_budget_nonnegative",
                violation_error_message=_("The budget cannot be negative."),
            ),
        ]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class AidRate(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="aid_rates")
    applicant_type = models.CharField(_("applicant type"), max_length=30, choices=ApplicantType.choices)
    max_rate = models.DecimalField(_("maximum aid rate (%)"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["measure", "applicant_type"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "applicant_type"], name="aidrate_unique_type"),
            models.CheckConstraint(
                condition=Q(max_rate__gte=0, max_rate__lte=100), name="aidrate_0_100",
                violation_error_message=_("An aid rate is a percentage between 0 and 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_applicant_type_display()} {self.max_rate}%"


class IndicatorKind(models.TextChoices):
    RESULT = "result", _("result indicator")
    OUTPUT = "output", _("output indicator")


class Aggregation(models.TextChoices):
    SUM = "sum", _("sum")
    AVERAGE = "average", _("average")
    MAX = "max", _("maximum")
    LATEST = "latest", _("latest value")


class Indicator(VersionPart):
    """A result indicator (of an objective) or an output indicator (of a measure).

    Monitoring rolls project values up to these by ``code`` using ``aggregation``.
    """

    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind.choices)
    objective = models.ForeignKey(Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="indicators")
    measure = models.ForeignKey(Measure, null=True, blank=True, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=60)
    baseline_value = models.DecimalField(_("baseline value"), max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    target_value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    aggregation = models.CharField(_("aggregation"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM)

    class Meta(VersionPart.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="indicator_unique_code",
                violation_error_message=_("This code is already used in this version."),
            ),
            models.CheckConstraint(
                condition=Q(kind="result", objective__isnull=False, measure__isnull=True)
                | Q(kind="output", measure__isnull=False, objective__isnull=True),
                name="indicator_owner_matches_kind",
            ),
        ]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PlannedCall(VersionPart):
    """A row of the action plan: a call planned for a measure, when, and with how much money."""

    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="planned_calls")
    measure = models.ForeignKey(Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="planned_calls")
    planned_on = models.DateField(_("planned opening"))
    amount = models.DecimalField(_("amount"), **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta(VersionPart.Meta):
        ordering = ["planned_on", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="plannedcall_unique_code",
                violation_error_message=_("This code is already used in this version."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="plannedcall_amount_nonnegative",
                violation_error_message=_("The amount cannot be negative."),
            ),
        ]
        verbose_name = _("planned call")
        verbose_name_plural = _("action plan")

    def __str__(self) -> str:
        return f"{self.code} {self.planned_on}"

    @property
    def quarter(self) -> int:
        return (self.planned_on.month - 1) // 3 + 1


class FinanceKind(models.TextChoices):
    MEASURE = "measure", _("measure")
    RUNNING = "running", _("LAG running costs")


class FinancialPlanRow(models.Model):
    """Public money per measure and year, or the LAG's running costs for a year."""

    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="financial_rows")
    kind = models.CharField(_("kind"), max_length=10, choices=FinanceKind.choices, default=FinanceKind.MEASURE)
    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), null=True, blank=True, on_delete=models.CASCADE, related_name="financial_rows"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["year", "kind", "measure__order", "measure__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="financialrow_amount_nonnegative",
                violation_error_message=_("The amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(kind="measure", measure__isnull=False) | Q(kind="running", measure__isnull=True),
                name="financialrow_shape",
            ),
            models.UniqueConstraint(
                fields=["version", "measure", "year"], name="financialrow_unique_measure_year",
                violation_error_message=_("There is already a row for this measure and year."),
            ),
            models.UniqueConstraint(
                fields=["version", "year"], condition=Q(kind="running"), name="financialrow_unique_running_year"
            ),
        ]
        verbose_name = _("financial plan row")
        verbose_name_plural = _("financial plan")

    def __str__(self) -> str:
        return f"{self.code} {self.amount}"

    @property
    def code(self) -> str:
        return f"{self.measure.code if self.measure_id else 'running'}/{self.year}"
