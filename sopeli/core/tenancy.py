"""Every LAG-scoped view resolves its LAG from the URL through here."""

from functools import wraps

from django.shortcuts import get_object_or_404

from sopeli.core.models import Lag


def with_lag(view):
    """Resolve ``lag_slug`` from the URL into ``request.lag`` and pass the LAG as ``lag``."""

    @wraps(view)
    def wrapper(request, lag_slug, *args, **kwargs):
        lag = get_object_or_404(Lag, slug=lag_slug)
        request.lag = lag
        return view(request, lag, *args, **kwargs)

    return wrapper
