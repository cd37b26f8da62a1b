"""Who may see and change training pages.

- Public: the list and a training's page, public materials, certificate verification.
- A person's own (login needed): registering, cancelling, "My trainings", their certificate,
  their feedback, the non-public materials of a training they are registered for.
- Staff: managers read and change; a network officer reads every LAG's staff pages (and the
  attendance CSV) and gets 403 on every POST. Phones are shown to managers only.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from sopeli.accounts.permissions import can_manage, can_read_staff_pages

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def can_change_trainings(user, lag) -> bool:
    return can_manage(user, lag)


def can_read_trainings_staff(user, lag) -> bool:
    return can_read_staff_pages(user, lag)


def can_see_phones(user, lag) -> bool:
    return can_manage(user, lag)


def can_download_material(user, lag, material, registration) -> bool:
    """Public materials: anyone. Others: staff, and people registered (or waiting) for the training."""
    if material.is_public:
        return True
    if can_read_staff_pages(user, lag):
        return True
    return registration is not None and registration.status != "cancelled"


def require_staff(view):
    """For LAG views (after ``with_lag``): reading needs staff-page access, any other method a manager."""

    @wraps(view)
    def wrapper(request, lag, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        check = can_read_trainings_staff if request.method in SAFE_METHODS else can_change_trainings
        if not check(request.user, lag):
            raise PermissionDenied
        return view(request, lag, *args, **kwargs)

    return wrapper


def require_login(view):
    @wraps(view)
    def wrapper(request, lag, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, lag, *args, **kwargs)

    return wrapper
