"""Services: capacity, waiting list and promotion, double submits, walk-ins, attendance,
certificates, feedback and materials."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone

from sopeli.core.models import AuditEvent, LedgerEntry
from sopeli.testing.factories import SettlementFactory
from sopeli.testing.outbox import outbox_flush
from sopeli.trainings import services
from sopeli.trainings.models import (
    Certificate,
    Feedback,
    Registration,
    RegistrationStatus,
    Training,
    TrainingStatus,
)

pytestmark = pytest.mark.django_db

CONFIRMED, WAITING, CANCELLED = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING, RegistrationStatus.CANCELLED


def statuses(training):
    return list(Registration.objects.filter(training=training).order_by("queued_at", "id").values_list("full_name", "status"))


def test_seats_then_waiting_list_in_order(make_training, person, register):
    t = make_training(capacity=2)
    people = [person(f"P{i}") for i in range(5)]
    for p in people:
        register(t, p)
    assert statuses(t) == [("P0", CONFIRMED), ("P1", CONFIRMED), ("P2", WAITING), ("P3", WAITING), ("P4", WAITING)]
    t.refresh_from_db()
    assert t.status == TrainingStatus.FULL


def test_double_submit_changes_nothing(make_training, person, register, django_capture_on_commit_callbacks, mailoutbox):
    t = make_training(capacity=1)
    a = person("A")
    with django_capture_on_commit_callbacks(execute=True):
        first = register(t, a)
    with django_capture_on_commit_callbacks(execute=True):
        second = register(t, a, gender="male", age_band="65_plus")
    assert first.pk == second.pk
    assert Registration.objects.filter(training=t).count() == 1
    second.refresh_from_db()
    assert (second.gender, second.age_band, second.status) == ("female", "30_44", CONFIRMED)
    assert len(mailoutbox) == 1  # one confirmation, not two
    assert AuditEvent.objects.filter(action="training.register").count() == 1


def test_unique_constraint_backs_the_service(make_training, person):
    t = make_training()
    a = person()
    now = timezone.now()
    Registration.objects.create(training=t, user=a, full_name="A", gender="female", age_band="18_29", status=CONFIRMED, queued_at=now)
    with pytest.raises(IntegrityError):
        Registration.objects.create(training=t, user=a, full_name="A", gender="female", age_band="18_29", status=WAITING, queued_at=now)


def test_cancel_promotes_first_waiting_with_mail_after_commit(make_training, person, register,
                                                             django_capture_on_commit_callbacks, mailoutbox):
    t = make_training(capacity=2)
    a, b, c, d = (person(n) for n in "ABCD")
    for p in (a, b, c, d):
        register(t, p)
    outbox_flush()
    reg_a = Registration.objects.get(training=t, user=a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        promoted = services.registration_cancel(actor=a, registration=reg_a)
    assert [p.full_name for p in promoted] == ["C"]
    assert mailoutbox == []  # nothing is sent before the commit
    for callback in callbacks:
        callback()
    assert [m.to for m in mailoutbox] == [[c.email]]
    assert statuses(t) == [("A", CANCELLED), ("B", CONFIRMED), ("C", CONFIRMED), ("D", WAITING)]
    t.refresh_from_db()
    assert t.status == TrainingStatus.FULL
    # cancelling again (a retried request) changes nothing
    assert services.registration_cancel(actor=a, registration=reg_a) == []
    assert statuses(t) == [("A", CANCELLED), ("B", CONFIRMED), ("C", CONFIRMED), ("D", WAITING)]


def test_waiting_person_leaving_promotes_no_one(make_training, person, register):
    t = make_training(capacity=1)
    a, b, c = person("A"), person("B"), person("C")
    for p in (a, b, c):
        register(t, p)
    assert services.registration_cancel(actor=b, registration=Registration.objects.get(user=b, training=t)) == []
    assert statuses(t) == [("A", CONFIRMED), ("B", CANCELLED), ("C", WAITING)]


def test_last_seat_freed_reopens(make_training, person, register):
    t = make_training(capacity=1)
    a = person("A")
    register(t, a)
    t.refresh_from_db()
    assert t.status == TrainingStatus.FULL
    services.registration_cancel(actor=a, registration=Registration.objects.get(user=a))
    t.refresh_from_db()
    assert t.status == TrainingStatus.OPEN


def test_register_again_after_cancel_goes_to_the_end(make_training, person, register):
    t = make_training(capacity=1)
    a, b = person("A"), person("B")
    register(t, a)
    register(t, b)
    services.registration_cancel(actor=a, registration=Registration.objects.get(user=a))  # B promoted
    again = register(t, a)
    assert again.status == WAITING
    assert Registration.objects.filter(training=t, user=a).count() == 1
    assert statuses(t) == [("B", CONFIRMED), ("A", WAITING)]


def test_capacity_raised_promotes_waiting(make_training, person, register, villages):
    t = make_training(capacity=1)
    for n in "ABC":
        register(t, person(n))
    services.training_update(actor=None, training=t, capacity=2)
    assert statuses(t) == [("A", CONFIRMED), ("B", CONFIRMED), ("C", WAITING)]


@pytest.mark.parametrize("status", [TrainingStatus.PLANNED, TrainingStatus.CANCELLED, TrainingStatus.HELD])
def test_register_only_when_open(make_training, person, register, status):
    t = make_training(status=status)
    with pytest.raises(ValidationError, match="not open"):
        register(t, person())


def test_register_after_deadline_refused(make_training, person, register):
    t = make_training(registration_deadline=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError, match="closed"):
        register(t, person())


def test_register_checks_person_fields(make_training, person, lag):
    t = make_training()
    other_lag_village = SettlementFactory()
    with pytest.raises(ValidationError) as exc:
        services.registration_register(actor=person(), training=t, full_name=" ", village=other_lag_village,
                                       gender="x", age_band="", phone="abc")
    assert set(exc.value.error_dict) == {"full_name", "village", "gender", "age_band", "phone"}


def test_anonymous_cannot_register(make_training):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(ValidationError):
        services.registration_register(actor=AnonymousUser(), training=make_training(), full_name="X", village=None,
                                       gender="female", age_band="18_29")


def test_walk_in_gets_a_seat_beyond_capacity(make_training, person, register, villages):
    t = make_training(capacity=1, days=-1)  # started yesterday
    t.registration_deadline = t.starts_at
    register_ok = Registration.objects.create(training=t, user=person("A"), full_name="A", gender="male", age_band="18_29",
                                              status=CONFIRMED, queued_at=timezone.now())
    w = services.walk_in_add(actor=None, training=t, full_name="თამარ გელაშვილი", village=villages["Juta"],
                             gender="female", age_band="45_64")
    assert (w.status, w.walk_in, w.user_id, w.attended) == (CONFIRMED, True, None, True)
    assert register_ok.pk != w.pk


def test_attendance_then_certificates_only_for_attendees(make_training, person, register, villages):
    t = make_training(capacity=5)
    a, b = person("A"), person("B")
    ra, rb = register(t, a), register(t, b)
    with pytest.raises(ValidationError, match="started"):
        services.attendance_record(actor=None, training=t, attended_ids={ra.pk})
    with pytest.raises(ValidationError, match="after attendance"):
        services.certificates_issue(actor=None, training=t)
    Training.objects.filter(pk=t.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2),
                                           ends_at=timezone.now() - datetime.timedelta(hours=1),
                                           registration_deadline=timezone.now() - datetime.timedelta(hours=3))
    t.refresh_from_db()
    result = services.attendance_record(actor=None, training=t, attended_ids={ra.pk})
    assert result == {"present": 1, "absent": 1}
    t.refresh_from_db()
    assert t.status == TrainingStatus.HELD
    assert services.certificates_issue(actor=None, training=t) == 1
    assert services.certificates_issue(actor=None, training=t) == 0  # idempotent
    assert list(Certificate.objects.values_list("registration__full_name", flat=True)) == ["A"]
    cert = Certificate.objects.get()
    assert cert.is_valid
    # marking A absent later makes the certificate invalid
    services.attendance_record(actor=None, training=t, attended_ids=set())
    cert.registration.refresh_from_db()
    assert not Certificate.objects.get().is_valid
    # after the training, registrations cannot be cancelled any more
    with pytest.raises(ValidationError):
        services.registration_cancel(actor=b, registration=rb)


def test_attendance_rejects_people_not_registered(make_training, person, register):
    t = make_training(days=-1)
    other = make_training(days=-1)
    r_other = Registration.objects.create(training=other, full_name="X", gender="male", age_band="18_29",
                                          status=CONFIRMED, queued_at=timezone.now())
    with pytest.raises(ValidationError, match="not registered"):
        services.attendance_record(actor=None, training=t, attended_ids={r_other.pk})


def _held_with_attendee(make_training, person, register):
    t = make_training(capacity=5)
    a, b = person("A"), person("B")
    ra, rb = register(t, a), register(t, b)
    Training.objects.filter(pk=t.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=3),
                                           ends_at=timezone.now() - datetime.timedelta(hours=1),
                                           registration_deadline=timezone.now() - datetime.timedelta(hours=4))
    t.refresh_from_db()
    services.attendance_record(actor=None, training=t, attended_ids={ra.pk})
    ra.refresh_from_db()
    rb.refresh_from_db()
    return t, a, b, ra, rb


def test_feedback_once_and_only_by_attendees(make_training, person, register):
    t, a, b, ra, rb = _held_with_attendee(make_training, person, register)
    services.feedback_submit(actor=a, registration=ra, usefulness=5, trainer=4, organisation=3, comment="კარგი იყო")
    with pytest.raises(ValidationError, match="already"):
        services.feedback_submit(actor=a, registration=ra, usefulness=1, trainer=1, organisation=1)
    with pytest.raises(ValidationError, match="attended"):
        services.feedback_submit(actor=b, registration=rb, usefulness=5, trainer=5, organisation=5)
    with pytest.raises(ValidationError, match="Only the person"):
        services.feedback_submit(actor=b, registration=ra, usefulness=5, trainer=5, organisation=5)
    assert Feedback.objects.count() == 1


def test_feedback_rating_range(make_training, person, register):
    t, a, b, ra, rb = _held_with_attendee(make_training, person, register)
    with pytest.raises(ValidationError) as exc:
        services.feedback_submit(actor=a, registration=ra, usefulness=0, trainer=6, organisation=3)
    assert set(exc.value.error_dict) == {"usefulness", "trainer"}


def test_feedback_not_before_end(make_training, person, register):
    t = make_training(days=-1, hours=48)  # started yesterday, ends tomorrow
    a = person("A")
    r = Registration.objects.create(training=t, user=a, full_name="A", gender="male", age_band="18_29", status=CONFIRMED,
                                    queued_at=timezone.now())
    services.attendance_record(actor=None, training=t, attended_ids={r.pk})
    r.refresh_from_db()
    with pytest.raises(ValidationError, match="ended"):
        services.feedback_submit(actor=a, registration=r, usefulness=5, trainer=5, organisation=5)


def test_cancel_training_mails_everyone(make_training, person, register, django_capture_on_commit_callbacks, mailoutbox):
    t = make_training(capacity=1)
    a, b = person("A"), person("B")
    register(t, a)
    register(t, b)
    outbox_flush()
    with django_capture_on_commit_callbacks(execute=True):
        services.training_set_status(actor=None, training=t, status=TrainingStatus.CANCELLED)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([a.email, b.email])
    with pytest.raises(ValidationError):
        services.training_set_status(actor=None, training=t, status=TrainingStatus.OPEN)


def test_training_create_checks_and_is_public(lag, villages):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.training_create(actor=None, lag=lag, topic_ka="", topic_en="", target_group="aliens", trainer="",
                                 starts_at=now, ends_at=now, capacity=0, online=False, village=None)
    assert {"topic_ka", "target_group", "trainer", "ends_at", "capacity", "village"} <= set(exc.value.error_dict)
    with pytest.raises(ValidationError) as exc:
        services.training_create(actor=None, lag=lag, topic_ka="ონლაინ", target_group="members", trainer="T",
                                 starts_at=now, ends_at=now + datetime.timedelta(hours=1), capacity=10, online=True)
    assert "online_url" in exc.value.error_dict
    t = services.training_create(actor=None, lag=lag, topic_ka="ყველის დამზადების ჰიგიენა", target_group="farmers",
                                 trainer="T", starts_at=now + datetime.timedelta(days=3),
                                 ends_at=now + datetime.timedelta(days=3, hours=2), capacity=10, village=villages["Sno"])
    assert t.status == TrainingStatus.PLANNED
    assert t.registration_deadline == t.starts_at
    assert LedgerEntry.objects.filter(lag=lag, kind="training.create").count() == 1


def test_material_checks_kind_and_size(make_training):
    t = make_training()
    with pytest.raises(ValidationError, match="cannot be uploaded"):
        services.material_add(actor=None, training=t, title_ka="ა", file=SimpleUploadedFile("x.exe", b"MZ"))
    with pytest.raises(ValidationError, match="empty"):
        services.material_add(actor=None, training=t, title_ka="ა", file=SimpleUploadedFile("x.pdf", b""))
    m = services.material_add(actor=None, training=t, title_ka="სლაიდები", file=SimpleUploadedFile("slides.pdf", b"%PDF-1.4 x"))
    assert m.size == 10 and m.file.name.startswith(f"trainings/{t.lag_id}/{t.pk}/")
    services.material_delete(actor=None, material=m)


def test_staff_cancel_tells_the_person(make_training, person, register, persona, django_capture_on_commit_callbacks, mailoutbox):
    t = make_training(capacity=1)
    a, b = person("A"), person("B")
    ra = register(t, a)
    register(t, b)
    outbox_flush()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=persona("manager"), registration=ra)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([a.email, b.email])  # A told, B promoted
    assert any("cancelled your registration" in m.body for m in mailoutbox if m.to == [a.email])
