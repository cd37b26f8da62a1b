"""Who may see and change membership pages.

Staff pages: managers read and write; a network officer reads every LAG's staff pages and gets
403 on every POST. A member's own pages need a login and show only that user's memberships.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from sopeli.accounts.permissions import can_manage, can_read_staff_pages

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def can_change_members(user, lag) -> bool:
    return can_manage(user, lag)


def require_staff(view):
    """For LAG views (after ``with_lag``): reading needs ``can_read_staff_pages``, any POST ``can_manage``."""

    @wraps(view)
    def wrapper(request, lag, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        check = can_read_staff_pages if request.method in SAFE_METHODS else can_change_members
        if not check(request.user, lag):
            raise PermissionDenied
        return view(request, lag, *args, **kwargs)

    return wrapper
