"""Two requests at the same moment: on PostgreSQL the row lock on the training decides who gets the
last seat, and a double click by one person makes one registration. (SQLite serialises writers by
itself with IMMEDIATE transactions, so this runs on PostgreSQL only; CI runs both.)"""

import threading

import pytest
from django.db import connection, connections

from sopeli.trainings import services
from sopeli.trainings.models import Registration, RegistrationStatus

pytestmark = pytest.mark.django_db(transaction=True)


def race(fns):
    barrier = threading.Barrier(len(fns))
    errors = []

    def run(fn):
        try:
            barrier.wait()
            fn()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers itself")


def _register(training, user, village):
    return lambda: services.registration_register(actor=user, training=training, full_name=user.full_name, village=village,
                                                  gender="female", age_band="30_44")


def test_last_seat_goes_to_one(postgres_only, make_training, person, villages):
    t = make_training(capacity=1)
    a, b, c = person("A"), person("B"), person("C")
    race([_register(t, u, villages["Sno"]) for u in (a, b, c)])
    statuses = sorted(Registration.objects.filter(training=t).values_list("status", flat=True))
    assert statuses == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING, RegistrationStatus.WAITING]


def test_double_click_makes_one_registration(postgres_only, make_training, person, villages):
    t = make_training(capacity=5)
    a = person("A")
    race([_register(t, a, villages["Sno"]) for _ in range(4)])
    assert Registration.objects.filter(training=t, user=a).count() == 1
