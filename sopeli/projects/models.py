"""Funded projects: contracts, payment schedules, claims, payments, recoveries, reports, site visits,
indicator values and public stories.

A ``Contract`` starts from a funded ``grants.Application``. Its life (``ContractStatus``)::

    draft ──(accountable body's final eligibility check)──▶ checked ──(both signatures)──▶ signed
    signed ──(final report approved + site visit + settlement)──▶ settled
    draft/checked ──▶ cancelled (the final check refused it)

The LAG's selection (grants) and the accountable body's final eligibility check (here,
``Contract.eligibility_*``) are kept as two separate steps with their own person and date.

Money invariants the database keeps (check constraints), the services keep them under a row lock
on the contract:

- every amount is >= 0; a contract's grant never exceeds the grant the LAG fixed (``awarded_grant``)
  nor the project's total budget;
- ``paid_total`` / ``recovered_total`` are the running sums of ``Payment`` / received ``Recovery``
  rows (tests check they always equal the sums): recovered <= paid and paid - recovered <= grant;
- a verified claim line's eligible amount never exceeds the amount claimed;
- a settled contract has its entitlement, and paid - recovered equals it once the final payment or
  recovery is recorded (the ledger shows what is still outstanding).

Files (signed scans, receipts, photos) go to the default storage under random names and are served
only by ``views.file_download`` after a permission check.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
VALUE = {"max_digits": 14, "decimal_places": 2}


def private_path(instance, filename: str) -> str:
    """Random name under the LAG's folder: paths cannot be guessed."""
    suffix = PurePath(get_valid_filename(filename)).suffix.lower()[:10]
    return f"projects/{instance.lag_id_for_path()}/{uuid.uuid4().hex}{suffix}"


