import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sopeli.membership.models import Member, MembershipEvent, MemberStatus, Seat
from sopeli.testing.factories import InterestGroupFactory, LagFactory, SettlementFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
PRIVATE = {"phone": "+995 555 987 654", "id_number": "01999888777", "address": "Secret lane 7, Sno",
           "email": "hidden.marker@example.ge"}


def url(name, lag, *args):
    return reverse(f"membership:{name}", args=[lag.slug, *args])


def join_data(groups, villages, **overrides):
    data = {
        "kind": "person", "name": "Tamar Sioni", "representative": "", "organisation_type": "entrepreneur",
        "sector": "business", "interest_group": groups["tourism"].pk, "gender": "female", "village": villages["Juta"].pk,
        "email": "tamar@example.ge", "phone": "", "id_number": "", "address": "", "motivation": "A guesthouse in Juta",
        "consent": "on",
    }
    data.update(overrides)
    return data


def errors_of(response) -> str:
    return response.content.decode()


# --- public pages ---------------------------------------------------------------------------------


def test_public_list_shows_active_members_and_filters(client, lag, groups, villages, make_member):
    make_member(name="Giorgi Farmer", sector="business", interest_group=groups["agriculture"], village=villages["Sno"])
    make_member(name="Nino Guide", sector="civil", interest_group=groups["tourism"], village=villages["Juta"])
    make_member(name="Pending Person", status=MemberStatus.APPLIED, decided_at=None)
    make_member(name="Rejected Person", status=MemberStatus.REJECTED)
    page = client.get(url("members", lag)).content.decode()
    assert "Giorgi Farmer" in page and "Nino Guide" in page
    assert "Pending Person" not in page and "Rejected Person" not in page
    page = client.get(url("members", lag), {"sector": "business"}).content.decode()
    assert "Giorgi Farmer" in page and "Nino Guide" not in page
    page = client.get(url("members", lag), {"village": villages["Juta"].pk}).content.decode()
    assert "Nino Guide" in page and "Giorgi Farmer" not in page
    page = client.get(url("members", lag), {"group": groups["agriculture"].pk}).content.decode()
    assert "Giorgi Farmer" in page and "Nino Guide" not in page
    # A nonsense filter is ignored, not a 500.
    assert client.get(url("members", lag), {"group": "abc", "page": "x"}).status_code == 200
    assert url("join", lag) in page


def test_public_pages_never_show_private_fields(client, lag, groups, villages, board, assembly, make_member):
    member = make_member(name="Marked Member", representative="Hidden Representative", **PRIVATE)
    Seat.objects.create(body=board, member=member, starts_on=timezone.localdate() - DAY)
    pages = [url("members", lag), url("body", lag, board.pk), url("body", lag, assembly.pk),
             reverse("core:lag_home", args=[lag.slug])]
    for address in pages:
        page = client.get(address).content.decode()
        for value in PRIVATE.values():
            assert value not in page, (address, value)
        assert "Hidden Representative" not in page
    assert "Marked Member" in client.get(url("members", lag)).content.decode()
    assert "Marked Member" in client.get(url("body", lag, board.pk)).content.decode()


def test_body_page_shows_composition_seats_and_warning(client, lag, groups, board, make_member):
    today = timezone.localdate()
    for i in range(3):
        m = make_member(name=f"Public {i}", sector="public", interest_group=groups["community"] if i else groups["tourism"])
        Seat.objects.create(body=board, member=m, starts_on=today - DAY, ends_on=today + 300 * DAY)
    m = make_member(name="Business", sector="business", interest_group=groups["agriculture"])
    Seat.objects.create(body=board, member=m, starts_on=today - DAY)
    page = client.get(f"/en/{lag.slug}/bodies/{board.pk}/").content.decode()
    assert "The public sector holds 3 of 4 seats (75%): at most 1 may be public." in page
    assert 'class="fill over" style="width: 75.0%"' in page
    assert "Public 0" in page and "Business" in page
    assert "By gender" in page and "By village" in page


def test_body_page_of_unknown_body_is_404(client, lag):
    assert client.get(url("body", lag, 999)).status_code == 404


# --- joining --------------------------------------------------------------------------------------


