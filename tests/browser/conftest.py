"""Browser tests: real Chromium through Playwright, against Django's ``live_server``.

- Chromium is the Debian package (``apt-get install chromium``), never ``playwright install``.
  Set ``SOPELI_CHROMIUM`` to use another binary.
- Without Chromium the browser tests are skipped with a reason, except where ``SOPELI_REQUIRE_BROWSER``
  or ``CI`` is set: there a missing browser fails them, so CI cannot go green without them.
- ``page`` (pytest-playwright's) is a phone: 390×844, touch, Georgian locale. ``desktop_page`` is a
  laptop-sized one. ``screenshot(page, "name")`` saves ``test-artifacts/<name>.png``.
- ``log_in(page, user)`` gives the page a logged-in session for ``user`` without the login form
  (so a manager's TOTP step is skipped; test the login journey itself separately).
- Every test in this folder is marked ``browser`` (``-m "not browser"`` to leave them out).
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in this process; Django's ORM would refuse to run
# next to it. The live server and the test share nothing but the database, so this is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("SOPELI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "ka-GE",
    "timezone_id": "Asia/Tbilisi",
}
DESKTOP = {
    "viewport": {"width": 1280, "height": 800},
    "locale": "ka-GE",
    "timezone_id": "Asia/Tbilisi",
}


def chromium_available() -> bool:
    return os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK) or bool(shutil.which(CHROMIUM))


def browser_required() -> bool:
    return any(os.environ.get(name, "").strip().lower() not in {"", "0", "false", "no"}
               for name in ("SOPELI_REQUIRE_BROWSER", "CI"))


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    missing = not chromium_available()
    for item in items:
        if here not in Path(str(item.fspath)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if missing and not browser_required():
            item.add_marker(pytest.mark.skip(
                reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium); "
                "set SOPELI_REQUIRE_BROWSER=1 to make this a failure"
            ))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not chromium_available():
        pytest.fail(
            f"Browser tests are required here (SOPELI_REQUIRE_BROWSER or CI is set) but Chromium is "
            f"missing at {CHROMIUM}. Install it with `apt-get install chromium` (never `playwright install`).",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, **PHONE}


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(**DESKTOP)
    yield context.new_page()
    context.close()


def save_screenshot(page, name: str, *, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture
def screenshot():
    """``screenshot(page, "members-phone")`` -> test-artifacts/members-phone.png"""
    return save_screenshot


@pytest.fixture
def log_in(live_server):
    """``log_in(page, user)``: the page's browser context gets a logged-in session cookie for ``user``."""

    def _log_in(page, user) -> None:
        from importlib import import_module

        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": store.session_key, "url": live_server.url}]
        )

    return _log_in
