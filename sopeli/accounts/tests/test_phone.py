"""Phone-first accounts: sign up and log in with a mobile number and an SMS code; assisted registration
at the LAG office with a one-time login."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from sopeli.accounts import phone as service
from sopeli.accounts.models import LoginLink, PhoneCode, Role, User
from sopeli.accounts.rules import normalise_phone
from sopeli.notifications import sms
from sopeli.testing.factories import PERSONAS, UserFactory, grant_role


@pytest.mark.parametrize("text", ["555 12 34 56", "555123456", "0555-12-34-56", "995555123456", "+995 (555) 12 34 56",
                                  "00995555123456"])
def test_the_ways_people_write_a_georgian_mobile(text):
    assert normalise_phone(text) == "+995555123456"


@pytest.mark.parametrize("text", ["", "hello", "12345", "+995 32 212 34 56", "+995555", "555 12 34 5", "+0123456789"])
def test_what_is_not_a_mobile_number(text):
    assert normalise_phone(text) is None


@given(st.text(max_size=30))
def test_normalising_is_stable(text):
    phone = normalise_phone(text)
    assert phone is None or (phone.startswith("+") and normalise_phone(phone) == phone)


def _code():
    """The code in the last SMS, once the worker has delivered what is due (in a test's transaction the
    commit that would have asked it never comes)."""
    from sopeli.notifications.delivery import deliver_due

    deliver_due()
    return sms.outbox[-1].text.split(":")[1].split(".")[0].strip()


def _ask_code(client, phone="555 12 34 56", next_url=""):
    data = {"phone": phone}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("phone:start"), data)


@pytest.mark.django_db(transaction=True)
def test_a_resident_signs_up_by_phone_and_lands_where_they_were_going(client, lag):
    call_page = f"/en/{lag.slug}/calls/"
    answer = _ask_code(client, next_url=call_page)
    assert answer.status_code == 302 and answer["Location"] == reverse("phone:code")
    assert sms.outbox[-1].to == "+995555123456" and sms.outbox[-1].segments == 1
    answer = client.post(reverse("phone:code"), {"code": _code()})
    assert answer["Location"] == reverse("phone:welcome")
    answer = client.post(reverse("phone:welcome"), {"full_name": "ნინო ბერიძე"})
    assert answer.status_code == 302 and answer["Location"] == call_page
    user = User.objects.get(phone="+995555123456")
    assert user.email is None and user.phone_verified and not user.has_usable_password()
    assert client.get(reverse("core:profile")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_known_number_logs_straight_in_and_the_answer_does_not_tell_who_is_registered(client):
    User.objects.create_user(None, phone="+995555111222", phone_verified=True, full_name="Giorgi")
    known = _ask_code(client, "555 11 12 22")
    unknown = _ask_code(client.__class__(), "555 99 98 97")
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    sms.outbox[:] = [m for m in sms.outbox if m.to == "+995555111222"]
    answer = client.post(reverse("phone:code"), {"code": _code()})
    assert answer.status_code == 302 and answer["Location"] == reverse("core:home")


@pytest.mark.django_db
def test_wrong_codes_are_explained_and_five_wrong_tries_spend_the_code(client):
    _ask_code(client)
    right = _code()
    wrong = "000000" if right != "000000" else "111111"
    answer = client.post(reverse("phone:code"), {"code": wrong})
    assert answer.status_code == 200 and "not right or has expired" in answer.content.decode()
    for _ in range(4):
        client.post(reverse("phone:code"), {"code": wrong})
    answer = client.post(reverse("phone:code"), {"code": right})
    assert "not right or has expired" in answer.content.decode()


@pytest.mark.django_db
def test_an_expired_code_is_refused():
    phone = service.phone_code_send(phone_text="555123456", language="en")
    code = _code()
    assert not service.phone_code_check(phone=phone, code=code, now=timezone.now() + timedelta(minutes=11))
    assert service.phone_code_check(phone=phone, code=code)
    assert not service.phone_code_check(phone=phone, code=code)  # used once


@pytest.mark.django_db
def test_codes_per_number_are_limited_with_a_plain_message(client):
    for _ in range(3):
        _ask_code(client)
    answer = _ask_code(client)
    assert answer.status_code == 200 and "Wait a quarter of an hour" in answer.content.decode()
    assert PhoneCode.objects.count() == 3


@pytest.mark.django_db
def test_a_bad_number_is_explained(client):
    answer = _ask_code(client, "not a phone")
    assert answer.status_code == 200 and "Enter a mobile number" in answer.content.decode()
    assert client.post(reverse("phone:code"), {"code": "1"}).status_code == 302  # no number asked yet: back to start
    assert client.get(reverse("phone:welcome"))["Location"] == reverse("phone:start")


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MANAGER, Role.BOARD, Role.EVALUATOR])
def test_privileged_people_cannot_log_in_by_phone(client, lag, role):
    user = UserFactory(phone="+995555333444", phone_verified=True)
    grant_role(user, lag, role)
    _ask_code(client, "555333444")
    answer = client.post(reverse("phone:code"), {"code": _code()})
    assert answer.status_code == 200 and "authenticator app" in answer.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_email_account_with_an_unproven_phone_is_not_reachable_by_that_phone():
    UserFactory(email="a@example.ge", phone="+995555444555", phone_verified=False)
    assert service.account_for_phone("+995555444555") is None


@pytest.mark.django_db
@pytest.mark.parametrize("who", PERSONAS)
def test_only_a_manager_registers_a_resident(client, lag, persona, who):
    user = persona(who)
    if user:
        client.force_login(user)
    url = reverse("accounts:register_resident", args=[lag.slug])
    answer = client.post(url, {"full_name": "Eka", "phone": "555 66 77 88"})
    created = User.objects.filter(phone="+995555667788").exists()
    assert created == (who == "manager")
    if who == "anonymous":
        assert answer.status_code == 302
    elif who != "manager":
        assert answer.status_code == 403


@pytest.mark.django_db(transaction=True)
def test_assisted_registration_hands_over_a_one_time_login_and_then_the_phone_works(client, lag, persona):
    client.force_login(persona("manager"))
    page = client.post(reverse("accounts:register_resident", args=[lag.slug]),
                       {"full_name": "ეკა", "phone": "555 66 77 88", "send_sms": "on"}).content.decode()
    link = page.split("<code class=\"wrap\">")[1].split("</code>")[0]
    assert "/accounts/phone/once/" in link and "/accounts/phone/once/" in sms.outbox[-1].text
    path = link.split("testserver")[-1]
    resident = client.__class__()
    assert "Log in as" in resident.get(path).content.decode()  # a GET (a link preview) does not use it
    answer = resident.post(path)
    assert answer.status_code == 302
    again = client.__class__().post(path)
    assert "has been used or has expired" in again.content.decode()
    # Later the resident logs in with the phone: the office-made account proves its number.
    phone_client = client.__class__()
    _ask_code(phone_client, "555667788")
    assert phone_client.post(reverse("phone:code"), {"code": _code()})["Location"] == reverse("core:home")
    assert User.objects.get(phone="+995555667788").phone_verified


@pytest.mark.django_db
def test_an_expired_login_link_is_refused_clearly(client, lag, persona):
    user, token = service.resident_register(actor=persona("manager"), lag=lag, full_name="Dato", phone_text="555121212")
    LoginLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    answer = client.post(reverse("phone:once", args=[token]))
    assert answer.status_code == 200 and "has been used or has expired" in answer.content.decode()
    assert "has been used or has expired" in client.get(reverse("phone:once", args=["nonsense"])).content.decode()


@pytest.mark.django_db
def test_a_duplicate_resident_is_refused(lag, persona):
    from django.core.exceptions import ValidationError

    manager = persona("manager")
    service.resident_register(actor=manager, lag=lag, full_name="Dato", phone_text="555121212")
    with pytest.raises(ValidationError, match="already has an account"):
        service.resident_register(actor=manager, lag=lag, full_name="Dato 2", phone_text="+995555121212")


@pytest.mark.django_db
def test_the_login_and_signup_pages_offer_the_phone_way_in(client):
    for name in ("account_login", "account_signup"):
        page = client.get(reverse(name) + "?next=/en/kazbegi/calls/").content.decode()
        assert "Log in or sign up with your phone number" in page and "next=/en/kazbegi/calls/" in page


@pytest.mark.django_db
def test_login_traces_are_forgotten_and_forgetting_twice_changes_nothing(lag, persona):
    service.phone_code_send(phone_text="555123456", language="en")
    _user, _token = service.resident_register(actor=persona("manager"), lag=lag, full_name="Dato", phone_text="555121212")
    later = timezone.now() + timedelta(days=40)
    assert service.login_traces_forget(now=later) == {"codes_forgotten": 1, "links_forgotten": 1}
    assert service.login_traces_forget(now=later) == {"codes_forgotten": 0, "links_forgotten": 0}
