import pytest
from django.core.management import call_command

from sopeli.grants.demo import open_call
from sopeli.grants.selectors.calls import call_is_open
from sopeli.grants.testing import MeasureFactory, approved_version

pytestmark = pytest.mark.django_db


def test_demo_open_call_is_published_within_the_strategy_and_idempotent(lag):
    version = approved_version(lag)
    MeasureFactory(version=version, code="M1")
    MeasureFactory(version=version, code="M2")
    call = open_call(lag)
    assert call.status == "published" and call_is_open(call) and len(call.snapshot["criteria"]) == 5
    assert open_call(lag).pk == call.pk
    call_command("seed_grants_demo", "--lag", lag.slug)
