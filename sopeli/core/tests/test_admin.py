import pytest
from django.urls import reverse

from sopeli.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN_LISTS = ["core_lag", "core_auditevent", "accounts_user", "membership_member", "membership_body",
               "governance_meeting", "governance_agendaitem"]


@pytest.mark.parametrize("model", ADMIN_LISTS)
def test_superuser_configuration_pages_open(client, lag, model):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200


def test_decisions_cannot_be_edited_in_the_admin(client, lag):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:governance_agendaitem_add")).status_code == 403


@pytest.mark.parametrize("who", ["manager", "member"])
def test_lag_roles_do_not_reach_the_admin(client, persona, who):
    client.force_login(persona(who))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
