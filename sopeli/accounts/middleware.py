"""Managers, board members and evaluators must log in with a second factor (TOTP).

A user holding such a role anywhere who has not set up an authenticator app is sent to the
set-up page until they do; allauth's MFA stage then asks for the code at every login.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from sopeli.accounts.models import PRIVILEGED_ROLES

ALLOWED_PREFIXES = ("/static/", "/admin/")


def needs_second_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    if not user.role_grants.filter(role__in=PRIVILEGED_ROLES).exists():
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if settings.SOPELI_REQUIRE_2FA and user is not None and user.is_authenticated:
            setup_url = reverse("mfa_activate_totp")
            path = request.path
            exempt = path.startswith(ALLOWED_PREFIXES) or "/accounts/" in path or path == setup_url
            if not exempt and needs_second_factor(user):
                messages.warning(
                    request,
                    _("Your role needs two-factor login. Set up an authenticator app to continue."),
                )
                return redirect(setup_url)
        return self.get_response(request)
