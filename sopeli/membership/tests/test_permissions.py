"""Every private membership page over every persona."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sopeli.membership.models import Member, MemberStatus, Seat
from sopeli.testing.factories import PERSONAS

pytestmark = pytest.mark.django_db

STAFF_READERS = {"manager", "network_officer"}


@pytest.fixture
def objects(lag, groups, villages, board, make_member):
    member = make_member(name="Active member")
    applicant = make_member(name="Waiting", status=MemberStatus.APPLIED, decided_at=None)
    applicant2 = make_member(name="Also waiting", status=MemberStatus.APPLIED, decided_at=None)
    seat = Seat.objects.create(body=board, member=member, starts_on=timezone.localdate() - datetime.timedelta(days=5))
    return {"member": member, "applicant": applicant, "applicant2": applicant2, "seat": seat, "board": board, "group": groups["tourism"],
            "village": villages["Sno"]}


def staff_get_urls(lag, o):
    s = lag.slug
    return [
        reverse("membership:manage_members", args=[s]),
        reverse("membership:manage_member", args=[s, o["member"].pk]),
        reverse("membership:manage_member_edit", args=[s, o["member"].pk]),
        reverse("membership:manage_groups", args=[s]),
        reverse("membership:manage_group_edit", args=[s, o["group"].pk]),
        reverse("membership:manage_bodies", args=[s]),
        reverse("membership:manage_body", args=[s, o["board"].pk]),
    ]


def staff_posts(lag, o):
    """Every staff POST with valid data, in an order in which each succeeds for a manager."""
    s, m, a, b = lag.slug, o["member"], o["applicant"], o["board"]
    today = timezone.localdate().isoformat()
    return [
        (reverse("membership:manage_member_approve", args=[s, a.pk]), {}),
        (reverse("membership:manage_member_reject", args=[s, o["applicant2"].pk]), {"reason": "Outside the territory"}),
        (reverse("membership:manage_member_edit", args=[s, m.pk]), {
            "kind": "person", "name": "Renamed", "organisation_type": "farmer", "sector": "civil",
            "interest_group": o["group"].pk, "gender": "female", "village": o["village"].pk, "email": "x@example.ge"}),
        (reverse("membership:manage_groups", args=[s]), {"code": "pr", "name_ka": "PR", "name_en": "PR"}),
        (reverse("membership:manage_group_edit", args=[s, o["group"].pk]), {"name_ka": "ტ", "name_en": "T"}),
        (reverse("membership:manage_bodies", args=[s]), {"kind": "working_group", "name_ka": "ჯ", "name_en": "G", "quorum_percent": 50}),
        (reverse("membership:manage_body_edit", args=[s, b.pk]), {"kind": "board", "name_ka": "ბ", "name_en": "B", "quorum_percent": 60}),
        (reverse("membership:manage_seat_end", args=[s, b.pk, o["seat"].pk]), {"ends_on": today}),
        (reverse("membership:manage_seat_assign", args=[s, b.pk]), {"member": m.pk, "role": "member", "starts_on": "2030-01-01", "ends_on": "2030-12-31"}),
        (reverse("membership:manage_election", args=[s, b.pk]), {"held_on": today, "elected": [m.pk], "term_starts": "2031-01-01"}),
        (reverse("membership:manage_member_resign", args=[s, m.pk]), {"reason": ""}),
    ]


@pytest.mark.parametrize("name", PERSONAS)
def test_staff_pages_read(client, lag, persona, objects, name):
    user = persona(name)
    if user:
        client.force_login(user)
    for url in staff_get_urls(lag, objects):
        response = client.get(url)
        if name == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        elif name in STAFF_READERS:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 403, url


@pytest.mark.parametrize("name", PERSONAS)
def test_staff_posts(client, lag, persona, objects, name):
    user = persona(name)
    if user:
        client.force_login(user)
    for url, data in staff_posts(lag, objects):
        before = Member.objects.filter(lag=lag).values_list("status", "name").order_by("pk")
        before = list(before)
        response = client.post(url, data)
        if name == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        elif name == "manager":
            assert response.status_code == 302, (url, [line for line in response.content.decode().splitlines() if "alert" in line])
        else:
            assert response.status_code == 403, url
            assert list(Member.objects.filter(lag=lag).values_list("status", "name").order_by("pk")) == before


@pytest.mark.parametrize("name", PERSONAS)
def test_my_membership_needs_a_login_and_shows_only_ones_own(client, lag, persona, objects, name):
    user = persona(name)
    url = reverse("membership:my_membership", args=[lag.slug])
    if user is None:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        response = client.post(reverse("membership:my_membership_resign", args=[lag.slug, objects["member"].pk]), {"confirm": "on"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert "Active member" not in response.content.decode()
    # Nobody can end someone else's membership from their own page.
    response = client.post(reverse("membership:my_membership_resign", args=[lag.slug, objects["member"].pk]), {"confirm": "on"})
    assert response.status_code == 404
    objects["member"].refresh_from_db()
    assert objects["member"].status == MemberStatus.ACTIVE


def test_staff_pages_of_another_lag_are_404_for_its_objects(client, lag, persona, objects):
    from sopeli.testing.factories import BodyFactory, LagFactory, MemberFactory

    other = LagFactory(slug="borjomi")
    foreign_member, foreign_body = MemberFactory(lag=other), BodyFactory(lag=other)
    client.force_login(persona("manager"))
    assert client.get(reverse("membership:manage_member", args=[lag.slug, foreign_member.pk])).status_code == 404
    assert client.get(reverse("membership:manage_body", args=[lag.slug, foreign_body.pk])).status_code == 404
    assert client.post(reverse("membership:manage_member_approve", args=[lag.slug, foreign_member.pk])).status_code == 404
    assert client.get(reverse("membership:body", args=[lag.slug, foreign_body.pk])).status_code == 404
    # ...and the manager of one LAG is an outsider in another.
    assert client.get(reverse("membership:manage_members", args=[other.slug])).status_code == 403
