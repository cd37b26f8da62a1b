"""Every private governance page over every persona, and list pages whose query count does not grow."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sopeli.governance import services
from sopeli.governance.models import AgendaItem, ItemStatus, Meeting, MeetingStatus, Procedure
from sopeli.testing.factories import PERSONAS, BodyFactory, MemberFactory, SeatFactory, UserFactory

pytestmark = pytest.mark.django_db

NO_ACCESS = {"outsider", "applicant", "member", "evaluator", "board"}


@pytest.fixture
def meeting(lag):
    body = BodyFactory(lag=lag)
    SeatFactory(body=body)
    return Meeting.objects.create(lag=lag, body=body, title_ka="სხდომა", title_en="Meeting", place="სნო",
                                  starts_at=timezone.now())


def _staff_pages(meeting):
    slug = meeting.lag.slug
    return [
        reverse("governance:manage_meetings", args=[slug]),
        reverse("governance:manage_meeting", args=[slug, meeting.pk]),
        reverse("governance:manage_procedures", args=[slug]),
        reverse("governance:minutes", args=[slug, meeting.pk]),  # not yet published: a staff preview
        reverse("governance:minutes_pdf", args=[slug, meeting.pk]),
    ]


@pytest.mark.parametrize("name", PERSONAS)
def test_staff_pages_read_by_manager_and_network_officer_only(client, persona, meeting, name):
    user = persona(name)
    if user:
        client.force_login(user)
    for page in _staff_pages(meeting):
        response = client.get(page)
        if name == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], page
        elif name in NO_ACCESS:
            assert response.status_code == 403, page
        else:
            assert response.status_code == 200, page


@pytest.mark.parametrize("name", PERSONAS)
def test_staff_changes_by_manager_only(client, persona, meeting, name):
    user = persona(name)
    if user:
        client.force_login(user)
    slug = meeting.lag.slug
    posts = [
        (reverse("governance:manage_meetings", args=[slug]), {"title_ka": ""}),
        (reverse("governance:manage_meeting", args=[slug, meeting.pk]), {"action": "add_item", "code": "A-1",
                                                                          "title_ka": "პუნქტი"}),
        (reverse("governance:manage_procedures", args=[slug]), {"action": "open"}),
    ]
    for page, data in posts:
        response = client.post(page, data)
        if name == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], page
        elif name == "manager":
            assert response.status_code in (200, 302, 400), page
        else:
            assert response.status_code == 403, page
    expected = 1 if name == "manager" else 0
    assert AgendaItem.objects.filter(meeting=meeting).count() == expected


@pytest.mark.parametrize("name", PERSONAS)
def test_my_votes_needs_a_login_only(client, persona, lag, name):
    user = persona(name)
    if user:
        client.force_login(user)
    response = client.get(reverse("governance:my_votes", args=[lag.slug]))
    if name == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("name", PERSONAS)
def test_public_pages_open_to_everyone(client, persona, lag, meeting, name):
    user = persona(name)
    if user:
        client.force_login(user)
    meeting.status = MeetingStatus.PUBLISHED
    meeting.save()
    assert client.get(reverse("governance:decisions", args=[lag.slug])).status_code == 200
    assert client.get(reverse("governance:minutes", args=[lag.slug, meeting.pk])).status_code == 200


# --- query counts: 1 row vs 30 rows ---------------------------------------------------------------
def _count_queries(client, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(page)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _published_meetings(lag, body, n, start=0):
    now = timezone.now()
    for i in range(start, start + n):
        m = Meeting.objects.create(lag=lag, body=body, title_ka=f"სხდომა {i}", place="სნო",
                                   starts_at=now - dt.timedelta(days=i + 1), status=MeetingStatus.PUBLISHED,
                                   minutes_published_at=now)
        AgendaItem.objects.create(lag=lag, body=body, meeting=m, code=f"A-{i}", title_ka="x",
                                  status=ItemStatus.APPROVED, decided_at=now)


def _procedures(lag, body, n, start=0, status=ItemStatus.APPROVED):
    now = timezone.now()
    return [AgendaItem.objects.create(lag=lag, body=body, procedure=Procedure.WRITTEN, code=f"WP-{i}",
                                      title_ka="x", status=status, opens_at=now - dt.timedelta(days=3),
                                      # Closed ones interleave with the meetings by date (newest first).
                                      closes_at=now + dt.timedelta(days=1) if status == ItemStatus.VOTING
                                      else now - dt.timedelta(days=i % 1000 + 1, hours=1),
                                      decided_at=None if status == ItemStatus.VOTING else now)
            for i in range(start, start + n)]


def test_decisions_page_query_count_does_not_grow(client, lag):
    body = BodyFactory(lag=lag)
    page = reverse("governance:decisions", args=[lag.slug])
    _published_meetings(lag, body, 1)
    _procedures(lag, body, 1)
    one = _count_queries(client, page)
    _published_meetings(lag, body, 29, start=1)
    _procedures(lag, body, 29, start=1)
    assert _count_queries(client, page) == one


def test_manage_meetings_query_count_does_not_grow(client, persona, lag):
    client.force_login(persona("manager"))
    body = BodyFactory(lag=lag)
    page = reverse("governance:manage_meetings", args=[lag.slug])
    _published_meetings(lag, body, 1)
    one = _count_queries(client, page)
    _published_meetings(lag, body, 29, start=1)
    assert _count_queries(client, page) == one


def test_manage_procedures_query_count_does_not_grow(client, persona, lag):
    client.force_login(persona("manager"))
    body = BodyFactory(lag=lag)
    page = reverse("governance:manage_procedures", args=[lag.slug])
    _procedures(lag, body, 1)
    _procedures(lag, body, 1, start=100, status=ItemStatus.VOTING)
    one = _count_queries(client, page)
    _procedures(lag, body, 29, start=1)
    _procedures(lag, body, 29, start=101, status=ItemStatus.VOTING)
    assert _count_queries(client, page) == one


def test_my_votes_query_count_does_not_grow(client, lag):
    user = UserFactory()
    member = MemberFactory(lag=lag, user=user)
    body = BodyFactory(lag=lag)
    SeatFactory(body=body, member=member)
    client.force_login(user)
    page = reverse("governance:my_votes", args=[lag.slug])
    now = timezone.now()

    def add(n, start):
        for item in _procedures(lag, body, n, start=start, status=ItemStatus.VOTING):
            services.procedure_vote(actor=user, item=item, member=member, choice="for", now=now)
        for item in _procedures(lag, body, n, start=start + 1000):
            item.votes.create(member=member, choice="against")
        _procedures(lag, body, n, start=start + 2000, status=ItemStatus.VOTING)

    add(1, 0)
    one = _count_queries(client, page)
    add(29, 1)
    assert _count_queries(client, page) == one


def test_minutes_page_query_count_does_not_grow_with_items(board, client):
    meeting = board.held_meeting()
    present = [board.m[n].pk for n in board.m if n not in {"M8", "M10"}]

    def add(codes):
        for code in codes:
            item = services.item_add(actor=board.manager, meeting=meeting, code=code, title_ka="x")
            services.conflict_declare(actor=board.manager, item=item, member=board.m["M5"], reason="link")
            services.votes_record(actor=board.manager, item=item,
                                  votes={pk: "for" for pk in present if pk != board.m["M5"].pk})
            services.item_decide(actor=board.manager, item=item)

    client.force_login(board.manager)
    page = reverse("governance:minutes", args=[board.lag.slug, meeting.pk])
    manage = reverse("governance:manage_meeting", args=[board.lag.slug, meeting.pk])
    add(["A-01"])
    one, one_manage = (_count_queries(client, p) for p in (page, manage))
    add([f"A-{i:02}" for i in range(2, 31)])
    assert _count_queries(client, page) == one
    assert _count_queries(client, manage) == one_manage
