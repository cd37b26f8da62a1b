"""The Local Action Group itself, its territory, and the audit trail every write leaves."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Slugs that would shadow site-wide addresses under /<lang>/.
RESERVED_SLUGS = {"accounts", "account", "admin", "api", "static", "media", "network", "me", "i18n", "data", "search"}


def validate_lag_slug(value: str) -> None:
    from django.core.exceptions import ValidationError

    if value in RESERVED_SLUGS:
        raise ValidationError(_("This address is reserved; choose another."))


class Lag(models.Model):
    """A Local Action Group. Every LAG-owned row points here; every query is scoped by it."""

    slug = models.SlugField(
        _("address"), unique=True, max_length=40, validators=[validate_lag_slug],
        help_text=_("Used in the LAG's web address, e.g. kazbegi."),
    )
    name = models.CharField(_("name"), max_length=200)
    municipality = models.CharField(_("municipality"), max_length=120)
    region = models.CharField(_("region"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    area_km2 = models.DecimalField(_("area (km²)"), max_digits=9, decimal_places=1, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="GEL")
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # The stricter LEADER variant: the public sector's (or one group's) share of the votes *for*
    # a proposal must not exceed 49% either.
    votes_for_variant = models.BooleanField(
        _("also check the share of votes for"), default=False,
        # xgettext:no-python-format
        help_text=_("Stricter rule: no sector or interest group may hold more than 49% of the votes for a proposal."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("local action group")
        verbose_name_plural = _("local action groups")

    def __str__(self) -> str:
        return self.name


class Settlement(models.Model):
    lag = models.ForeignKey(Lag, on_delete=models.CASCADE, related_name="settlements")
    name = models.CharField(_("name"), max_length=120)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    elevation_m = models.PositiveIntegerField(_("elevation (m)"), null=True, blank=True)
    is_centre = models.BooleanField(_("municipal centre"), default=False)

    class Meta:
        ordering = ["-is_centre", "name"]
        constraints = [models.UniqueConstraint(fields=["lag", "name"], name="settlement_unique_name_per_lag")]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")

    def __str__(self) -> str:
        return self.name


class AuditEvent(models.Model):
    """Who did what and when. Written by ``core.audit.audit_record`` inside each service's transaction."""

    lag = models.ForeignKey(Lag, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=80, validators=[RegexValidator(r"^[a-z_]+\.[a-z_]+$")])
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=40, blank=True)
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lag", "-created_at"]), models.Index(fields=["lag", "is_public", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class LedgerEntry(models.Model):
    """One link of a LAG's public hash chain (see ``sopeli.core.ledger`` for the exact recipe).

    Written only by ``core.ledger.ledger_append`` (through ``audit_record(..., public=True)``);
    never updated or deleted by the application.
    """

    lag = models.ForeignKey(Lag, on_delete=models.CASCADE, related_name="ledger_entries")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=80)
    fact = models.JSONField()
    canonical = models.TextField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    event = models.OneToOneField(
        AuditEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="ledger_entry"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lag", "-seq"]
        constraints = [
            models.UniqueConstraint(fields=["lag", "seq"], name="ledgerentry_unique_seq_per_lag"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="ledgerentry_seq_from_one"),
        ]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.lag_id}#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)


class DutyRun(models.Model):
    """One run of a scheduled duty (sopeli/core/duties.py): when, how it ended and what it did."""

    duty = models.CharField(max_length=60)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["duty", "-started_at"], name="dutyrun_latest")]

    def __str__(self) -> str:
        return f"{self.duty} {self.started_at:%Y-%m-%d %H:%M}"
