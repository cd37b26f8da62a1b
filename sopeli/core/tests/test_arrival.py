"""The arrival stamp deadlines are judged by: read first, the proxy's header only when trusted and bounded."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.test import RequestFactory

from sopeli.core.arrival import MAX_PROXY_AGE, ArrivalTimeMiddleware, arrival_from_header, arrival_time

NOW = datetime(2026, 6, 10, 13, 30, 0, 500000, tzinfo=UTC)


@pytest.mark.parametrize("header, expected", [
    (f"t={NOW.timestamp() - 2:.3f}", NOW - timedelta(seconds=2)),  # nginx $msec
    (f"{NOW.timestamp() - 2:.3f}", NOW - timedelta(seconds=2)),  # without "t="
    (f"t={int((NOW.timestamp() - 2) * 1000)}", NOW - timedelta(seconds=2)),  # milliseconds
    (f"t={int((NOW.timestamp() - 2) * 1_000_000)}", NOW - timedelta(seconds=2)),  # microseconds
    (f"t={NOW.timestamp() + 5:.3f}", NOW),  # the proxy's clock ahead of ours: never later than our own clock
])
def test_header_formats(header, expected):
    assert abs(arrival_from_header(header, NOW) - expected) < timedelta(milliseconds=1)


@pytest.mark.parametrize("header", [
    "", "t=", "t=soon", "t=nan", "t=inf", "t=-5", "t=0", "t=1e400",
    f"t={(NOW - MAX_PROXY_AGE - timedelta(seconds=1)).timestamp():.3f}",  # too old: a wrong clock, not a queue
])
def test_unusable_headers_are_ignored(header):
    assert arrival_from_header(header, NOW) is None


def _stamped(request):
    seen = {}

    def view(req):
        seen["arrived_at"] = req.arrived_at
        return "response"

    assert ArrivalTimeMiddleware(view)(request) == "response"
    return seen["arrived_at"]


def test_middleware_is_first_and_stamps_every_request():
    assert settings.MIDDLEWARE[0] == "sopeli.core.arrival.ArrivalTimeMiddleware"
    before = datetime.now(UTC)
    arrived = _stamped(RequestFactory().get("/"))
    assert before <= arrived <= datetime.now(UTC)


def test_middleware_uses_the_header_only_from_a_trusted_proxy(settings):
    two_seconds_ago = datetime.now(UTC) - timedelta(seconds=2)
    request = lambda: RequestFactory().post("/", HTTP_X_REQUEST_START=f"t={two_seconds_ago.timestamp():.6f}")  # noqa: E731
    settings.SOPELI_TRUST_REQUEST_START = False
    assert _stamped(request()) > two_seconds_ago + timedelta(seconds=1)  # a client could forge it: ignored
    settings.SOPELI_TRUST_REQUEST_START = True
    assert abs(_stamped(request()) - two_seconds_ago) < timedelta(milliseconds=1)


def test_arrival_time_without_the_middleware_is_the_clock():
    before = datetime.now(UTC)
    assert before <= arrival_time(RequestFactory().get("/")) <= datetime.now(UTC)
