from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from sopeli.accounts import selectors, services
from sopeli.accounts.models import Role, User
from sopeli.accounts.permissions import can_manage, can_read_staff_pages, require
from sopeli.core.tenancy import with_lag

# Board seats grant the board role (membership services); members get theirs on approval.
GRANTABLE_ROLES = [Role.MANAGER, Role.EVALUATOR, Role.APPLICANT]


class GrantRoleForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail of a registered person"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=[(r.value, r.label) for r in GRANTABLE_ROLES])

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        try:
            self.user = User.objects.get(email__iexact=email)
        except User.DoesNotExist:
            raise ValidationError(
                _("Nobody has signed up with this address yet. Ask them to sign up first.")
            ) from None
        return email


@with_lag
@require(can_read_staff_pages)
def manage_people(request, lag):
    form = GrantRoleForm(request.POST or None)
    if request.method == "POST":
        if not can_manage(request.user, lag):
            raise PermissionDenied
        if form.is_valid():
            services.role_grant(actor=request.user, user=form.user, lag=lag, role=Role(form.cleaned_data["role"]))
            messages.success(request, _("The role is granted."))
            return redirect("accounts:manage_people", lag.slug)
    return render(
        request, "accounts/manage_people.html",
        {"grants": selectors.role_grants_for_lag(lag), "form": form, "grantable": {r.value for r in GRANTABLE_ROLES}},
    )


class ResidentForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    phone = forms.CharField(label=gettext_lazy("Mobile number"), max_length=30)
    email = forms.EmailField(label=gettext_lazy("E-mail (if they have one)"), required=False)
    village = forms.ModelChoiceField(label=gettext_lazy("Village"), queryset=None, required=False)
    send_sms = forms.BooleanField(label=gettext_lazy("Also send the login link to the phone by SMS"), required=False)

    def __init__(self, *args, lag, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = lag.settlements.order_by("name")


@with_lag
@require(can_manage)
@require_http_methods(["GET", "POST"])
def register_resident(request, lag):
    """Assisted registration: a resident who came to the office gets an account and a one-time login."""
    from sopeli.accounts.phone import resident_register
    from sopeli.notifications.services import Recipient, notify

    form = ResidentForm(request.POST or None, lag=lag)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                user, token = resident_register(actor=request.user, lag=lag, full_name=data["full_name"],
                                                phone_text=data["phone"], email=data["email"], village=data["village"])
                link = reverse("phone:once", args=[token])
                if data["send_sms"]:
                    notify(kind="accounts.login_code", lag=lag, recipients=[Recipient(phone=user.phone, language=user.language)],
                           template="accounts/messages/login_link", link=link)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "accounts/resident_registered.html", {
                "resident": user, "link": request.build_absolute_uri(link), "sent": data["send_sms"]})
    return render(request, "accounts/register_resident.html", {"form": form})


@require_POST
@with_lag
@require(can_manage)
def revoke_role(request, lag):
    role = request.POST.get("role", "")
    user = User.objects.filter(pk=request.POST.get("user") or 0, role_grants__lag=lag).first()
    if user is None or role not in {r.value for r in GRANTABLE_ROLES}:
        messages.error(request, _("That role cannot be removed here."))
    elif user == request.user and role == Role.MANAGER:
        messages.error(request, _("You cannot remove your own manager role; ask another manager."))
    else:
        services.role_revoke(actor=request.user, user=user, lag=lag, role=Role(role))
        messages.success(request, _("The role is removed."))
    return redirect("accounts:manage_people", lag.slug)
