"""Deployment checks (``manage.py check --deploy``): refuse the laptop defaults in production."""

from django.conf import settings
from django.core.checks import Error, Tags, register

DEV_KEY_PREFIX = "dev-only-insecure-key"


@register(Tags.security, deploy=True)
def secret_key_is_set(app_configs, **kwargs):
    if settings.SECRET_KEY.startswith(DEV_KEY_PREFIX):
        return [Error(
            "SOPELI_SECRET_KEY is not set: the built-in development key is public.",
            hint="Set SOPELI_SECRET_KEY to a long random value (python -c 'import secrets; print(secrets.token_urlsafe(50))').",
            id="sopeli.E001",
        )]
    return []


@register(Tags.security, deploy=True)
def two_factor_is_required(app_configs, **kwargs):
    if not settings.SOPELI_REQUIRE_2FA:
        return [Error("SOPELI_REQUIRE_2FA is off: managers, board members and evaluators must use two-factor login.",
                      id="sopeli.E002")]
    return []
