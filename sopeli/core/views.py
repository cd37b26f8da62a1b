from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sopeli.accounts.forms import ProfileForm
from sopeli.accounts.permissions import can_read_staff_pages, require
from sopeli.accounts.services import profile_update
from sopeli.core import selectors
from sopeli.core.tenancy import with_lag


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def network_home(request):
    return render(request, "core/network_home.html", {"lags": selectors.lags_for_network_home()})


@with_lag
def lag_home(request, lag):
    from sopeli.membership.selectors import bodies_with_seat_counts

    return render(
        request,
        "core/lag_home.html",
        {
            **selectors.lag_territory(lag),
            "bodies": bodies_with_seat_counts(lag),
            "activity": selectors.public_activity(lag),
        },
    )


@with_lag
@require(can_read_staff_pages)
def manage_home(request, lag):
    from sopeli.governance.selectors import manager_overview

    return render(request, "core/manage_home.html", manager_overview(lag))


@with_lag
@require(can_read_staff_pages)
def audit_trail(request, lag):
    page = Paginator(selectors.audit_events(lag), 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_trail.html", {"page": page})


@with_lag
@require(can_read_staff_pages)
def background(request, lag):
    """The worker's timed duties: when each last ran, what it did, and a warning if it stopped."""
    from sopeli.core.duties import duty_overview

    return render(request, "core/background.html", {"duties": duty_overview()})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return redirect("core:profile")
    return render(request, "accounts/profile.html", {"form": form})
