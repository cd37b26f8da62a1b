"""Sopeli's settings: one file, every value read from the environment with a safe default.

Development (``make run``) needs no environment at all: SQLite in ``var/``, console e-mail,
DEBUG off but a local secret key. Production sets at least ``SOPELI_SECRET_KEY``,
``SOPELI_ALLOWED_HOSTS`` and ``DATABASE_URL``; see the README's "Deploying" section.
"""

import importlib.util
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SOPELI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("SOPELI_DEBUG", False)
# The default key is only good for a laptop; `manage.py check --deploy` fails without a real one
# (sopeli/core/checks.py), and the README's deployment steps run that check.
SECRET_KEY = os.environ.get("SOPELI_SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
ALLOWED_HOSTS = env_list("SOPELI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("SOPELI_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "modeltranslation",  # must precede the admin so translated fields show there
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_q",
    "sopeli.core",
    "sopeli.accounts",
    "sopeli.membership",
    "sopeli.governance",
    "sopeli.strategy",
    "sopeli.portal",
    "sopeli.consultation",
    "sopeli.grants",
    "sopeli.trainings",
    "sopeli.projects",
    "sopeli.monitoring",
    "sopeli.notifications",
]

MIDDLEWARE = [
    # First: the arrival time deadlines are judged by, before anything else can make the request wait.
    "sopeli.core.arrival.ArrivalTimeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "sopeli.accounts.middleware.RequireTwoFactorMiddleware",
]

ROOT_URLCONF = "sopeli.urls"
WSGI_APPLICATION = "sopeli.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sopeli" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "sopeli.core.context_processors.sopeli",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'sopeli.sqlite3'}",
        conn_max_age=int(os.environ.get("SOPELI_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers continue while one writer commits; IMMEDIATE avoids "database is locked"
    # when two requests upgrade a read transaction to a write at the same moment.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": os.environ.get("SOPELI_CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"),
        "LOCATION": os.environ.get("SOPELI_CACHE_LOCATION", "sopeli"),
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"

# django-allauth: e-mail is the login; the address must be confirmed before the account is used.
ACCOUNT_LOGIN_METHODS = {"email"}
# allauth's e-mails go through the outbox (sopeli/notifications) like every other message.
ACCOUNT_ADAPTER = "sopeli.accounts.adapter.AccountAdapter"
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("SOPELI_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_SIGNUP_FORM_CLASS = "sopeli.accounts.forms.SignupForm"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = os.environ.get("SOPELI_HTTP_PROTOCOL", "http")
# Login throttling: allauth counts failed logins per address and per IP in the cache.
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("SOPELI_LOGIN_FAILED_LIMIT", "10/m/ip,5/5m/key"),
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Sopeli"
# Roles that must have a second factor before they can use Sopeli (see accounts.middleware).
SOPELI_REQUIRE_2FA = env_bool("SOPELI_REQUIRE_2FA", True)

LANGUAGE_CODE = "ka"
LANGUAGES = [("ka", _("Georgian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "sopeli" / "locale"]
# Georgian amounts group thousands with a no-break space (sopeli/formats/ka/formats.py).
FORMAT_MODULE_PATH = ["sopeli.formats"]
USE_I18N = True
MODELTRANSLATION_DEFAULT_LANGUAGE = "ka"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("ka", "en")
TIME_ZONE = "Asia/Tbilisi"
USE_TZ = True

STATIC_URL = "/static/"
# The project-wide assets (sopeli/static/sopeli/…): "sopeli" itself is not an installed app, so the
# app-directories finder would miss them and collectstatic would leave the stylesheet out.
STATICFILES_DIRS = [BASE_DIR / "sopeli" / "static"]
# Leaflet's JS/CSS for the public map, from the django-leaflet package's static files. Not an installed app:
# its admin module needs GDAL. ``find_spec`` locates the package without importing it.
_leaflet = importlib.util.find_spec("leaflet")
if _leaflet and _leaflet.submodule_search_locations:
    STATICFILES_DIRS.append(Path(list(_leaflet.submodule_search_locations)[0]) / "static")
STATIC_ROOT = Path(os.environ.get("SOPELI_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("SOPELI_MEDIA_ROOT", VAR_DIR / "media"))
# Uploads and generated files: a local folder by default; an S3-compatible object store when several app
# servers share them (SOPELI_STORAGE=s3). Private either way: files are served only through views
# that check permissions, never by a public URL of the store.
if os.environ.get("SOPELI_STORAGE", "local") == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("SOPELI_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("SOPELI_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("SOPELI_S3_ACCESS_KEY", ""),
            "secret_key": os.environ.get("SOPELI_S3_SECRET_KEY", ""),
            "region_name": os.environ.get("SOPELI_S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": os.environ.get(
            "SOPELI_STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = os.environ.get("SOPELI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("SOPELI_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("SOPELI_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("SOPELI_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SOPELI_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SOPELI_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("SOPELI_FROM_EMAIL", "Sopeli <noreply@sopeli.localhost>")

# Background work: django-q2 with its ORM broker, so the queue lives in the same database (SQLite on a
# laptop, PostgreSQL in production) and needs no other server. Any number of `manage.py qcluster`
# processes on any number of machines share it: a task is taken by one cluster only (compare-and-set on
# its lock), and `retry` is longer than `timeout`, so a task still running is never handed out twice; a
# cluster killed mid-task gives its task back after `retry` seconds. Scheduled duties are rows in
# django_q's Schedule table (sopeli/core/duties.py keeps them), taken by one scheduler at a time.
Q_CLUSTER = {
    "name": "sopeli",
    "orm": "default",
    "workers": int(os.environ.get("SOPELI_TASK_WORKERS", "2")),
    "timeout": int(os.environ.get("SOPELI_TASK_TIMEOUT", "300")),
    "retry": int(os.environ.get("SOPELI_TASK_TIMEOUT", "300")) + 60,
    # A task that raised is handed out again after `retry` seconds, three tries in all (the outbox keeps its
    # own retry schedule per message; a duty that fails is tried again this way, not only at its next run).
    "max_attempts": 3,
    "ack_failures": False,
    "save_limit": 500,
    "poll": float(os.environ.get("SOPELI_TASK_POLL", "0.5")),
    "catch_up": False,  # a duty missed while no worker ran runs once, not once per missed interval
    "label": _("Background tasks"),
}

# Backups (sopeli/core/backup.py): where the nightly archives go and how many are kept.
SOPELI_BACKUP_DIR = Path(os.environ.get("SOPELI_BACKUP_DIR", VAR_DIR / "backups"))
SOPELI_BACKUP_KEEP = int(os.environ.get("SOPELI_BACKUP_KEEP", "14"))

# Messages (sopeli/notifications): every one goes through the outbox and the worker. Links in them point
# at SOPELI_SITE_URL, since the worker has no request to take the address from.
SOPELI_SITE_URL = os.environ.get("SOPELI_SITE_URL", "http://127.0.0.1:8000")
SOPELI_MAIL_DOMAIN = os.environ.get("SOPELI_MAIL_DOMAIN", "sopeli.localhost")
# A message a worker claimed but never marked sent (the worker died) is given back after this long.
SOPELI_OUTBOX_STALE_SECONDS = int(os.environ.get("SOPELI_OUTBOX_STALE_SECONDS", "600"))
# SMS: the console by default (printed where the worker runs); in production the HTTP gateway backend
# with its URL, key and the sender name registered with the operator.
SOPELI_SMS_BACKEND = os.environ.get("SOPELI_SMS_BACKEND", "sopeli.notifications.sms.ConsoleBackend")
SOPELI_SMS_URL = os.environ.get("SOPELI_SMS_URL", "")
SOPELI_SMS_KEY = os.environ.get("SOPELI_SMS_KEY", "")
SOPELI_SMS_SENDER = os.environ.get("SOPELI_SMS_SENDER", "Sopeli")
SOPELI_SMS_PRICE_PER_SEGMENT = os.environ.get("SOPELI_SMS_PRICE_PER_SEGMENT", "0.05")

# Behind a reverse proxy that sets X-Forwarded-Proto (see README "Deploying").
if env_bool("SOPELI_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# Take the arrival time from the front proxy's X-Request-Start header (nginx: "t=${msec}"). Only behind a
# proxy that always sets it: a client reaching Sopeli directly could forge it (sopeli/core/arrival.py).
SOPELI_TRUST_REQUEST_START = env_bool("SOPELI_TRUST_REQUEST_START", False)
SESSION_COOKIE_SECURE = env_bool("SOPELI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SOPELI_LOG_LEVEL", "WARNING")},
}

# Tests and `make run` before collectstatic: let WhiteNoise serve from the finders without a warning.
WHITENOISE_USE_FINDERS = env_bool("SOPELI_WHITENOISE_USE_FINDERS", False)

# The public map (…/map/): a tile server URL template for Leaflet, e.g.
# "https://tile.openstreetmap.org/{z}/{x}/{y}.png". Empty: no background tiles; the villages are drawn by
# their coordinates and the page's table lists everything.
SOPELI_MAP_TILES = os.environ.get("SOPELI_MAP_TILES", "")
SOPELI_MAP_ATTRIBUTION = os.environ.get("SOPELI_MAP_ATTRIBUTION", "")

# Open data (360Giving, IATI): the identifier prefix registered with 360Giving, the LAGs' registered
# org-ids ("kazbegi=GE-XXX-123,borjomi=…"), and whether a natural person's name is published with
# their grant (the results page shows it; set false to publish "Individual recipient" instead).
SOPELI_360GIVING_PREFIX = os.environ.get("SOPELI_360GIVING_PREFIX", "360G-sopeli")
SOPELI_LAG_ORG_IDS = dict(
    pair.split("=", 1) for pair in env_list("SOPELI_LAG_ORG_IDS", "") if "=" in pair
)
SOPELI_PUBLISH_INDIVIDUAL_NAMES = env_bool("SOPELI_PUBLISH_INDIVIDUAL_NAMES", True)