def test_join_creates_application_and_thanks(client, lag, groups, villages):
    user = UserFactory(email="tamar@example.ge")
    client.force_login(user)
    response = client.post(url("join", lag), join_data(groups, villages))
    assert response.status_code == 302 and response["Location"] == url("join_thanks", lag)
    member = Member.objects.get(lag=lag)
    assert member.status == MemberStatus.APPLIED and member.user == user
    page = client.get(response["Location"]).content.decode()
    assert "What happens next" in page or "what happens next" in page.lower()
    # The applicant follows the application on their own page.
    page = client.get(url("my_membership", lag)).content.decode()
    assert "Tamar Sioni" in page and "applied" in page


def test_join_form_prefills_from_the_logged_in_user(client, lag, groups, villages):
    client.force_login(UserFactory(email="eka@example.ge", full_name="Eka Gergeti"))
    page = client.get(url("join", lag)).content.decode()
    assert 'value="Eka Gergeti"' in page and 'value="eka@example.ge"' in page
    assert "already have a membership" not in page
    client.post(url("join", lag), join_data(groups, villages, email="eka@example.ge"))
    assert "already have a membership" in client.get(url("join", lag)).content.decode()


@pytest.mark.parametrize("field", ["name", "email", "sector", "interest_group", "village", "gender", "consent"])
def test_join_missing_field_is_a_clear_error(client, lag, groups, villages, field):
    data = join_data(groups, villages)
    data.pop(field)
    response = client.post(url("join", lag), data)
    assert response.status_code == 200
    assert "This field is required." in errors_of(response)
    assert not Member.objects.exists()


def test_join_refuses_group_or_village_of_another_lag(client, lag, groups, villages):
    other = LagFactory(slug="borjomi")
    for key, foreign in (("interest_group", InterestGroupFactory(lag=other)), ("village", SettlementFactory(lag=other))):
        response = client.post(url("join", lag), join_data(groups, villages, **{key: foreign.pk}))
        assert response.status_code == 200
        assert "Select a valid choice" in errors_of(response)
    assert not Member.objects.exists()


def test_join_organisation_without_representative(client, lag, groups, villages):
    response = client.post(url("join", lag), join_data(groups, villages, kind="organisation", name="Kazbegi Tours Ltd"))
    assert response.status_code == 200 and "needs a representative" in errors_of(response)


def test_join_twice_with_same_email_is_refused_with_a_message(client, lag, groups, villages):
    assert client.post(url("join", lag), join_data(groups, villages)).status_code == 302
    response = client.post(url("join", lag), join_data(groups, villages, email="TAMAR@example.ge"))
    assert response.status_code == 200
    assert "already waiting for a decision" in errors_of(response)
    assert Member.objects.count() == 1


def test_join_with_a_bad_phone_number(client, lag, groups, villages):
    response = client.post(url("join", lag), join_data(groups, villages, phone="call me"))
    assert response.status_code == 200 and "+995" in errors_of(response)


def test_join_without_interest_groups_explains(client, lag, villages):
    page = client.get(url("join", lag)).content.decode()
    assert "has not opened its membership yet" in page


# --- manager's pages: decisions and bad input ------------------------------------------------------


@pytest.fixture
def manager_client(client, persona):
    client.force_login(persona("manager"))
    return client


def test_manager_approves_and_the_member_appears_publicly(manager_client, lag, groups, villages, make_member):
    applicant = make_member(name="Waiting Applicant", status=MemberStatus.APPLIED, decided_at=None)
    register = manager_client.get(url("manage_members", lag)).content.decode()
    assert "Waiting Applicant" in register
    response = manager_client.post(url("manage_member_approve", lag, applicant.pk))
    assert response.status_code == 302
    assert "Waiting Applicant" in manager_client.get(url("members", lag)).content.decode()
    detail = manager_client.get(url("manage_member", lag, applicant.pk)).content.decode()
    assert "approved" in detail
    # Approving again: a message, not a 500.
    response = manager_client.post(url("manage_member_approve", lag, applicant.pk))
    assert response.status_code == 200 and "Only an application" in response.content.decode()


