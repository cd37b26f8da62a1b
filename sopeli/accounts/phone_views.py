"""Logging in and signing up with a phone number (sopeli/accounts/phone.py has the rules)."""

from django import forms
from django.contrib.auth import login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sopeli.accounts import phone as service
from sopeli.accounts.forms import VillageChoiceField
from sopeli.core.models import Settlement

BACKEND = "django.contrib.auth.backends.ModelBackend"
# Per client address: enough for a family sharing one phone, too few to spray codes at strangers.
CODES_PER_ADDRESS_PER_HOUR = 10


class PhoneForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("Mobile number"), max_length=30,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "555 12 34 56"}))


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("The code from the SMS"), max_length=12,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class WelcomeForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Your name"), max_length=150)
    village = VillageChoiceField(label=gettext_lazy("Village"), queryset=Settlement.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Settlement.objects.select_related("lag").order_by("lag__slug", "name")


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or request.session.get("phone_next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("core:home")


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "POST"])
def phone_start(request):
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = f"phone-codes:{_client_address(request)}"
        sent = cache.get(key, 0)
        if sent >= CODES_PER_ADDRESS_PER_HOUR:
            form.add_error(None, _("Too many codes were asked from here. Try again in an hour."))
        else:
            try:
                phone = service.phone_code_send(phone_text=form.cleaned_data["phone"], language=get_language())
            except ValidationError as error:
                form.add_error("phone", error)
            else:
                cache.set(key, sent + 1, 3600)
                request.session["phone_login"] = phone
                request.session["phone_next"] = _next(request)
                return redirect("phone:code")
    return render(request, "accounts/phone_start.html", {"form": form, "next": _next(request)})


@require_http_methods(["GET", "POST"])
def phone_code(request):
    phone = request.session.get("phone_login")
    if not phone:
        return redirect("phone:start")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not service.phone_code_check(phone=phone, code=form.cleaned_data["code"]):
            form.add_error("code", _("This code is not right or has expired. Check the SMS, or ask for a new code."))
        else:
            try:
                user = service.phone_login(phone=phone)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                del request.session["phone_login"]
                if user is None:
                    request.session["phone_verified"] = phone
                    return redirect("phone:welcome")
                return _log_in(request, user)
    return render(request, "accounts/phone_code.html", {"form": form, "phone": service.masked_phone(phone)})


@require_http_methods(["GET", "POST"])
def phone_welcome(request):
    """A number that proved itself but has no account yet: the name, and the account is made."""
    phone = request.session.get("phone_verified")
    if not phone:
        return redirect("phone:start")
    form = WelcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = service.phone_signup(phone=phone, full_name=form.cleaned_data["full_name"],
                                        village=form.cleaned_data["village"], language=get_language())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            del request.session["phone_verified"]
            return _log_in(request, user)
    return render(request, "accounts/phone_welcome.html", {"form": form})


def _log_in(request, user):
    target = _next(request)
    login(request, user, backend=BACKEND)
    request.session.pop("phone_next", None)
    return redirect(target)


@require_http_methods(["GET", "POST"])
def login_once(request, token):
    """A one-time login handed over at the LAG office. GET only shows a button, so a link preview
    in a messaging app cannot use it up."""
    link = service.login_link_find(token)
    if request.method == "POST":
        try:
            user = service.login_link_use(token=token)
        except ValidationError as error:
            return render(request, "accounts/login_once.html", {"error": error.messages[0]}, status=200)
        return _log_in(request, user)
    if link is None:
        return render(request, "accounts/login_once.html", {"error": _(
            "This login link has been used or has expired. Ask the LAG office for a new one, or log in with your phone number.")})
    return render(request, "accounts/login_once.html", {"link": link})