class StoredFile(models.Model):
    """Fields shared by every uploaded file (kept private, served through a permission check)."""

    file = models.FileField(upload_to=private_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


# --- choices -------------------------------------------------------------------------------------


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("draft: final eligibility check pending")
    CHECKED = "checked", _("eligibility confirmed: awaiting signatures")
    SIGNED = "signed", _("signed: project running")
    SETTLED = "settled", _("finished and settled")
    CANCELLED = "cancelled", _("cancelled")


class Condition(models.TextChoices):
    SIGNED = "signed", _("signed contract")
    INTERIM = "interim", _("approved interim report")
    FINAL = "final", _("approved final report and site visit")


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted: being verified")
    VERIFIED = "verified", _("verified")


class ReportKind(models.TextChoices):
    INTERIM = "interim", _("interim report")
    FINAL = "final", _("final report")


class ReportStatus(models.TextChoices):
    DUE = "due", _("due")
    SUBMITTED = "submitted", _("submitted: being reviewed")
    CHANGES = "changes", _("changes requested")
    APPROVED = "approved", _("approved")


class Gender(models.TextChoices):
    FEMALE = "female", _("women")
    MALE = "male", _("men")


class AgeBand(models.TextChoices):
    UNDER_30 = "under_30", _("under 30")
    A30_64 = "30_64", _("30–64")
    A65_PLUS = "65_plus", _("65 and over")


# --- contract template ---------------------------------------------------------------------------


class ContractTemplate(models.Model):
    """The LAG's contract text with placeholders such as ``{grantee}`` (see ``services.PLACEHOLDERS``)."""

    lag = models.OneToOneField("core.Lag", on_delete=models.CASCADE, related_name="contract_template")
    body = models.TextField(_("contract text"))
    obligations = models.TextField(_("obligations of the grantee"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contract template")
        verbose_name_plural = _("contract templates")

    def __str__(self) -> str:
        return f"{self.lag_id}"


# --- contract ------------------------------------------------------------------------------------


class Contract(models.Model):
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="contracts")
    application = models.OneToOneField("grants.Application", on_delete=models.PROTECT, related_name="contract")
    call = models.ForeignKey("grants.Call", on_delete=models.PROTECT, related_name="contracts")
    call_measure = models.ForeignKey("grants.CallMeasure", on_delete=models.PROTECT, related_name="contracts")
    grantee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grant_contracts")
    number = models.CharField(_("contract number"), max_length=40)
    grantee_name = models.CharField(_("grantee"), max_length=200)
    title = models.CharField(_("project"), max_length=200)
    settlement = models.ForeignKey("core.Settlement", verbose_name=_("village"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    applicant_type = models.CharField(_("applicant type"), max_length=30)
    sector = models.CharField(_("sector"), max_length=10, blank=True)  # public / business / civil (from the applicant type)
    awarded_grant = models.DecimalField(_("grant fixed by the LAG"), **MONEY)
    grant = models.DecimalField(_("grant"), **MONEY)
    total_budget = models.DecimalField(_("total budget"), **MONEY)
    aid_rate = models.DecimalField(_("aid rate"), max_digits=5, decimal_places=4, help_text=_("0.8000 = 80%"))
    starts_on = models.DateField(_("project start"))
    ends_on = models.DateField(_("project end"))
    status = models.CharField(_("status"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    text_ka = models.TextField(_("contract text (Georgian)"), blank=True)
    text_en = models.TextField(_("contract text (English)"), blank=True)
    obligations_ka = models.TextField(blank=True)
    obligations_en = models.TextField(blank=True)

    # The accountable body's final eligibility check (distinct from the LAG's selection).
    eligibility_ok = models.BooleanField(_("eligible at the final check"), null=True, blank=True)
    eligibility_note = models.TextField(_("final check note"), blank=True)
    eligibility_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    eligibility_at = models.DateTimeField(_("final check done"), null=True, blank=True)

    signed_by_grantee_on = models.DateField(_("signed by the grantee"), null=True, blank=True)
    signed_by_lag_on = models.DateField(_("signed for the LAG"), null=True, blank=True)

    paid_total = models.DecimalField(_("paid"), **MONEY, default=0)
    recovered_total = models.DecimalField(_("recovered"), **MONEY, default=0)
    verified_cost = models.DecimalField(_("verified eligible cost"), **MONEY, null=True, blank=True)
    entitlement = models.DecimalField(_("entitlement"), **MONEY, null=True, blank=True)
    final_payment_due = models.DecimalField(_("final payment due"), **MONEY, default=0)
    recovery_due = models.DecimalField(_("to recover"), **MONEY, default=0)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lag", "number", "id"]
        indexes = [models.Index(fields=["lag", "status"]), models.Index(fields=["grantee", "lag"])]
        constraints = [
            models.UniqueConstraint(fields=["lag", "number"], name="contract_unique_number_per_lag"),
            models.CheckConstraint(
                condition=Q(grant__gte=0, awarded_grant__gte=0, total_budget__gt=0, paid_total__gte=0, recovered_total__gte=0,
                            final_payment_due__gte=0, recovery_due__gte=0),
                name="contract_money_nonnegative", violation_error_message=_("Amounts cannot be negative."),
            ),
            models.CheckConstraint(condition=Q(grant__lte=F("awarded_grant")), name="contract_grant_within_award",
                                   violation_error_message=_("The contract cannot give more than the grant the LAG fixed.")),
            models.CheckConstraint(condition=Q(grant__lte=F("total_budget")), name="contract_grant_within_budget",
                                   violation_error_message=_("The grant cannot exceed the total budget.")),
            models.CheckConstraint(condition=Q(aid_rate__gte=0, aid_rate__lte=1), name="contract_aid_rate_0_1"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="contract_end_after_start",
                                   violation_error_message=_("The project cannot end before it starts.")),
            models.CheckConstraint(condition=Q(recovered_total__lte=F("paid_total")), name="contract_recovered_le_paid"),
            models.CheckConstraint(condition=Q(paid_total__lte=F("grant") + F("recovered_total")), name="contract_net_paid_le_grant",
                                   violation_error_message=_("Payments cannot exceed the grant.")),
            models.CheckConstraint(
                condition=Q(entitlement__isnull=True) | Q(entitlement__gte=0, entitlement__lte=F("grant")),
                name="contract_entitlement_le_grant",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "checked", "cancelled"])
                | Q(signed_by_grantee_on__isnull=False, signed_by_lag_on__isnull=False, eligibility_ok=True),
                name="contract_signed_has_dates_and_check",
            ),
            models.CheckConstraint(condition=~Q(status="settled") | Q(entitlement__isnull=False, settled_at__isnull=False),
                                   name="contract_settled_has_entitlement"),
        ]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def lag_id_for_path(self):
        return self.lag_id

    @property
    def net_paid(self):
        return self.paid_total - self.recovered_total

    @property
    def is_running(self) -> bool:
        return self.status == ContractStatus.SIGNED


class ContractScan(StoredFile):
    """The signed contract, scanned (private)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="scans")

    def __str__(self) -> str:
        return self.original_name

    def lag_id_for_path(self):
        return self.contract.lag_id


class ContractBudgetLine(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="budget_lines")
    description = models.CharField(_("cost item"), max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["contract", "order", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="contractbudgetline_nonnegative",
                                              violation_error_message=_("Amounts cannot be negative."))]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class Tranche(models.Model):
    """One payment of the schedule, e.g. 40% at signature. The last one is paid by the settlement."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="tranches")
    number = models.PositiveSmallIntegerField(_("tranche"))
    percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)
    amount = models.DecimalField(_("amount"), **MONEY)
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices)

    class Meta:
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="tranche_unique_number"),
            models.CheckConstraint(condition=Q(percent__gt=0, percent__lte=100), name="tranche_percent_0_100"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="tranche_amount_nonnegative"),
        ]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")

    def __str__(self) -> str:
        return f"{self.contract_id} #{self.number} {self.amount}"


