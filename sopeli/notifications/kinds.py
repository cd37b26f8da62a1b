"""Every kind of message Sopeli sends, declared once: its label and the channels it goes by default.

A person chooses channels per kind (``Preference``); where they have not, these defaults apply. They
suit a villager with only a phone: deadlines, results and fix requests go by SMS as well, everything
goes to the in-app notices, and e-mail goes wherever there is an address. A channel is used only when
the recipient can be reached on it (an SMS needs a phone number, e-mail an address, in-app an
account). Transactional kinds (a login code, a confirmation link) are not the person's to switch off.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

EMAIL, SMS, INAPP = "email", "sms", "inapp"
CHANNELS = (EMAIL, SMS, INAPP)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    defaults: frozenset
    configurable: bool = True


def _kind(name, label, *channels, configurable=True) -> Kind:
    return Kind(name, label, frozenset(channels), configurable)


KINDS: dict[str, Kind] = {k.name: k for k in (
    # Accounts: links and codes a person asked for.
    _kind("accounts.message", _("Account and login messages"), EMAIL, configurable=False),
    _kind("accounts.login_code", _("Login codes by SMS"), SMS, configurable=False),
    # Membership.
    _kind("membership.update", _("Your membership"), EMAIL, INAPP),
    # Governance: meetings and written procedures.
    _kind("governance.invitation", _("Meeting invitations and written procedures"), EMAIL, SMS, INAPP),
    # Grants.
    _kind("grants.receipt", _("Receipt of your application"), EMAIL, SMS, INAPP),
    _kind("grants.fixes", _("Documents to fix in your application"), EMAIL, SMS, INAPP),
    _kind("grants.result", _("Results of your application"), EMAIL, SMS, INAPP),
    _kind("grants.evaluation", _("Applications assigned to you for evaluation"), EMAIL, INAPP),
    _kind("grants.selection", _("Selection proposals put to the board"), EMAIL, INAPP),
    # Projects.
    _kind("projects.reminder", _("Reports due on your project"), EMAIL, SMS, INAPP),
    # Trainings.
    _kind("trainings.registration", _("Your training registrations"), EMAIL, SMS, INAPP),
    # Public announcements to subscribers (people without an account too).
    _kind("portal.subscription", _("Subscription confirmations"), EMAIL, configurable=False),
    _kind("portal.announcement", _("Announcements of calls and news"), EMAIL),
)}


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise LookupError(f"unknown message kind {name!r}: declare it in sopeli/notifications/kinds.py") from None
