"""Trainings a LAG runs (capacity building, LEADER's first task): events, registrations with a
waiting list, walk-ins, attendance, certificates, materials and a small feedback form.

Design choices, written down so nobody has to guess them:

- **Status** is stored and moved only by ``services`` along ``rules.TRANSITIONS``: ``planned``
  (announced, registration closed) → ``open`` ⇄ ``full`` (kept in step with the seats taken) →
  ``held`` (attendance taken) or ``cancelled``.
- **One registration per person and training**: a unique constraint on (training, user). A person
  who cancels and registers again gets the same row back, at the end of the waiting list if full.
- **Waiting list** order is ``queued_at`` then id; the first waiting person is promoted in the
  transaction that frees the seat.
- **Walk-ins** are registrations without a user, entered by staff. They may go beyond the capacity
  (the person is already in the room); staff decide.
- **Personal data**: ``phone`` is private (managers only, never exported); name, village, gender
  and age band are kept for the participation figures monitoring reports; none of these is public.
- **Certificates** are rows with an unguessable code; the PDF is rendered on demand. A certificate
  is valid only while its registration is marked as attended (see ``Certificate.is_valid``).
- **Materials** live in the default (private) storage and are served through a view: a material
  marked public can be downloaded by anyone, the others only by people registered for the
  training and by staff.
- **Feedback** is this app's own small form (1–5 on usefulness, trainer and organisation plus a
  comment), one per attended registration, instead of the consultation app's survey engine: the
  questions are fixed, the averages must be cheap to compute for the dashboard, and the two apps
  can evolve independently. Staff see averages and comments without names.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sopeli.accounts.models import phone_validator


class TargetGroup(models.TextChoices):
    APPLICANTS = "applicants", _("applicants")
    MEMBERS = "members", _("LAG members")
    BOARD = "board", _("board members")
    STAFF = "staff", _("LAG staff")
    RESIDENTS = "residents", _("residents")
    FARMERS = "farmers", _("farmers")
    ENTREPRENEURS = "entrepreneurs", _("entrepreneurs and guesthouse owners")
    YOUTH = "youth", _("young people")
    WOMEN = "women", _("women")


class TrainingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    OPEN = "open", _("registration open")
    FULL = "full", _("full")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class Gender(models.TextChoices):
    # Same codes as membership.Gender, so that monitoring can add the two up.
    FEMALE = "female", _("woman")
    MALE = "male", _("man")
    OTHER = "other", _("other / not stated")


class AgeBand(models.TextChoices):
    # Same bands as the consultation app's, so that participation figures line up.
    UNDER_18 = "under_18", _("under 18")
    FROM_18 = "18_29", _("18–29")
    FROM_30 = "30_44", _("30–44")
    FROM_45 = "45_64", _("45–64")
    FROM_65 = "65_plus", _("65 and over")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("registered")
    WAITING = "waiting", _("on the waiting list")
    CANCELLED = "cancelled", _("cancelled")


class Training(models.Model):
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="trainings")
    topic = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    target_group = models.CharField(_("for whom"), max_length=20, choices=TargetGroup.choices)
    trainer = models.CharField(_("trainer"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    online = models.BooleanField(_("online"), default=False)
    village = models.ForeignKey(
        "core.Settlement", verbose_name=_("place"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="trainings",
    )
    address = models.CharField(_("address"), max_length=200, blank=True, help_text=_("Building and room, e.g. the community centre, 2nd floor."))
    online_url = models.URLField(_("online link"), blank=True, help_text=_("Shown only to people registered for the training."))
    capacity = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1), MaxValueValidator(10000)])
    registration_deadline = models.DateTimeField(_("registration closes"))
    status = models.CharField(_("status"), max_length=12, choices=TrainingStatus.choices, default=TrainingStatus.PLANNED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["lag", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="training_ends_after_start"),
            models.CheckConstraint(condition=Q(registration_deadline__lte=F("starts_at")), name="training_deadline_before_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="training_capacity_positive"),
            models.CheckConstraint(
                condition=Q(online=True, village__isnull=True) & ~Q(online_url="") | Q(online=False, village__isnull=False),
                name="training_place_or_link",
            ),
        ]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")

    def __str__(self) -> str:
        return self.topic

    @property
    def hours(self):
        from sopeli.trainings.rules import duration_hours

        return duration_hours(self.starts_at, self.ends_at)


def material_path(instance, filename: str) -> str:
    return f"trainings/{instance.training.lag_id}/{instance.training_id}/{filename}"


class Material(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=material_path, max_length=300)
    is_public = models.BooleanField(
        _("public"), default=False,
        help_text=_("Anyone may download a public material; others only people registered and staff."),
    )
    size = models.PositiveBigIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="training_registrations"
    )
    full_name = models.CharField(_("name"), max_length=150)
    village = models.ForeignKey(
        "core.Settlement", verbose_name=_("village"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    age_band = models.CharField(_("age"), max_length=10, choices=AgeBand.choices)
    phone = models.CharField(_("phone (private)"), max_length=20, blank=True, validators=[phone_validator])
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices)
    walk_in = models.BooleanField(_("walk-in"), default=False)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    queued_at = models.DateTimeField(_("registered at"))
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["queued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["training", "user"], name="registration_one_per_person"),
            models.CheckConstraint(condition=Q(walk_in=False) | Q(user__isnull=True), name="registration_walk_in_has_no_account"),
            models.CheckConstraint(
                condition=Q(attended__isnull=True) | Q(status="confirmed"), name="registration_attendance_only_confirmed"
            ),
        ]
        indexes = [models.Index(fields=["training", "status", "queued_at"])]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")

    def __str__(self) -> str:
        return f"{self.full_name} · {self.training_id}"


class Certificate(models.Model):
    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="certificate")
    code = models.CharField(_("certificate number"), max_length=20, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.code

    @property
    def is_valid(self) -> bool:
        r = self.registration
        return r.attended is True and r.status == RegistrationStatus.CONFIRMED


def rating_field(label):
    return models.PositiveSmallIntegerField(label, validators=[MinValueValidator(1), MaxValueValidator(5)])


class Feedback(models.Model):
    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="feedback")
    usefulness = rating_field(_("usefulness"))
    trainer = rating_field(_("trainer"))
    organisation = rating_field(_("organisation"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(usefulness__gte=1, usefulness__lte=5, trainer__gte=1, trainer__lte=5,
                            organisation__gte=1, organisation__lte=5),
                name="feedback_ratings_1_to_5",
            ),
        ]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.usefulness}/{self.trainer}/{self.organisation}"
