"""Test helpers for the outbox (sopeli/notifications)."""


def outbox_flush() -> None:
    """Deliver what the test's earlier facts queued, then forget it, so the next assertions see only
    the messages of what follows. (Inside a test's transaction those facts never committed, so the
    worker was never asked; in production it would have delivered them at their commit.)"""
    from django.core import mail

    from sopeli.notifications import sms
    from sopeli.notifications.delivery import deliver_due

    deliver_due()
    mail.outbox.clear()
    sms.outbox.clear()
