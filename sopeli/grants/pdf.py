"""PDFs of the grants workflow (WeasyPrint): the call documents and the applicant's receipt.

Fonts: the templates ask for DejaVu Sans / Noto Sans Georgian, which carry Mkhedruli; the server
needs one of them installed (the Docker image and CI install fonts-dejavu-core).
"""

from __future__ import annotations

from django.template.loader import render_to_string

from sopeli.grants.models import Application, Call


def _render(template: str, context: dict, request=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    base = request.build_absolute_uri("/") if request is not None else "."
    return HTML(string=html, base_url=base).write_pdf()


def call_pdf(call: Call, *, request=None) -> bytes:
    from sopeli.grants.selectors.calls import call_contents

    return _render("grants/call_pdf.html", {"lag": call.lag, **call_contents(call)}, request)


def receipt_pdf(app: Application, *, request=None) -> bytes:
    from sopeli.grants.selectors.applications import application_full

    full = application_full(app)
    return _render("grants/receipt_pdf.html", {"lag": full.lag, "app": full, "call": full.call}, request)


def receipt_attachment(application_id) -> tuple[str, bytes, str] | None:
    """The submission receipt to attach to the applicant's e-mail, rendered by the worker at delivery
    (``sopeli.notifications.attachments``), in the applicant's language; None once there is nothing to
    attach (the application is gone or has no number)."""
    from django.conf import settings
    from django.utils import translation

    app = (Application.objects.select_related("call", "lag", "applicant")
           .filter(pk=application_id, number__isnull=False).first())
    if app is None:
        return None
    with translation.override(getattr(app.applicant, "language", "") or settings.LANGUAGE_CODE):
        content = receipt_pdf(app)
    return f"receipt-{app.call.code.replace('/', '-')}-{app.number:03d}.pdf", content, "application/pdf"
