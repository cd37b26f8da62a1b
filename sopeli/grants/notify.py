"""Messages of the grants workflow, queued in the outbox (``sopeli.notifications.notify``) inside the
service's transaction: a rolled-back fact tells nobody, a committed one is delivered by the worker.

Each message goes in the recipient's language, by e-mail, SMS (a paper applicant with only a phone)
and a notice in Sopeli, as the kind and the person's choices say. The submission receipt's PDF is
rendered by the worker (``sopeli.grants.pdf.receipt_attachment``), never in the submitting request.
"""

from django.urls import reverse
from django.utils import translation

from sopeli.notifications.services import notify, render_text, site_url

# What the applicant is told on each event of their application: (kind, template).
APPLICATION_EVENTS = {
    "submitted": ("grants.receipt", "application_submitted"),
    "fixes_requested": ("grants.fixes", "application_fixes_requested"),
    "eligible": ("grants.result", "application_eligible"),
    "ineligible": ("grants.result", "application_ineligible"),
}


def application_link(app) -> str:
    return reverse("grants:my_application", args=[app.lag.slug, app.pk])


def application_event(app, event: str) -> None:
    """Tell the applicant what happened: submitted (with the PDF receipt), fixes requested, eligible…"""
    kind, template = APPLICATION_EVENTS[event]
    fix = None
    if event == "fixes_requested":
        fix = app.eligibility.fix_requests.order_by("-requested_at").first()
    receipt = {"attachment": "grants.receipt", "attachment_arg": app.pk} if event == "submitted" else {}
    notify(kind=kind, lag=app.lag, recipients=[app.applicant], template=f"grants/messages/{template}",
           context={"app": app, "lag": app.lag, "call": app.call, "fix": fix}, link=application_link(app), **receipt)


def application_results(applications) -> None:
    """Tell each applicant the outcome for their application (results published, or a reserve funded)."""
    for app in applications:
        notify(kind="grants.result", lag=app.lag, recipients=[app.applicant], template="grants/messages/result",
               context={"app": app, "lag": app.lag}, link=application_link(app))


def call_published(call) -> int:
    """Announce a published call to the LAG's confirmed subscribers, both languages in one message
    (a subscriber has no language of their own). Called inside the publishing transaction."""
    from sopeli.portal.services import announce_to_subscribers

    parts = []
    for lang in ("ka", "en"):
        with translation.override(lang):
            title = getattr(call, f"title_{lang}", "") or call.title
            summary = getattr(call, f"summary_{lang}", "") or ""
            closes = render_text("grants/messages/call_published.txt", {"call": call, "title": title, "summary": summary})
            page = reverse("grants:call", args=[call.lag.slug, call.pk])
        parts.append(f"{closes}\n{site_url(page)}")
    subject = getattr(call, "title_ka", "") or call.title
    return announce_to_subscribers(lag=call.lag, subject_ka=subject, text="\n\n—\n\n".join(parts),
                                   link=reverse("grants:call", args=[call.lag.slug, call.pk]))
