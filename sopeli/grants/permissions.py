"""Who may do what with calls and applications, and the scoped getters views must use.

Private objects are fetched only through these getters (scoped by LAG, and by applicant where it
applies): a wrong id or someone else's application is a 404, never a leak.
"""

from django.http import Http404

from sopeli.accounts.models import Role
from sopeli.accounts.permissions import can_manage, can_read_staff_pages, roles_in
from sopeli.grants.models import Application, Attachment, Call
from sopeli.grants.workflow import PUBLIC_CALL_STATUSES


def can_manage_calls(user, lag) -> bool:
    """Create, edit, publish and amend calls; check applications; enter paper applications."""
    return can_manage(user, lag)


def can_read_call_staff_pages(user, lag) -> bool:
    """Read draft calls and the staff lists of applications: managers and network officers (read only)."""
    return can_read_staff_pages(user, lag)


def can_apply(user, lag) -> bool:
    """Any logged-in person may apply; the applicant role is granted with the first application."""
    return bool(getattr(user, "is_authenticated", False))


def is_applicant(user, lag) -> bool:
    return Role.APPLICANT in roles_in(user, lag)


def call_for_public(lag, pk: int) -> Call:
    call = Call.objects.filter(lag=lag, pk=pk, status__in=PUBLIC_CALL_STATUSES).first()
    if call is None:
        raise Http404
    return call


def call_for_staff(lag, pk: int) -> Call:
    call = Call.objects.filter(lag=lag, pk=pk).first()
    if call is None:
        raise Http404
    return call


def application_for_applicant(user, lag, pk: int, *, for_update: bool = False) -> Application:
    """The user's own application in ``lag``; 404 for anyone else's."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    qs = Application.objects.filter(lag=lag, pk=pk, applicant=user)
    if for_update:
        qs = qs.select_for_update()
    app = qs.select_related("call", "measure__measure", "settlement").first()
    if app is None:
        raise Http404
    return app


def application_for_staff(lag, pk: int) -> Application:
    """Any submitted application of ``lag`` (drafts stay private to their author)."""
    app = (
        Application.objects.filter(lag=lag, pk=pk)
        .exclude(status="draft")
        .select_related("call", "measure__measure", "settlement", "applicant", "assisted_by")
        .first()
    )
    if app is None:
        raise Http404
    return app


def can_read_attachment(user, lag, attachment: Attachment) -> bool:
    """The applicant, and staff once the application is submitted. Evaluators: see ``evaluation``."""
    app = attachment.application
    if app.lag_id != lag.pk:
        return False
    if getattr(user, "is_authenticated", False) and app.applicant_id == user.pk:
        return True
    if app.status == "draft":
        return False
    if can_read_staff_pages(user, lag):
        return True
    # Evaluators see attachments only once they declared independence on this application.
    from sopeli.grants.models import Assignment

    return Assignment.objects.filter(
        application=app, evaluator=user, independence_declared_at__isnull=False, conflict_declared=False
    ).exists() if getattr(user, "is_authenticated", False) else False
