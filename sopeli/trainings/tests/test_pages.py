"""Training pages: permissions over every persona, a person's own data, bad input, certificates
(real PDFs with Georgian text, a verification page without private data), CSV, query counts."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from sopeli.testing.factories import PERSONAS, LagFactory, SettlementFactory, UserFactory
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

STAFF_READERS = {"manager", "network_officer"}
S = "kazbegi"


def url(name, *args):
    with translation.override("en"):
        return reverse(f"trainings:{name}", args=[S, *args])


def login(client, user):
    if user is not None:
        client.force_login(user)


@pytest.fixture
def world(make_training, past, person, register, villages):
    """An open future training with one seat taken and one waiting; a held one with an attendee
    who has a certificate; a material of each kind."""
    future = make_training(capacity=1)
    a, b = person("ანა მამულაშვილი", "Juta"), person("Bera")
    ra = register(future, a, phone="+995 555 00 11 22")
    rb = register(future, b, gender="male")
    held = past(capacity=10)
    rh = Registration.objects.create(training=held, user=a, full_name=a.full_name, village=villages["Juta"], gender="female",
                                     age_band="30_44", phone="+995 555 00 11 22", status=RegistrationStatus.CONFIRMED,
                                     queued_at=held.created_at)
    services.attendance_record(actor=None, training=held, attended_ids={rh.pk})
    services.certificates_issue(actor=None, training=held)
    public = services.material_add(actor=None, training=future, title_ka="პროგრამა", file=SimpleUploadedFile("agenda.pdf", b"%PDF agenda"),
                                   is_public=True)
    private = services.material_add(actor=None, training=future, title_ka="სლაიდები", file=SimpleUploadedFile("slides.pdf", b"%PDF slides"))
    return {"future": future, "held": held, "a": a, "b": b, "ra": ra, "rb": rb, "rh": rh, "public": public, "private": private,
            "village": villages["Sno"]}


def training_data(place, **over):
    data = {"topic_ka": "სტუმართმოყვარეობის სტანდარტები", "topic_en": "Hospitality standards", "target_group": "entrepreneurs",
            "trainer": "Trainer", "starts_at": "2031-05-10T10:00", "ends_at": "2031-05-10T14:00", "village": place.pk,
            "address": "School", "capacity": "20"}
    data.update(over)
    return data


# --- permissions ---------------------------------------------------------------------------------


def staff_get_urls(w):
    f, h = w["future"], w["held"]
    return [url("manage_list"), url("manage_create"), url("manage_participation"), url("manage_detail", f.pk),
            url("manage_edit", f.pk), url("manage_attendance_csv", h.pk), url("manage_detail", h.pk),
            url("manage_certificate", h.pk, w["rh"].pk)]


def staff_posts(w):
    """Every staff POST with valid data, in an order in which each succeeds for a manager."""
    f, h = w["future"], w["held"]
    v = w["village"].pk
    person = {"walkin-full_name": "გიორგი ყაზბეგი", "walkin-village": v, "walkin-gender": "male", "walkin-age_band": "45_64"}
    return [
        (url("manage_create"), training_data(w["village"])),
        (url("manage_edit", f.pk), training_data(w["village"], capacity="1")),
        (url("manage_walk_in", f.pk), person),
        (url("manage_registration_cancel", f.pk, w["ra"].pk), {}),
        (url("manage_material_add", f.pk), {"title_ka": "ფაილი", "file": SimpleUploadedFile("a.txt", b"hello")}),
        (url("manage_material_delete", f.pk, w["private"].pk), {}),
        (url("manage_attendance", h.pk), {"attended": [w["rh"].pk]}),
        (url("manage_certificates", h.pk), {}),
        (url("manage_status", f.pk), {"status": "cancelled"}),
    ]


@pytest.mark.parametrize("name", PERSONAS)
def test_staff_pages_read(client, persona, world, name):
    login(client, persona(name))
    for u in staff_get_urls(world):
        response = client.get(u)
        if name == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], u
        elif name in STAFF_READERS:
            assert response.status_code == 200, u
        else:
            assert response.status_code == 403, u


@pytest.mark.parametrize("name", PERSONAS)
def test_staff_posts(client, persona, world, name):
    login(client, persona(name))
    before = (Training.objects.count(), Registration.objects.count(), Certificate.objects.count())
    for u, data in staff_posts(world):
        response = client.post(u, data)
        if name == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], u
        elif name == "manager":
            assert response.status_code == 302 and "/manage/trainings/" in response["Location"], (u, response.content[:2000])
        else:
            assert response.status_code == 403, u
    after = (Training.objects.count(), Registration.objects.count(), Certificate.objects.count())
    if name == "manager":
        assert after == (before[0] + 1, before[1] + 1, before[2])
        assert Training.objects.get(pk=world["future"].pk).status == TrainingStatus.CANCELLED
    else:
        assert after == before
        assert Training.objects.get(pk=world["future"].pk).status != TrainingStatus.CANCELLED


@pytest.mark.parametrize("name", PERSONAS)
def test_own_pages_need_login_and_show_only_own(client, persona, world, name):
    user = persona(name)
    login(client, user)
    response = client.get(url("my"))
    if name == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 200
        assert world["a"].full_name not in response.content.decode()
    # someone else's certificate is not found, whoever asks (staff use the staff address)
    response = client.get(url("my_certificate", world["rh"].pk))
    assert response.status_code == (302 if name == "anonymous" else 404)
    for u in (url("register", world["future"].pk), url("cancel", world["future"].pk)):
        response = client.post(u, {})
        if name == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code in (400, 404)  # no registration of theirs / form incomplete
    response = client.get(url("feedback", world["held"].pk))
    assert response.status_code == (302 if name == "anonymous" else 403)


def test_person_sees_own_registrations_and_certificate(client, world):
    client.force_login(world["a"])
    page = client.get(url("my")).content.decode()
    assert world["future"].topic_en in page
    assert url("my_certificate", world["rh"].pk) in page
    response = client.get(url("my_certificate", world["rh"].pk))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    client.force_login(world["b"])
    page = client.get(url("my")).content.decode()
    assert "waiting list, number 1" in client.get(f"/en/{S}/my/trainings/").content.decode()
    assert url("my_certificate", world["rh"].pk) not in page
    assert client.get(url("my_certificate", world["rh"].pk)).status_code == 404


def test_waiting_position_and_cancel_from_the_phone(client, world, person):
    c = person("Chabua")
    client.force_login(c)
    data = {"full_name": "Chabua", "village": world["village"].pk, "gender": "male", "age_band": "18_29"}
    response = client.post(f"/en/{S}/trainings/{world['future'].pk}/register/", data)
    assert response.status_code == 302
    client.post(f"/en/{S}/trainings/{world['future'].pk}/register/", data)  # double click
    assert Registration.objects.filter(user=c).count() == 1
    page = client.get(f"/en/{S}/trainings/{world['future'].pk}/").content.decode()
    assert "You are number 2 on the waiting list" in page
    # A cancels: B gets the seat, Chabua moves up to number 1
    client.force_login(world["a"])
    assert client.post(f"/en/{S}/trainings/{world['future'].pk}/cancel/").status_code == 302
    world["rb"].refresh_from_db()
    assert world["rb"].status == RegistrationStatus.CONFIRMED
    client.force_login(c)
    assert "You are number 1 on the waiting list" in client.get(f"/en/{S}/trainings/{world['future'].pk}/").content.decode()


def test_materials(client, world, person):
    pub, priv = world["public"], world["private"]
    f = world["future"]
    assert client.get(url("material", f.pk, pub.pk)).status_code == 200
    response = client.get(url("material", f.pk, priv.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(person("Stranger"))
    assert client.get(url("material", f.pk, priv.pk)).status_code == 403
    client.force_login(world["b"])  # on the waiting list: registered for the training
    response = client.get(url("material", f.pk, priv.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF slides"
    # another training's id in the address does not reach the file
    assert client.get(url("material", world["held"].pk, priv.pk)).status_code == 404


def test_online_link_only_for_registered(client, make_training, person, register):
    t = make_training(online=True, village=None, online_url="https://meet.example.org/abc-secret")
    u = person()
    assert "abc-secret" not in client.get(url("detail", t.pk)).content.decode()
    register(t, u)
    client.force_login(u)
    assert "abc-secret" in client.get(url("detail", t.pk)).content.decode()


def test_other_lag_training_not_found(client, persona, make_training):
    other = LagFactory(slug="borjomi")
    village = SettlementFactory(lag=other)
    t = make_training(village=village)
    Training.objects.filter(pk=t.pk).update(lag=other)
    client.force_login(persona("manager"))
    assert client.get(url("manage_detail", t.pk)).status_code == 404
    assert client.get(url("detail", t.pk)).status_code == 404


# --- certificates --------------------------------------------------------------------------------


def test_certificate_pdf_is_real_with_georgian_text(client, persona, world):
    from pypdf import PdfReader

    client.force_login(persona("manager"))
    response = client.get(f"/ka/{S}/manage/trainings/{world['held'].pk}/registrations/{world['rh'].pk}/certificate.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "ანა მამულაშვილი" in text
    assert world["held"].topic_ka in text
    assert Certificate.objects.get().code in text


def test_no_certificate_for_absent(client, persona, world):
    rb = Registration.objects.create(training=world["held"], full_name="Absent", gender="male", age_band="18_29",
                                     status=RegistrationStatus.CONFIRMED, attended=False, queued_at=world["held"].created_at)
    services.certificates_issue(actor=None, training=world["held"])
    assert not Certificate.objects.filter(registration=rb).exists()
    client.force_login(persona("manager"))
    assert client.get(url("manage_certificate", world["held"].pk, rb.pk)).status_code == 404


def test_verification_page_shows_no_private_data(client, world):
    cert = Certificate.objects.get()
    response = client.get(f"/en/{S}/trainings/certificates/{cert.code}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "ანა მამულაშვილი" in page and world["held"].topic_en in page and "This certificate is genuine" in page
    for private in ("555 00 11 22", world["a"].email, "Juta", "woman", "30–44"):
        assert private not in page, private
    # lower case and a typed code work too
    assert client.get(f"/en/{S}/trainings/certificates/{cert.code.lower()}/").status_code == 200
    assert client.get(f"/en/{S}/trainings/certificates/?code={cert.code}").status_code == 302


def test_verification_unknown_or_invalid(client, world):
    response = client.get(f"/en/{S}/trainings/certificates/NOPE-12345/")
    assert response.status_code == 404 and "No certificate with the number" in response.content.decode()
    assert client.get(f"/en/{S}/trainings/certificates/{'X' * 300}/").status_code == 404
    cert = Certificate.objects.get()
    services.attendance_record(actor=None, training=world["held"], attended_ids=set())
    assert "no longer valid" in client.get(f"/en/{S}/trainings/certificates/{cert.code}/").content.decode()
    # another LAG cannot verify this LAG's certificate
    LagFactory(slug="borjomi")
    assert client.get(f"/en/borjomi/trainings/certificates/{cert.code}/").status_code == 404


# --- feedback ------------------------------------------------------------------------------------


def test_feedback_page_once(client, world):
    client.force_login(world["a"])
    u = f"/en/{S}/trainings/{world['held'].pk}/feedback/"
    assert client.get(u).status_code == 200
    bad = client.post(u, {"usefulness": "9", "trainer": "4"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
    ok = client.post(u, {"usefulness": "5", "trainer": "4", "organisation": "3", "comment": "ძალიან სასარგებლო"})
    assert ok.status_code == 302
    again = client.get(u)
    assert "already given feedback" in again.content.decode()
    assert client.post(u, {"usefulness": "1", "trainer": "1", "organisation": "1"}).status_code == 200
    assert Feedback.objects.count() == 1


def test_staff_see_averages_and_comments_without_names(client, persona, world, past, person):
    held = world["held"]
    other = person("Second")
    r2 = Registration.objects.create(training=held, user=other, full_name="Second", gender="male", age_band="18_29",
                                     status=RegistrationStatus.CONFIRMED, attended=True, queued_at=held.created_at)
    services.feedback_submit(actor=world["a"], registration=world["rh"], usefulness=5, trainer=4, organisation=3, comment="კარგი")
    services.feedback_submit(actor=other, registration=r2, usefulness=4, trainer=4, organisation=2, comment="")
    client.force_login(persona("network_officer"))
    page = client.get(f"/en/{S}/manage/trainings/{held.pk}/").content.decode()
    assert "4.5 / 5" in page and "4.0 / 5" in page and "2.5 / 5" in page and "კარგი" in page


# --- bad input -----------------------------------------------------------------------------------


def test_bad_input_answered_clearly(client, persona, world):
    client.force_login(persona("manager"))
    f = world["future"]
    v = world["village"]
    cases = [
        (url("manage_create"), training_data(v, ends_at="2031-05-10T09:00"), "must end after it starts"),
        (url("manage_create"), training_data(v, starts_at="not a date"), "Enter a valid date/time"),
        (url("manage_create"), training_data(v, village="", online=""), "Choose the village"),
        (url("manage_create"), training_data(v, capacity="0"), "greater than or equal to 1"),
        (url("manage_create"), training_data(v, registration_deadline="2031-05-11T09:00"), "must close before"),
        (url("manage_walk_in", f.pk), {"walkin-full_name": "", "walkin-gender": "x"}, "This field is required"),
        (url("manage_attendance", f.pk), {"attended": ["abc"]}, "was not understood"),
        (url("manage_attendance", f.pk), {"attended": [world["rh"].pk]}, "once the training has started"),
        (url("manage_certificates", f.pk), {}, "after attendance"),
        (url("manage_status", f.pk), {"status": "bogus"}, "Choose a valid action"),
        (url("manage_status", world["held"].pk), {"status": "open"}, "cannot be set"),
        (url("manage_material_add", f.pk), {"title_ka": "x", "file": SimpleUploadedFile("virus.exe", b"MZ")}, "cannot be uploaded"),
    ]
    for u, data, message in cases:
        response = client.post(u.replace("/ka/", "/en/"), data)
        assert response.status_code == 400, (u, data)
        assert message in response.content.decode(), (u, message)
    response = client.get(url("manage_participation") + "?date_from=2030-01-02&date_to=2030-01-01")
    assert response.status_code == 400 and "must come before" in response.content.decode()
    response = client.get(url("manage_participation") + "?date_from=yesterday")
    assert response.status_code == 400 and "Enter a valid date" in response.content.decode()


def test_register_bad_input(client, world, person):
    client.force_login(person())
    response = client.post(url("register", world["future"].pk), {"full_name": "", "gender": "", "age_band": "99"})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert "Select a valid choice" in response.content.decode()


def test_register_closed_training_answered(client, world, person):
    client.force_login(person())
    data = {"full_name": "X", "gender": "female", "age_band": "18_29"}
    response = client.post(f"/en/{S}/trainings/{world['held'].pk}/register/", data)
    assert response.status_code == 400 and "not open" in response.content.decode()


def test_create_and_open_from_the_page(client, persona, villages):
    client.force_login(persona("manager"))
    response = client.post(url("manage_create"), training_data(villages["Sno"], registration_deadline="2031-05-09T18:00"))
    t = Training.objects.get()
    assert response.status_code == 302
    # typed in Tbilisi time (UTC+4), stored in UTC
    assert t.starts_at.isoformat() == "2031-05-10T06:00:00+00:00"
    client.post(url("manage_status", t.pk), {"status": "open"})
    t.refresh_from_db()
    assert t.status == TrainingStatus.OPEN
    page = client.get(f"/en/{S}/trainings/").content.decode()
    assert "Hospitality standards" in page and "10.05.2031, 10:00" in page


# --- CSV -----------------------------------------------------------------------------------------


def test_attendance_csv_has_no_phone_or_email(client, persona, world):
    client.force_login(persona("network_officer"))
    response = client.get(f"/en/{S}/manage/trainings/{world['held'].pk}/attendance.csv")
    body = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["Name", "Village", "Gender", "Age"]
    assert rows[1][:3] == ["ანა მამულაშვილი", "Juta", "woman"]
    assert rows[1][6] == "yes" and rows[1][7] == Certificate.objects.get().code
    assert "555" not in body and "@" not in body


def test_phones_for_managers_only(client, persona, world):
    client.force_login(persona("manager"))
    assert "555 00 11 22" in client.get(url("manage_detail", world["future"].pk)).content.decode()
    client.force_login(persona("network_officer"))
    assert "555 00 11 22" not in client.get(url("manage_detail", world["future"].pk)).content.decode()


# --- query counts --------------------------------------------------------------------------------


def count_queries(client, u):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(u)
    assert response.status_code == 200, u
    return len(ctx.captured_queries)


def fill(lag, villages, n, *, user=None):
    """n future trainings and n held ones, each with registrations, certificates and feedback."""
    from django.utils import timezone

    now = timezone.now()
    people = [UserFactory() for _ in range(2)]
    for i in range(n):
        for delta, status in ((1, TrainingStatus.OPEN), (-1, TrainingStatus.HELD)):
            starts = now + timezone.timedelta(days=delta * (i + 2))
            t = Training.objects.create(lag=lag, topic_ka=f"ტრენინგი {i}", target_group="farmers", trainer="T", starts_at=starts,
                                        ends_at=starts + timezone.timedelta(hours=2), village=villages["Sno"], capacity=5,
                                        registration_deadline=starts, status=status)
            for j, p in enumerate([user or people[0], people[1]] if user else people):
                held = status == TrainingStatus.HELD
                r = Registration.objects.create(training=t, user=p, full_name=p.full_name, village=villages["Juta"], gender="male",
                                                age_band="18_29", status="confirmed" if j == 0 else "waiting", queued_at=now,
                                                attended=True if held and j == 0 else None)
                if held and j == 0:
                    Certificate.objects.create(registration=r, code=f"C{t.pk}-{j}")
                    Feedback.objects.create(registration=r, usefulness=4, trainer=5, organisation=3, comment="კარგი")


@pytest.mark.parametrize("page", ["list", "manage_list", "my", "manage_participation"])
def test_list_pages_queries_do_not_grow(client, persona, lag, villages, page):
    manager = persona("manager")
    me = UserFactory(email="me@example.ge")
    client.force_login(me if page == "my" else manager)
    fill(lag, villages, 1, user=me)
    few = count_queries(client, url(page))
    fill(lag, villages, 30, user=None)
    Registration.objects.filter(user__isnull=False).exclude(user=me)  # others' rows do not show on "my"
    many_users = UserFactory(email="me2@example.ge")
    client.force_login(many_users if page == "my" else manager)
    if page == "my":
        fill(lag, villages, 1, user=many_users)
        few = count_queries(client, url(page))
        fill(lag, villages, 30, user=many_users)
    assert count_queries(client, url(page)) == few


def test_staff_training_page_queries_do_not_grow(client, persona, lag, villages, make_training, past):
    client.force_login(persona("manager"))
    counts = []
    for n in (1, 30):
        t = past(capacity=100)
        for i in range(n):
            u = UserFactory()
            r = Registration.objects.create(training=t, user=u, full_name=f"P{i}", village=villages["Sno"], gender="female",
                                            age_band="30_44", status="confirmed", attended=True, queued_at=t.created_at)
            Certificate.objects.create(registration=r, code=f"Q{t.pk}-{i}")
            Feedback.objects.create(registration=r, usefulness=5, trainer=5, organisation=5, comment=f"c{i}")
            Registration.objects.create(training=t, full_name=f"W{i}", gender="male", age_band="18_29", status="waiting",
                                        queued_at=t.created_at)
        Training.objects.filter(pk=t.pk).update(status=TrainingStatus.HELD)
        counts.append((count_queries(client, url("manage_detail", t.pk)), count_queries(client, url("detail", t.pk)),
                       count_queries(client, url("manage_attendance_csv", t.pk))))
    assert counts[0] == counts[1]


def test_cancelled_training_tells_registered_people(client, world):
    services.training_set_status(actor=None, training=world["future"], status=TrainingStatus.CANCELLED)
    client.force_login(world["a"])
    page = client.get(f"/en/{S}/trainings/{world['future'].pk}/").content.decode()
    assert "This training has been cancelled." in page
    assert "You are registered." not in page and "Cancel my registration" not in page
    assert client.post(f"/en/{S}/trainings/{world['future'].pk}/cancel/").status_code == 400
