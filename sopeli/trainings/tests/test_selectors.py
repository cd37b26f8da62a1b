"""The participation figures monitoring reads: exact counts, the period, a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sopeli.testing.factories import LagFactory, SettlementFactory
from sopeli.trainings.models import Registration, Training, TrainingStatus
from sopeli.trainings.selectors import training_participation

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=4))


def training(lag, village, *, group, status, day, hours):
    starts = datetime.datetime(2026, 3, day, 10, 0, tzinfo=TZ)
    return Training.objects.create(
        lag=lag, topic_ka="ტ", target_group=group, trainer="T", starts_at=starts, ends_at=starts + hours,
        village=village, capacity=3, registration_deadline=starts, status=status,
    )


def reg(t, name, gender, age, village, status="confirmed", attended=None, walk_in=False):
    return Registration.objects.create(training=t, full_name=name, gender=gender, age_band=age, village=village,
                                       status=status, attended=attended, walk_in=walk_in, queued_at=timezone.now())


@pytest.fixture
def scenario(lag, villages):
    sno, juta, gergeti, centre = villages["Sno"], villages["Juta"], villages["Gergeti"], villages["Stepantsminda"]
    h = datetime.timedelta
    t1 = training(lag, centre, group="applicants", status=TrainingStatus.HELD, day=2, hours=h(hours=3))
    reg(t1, "A", "female", "30_44", sno, attended=True)
    reg(t1, "B", "male", "18_29", juta, attended=True)
    reg(t1, "C", "female", "45_64", sno, attended=False)
    reg(t1, "D", "female", "18_29", juta, status="waiting")
    reg(t1, "E", "male", "18_29", sno, status="cancelled")
    reg(t1, "W", "female", "65_plus", gergeti, attended=True, walk_in=True)
    t2 = training(lag, sno, group="farmers", status=TrainingStatus.HELD, day=9, hours=h(hours=2, minutes=30))
    reg(t2, "F", "male", "45_64", sno, attended=True)
    reg(t2, "G", "female", "under_18", None, attended=True)
    t3 = training(lag, sno, group="farmers", status=TrainingStatus.CANCELLED, day=12, hours=h(hours=2))
    reg(t3, "H", "male", "30_44", sno)
    t4 = training(lag, juta, group="residents", status=TrainingStatus.OPEN, day=30, hours=h(hours=1))
    reg(t4, "I", "female", "30_44", juta)
    # another LAG's training never counts
    other = LagFactory(slug="borjomi")
    t5 = training(other, SettlementFactory(lag=other), group="farmers", status=TrainingStatus.HELD, day=9, hours=h(hours=5))
    reg(t5, "Z", "male", "30_44", None, attended=True)
    return villages


def by_key(rows):
    return {r["key"]: (r["registrations"], r["attendees"]) for r in rows}


def test_participation_exact(scenario):
    from sopeli.core.models import Lag

    f = training_participation(Lag.objects.get(slug="kazbegi"))
    assert (f["trainings"], f["trainings_held"], f["hours_held"]) == (3, 2, Decimal("5.5"))
    assert f["attendee_hours"] == Decimal("3") * 3 + Decimal("2.5") * 2  # A, B, W for 3 h; F, G for 2.5 h
    assert (f["registrations"], f["attendees"]) == (8, 5)
    assert by_key(f["by_gender"]) == {"female": (6, 3), "male": (2, 2), "other": (0, 0)}
    assert by_key(f["by_age_band"]) == {"under_18": (1, 1), "18_29": (2, 1), "30_44": (2, 1), "45_64": (2, 1), "65_plus": (1, 1)}
    v = scenario
    assert by_key(f["by_village"]) == {v["Sno"].pk: (3, 2), v["Juta"].pk: (3, 1), v["Gergeti"].pk: (1, 1), None: (1, 1)}
    assert [r["label"] for r in f["by_village"]][-1] == ""  # "another place" last
    groups = {r["key"]: (r["trainings"], r["trainings_held"], r["registrations"], r["attendees"]) for r in f["by_target_group"]}
    assert groups["applicants"] == (1, 1, 5, 3)
    assert groups["farmers"] == (1, 1, 2, 2)
    assert groups["residents"] == (1, 0, 1, 0)
    assert groups["board"] == (0, 0, 0, 0)


def test_participation_period_uses_tbilisi_dates(scenario):
    from sopeli.core.models import Lag

    lag = Lag.objects.get(slug="kazbegi")
    f = training_participation(lag, date_from=datetime.date(2026, 3, 3), date_to=datetime.date(2026, 3, 9))
    assert (f["trainings"], f["trainings_held"], f["hours_held"], f["registrations"], f["attendees"]) == (1, 1, Decimal("2.5"), 2, 2)
    f = training_participation(lag, date_to=datetime.date(2026, 3, 2))  # 10:00 on 2 March (Tbilisi) is included
    assert (f["trainings"], f["registrations"]) == (1, 5)
    f = training_participation(lag, date_from=datetime.date(2027, 1, 1))
    assert (f["trainings"], f["registrations"], f["attendees"], f["hours_held"]) == (0, 0, 0, Decimal("0"))
    assert f["by_village"] == [] and by_key(f["by_gender"])["female"] == (0, 0)


def test_participation_fixed_queries(lag, villages):
    sizes = []
    for n in (1, 30):
        for i in range(n):
            t = training(lag, villages["Sno"], group="farmers", status=TrainingStatus.HELD, day=1 + i % 28,
                         hours=datetime.timedelta(hours=2))
            reg(t, f"P{i}", "female", "30_44", villages["Juta" if i % 2 else "Sno"], attended=True)
        with CaptureQueriesContext(connection) as ctx:
            training_participation(lag)
        sizes.append(len(ctx.captured_queries))
    assert sizes[0] == sizes[1] <= 6
