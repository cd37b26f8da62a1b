"""Who may do what in a LAG. Views ask these functions; they never compare roles themselves."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from sopeli.accounts.models import Role, RoleGrant


def roles_in(user, lag) -> set[str]:
    """The user's roles in ``lag`` (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cache = user.__dict__.setdefault("_sopeli_roles", {})
    if lag.pk not in cache:
        cache[lag.pk] = set(RoleGrant.objects.filter(user=user, lag=lag).values_list("role", flat=True))
    return cache[lag.pk]


def is_network_officer(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cache = user.__dict__
    if "_sopeli_network" not in cache:
        cache["_sopeli_network"] = RoleGrant.objects.filter(
            user=user, lag__isnull=True, role=Role.NETWORK_OFFICER
        ).exists()
    return cache["_sopeli_network"]


def can_manage(user, lag) -> bool:
    """Run the LAG's everyday work: members, bodies, meetings, results."""
    return Role.MANAGER in roles_in(user, lag)


def can_read_staff_pages(user, lag) -> bool:
    """Read the LAG's internal pages (audit trail, member register): managers and network officers."""
    return can_manage(user, lag) or is_network_officer(user)


def require(check):
    """View decorator for LAG views (after ``with_lag``): 302 to login for anonymous users, 403 otherwise."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, lag, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user, lag):
                raise PermissionDenied
            return view(request, lag, *args, **kwargs)

        return wrapper

    return decorator