class Amendment(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField(_("amendment"))
    reason = models.TextField(_("reason"))
    changes = models.JSONField(_("what changed"), default=list)  # [{"field", "label", "before", "after"}]
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "number"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="amendment_unique_number")]

    def __str__(self) -> str:
        return f"{self.contract_id} #{self.number}"


# --- claims, payments, recoveries ----------------------------------------------------------------


class Claim(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="claims")
    number = models.PositiveSmallIntegerField(_("claim"))
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED)
    note = models.TextField(_("note"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"))
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    claimed_total = models.DecimalField(_("claimed"), **MONEY, default=0)
    eligible_total = models.DecimalField(_("eligible"), **MONEY, null=True, blank=True)

    class Meta:
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="claim_unique_number"),
            models.CheckConstraint(condition=Q(claimed_total__gte=0), name="claim_claimed_nonnegative"),
            models.CheckConstraint(condition=Q(eligible_total__isnull=True) | Q(eligible_total__gte=0, eligible_total__lte=F("claimed_total")),
                                   name="claim_eligible_le_claimed"),
            models.CheckConstraint(condition=~Q(status="verified") | Q(verified_at__isnull=False, eligible_total__isnull=False),
                                   name="claim_verified_has_total"),
        ]
        verbose_name = _("payment claim")
        verbose_name_plural = _("payment claims")

    def __str__(self) -> str:
        return f"{self.contract_id} claim {self.number}"


class ClaimLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    budget_line = models.ForeignKey(ContractBudgetLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    description = models.CharField(_("expense"), max_length=200)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount claimed"), **MONEY)
    eligible = models.DecimalField(_("eligible amount"), **MONEY, null=True, blank=True)
    verifier_note = models.CharField(_("why not all of it"), max_length=300, blank=True)

    class Meta:
        ordering = ["claim", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="claimline_amount_positive",
                                   violation_error_message=_("An expense must be more than zero.")),
            models.CheckConstraint(condition=Q(eligible__isnull=True) | Q(eligible__gte=0, eligible__lte=F("amount")),
                                   name="claimline_eligible_le_amount",
                                   violation_error_message=_("The eligible amount must be between 0 and the amount claimed.")),
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class Receipt(StoredFile):
    line = models.ForeignKey(ClaimLine, on_delete=models.CASCADE, related_name="receipts")

    def __str__(self) -> str:
        return self.original_name

    def lag_id_for_path(self):
        return self.line.claim.contract.lag_id


class Payment(models.Model):
    """Money paid to the grantee (recorded after the bank transfer; no bank integration)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments")
    tranche = models.ForeignKey(Tranche, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    reference = models.CharField(_("bank reference"), max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "paid_on", "id"]
        indexes = [models.Index(fields=["paid_on"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive",
                                              violation_error_message=_("A payment must be more than zero."))]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.contract_id} {self.paid_on} {self.amount}"


class Recovery(models.Model):
    """An amount claimed back from the grantee (set by the settlement); ``received_on`` once returned."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="recoveries")
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.TextField(_("reason"))
    requested_on = models.DateField(_("requested on"))
    received_on = models.DateField(_("received on"), null=True, blank=True)
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["contract", "requested_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_amount_positive"),
            models.CheckConstraint(condition=Q(received_on__isnull=True) | ~Q(reference=""), name="recovery_received_has_reference"),
        ]
        verbose_name = _("recovery")
        verbose_name_plural = _("recoveries")

    def __str__(self) -> str:
        return f"{self.contract_id} {self.amount}"


