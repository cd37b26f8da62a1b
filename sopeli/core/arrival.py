"""When a request reached Sopeli: the time deadlines are judged by.

Issue 4 asks that a submission be accepted "only before the deadline by the server's clock, to the
second". Under a rush in the last seconds, a request can wait for a free server thread and then for a
database lock; judged by the clock *after* those waits, a request sent on time was refused as late
(``make concurrency``: 145 of 240). So the time is read once, as early as possible, and carried on
the request as ``request.arrived_at``; the views that judge a deadline pass it to the service as
``now=``.

Where the stamp comes from
    ``ArrivalTimeMiddleware`` is the first middleware: it reads ``timezone.now()`` before any other
    middleware (sessions, authentication) or the view runs. That is as early as Django can see a
    request; the time spent before (in the proxy, or waiting for a gunicorn thread) is invisible to it.
    A front proxy can stamp earlier: nginx with ``proxy_set_header X-Request-Start "t=${msec}";``
    (the README's deployment section). The header is honoured only when
    ``SOPELI_TRUST_REQUEST_START`` is on, because a client talking to Sopeli directly could forge it
    to sneak in late. Even then it is bounded: a stamp later than our own clock counts as our clock
    (the proxy's clock runs a little ahead), and one more than ``MAX_PROXY_AGE`` old is ignored (a
    wrong clock or a misconfiguration must not reopen a closed call for minutes).
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

# A stamp older than this is judged by our own clock instead: no request waits that long between the
# proxy and us (nginx gives up on an answer after 60 s, the README's proxy_read_timeout), so such a stamp
# comes from a wrong clock. ``services.calls.CLOSING_GRACE`` is longer.
MAX_PROXY_AGE = timedelta(seconds=60)


def arrival_from_header(value: str, now: datetime) -> datetime | None:
    """The time a front proxy stamped in ``X-Request-Start``, or None when it cannot be used.

    Accepts nginx's ``t=1700000000.123`` (seconds, ``$msec``) and the same number in milliseconds or
    microseconds (other proxies' styles), with or without the ``t=``.
    """
    raw = (value or "").strip()
    if raw.startswith("t="):
        raw = raw[2:]
    try:
        number = float(raw)
    except ValueError:
        return None
    if not math.isfinite(number) or number <= 0:
        return None
    if number > 1e14:
        number /= 1_000_000  # microseconds
    elif number > 1e11:
        number /= 1_000  # milliseconds
    try:
        stamp = datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    if stamp > now:
        return now
    if now - stamp > MAX_PROXY_AGE:
        return None
    return stamp


class ArrivalTimeMiddleware:
    """Put ``request.arrived_at`` on every request; keep it first in ``MIDDLEWARE``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = timezone.now()
        arrived = None
        header = request.META.get("HTTP_X_REQUEST_START")
        if header and settings.SOPELI_TRUST_REQUEST_START:
            arrived = arrival_from_header(header, now)
            if arrived is None:
                logger.warning("X-Request-Start %r not used (unreadable or more than %s old)", header[:40], MAX_PROXY_AGE)
        request.arrived_at = arrived or now
        return self.get_response(request)


def arrival_time(request) -> datetime:
    """The request's arrival (see the module's docs); the clock now if no middleware stamped it."""
    return getattr(request, "arrived_at", None) or timezone.now()
