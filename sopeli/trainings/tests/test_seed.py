import io

import pytest
from django.core.management import call_command

from sopeli.trainings.models import Certificate, Feedback, Registration, Training, TrainingStatus
from sopeli.trainings.selectors import training_participation

pytestmark = pytest.mark.django_db


def run():
    out = io.StringIO()
    call_command("seed_trainings_demo", stdout=out)
    return out.getvalue()


def test_seed_skips_without_kazbegi(db):
    assert "nothing to do" in run()
    assert not Training.objects.exists()


def test_seed_makes_three_trainings_and_is_idempotent(lag, villages, client):
    from sopeli.testing.factories import SettlementFactory

    for name, ka in (("Arsha", "არშა"), ("Sioni", "სიონი"), ("Kobi", "ყობი")):
        SettlementFactory(lag=lag, name_en=name, name_ka=ka)
    assert "created" in run()
    counts = (Training.objects.count(), Registration.objects.count(), Certificate.objects.count(), Feedback.objects.count())
    assert "nothing to do" in run()
    assert counts == (Training.objects.count(), Registration.objects.count(), Certificate.objects.count(), Feedback.objects.count())
    assert counts[0] == 3
    statuses = dict(Training.objects.values_list("topic_en", "status"))
    assert statuses["Guesthouse hospitality standards"] == TrainingStatus.FULL
    assert list(statuses.values()).count(TrainingStatus.HELD) == 2
    full = Training.objects.get(topic_en="Guesthouse hospitality standards")
    assert Registration.objects.filter(training=full, status="waiting").count() == 2
    assert Registration.objects.filter(training=full, status="confirmed").count() == full.capacity
    # certificates only for those who attended
    assert not Certificate.objects.exclude(registration__attended=True).exists()
    figures = training_participation(lag)
    genders = {r["key"]: r["attendees"] for r in figures["by_gender"]}
    assert genders["female"] > 0 and genders["male"] > 0
    assert len([r for r in figures["by_village"] if r["attendees"]]) >= 4
    page = client.get("/ka/kazbegi/trainings/").content.decode()
    assert "ყველის დამზადების ჰიგიენა" in page
    assert not any("\u1c90" <= ch <= "\u1cbf" for ch in page)
