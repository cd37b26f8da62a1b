"""E-mails of the grants workflow. Called only from ``transaction.on_commit`` in services.

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


def call_published(call_id: int) -> None:
    """HOOK: announce a new call to subscribers. No subscription list exists yet (portal owns feeds)."""
    logger.info("call %s published; subscriber e-mails are sent by the portal's subscriptions when they exist", call_id)


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
