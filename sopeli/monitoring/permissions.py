"""Monitoring pages are staff pages: managers and network officers read them, managers change
research studies. The network dashboard is for network officers (and superusers)."""

from sopeli.accounts.permissions import can_manage, can_read_staff_pages, is_network_officer


def can_read_monitoring(user, lag) -> bool:
    return can_read_staff_pages(user, lag)


def can_manage_research(user, lag) -> bool:
    return can_manage(user, lag)


def can_read_network(user) -> bool:
    return getattr(user, "is_authenticated", False) and (is_network_officer(user) or user.is_superuser)