def test_reject_without_reason_is_a_clear_error(manager_client, lag, make_member):
    applicant = make_member(status=MemberStatus.APPLIED, decided_at=None)
    response = manager_client.post(url("manage_member_reject", lag, applicant.pk), {"reason": ""})
    assert response.status_code == 200 and "Give the reason" in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.status == MemberStatus.APPLIED


def test_manager_detail_shows_private_fields_and_history(manager_client, lag, make_member):
    member = make_member(name="Private Person", **PRIVATE)
    MembershipEvent.objects.create(member=member, kind="applied")
    page = manager_client.get(url("manage_member", lag, member.pk)).content.decode()
    for value in PRIVATE.values():
        assert value in page


def test_member_edit_records_history(manager_client, lag, groups, villages, make_member):
    member = make_member(name="Old Name", sector="civil")
    data = {"kind": "person", "name": "New Name", "representative": "", "organisation_type": "farmer", "sector": "business",
            "interest_group": groups["tourism"].pk, "gender": "female", "village": villages["Sno"].pk,
            "email": member.email, "phone": "", "id_number": "", "address": ""}
    assert manager_client.post(url("manage_member_edit", lag, member.pk), data).status_code == 302
    member.refresh_from_db()
    assert member.name == "New Name" and member.sector == "business"
    assert member.history.get(kind="changed").data["changes"]["name"] == ["Old Name", "New Name"]
    page = manager_client.get("/en" + url("manage_member", lag, member.pk)[3:]).content.decode()
    assert "name: Old Name → New Name" in page and "interest group:" not in page
    data["village"] = SettlementFactory(lag=LagFactory(slug="elsewhere")).pk
    response = manager_client.post(url("manage_member_edit", lag, member.pk), data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_seat_overlap_and_bad_dates_are_clear_errors(manager_client, lag, board, make_member):
    member = make_member(name="Seated")
    today = timezone.localdate()
    Seat.objects.create(body=board, member=member, starts_on=today - 10 * DAY)
    response = manager_client.post(url("manage_seat_assign", lag, board.pk),
                                   {"member": member.pk, "role": "member", "starts_on": today.isoformat()})
    assert response.status_code == 200 and "would overlap" in response.content.decode()
    other = make_member(name="Other")
    response = manager_client.post(url("manage_seat_assign", lag, board.pk), {
        "member": other.pk, "role": "member", "starts_on": today.isoformat(), "ends_on": (today - DAY).isoformat()})
    assert response.status_code == 200 and "cannot end before it starts" in response.content.decode()
    response = manager_client.post(url("manage_seat_assign", lag, board.pk),
                                   {"member": other.pk, "role": "member", "starts_on": "31.02.2026"})
    assert response.status_code == 200 and "Enter a valid date" in response.content.decode()
    applicant = make_member(status=MemberStatus.APPLIED, decided_at=None)
    response = manager_client.post(url("manage_seat_assign", lag, board.pk),
                                   {"member": applicant.pk, "role": "member", "starts_on": today.isoformat()})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Seat.objects.filter(body=board).count() == 1


def test_seat_end_before_start_is_a_clear_error(manager_client, lag, board, make_member):
    seat = Seat.objects.create(body=board, member=make_member(), starts_on=timezone.localdate())
    response = manager_client.post(url("manage_seat_end", lag, board.pk, seat.pk), {"ends_on": "2001-01-01"})
    assert response.status_code == 200 and "cannot end before it starts" in response.content.decode()


def test_election_is_recorded_and_shown(manager_client, lag, board, make_member):
    a, b = make_member(name="Elected A"), make_member(name="Elected B")
    held = timezone.localdate() - 2 * DAY
    response = manager_client.post(url("manage_election", lag, board.pk), {
        "held_on": held.isoformat(), "elected": [a.pk, b.pk], "chair": a.pk, "term_ends": (held + 1000 * DAY).isoformat(),
        "notes": "Show of hands"})
    assert response.status_code == 302
    page = manager_client.get(url("manage_body", lag, board.pk)).content.decode()
    assert "Elected A" in page and "Show of hands" in page
    response = manager_client.post(url("manage_election", lag, board.pk), {"held_on": held.isoformat()})
    assert response.status_code == 200 and "Choose at least one elected member." in response.content.decode()
    response = manager_client.post(url("manage_election", lag, board.pk), {
        "held_on": (timezone.localdate() + DAY).isoformat(), "elected": [make_member().pk]})
    assert response.status_code == 200 and "in the future" in response.content.decode()


def test_body_and_group_bad_input(manager_client, lag, board, groups):
    response = manager_client.post(url("manage_bodies", lag), {"kind": "board", "name_ka": "", "name_en": "X", "quorum_percent": 100})
    assert response.status_code == 200 and "0 to 99" in response.content.decode()
    response = manager_client.post(url("manage_body_edit", lag, board.pk), {"kind": "board", "name_ka": "", "name_en": "", "quorum_percent": 50})
    assert response.status_code == 200 and "at least one language" in response.content.decode()
    response = manager_client.post(url("manage_groups", lag), {"code": "tourism", "name_ka": "ტ", "name_en": "T"})
    assert response.status_code == 200 and "already has an interest group" in response.content.decode()
    response = manager_client.post(url("manage_groups", lag), {"code": "with space", "name_ka": "ტ", "name_en": "T"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()


def test_member_resigns_from_own_page(client, lag, board, make_member):
    user = UserFactory()
    member = make_member(name="My Own", user=user)
    Seat.objects.create(body=board, member=member, starts_on=timezone.localdate() - 5 * DAY)
    client.force_login(user)
    resign = url("my_membership_resign", lag, member.pk)
    response = client.post(resign, {"reason": "Too busy"})
    assert response.status_code == 200 and "Tick the box" in response.content.decode()
    response = client.post(resign, {"reason": "Too busy", "confirm": "on"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == MemberStatus.RESIGNED
    page = client.get(url("my_membership", lag)).content.decode()
    assert "Too busy" in page and "resigned" in page
    response = client.post(resign, {"confirm": "on"})
    assert response.status_code == 200 and "Only an active membership" in response.content.decode()


# --- query counts: the same with 1 row and with 30 ---------------------------------------------------


def count_queries(client, address) -> int:
    """Queries of an uncached rendering (the LAG home caches its overview between public facts)."""
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(ctx)


def add_rows(lag, groups, villages, board, make_member, n, offset=0):
    group_list, village_list = list(groups.values()), list(villages.values())
    members = []
    for i in range(offset, offset + n):
        status = MemberStatus.APPLIED if i % 5 == 4 else MemberStatus.ACTIVE
        m = make_member(name=f"Member {i:03d}", status=status, interest_group=group_list[i % 4],
                        village=village_list[i % 3], sector=("public", "business", "civil")[i % 3])
        MembershipEvent.objects.create(member=m, kind="applied")
        if status == MemberStatus.ACTIVE:
            Seat.objects.create(body=board, member=m, starts_on=timezone.localdate() - DAY)
        members.append(m)
    return members


@pytest.mark.parametrize("who", ["anonymous", "manager"])
def test_list_pages_cost_a_fixed_number_of_queries(client, lag, persona, groups, villages, board, assembly, make_member, who):
    user = persona(who)
    if user:
        client.force_login(user)
    first = add_rows(lag, groups, villages, board, make_member, 1)[0]
    first.user = user if user else None
    first.save()
    pages = [url("members", lag), url("body", lag, board.pk), url("body", lag, assembly.pk),
             reverse("core:lag_home", args=[lag.slug])]
    if who == "manager":
        pages += [url("manage_members", lag), url("manage_bodies", lag), url("manage_body", lag, board.pk),
                  url("manage_body", lag, assembly.pk), url("manage_groups", lag), url("my_membership", lag),
                  url("manage_member", lag, first.pk)]
    small = {p: count_queries(client, p) for p in pages}
    more = add_rows(lag, groups, villages, board, make_member, 29, offset=1)
    for m in more:  # the manager's own memberships and the first member's history grow too
        if user:
            m.user = user
            m.save(update_fields=["user"])
        MembershipEvent.objects.create(member=first, kind="changed", data={"changes": {"name": ["a", "b"]}})
    large = {p: count_queries(client, p) for p in pages}
    assert large == small
