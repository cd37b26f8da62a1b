"""The outbox: every message Sopeli sends is first a row here, written in the same transaction as the
fact it tells about; the worker delivers it (sopeli/notifications/delivery.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sopeli.notifications.kinds import EMAIL, INAPP, SMS


class Channel(models.TextChoices):
    EMAIL = EMAIL, _("e-mail")
    SMS = SMS, _("SMS")
    INAPP = INAPP, _("notice in Sopeli")


class Status(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class Message(models.Model):
    """One message to one recipient on one channel."""

    lag = models.ForeignKey("core.Lag", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="messages")
    # The e-mail address or phone number it goes to (empty for in-app notices). Private.
    address = models.CharField(max_length=254, blank=True)
    language = models.CharField(max_length=10)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    # A page the message is about (a path such as /ka/kazbegi/my/applications/5/), shown as a link.
    link = models.CharField(max_length=500, blank=True)
    # E-mail headers (List-Unsubscribe) and a named attachment rendered at delivery (attachments.py).
    headers = models.JSONField(default=dict, blank=True)
    attachment = models.CharField(max_length=60, blank=True)
    attachment_arg = models.CharField(max_length=60, blank=True)
    # Set for facts that must be told once however often the service runs (a reminder per report).
    dedupe_key = models.CharField(max_length=200, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    segments = models.PositiveSmallIntegerField(null=True, blank=True)
    cost = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # The worker's question: what is due now, oldest first.
            models.Index(fields=["next_attempt_at", "id"], name="message_due",
                         condition=Q(status="pending")),
            # "My notices" and the unread count.
            models.Index(fields=["user", "-created_at"], name="message_inapp",
                         condition=Q(channel="inapp")),
            models.Index(fields=["lag", "status", "-created_at"], name="message_lag_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key", "channel", "address", "user"], name="message_once",
                                    condition=~Q(dedupe_key="")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} #{self.pk}"


class Preference(models.Model):
    """A person's choice of channels for one kind of message (absent: the kind's defaults)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_preferences")
    kind = models.CharField(max_length=60)
    email = models.BooleanField(default=True)
    sms = models.BooleanField(default=False)
    inapp = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"

    def channels(self) -> set[str]:
        return {c for c in (EMAIL, SMS, INAPP) if getattr(self, c)}


class WorkerHeartbeat(models.Model):
    """The last sign of life of each worker (readiness check and the manager's background page)."""

    name = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
