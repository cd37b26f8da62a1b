"""News and announcements of a LAG, and the e-mail addresses that asked to receive them.

A subscription stores the e-mail address only (no name, no account) and a random token that
confirms it (double opt-in) and ends it (the unsubscribe link in every announcement).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class News(models.Model):
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="news")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    is_published = models.BooleanField(default=False)
    # First publication; kept when a post is unpublished and published again.
    published_at = models.DateTimeField(null=True, blank=True)
    # When the announcement went to subscribers (once per post).
    announced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["lag", "is_published", "-published_at"])]
        verbose_name = _("news")
        verbose_name_plural = _("news")

    def __str__(self) -> str:
        return self.title


class Subscription(models.Model):
    lag = models.ForeignKey("core.Lag", on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField(_("e-mail"))
    token = models.CharField(max_length=64, unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lag", "email"], name="subscription_unique_email")]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"subscription {self.pk}"
