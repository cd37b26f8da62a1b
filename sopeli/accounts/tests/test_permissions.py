"""Every staff page of core and accounts, tried by every role."""

import pytest
from django.urls import reverse

from sopeli.accounts.models import Role, RoleGrant
from sopeli.core.audit import audit_record
from sopeli.testing.factories import PERSONAS, UserFactory

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["core:manage_home", "core:audit_trail", "accounts:manage_people"]
CAN_READ = {"manager", "network_officer"}


@pytest.mark.parametrize("name", STAFF_PAGES)
@pytest.mark.parametrize("who", PERSONAS)
def test_staff_pages_by_role(client, lag, persona, name, who):
    user = persona(who)
    if user:
        client.force_login(user)
    response = client.get(reverse(name, args=[lag.slug]))
    if who == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif who in CAN_READ:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("who", PERSONAS)
def test_only_a_manager_can_grant_roles(client, lag, persona, who):
    user = persona(who)
    target = UserFactory(email="expert@example.ge")
    if user:
        client.force_login(user)
    client.post(reverse("accounts:manage_people", args=[lag.slug]), {"email": "expert@example.ge", "role": "evaluator"})
    granted = RoleGrant.objects.filter(user=target, lag=lag, role=Role.EVALUATOR).exists()
    assert granted == (who == "manager")


def test_granting_a_role_to_an_unknown_address_is_explained(client, lag, persona):
    client.force_login(persona("manager"))
    response = client.post(reverse("accounts:manage_people", args=[lag.slug]), {"email": "nobody@example.ge", "role": "evaluator"})
    assert response.status_code == 200
    assert "sign up first" in response.content.decode()


def test_a_manager_of_another_lag_sees_nothing_here(client, lag):
    from sopeli.testing.factories import LagFactory, make_persona

    other = LagFactory(slug="borjomi")
    client.force_login(make_persona("manager", other))
    assert client.get(reverse("core:audit_trail", args=[lag.slug])).status_code == 403


def test_audit_trail_query_count_does_not_grow(client, lag, persona, django_assert_max_num_queries):
    manager = persona("manager")
    client.force_login(manager)
    audit_record(actor=manager, lag=lag, action="test.one", summary="one")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("core:audit_trail", args=[lag.slug]))
    for i in range(40):
        audit_record(actor=manager, lag=lag, action="test.many", summary=f"event {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("core:audit_trail", args=[lag.slug]))
