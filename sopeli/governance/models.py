"""Meetings, agenda items, attendance, conflict declarations, votes and written procedures.

An agenda item is decided either at a meeting of its body or by written procedure (remote voting
with a deadline). Either way the LEADER checks in ``governance.rules`` run on the members actually
voting after recusals before a result is recorded; the outcome and its explanation are stored on
the item so minutes and public pages show why a decision stands or was blocked.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    PUBLISHED = "published", _("minutes published")


class Meeting(models.Model):
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="meetings")
    body = models.ForeignKey("membership.Body", verbose_name=_("body"), on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    invitations_sent_at = models.DateTimeField(null=True, blank=True)
    minutes_notes = models.TextField(_("notes for the minutes"), blank=True)
    minutes_published_at = models.DateTimeField(null=True, blank=True)
    # The LAG's public ledger head when the minutes were approved, printed in them so that a paper
    # copy anchors the chain (anyone can later check that no earlier entry was rewritten).
    minutes_ledger_seq = models.PositiveIntegerField(null=True, blank=True)
    minutes_ledger_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["lag", "-starts_at"])]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("membership.Member", on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_unique")]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.meeting_id}: {'present' if self.present else 'absent'}"


class Procedure(models.TextChoices):
    MEETING = "meeting", _("at a meeting")
    WRITTEN = "written", _("written procedure")


class VotingMethod(models.TextChoices):
    ROLL_CALL = "roll_call", _("each member's vote")
    SHOW_OF_HANDS = "show_of_hands", _("show of hands (counts)")


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("to be decided")
    VOTING = "voting", _("voting open")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    BLOCKED = "blocked", _("blocked: rules not met")


DECIDED_STATUSES = (ItemStatus.APPROVED, ItemStatus.REJECTED, ItemStatus.BLOCKED)


class AgendaItem(models.Model):
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="agenda_items")
    body = models.ForeignKey("membership.Body", on_delete=models.PROTECT, related_name="agenda_items")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="items")
    procedure = models.CharField(max_length=10, choices=Procedure.choices, default=Procedure.MEETING)
    code = models.CharField(_("number"), max_length=20, help_text=_("e.g. A-07"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    is_selection = models.BooleanField(
        _("selection decision"), default=False,
        help_text=_("Selecting projects: at least half of the votes must come from non-public partners."),
    )
    voting_method = models.CharField(max_length=20, choices=VotingMethod.choices, default=VotingMethod.ROLL_CALL)
    hands_for = models.PositiveSmallIntegerField(null=True, blank=True)
    hands_against = models.PositiveSmallIntegerField(null=True, blank=True)
    hands_abstain = models.PositiveSmallIntegerField(null=True, blank=True)
    # Written procedure: voting is open between these instants (server clock, to the second).
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(_("voting closes"), null=True, blank=True)
    origin = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups",
        help_text=_("The blocked item this written procedure continues."),
    )
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The full explanation of the checks at the moment of the result (see rules.DecisionOutcome).
    outcome = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting_id", "code", "id"]
        indexes = [models.Index(fields=["lag", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(procedure="meeting", meeting__isnull=False)
                | Q(procedure="written", meeting__isnull=True, closes_at__isnull=False),
                name="agendaitem_procedure_shape",
            ),
        ]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED_STATUSES


class RecusalKind(models.TextChoices):
    CONFLICT = "conflict", _("conflict of interest")
    STEP_OUT = "step_out", _("stepped out to keep the balance")


class ConflictDeclaration(models.Model):
    """A member declares a personal, family, business or political link and steps out of the item.

    ``kind`` tells a declared conflict from a member who steps out of one item only so that the
    49% rule is met (a remedy ``rules.decide`` proposes). Both leave the item's vote; only a
    conflict follows the item into a written procedure that continues it.
    """

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="conflicts")
    member = models.ForeignKey("membership.Member", on_delete=models.CASCADE, related_name="conflicts")
    kind = models.CharField(_("kind"), max_length=10, choices=RecusalKind.choices, default=RecusalKind.CONFLICT)
    reason = models.CharField(_("reason"), max_length=300)
    declared_at = models.DateTimeField(auto_now_add=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["declared_at"]
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="conflict_unique")]

    def __str__(self) -> str:
        return f"{self.member_id} ✕ {self.item_id}: {self.reason}"


class Choice(models.TextChoices):
    FOR = "for", _("for")
    AGAINST = "against", _("against")
    ABSTAIN = "abstain", _("abstain")


class Vote(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey("membership.Member", on_delete=models.CASCADE, related_name="votes")
    choice = models.CharField(_("vote"), max_length=10, choices=Choice.choices)
    cast_at = models.DateTimeField(auto_now_add=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["cast_at"]
        # One vote per member and item: a retry or a double click cannot count twice.
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="vote_once")]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.item_id}: {self.choice}"
