import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError


def test_deploy_check_refuses_the_development_secret_key(settings):
    settings.SECRET_KEY = "dev-only-insecure-key-change-me-in-production"
    with pytest.raises(SystemCheckError, match="SOPELI_SECRET_KEY"):
        call_command("check", "--deploy", "--fail-level", "ERROR")


def test_deploy_check_passes_the_key_test_with_a_real_key(settings, capsys):
    settings.SECRET_KEY = "x" * 60
    try:
        call_command("check", "--deploy", "--fail-level", "ERROR")
    except SystemCheckError as error:  # other deploy warnings are not errors; ours must be absent
        assert "sopeli.E001" not in str(error)
