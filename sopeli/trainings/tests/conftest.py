import datetime

import pytest
from django.utils import timezone

from sopeli.testing.factories import SettlementFactory, UserFactory
from sopeli.trainings import services
from sopeli.trainings.models import Training, TrainingStatus


@pytest.fixture
def villages(lag):
    return {
        name: SettlementFactory(lag=lag, name_en=name, name_ka=ka)
        for name, ka in (("Stepantsminda", "სტეფანწმინდა"), ("Sno", "სნო"), ("Juta", "ჯუთა"), ("Gergeti", "გერგეტი"))
    }


@pytest.fixture
def make_training(lag, villages):
    """make_training(capacity=2, days=7, status="open", **fields) -> Training (in the future by default)."""

    def make(*, capacity=2, days=7, hours=3, status=TrainingStatus.OPEN, **fields):
        starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)
        values = {
            "topic_ka": "როგორ დავწეროთ საპროექტო განაცხადი", "topic_en": "How to write a project application",
            "target_group": "applicants", "trainer": "ნინო ბერიძე", "starts_at": starts,
            "ends_at": starts + datetime.timedelta(hours=hours), "village": villages["Stepantsminda"],
            "address": "Community centre", "capacity": capacity,
            "registration_deadline": starts - datetime.timedelta(hours=1) if days > 0 else starts,
        }
        values.update(fields)
        t = Training.objects.create(lag=lag, status=status, **values)
        return t

    return make


@pytest.fixture
def person(lag, villages):
    """person("Nino", gender="female") -> a user with a village in the LAG (messages in English, the
    source text the tests read)."""
    counter = {"n": 0}

    def make(name=None, village="Sno"):
        counter["n"] += 1
        name = name or f"Resident {counter['n']}"
        return UserFactory(email=f"res{counter['n']}@example.ge", full_name=name, village=villages[village],
                           language="en")

    return make


@pytest.fixture
def register(villages):
    """register(training, user, gender="female", age_band="30_44", village="Sno") through the service."""

    def reg(training, user, *, gender="female", age_band="30_44", village="Sno", phone=""):
        return services.registration_register(
            actor=user, training=training, full_name=user.full_name, village=villages[village] if village else None,
            gender=gender, age_band=age_band, phone=phone,
        )

    return reg


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def past(make_training):
    """past(**fields) -> a training that started 3 hours ago and ended an hour ago."""

    def make(**fields):
        t = make_training(**fields)
        now = timezone.now().replace(microsecond=0)
        Training.objects.filter(pk=t.pk).update(
            starts_at=now - datetime.timedelta(hours=3), ends_at=now - datetime.timedelta(hours=1),
            registration_deadline=now - datetime.timedelta(hours=4),
        )
        t.refresh_from_db()
        return t

    return make
