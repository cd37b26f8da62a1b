from django.conf import settings
from django.urls import translate_url


def sopeli(request):
    """The LAG being viewed (if any), the user's roles in it, and the same page in each language."""
    from sopeli.accounts.permissions import can_manage, roles_in

    lag = getattr(request, "lag", None)
    path = request.get_full_path()
    languages = [(code, name, translate_url(path, code)) for code, name in settings.LANGUAGES]
    return {
        "lag": lag,
        "my_roles": roles_in(request.user, lag) if lag else set(),
        "is_lag_manager": bool(lag) and can_manage(request.user, lag),
        "language_links": languages,
    }
