"""E-mails of the grants workflow. Called from ``transaction.on_commit`` in services (the call announcement queues its own).

Each function takes ids, reloads what it needs and sends one message in the recipient's language
(the site default when unknown). Sending failures are logged, never raised: the fact is already
committed and is visible on the applicant's timeline.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def _send(*, to: str, template: str, context: dict, attachments=()) -> None:
    if not to or to.endswith(".invalid"):
        return  # paper applicants without an e-mail address: the LAG informs them by post or phone
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"grants/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"grants/email/{template}.txt", context)
    message = EmailMessage(subject=" ".join(subject.split()), body=body, to=[to])
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    try:
        message.send()
    except Exception:  # pragma: no cover - depends on the mail server
        logger.exception("grants e-mail %s to application recipient failed", template)


def call_published(call, *, base_url: str = "") -> int:
    """Announce a published call to the LAG's confirmed subscribers (sent after commit, both languages).

    Called inside the publishing transaction: the portal's subscription service queues the
    messages with ``transaction.on_commit``, so a rolled-back publication announces nothing.
    """
    from django.urls import reverse

    from sopeli.portal.services import announce_to_subscribers

    parts = []
    for lang in ("ka", "en"):
        with translation.override(lang):
            title = getattr(call, f"title_{lang}", "") or call.title
            summary = getattr(call, f"summary_{lang}", "") or ""
            closes = render_to_string("grants/email/call_published.txt", {"call": call, "title": title, "summary": summary})
            page = base_url.rstrip("/") + reverse("grants:call", args=[call.lag.slug, call.pk])
        parts.append(f"{closes.strip()}\n{page}")
    subject = getattr(call, "title_ka", "") or call.title
    return announce_to_subscribers(lag=call.lag, subject_ka=subject, text="\n\n—\n\n".join(parts), base_url=base_url)


def application_event(application_id: int, event: str, *, with_receipt: bool = False) -> None:
    """Tell the applicant what happened: submitted (with the PDF receipt), fixes requested, eligible…"""
    from sopeli.grants.models import Application

    app = Application.objects.select_related("call", "lag", "applicant", "measure__measure").filter(pk=application_id).first()
    if app is None:
        return
    attachments = []
    if with_receipt:
        from sopeli.grants.pdf import receipt_pdf

        try:
            attachments.append((f"receipt-{app.call.code.replace('/', '-')}-{app.number:03d}.pdf", receipt_pdf(app), "application/pdf"))
        except Exception:  # pragma: no cover - the receipt stays downloadable from the page
            logger.exception("receipt PDF for application %s failed", application_id)
    fix = None
    if event == "fixes_requested":
        fix = app.eligibility.fix_requests.order_by("-requested_at").first()
    _send(to=app.applicant.email, template=f"application_{event}",
          context={"app": app, "lag": app.lag, "call": app.call, "fix": fix}, attachments=attachments)
