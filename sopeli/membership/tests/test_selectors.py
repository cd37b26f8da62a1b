import datetime

import pytest
from django.utils import timezone
from django.utils.translation import override

from sopeli.governance.rules import Voter
from sopeli.membership import selectors, services
from sopeli.membership.models import MemberStatus, Seat

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def s1_board(board, make_member, groups, today, public=4):
    """The 11-member board of scenario S1 (or a variant with more public members)."""
    spec = [("public", "community"), ("public", "environment"), ("public", "tourism"), ("public", "community"),
            ("business", "tourism"), ("business", "tourism"), ("business", "agriculture"), ("business", "agriculture"),
            ("civil", "community"), ("civil", "environment"), ("civil", "tourism")]
    members = []
    for i, (sector, group) in enumerate(spec, start=1):
        if public > 4 and sector != "public" and i in (5, 7, 9, 10, 11)[: public - 4]:
            sector = "public"
        m = make_member(name=f"M{i:02d}", sector=sector, interest_group=groups[group])
        Seat.objects.create(body=board, member=m, starts_on=today - 30 * DAY)
        members.append(m)
    return members


def test_seat_holders_for_a_board_follow_terms_and_membership(board, make_member, today):
    current = make_member(name="Current")
    ended = make_member(name="Ended")
    later = make_member(name="Later")
    resigned = make_member(name="Resigned", status=MemberStatus.RESIGNED, ended_at=timezone.now() - 2 * DAY)
    Seat.objects.create(body=board, member=current, starts_on=today - 10 * DAY, ends_on=today)
    Seat.objects.create(body=board, member=ended, starts_on=today - 10 * DAY, ends_on=today - DAY)
    Seat.objects.create(body=board, member=later, starts_on=today + DAY)
    Seat.objects.create(body=board, member=resigned, starts_on=today - 10 * DAY, ends_on=today - 2 * DAY)
    assert [m.name for m in selectors.seat_holders(board)] == ["Current"]
    assert [m.name for m in selectors.seat_holders(board, on=today - 3 * DAY)] == ["Current", "Ended", "Resigned"]
    assert [m.name for m in selectors.seat_holders(board, on=today + DAY)] == ["Later"]


def test_seat_holders_for_the_assembly_are_the_active_members(assembly, make_member, lag, today):
    make_member(name="A")
    make_member(name="B")
    make_member(name="Applicant", status=MemberStatus.APPLIED, decided_at=None)
    make_member(name="Rejected", status=MemberStatus.REJECTED)
    make_member(name="Joined today", decided_at=timezone.now())
    gone = make_member(name="Gone")
    services.member_resign(actor=None, member=gone)
    assert [m.name for m in selectors.seat_holders(assembly)] == ["A", "B", "Joined today"]
    # A week ago "Gone" still sat on the assembly.
    assert [m.name for m in selectors.seat_holders(assembly, on=today - 7 * DAY)] == ["A", "B", "Gone", "Joined today"]


def test_seat_holders_is_one_query_and_feeds_the_rules(board, make_member, groups, today, django_assert_num_queries):
    s1_board(board, make_member, groups, today)
    with django_assert_num_queries(1):
        voters = selectors.voters_for(selectors.seat_holders(board))
    assert len(voters) == 11 and all(isinstance(v, Voter) for v in voters)
    assert sum(v.sector == "public" for v in voters) == 4


def test_s1_board_has_no_composition_warning(lag, board, make_member, groups, today):
    s1_board(board, make_member, groups, today)
    data = selectors.body_composition(lag, board.pk)
    assert data["total"] == 11 and data["warnings"] == []
    public = next(b for b in data["by_sector"] if b.key == "public")
    assert (public.count, public.total, public.percent, public.over) == (4, 11, 36.4, False)
    tourism = next(b for b in data["by_group"] if b.key == "tourism")
    assert (tourism.count, tourism.over) == (4, False)


@override("en")
def test_warning_when_public_sector_can_never_be_within_49_percent(lag, board, make_member, groups, today):
    s1_board(board, make_member, groups, today, public=6)
    data = selectors.body_composition(lag, board.pk)
    assert data["warnings"] == ["The public sector holds 6 of 11 seats (55%): at most 5 may be public."]
    public = next(b for b in data["by_sector"] if b.key == "public")
    assert public.over and public.width == "54.5%"


@override("en")
def test_warning_names_an_over_represented_interest_group(lag, board, make_member, groups, today):
    for i in range(3):
        m = make_member(name=f"T{i}", interest_group=groups["tourism"])
        Seat.objects.create(body=board, member=m, starts_on=today)
    m = make_member(name="F", interest_group=groups["agriculture"])
    Seat.objects.create(body=board, member=m, starts_on=today)
    assert selectors.body_composition(lag, board.pk)["warnings"] == [
        "The interest group “Tourism” holds 3 of 4 seats (75%): at most 1 may come from one group."]


def test_bodies_with_seat_counts_counts_assembly_members(lag, board, assembly, make_member, today):
    Seat.objects.create(body=board, member=make_member(), starts_on=today)
    make_member()
    counts = {b.pk: b.seat_count for b in selectors.bodies_with_seat_counts(lag)}
    assert counts == {board.pk: 1, assembly.pk: 2}


def test_manager_list_puts_applications_first(lag, make_member):
    make_member(name="Aaron")
    make_member(name="Zurab", status=MemberStatus.APPLIED, decided_at=None)
    assert [m.name for m in selectors.manager_members(lag)] == ["Zurab", "Aaron"]
    assert [m.name for m in selectors.manager_members(lag, q="aar")] == ["Aaron"]
    assert [m.name for m in selectors.manager_members(lag, status="applied")] == ["Zurab"]


def test_bodies_composition_matches_each_body_in_fixed_queries(lag, board, assembly, make_member, groups, today,
                                                               django_assert_num_queries):
    s1_board(board, make_member, groups, today, public=6)
    gone = make_member(name="Gone", sector="public")
    Seat.objects.create(body=board, member=gone, starts_on=today - 30 * DAY, ends_on=today - DAY)
    twice = make_member(name="Twice", sector="civil")  # two current seats on one board: one seat holder
    Seat.objects.create(body=board, member=twice, starts_on=today - 30 * DAY)
    Seat.objects.create(body=board, member=twice, starts_on=today - 5 * DAY)
    with django_assert_num_queries(5):
        batched = selectors.bodies_composition(lag)
    one_by_one = {pk: selectors.body_composition(lag, pk) for pk in (board.pk, assembly.pk)}
    assert [d["body"].pk for d in batched] == [b.pk for b in selectors.bodies_with_seat_counts(lag)]
    for d in batched:
        expected = one_by_one[d["body"].pk]
        for key in ("total", "by_sector", "by_group", "by_gender", "by_village", "warnings"):
            assert d[key] == expected[key], key
    assert next(d for d in batched if d["body"].pk == board.pk)["total"] == 12
    assert next(d for d in batched if d["body"].pk == assembly.pk)["total"] == 13
