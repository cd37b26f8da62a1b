"""Who may see and change contracts, claims and reports; scoped getters for private objects.

- Staff pages (``manage/projects/…``): read by managers and network officers; changed by managers only.
- A grantee sees only contracts whose ``grantee`` they are (``my/projects/…``); anyone else gets 404.
"""

from django.http import Http404

from sopeli.accounts.permissions import can_manage, can_read_staff_pages
from sopeli.projects.models import Contract


def can_manage_projects(user, lag) -> bool:
    return can_manage(user, lag)


def can_read_projects(user, lag) -> bool:
    return can_read_staff_pages(user, lag)


def contract_for_staff(lag, pk: int) -> Contract:
    contract = Contract.objects.filter(lag=lag, pk=pk).select_related(
        "lag", "call", "call_measure__measure", "settlement", "application", "grantee").first()
    if contract is None:
        raise Http404
    return contract


def contract_for_grantee(user, lag, pk: int) -> Contract:
    if not getattr(user, "is_authenticated", False):
        raise Http404
    contract = Contract.objects.filter(lag=lag, pk=pk, grantee=user).select_related(
        "lag", "call", "call_measure__measure", "settlement", "application").first()
    if contract is None:
        raise Http404
    return contract


def can_read_contract(user, lag, contract: Contract) -> bool:
    """Staff readers, or the grantee of this contract."""
    if not getattr(user, "is_authenticated", False):
        return False
    return contract.grantee_id == user.pk or can_read_staff_pages(user, lag)
