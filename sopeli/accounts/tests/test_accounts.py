"""Sign-up, e-mail confirmation, login throttling, password reset and two-factor login."""

import re

import pytest
from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time
from django.core import mail
from django.urls import reverse

from sopeli.accounts.models import Role, User
from sopeli.notifications.models import Message
from sopeli.testing.factories import PASSWORD, SettlementFactory, UserFactory, give_totp, grant_role

pytestmark = pytest.mark.django_db


def current_code(secret: str) -> str:
    return f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"


def test_sign_up_needs_e_mail_confirmation_then_logs_in(client, lag, django_capture_on_commit_callbacks):
    village = SettlementFactory(lag=lag, name_ka="სნო", name_en="Sno")
    with django_capture_on_commit_callbacks(execute=True):  # allauth's e-mails go through the outbox
        response = client.post(reverse("account_signup"), {
            "email": "nino@example.ge", "password1": "mtis-sofeli-2026", "password2": "mtis-sofeli-2026",
            "full_name": "ნინო ჩოფიკაშვილი", "village": village.pk,
        })
    assert response.status_code == 302
    user = User.objects.get(email="nino@example.ge")
    assert user.full_name == "ნინო ჩოფიკაშვილი" and user.village == village
    assert user.password.startswith("argon2")
    # Not yet confirmed: the login is refused until the link in the e-mail is followed.
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_login"), {"login": "nino@example.ge", "password": "mtis-sofeli-2026"})
    assert "_auth_user_id" not in client.session
    assert Message.objects.filter(kind="accounts.message", address="nino@example.ge", status="sent").exists()
    link = re.search(r"https?://\S+/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    client.post(link.split("testserver", 1)[-1])
    client.post(reverse("account_login"), {"login": "nino@example.ge", "password": "mtis-sofeli-2026"})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_up_with_bad_input_is_answered_on_the_form(client):
    response = client.post(reverse("account_signup"), {"email": "not-an-address", "password1": "x", "password2": "y"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.exists()


def test_repeated_failed_logins_are_throttled(client):
    UserFactory(email="giorgi@example.ge")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "giorgi@example.ge", "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": "giorgi@example.ge", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_password_reset_sends_a_link(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="eka@example.ge")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "eka@example.ge"})
    assert [m.to for m in mail.outbox] == [["eka@example.ge"]] and "password/reset/key" in mail.outbox[-1].body
    row = Message.objects.get(kind="accounts.message")
    assert row.user == user and row.channel == "email" and row.status == "sent"


def test_password_reset_with_the_mail_server_down_answers_and_keeps_the_message(client, settings,
                                                                                django_capture_on_commit_callbacks):
    from sopeli.notifications.tests.test_outbox import _free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()
    UserFactory(email="eka@example.ge")
    with django_capture_on_commit_callbacks(execute=True):  # the worker tries at the commit, and fails
        response = client.post(reverse("account_reset_password"), {"email": "eka@example.ge"})
    assert response.status_code == 302
    row = Message.objects.get(kind="accounts.message")
    assert row.status == "pending" and row.attempts == 1 and row.last_error and "password/reset/key" in row.body


@pytest.mark.parametrize("role", [Role.MANAGER, Role.BOARD, Role.EVALUATOR])
def test_privileged_roles_must_set_up_two_factor_login(client, lag, role):
    user = grant_role(UserFactory(), lag, role)
    client.force_login(user)
    response = client.get(reverse("core:lag_home", args=[lag.slug]))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    give_totp(user)
    assert client.get(reverse("core:lag_home", args=[lag.slug])).status_code == 200


@pytest.mark.parametrize("role", [Role.MEMBER, Role.APPLICANT])
def test_other_roles_do_not_need_two_factor_login(client, lag, role):
    client.force_login(grant_role(UserFactory(), lag, role))
    assert client.get(reverse("core:lag_home", args=[lag.slug])).status_code == 200


def test_manager_login_asks_for_the_authenticator_code(client, lag):
    user = grant_role(UserFactory(email="manager@example.ge"), lag, Role.MANAGER)
    secret = give_totp(user)
    response = client.post(reverse("account_login"), {"login": "manager@example.ge", "password": PASSWORD})
    assert response.status_code == 302 and "2fa" in response["Location"]
    assert "_auth_user_id" not in client.session
    assert client.post(response["Location"], {"code": "000000"}).status_code == 200
    assert "_auth_user_id" not in client.session
    client.post(response["Location"], {"code": current_code(secret)})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_profile_keeps_the_phone_private_and_validates_it(client, lag):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("core:profile"), {"full_name": "ლაშა", "phone": "call me"})
    assert response.status_code == 200 and "phone" in response.context["form"].errors
    client.post(reverse("core:profile"), {"full_name": "ლაშა", "phone": "+995 555 12 34 56"})
    user.refresh_from_db()
    assert user.phone == "+995 555 12 34 56"
