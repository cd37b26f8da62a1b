from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sopeli.accounts.permissions import can_manage, can_read_staff_pages, require
from sopeli.accounts.services import profile_language_set
from sopeli.core.tenancy import with_lag
from sopeli.notifications import selectors, services
from sopeli.notifications.forms import PreferencesForm
from sopeli.notifications.health import readiness
from sopeli.notifications.models import Status
from sopeli.notifications.services import reachable_email


@never_cache
def readyz(request):
    """For the load balancer and monitoring: 200 when ready, 503 with the failing checks otherwise."""
    report = readiness()
    return JsonResponse(report, status=200 if report["ready"] else 503)


@login_required
def notices(request):
    """The person's in-app notices, newest first; opening the page marks those shown as read."""
    page = Paginator(selectors.my_notices(request.user), 50).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    unread = [n.pk for n in shown if n.read_at is None]
    if unread:
        services.notices_mark_read(user=request.user, ids=unread)
    return render(request, "notifications/notices.html", {"page": page, "notices": shown, "unread": set(unread)})


@login_required
@require_POST
def notices_read_all(request):
    services.notices_mark_read(user=request.user)
    return redirect("notifications:notices")


@login_required
def preferences(request):
    user = request.user
    can_reach = {"email": reachable_email(user.email or ""), "sms": bool(user.phone), "inapp": True}
    rows = selectors.preference_rows(user)
    form = PreferencesForm(request.POST or None, rows=rows, can_reach=can_reach, initial={"language": user.language})
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_set(user=user, choices=form.choices())
            profile_language_set(user=user, language=form.cleaned_data["language"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your choices are saved."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, "can_reach": can_reach})


@with_lag
@require(can_read_staff_pages)
def manage_messages(request, lag):
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    page = Paginator(selectors.lag_messages(lag, status=status), 50).get_page(request.GET.get("page"))
    rows = [(m, selectors.masked(m.address)) for m in page.object_list]
    return render(request, "notifications/manage_messages.html", {
        "page": page, "rows": rows, "status": status, "statuses": Status.choices,
        "sms_month": selectors.lag_sms_cost_this_month(lag), "can_resend": can_manage(request.user, lag),
        "query": f"status={status}" if status else "",
    })


@with_lag
@require(can_manage)
@require_POST
def manage_resend(request, lag, message_id):
    try:
        services.message_resend(actor=request.user, lag=lag, message_id=message_id)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The message will be sent again within a minute."))
    return redirect("notifications:manage_messages", lag.slug)
