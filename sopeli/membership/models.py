"""Members of a LAG, their sector and interest group, and the bodies they sit on.

The LEADER composition rules (no sector or interest group above 49%) are computed from these
rows by ``governance.rules``; a member therefore has exactly one sector and one interest group.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sopeli.accounts.models import phone_validator


class Sector(models.TextChoices):
    PUBLIC = "public", _("public sector")
    BUSINESS = "business", _("business sector")
    CIVIL = "civil", _("civil society")


class Gender(models.TextChoices):
    FEMALE = "female", _("woman")
    MALE = "male", _("man")
    OTHER = "other", _("other / not stated")


class MemberKind(models.TextChoices):
    PERSON = "person", _("a person")
    ORGANISATION = "organisation", _("an organisation")


class OrganisationType(models.TextChoices):
    RESIDENT = "resident", _("resident")
    FARMER = "farmer", _("farmer")
    ENTREPRENEUR = "entrepreneur", _("individual entrepreneur")
    COMPANY = "company", _("company")
    COOPERATIVE = "cooperative", _("cooperative")
    NGO = "ngo", _("non-governmental organisation")
    MUNICIPALITY = "municipality", _("municipality")
    PUBLIC_INSTITUTION = "public_institution", _("public institution")
    SCHOOL = "school", _("school")
    OTHER = "other", _("other")


class MemberStatus(models.TextChoices):
    APPLIED = "applied", _("applied")
    ACTIVE = "active", _("member")
    REJECTED = "rejected", _("rejected")
    RESIGNED = "resigned", _("resigned")


class InterestGroup(models.Model):
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="interest_groups")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["lag", "code"], name="interestgroup_unique_code")]
        verbose_name = _("interest group")
        verbose_name_plural = _("interest groups")

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A member of the partnership: a person, or an organisation acting through its representative.

    ``id_number``, ``phone`` and ``address`` are private (Georgia's Law on Personal Data
    Protection): they never appear on a public page or export.
    """

    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    kind = models.CharField(_("member is"), max_length=20, choices=MemberKind.choices, default=MemberKind.PERSON)
    name = models.CharField(_("name"), max_length=200, help_text=_("The person's full name, or the organisation's name."))
    representative = models.CharField(_("representative"), max_length=150, blank=True)
    organisation_type = models.CharField(_("type"), max_length=30, choices=OrganisationType.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    interest_group = models.ForeignKey(
        InterestGroup, verbose_name=_("interest group"), on_delete=models.PROTECT, related_name="members"
    )
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices,
        help_text=_("For an organisation: the gender of its representative."),
    )
    village = models.ForeignKey(
        "core.Settlement", verbose_name=_("village"), on_delete=models.PROTECT, related_name="members"
    )
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    id_number = models.CharField(_("personal or registration number"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    motivation = models.TextField(_("why do you want to join?"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.APPLIED)
    applied_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["lag", "status"])]
        constraints = [
            # One open application or active membership per e-mail in a LAG (services store e-mails
            # lower-cased and say so in plain words; this catches a double click).
            models.UniqueConstraint(
                fields=["lag", "email"], condition=Q(status__in=["applied", "active"]),
                name="member_one_open_per_email",
            ),
        ]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.name


class MembershipEventKind(models.TextChoices):
    APPLIED = "applied", _("applied")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    RESIGNED = "resigned", _("resigned")
    CHANGED = "changed", _("details changed")
    SEAT_TAKEN = "seat_taken", _("took a seat")
    SEAT_ENDED = "seat_ended", _("left a seat")


class MembershipEvent(models.Model):
    """One step in a membership's history, shown to the manager and to the member."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(max_length=20, choices=MembershipEventKind.choices)
    reason = models.TextField(blank=True)
    # What the step was about: the fields changed (``{"changes": {field: [old, new]}}``) or the
    # body and term of a seat (``{"body": name, "starts_on": ..., "ends_on": ...}``).
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_kind_display()}"


class BodyKind(models.TextChoices):
    ASSEMBLY = "assembly", _("general assembly")
    BOARD = "board", _("board (selection committee)")
    WORKING_GROUP = "working_group", _("thematic working group")


class Body(models.Model):
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="bodies")
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    # Quorum: strictly more than this percentage of the seats must take part (default: more than half).
    # xgettext:no-python-format
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (more than % of seats)"), default=50)
    # The general assembly is everyone with an active membership; other bodies have seats.
    all_members_sit = models.BooleanField(_("all active members sit on it"), default=False)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(quorum_percent__lt=100), name="body_quorum_below_100"),
        ]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")

    def __str__(self) -> str:
        return self.name

    @property
    def makes_selection_decisions(self) -> bool:
        return self.kind == BodyKind.BOARD


class Election(models.Model):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="elections")
    held_on = models.DateField(_("held on"))
    notes = models.TextField(_("notes"), blank=True)
    meeting = models.ForeignKey(
        "governance.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="elections"
    )

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.body} · {self.held_on:%Y-%m-%d}"


class SeatRole(models.TextChoices):
    CHAIR = "chair", _("chair")
    MEMBER = "member", _("member")


class Seat(models.Model):
    """A member's seat on a body for a term. A seat with no end date is open-ended."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="seats")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="seats")
    role = models.CharField(_("role"), max_length=10, choices=SeatRole.choices, default=SeatRole.MEMBER)
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"), null=True, blank=True)
    election = models.ForeignKey(Election, null=True, blank=True, on_delete=models.SET_NULL, related_name="seats")

    class Meta:
        ordering = ["body", "member__name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="seat_term_order"),
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.body}"