# --- reports, indicators, site visits ------------------------------------------------------------


class PlannedIndicator(models.Model):
    """What the project promises for one indicator of the strategy (its measure's or objectives')."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="planned_indicators")
    indicator = models.ForeignKey("strategy.Indicator", on_delete=models.PROTECT, related_name="planned_values")
    planned = models.DecimalField(_("planned value"), **VALUE)

    class Meta:
        ordering = ["contract", "indicator__code"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "indicator"], name="plannedindicator_unique"),
            models.CheckConstraint(condition=Q(planned__gte=0), name="plannedindicator_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.indicator_id}: {self.planned}"


class Report(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("report"), max_length=10, choices=ReportKind.choices)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DUE)
    narrative = models.TextField(_("what was done"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    review_note = models.TextField(_("manager's note"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["contract", "due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.UniqueConstraint(fields=["contract", "kind"], name="report_one_per_kind"),
            models.CheckConstraint(condition=Q(status__in=["due"]) | Q(submitted_at__isnull=False), name="report_submitted_has_date"),
            models.CheckConstraint(condition=~Q(status="approved") | Q(decided_at__isnull=False), name="report_approved_has_date"),
        ]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.contract_id} {self.kind}"


class ReportPhoto(StoredFile):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    def __str__(self) -> str:
        return self.original_name

    def lag_id_for_path(self):
        return self.report.contract.lag_id


class IndicatorValue(models.Model):
    """A value achieved to date, reported in a report; breakdown rows carry gender and/or age band.

    The project's achievement for an indicator is the total row (no gender, no age band) of its most
    recent *approved* report; breakdown rows split that total. Village and sector come from the
    contract.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey("strategy.Indicator", on_delete=models.PROTECT, related_name="project_values")
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("age"), max_length=10, choices=AgeBand.choices, blank=True)
    value = models.DecimalField(_("value"), **VALUE)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        ordering = ["report", "indicator__code", "gender", "age_band"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator", "gender", "age_band"], name="indicatorvalue_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="indicatorvalue_nonnegative",
                                   violation_error_message=_("A value cannot be negative.")),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.indicator_id}: {self.value}"


class JobRecord(models.Model):
    """One job created, reported with a report (FTE from ``rules.Job``)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="jobs")
    description = models.CharField(_("job"), max_length=200)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("age"), max_length=10, choices=AgeBand.choices, blank=True)
    hours_share = models.DecimalField(_("share of full time"), max_digits=5, decimal_places=4, default=1)
    months = models.DecimalField(_("months worked in the year"), max_digits=4, decimal_places=2, default=12)

    class Meta:
        ordering = ["report", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours_share__gte=0, hours_share__lte=1), name="jobrecord_share_0_1"),
            models.CheckConstraint(condition=Q(months__gte=0, months__lte=12), name="jobrecord_months_0_12"),
        ]

    def __str__(self) -> str:
        return self.description


class SiteVisit(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("visited on"))
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    checklist = models.JSONField(_("checklist"), default=list)  # [{"item": str, "ok": bool}]
    notes = models.TextField(_("notes"), blank=True)
    satisfactory = models.BooleanField(_("everything as agreed"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "visited_on", "id"]
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")

    def __str__(self) -> str:
        return f"{self.contract_id} {self.visited_on}"


class SiteVisitPhoto(StoredFile):
    visit = models.ForeignKey(SiteVisit, on_delete=models.CASCADE, related_name="photos")
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    def __str__(self) -> str:
        return self.original_name

    def lag_id_for_path(self):
        return self.visit.contract.lag_id


class ReminderSent(models.Model):
    """One reminder about one report; the unique key makes the reminders task idempotent."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20)  # "before_7", "before_1", "overdue_1", ...
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "kind"], name="remindersent_unique")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind}"


# --- role models ---------------------------------------------------------------------------------


class Story(models.Model):
    """A funded project told for the public (both languages), with photos."""

    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="project_stories")
    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="story")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("story"))
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    def __str__(self) -> str:
        return self.title


class StoryPhoto(StoredFile):
    """Photos of a story are public once the story is published."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="photos")
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    class Meta:
        ordering = ["story", "id"]

    def __str__(self) -> str:
        return self.original_name

    def lag_id_for_path(self):
        return self.story.lag_id
