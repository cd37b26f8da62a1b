import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils.translation import override

from sopeli.accounts.models import Role, RoleGrant
from sopeli.core.models import AuditEvent
from sopeli.membership import services
from sopeli.membership.models import (
    Body,
    BodyKind,
    Election,
    MembershipEvent,
    MembershipEventKind,
    MemberStatus,
    Seat,
    SeatRole,
)
from sopeli.testing.factories import InterestGroupFactory, LagFactory, SettlementFactory, UserFactory

pytestmark = pytest.mark.django_db


def apply(lag, groups, villages, **overrides):
    data = dict(
        lag=lag, kind="person", name="Nino Kazbegi", organisation_type="farmer", sector="business",
        interest_group=groups["agriculture"], gender="female", village=villages["Sno"], email="Nino@Example.ge",
        phone="+995 555 11 22 33", id_number="01001012345", address="Sno, 1", motivation="Hay and cheese",
    )
    data.update(overrides)
    return services.member_apply(**data)


def roles(user, lag):
    return set(RoleGrant.objects.filter(user=user, lag=lag).values_list("role", flat=True))


# --- member_apply ---------------------------------------------------------------------------------


def test_apply_creates_an_application_with_event_audit_and_mail(lag, groups, villages, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member = apply(lag, groups, villages)
    assert member.status == MemberStatus.APPLIED
    assert member.email == "nino@example.ge"  # stored lower-cased
    assert list(member.history.values_list("kind", flat=True)) == [MembershipEventKind.APPLIED]
    event = AuditEvent.objects.get(action="membership.applied")
    assert not event.is_public and event.lag == lag
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nino@example.ge"]


def test_apply_links_the_logged_in_user(lag, groups, villages):
    user = UserFactory()
    assert apply(lag, groups, villages, user=user).user == user


def test_an_organisation_needs_a_representative(lag, groups, villages):
    with pytest.raises(ValidationError, match="representative"):
        apply(lag, groups, villages, kind="organisation", name="Juta Guesthouses Ltd", representative="  ")
    org = apply(lag, groups, villages, kind="organisation", name="Juta Guesthouses Ltd", representative="Giorgi")
    assert org.representative == "Giorgi"


def test_a_person_has_no_representative(lag, groups, villages):
    assert apply(lag, groups, villages, representative="someone").representative == ""


@pytest.mark.parametrize("status", [MemberStatus.APPLIED, MemberStatus.ACTIVE])
def test_second_open_application_with_same_email_is_refused(lag, groups, villages, status):
    first = apply(lag, groups, villages)
    first.status = status
    first.save()
    with pytest.raises(ValidationError) as exc:
        apply(lag, groups, villages, email="nino@example.GE", name="Someone else")
    assert ("already" in exc.value.messages[0])
    assert lag.members.count() == 1


def test_same_email_may_apply_again_after_rejection_or_in_another_lag(lag, groups, villages):
    first = apply(lag, groups, villages)
    services.member_reject(actor=None, member=first, reason="Lives outside the territory")
    apply(lag, groups, villages)
    other = LagFactory(slug="borjomi")
    apply(other, {"agriculture": InterestGroupFactory(lag=other)}, {"Sno": SettlementFactory(lag=other)})


def test_group_or_village_of_another_lag_is_refused(lag, groups, villages):
    other = LagFactory(slug="borjomi")
    with pytest.raises(ValidationError, match="interest groups"):
        apply(lag, groups, villages, interest_group=InterestGroupFactory(lag=other))
    with pytest.raises(ValidationError, match="villages"):
        apply(lag, groups, villages, village=SettlementFactory(lag=other))


def test_bad_choice_is_refused(lag, groups, villages):
    with pytest.raises(ValidationError, match="sector"):
        apply(lag, groups, villages, sector="military")


# --- approve / reject -------------------------------------------------------------------------------


def test_approve_activates_grants_member_role_and_publishes(lag, groups, villages, persona, django_capture_on_commit_callbacks):
    manager = persona("manager")
    user = UserFactory(email="nino@example.ge", language="en")
    with django_capture_on_commit_callbacks(execute=True):  # the receipt of the application goes out
        member = apply(lag, groups, villages)  # not linked: found by e-mail
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.member_approve(actor=manager, member=member)
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE and member.decided_at and member.user == user
    assert Role.MEMBER in roles(user, lag)
    event = AuditEvent.objects.get(action="membership.approved")
    assert event.is_public and "joined the LAG" in event.summary and event.actor == manager
    assert [e.kind for e in member.history.all()] == ["applied", "approved"]
    assert len(mail.outbox) == 1 and "approved" in mail.outbox[0].body


def test_approve_twice_is_refused(lag, groups, villages, persona):
    member = apply(lag, groups, villages)
    services.member_approve(actor=persona("manager"), member=member)
    with pytest.raises(ValidationError, match="waits for a decision"):
        services.member_approve(actor=None, member=member)


def test_reject_needs_a_reason_and_mails_it(lag, groups, villages, persona, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member = apply(lag, groups, villages)
    with pytest.raises(ValidationError, match="reason"):
        services.member_reject(actor=persona("manager"), member=member, reason="   ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.member_reject(actor=None, member=member, reason="Lives in Tbilisi, outside the territory")
    member.refresh_from_db()
    assert member.status == MemberStatus.REJECTED
    assert member.history.last().reason == "Lives in Tbilisi, outside the territory"
    assert [m.to for m in mail.outbox] == [["nino@example.ge"]] and "outside the territory" in mail.outbox[0].body
    assert not AuditEvent.objects.get(action="membership.rejected").is_public


# --- resign -----------------------------------------------------------------------------------------


def test_resign_ends_seats_today_and_revokes_roles(lag, groups, villages, board, persona, today):
    user = UserFactory()
    member = apply(lag, groups, villages, user=user)
    services.member_approve(actor=None, member=member)
    seat = services.seat_assign(actor=None, body=board, member=member, starts_on=today - datetime.timedelta(days=10))
    future = Body.objects.create(lag=lag, kind=BodyKind.WORKING_GROUP, name="Tourism group")
    services.seat_assign(actor=None, body=future, member=member, starts_on=today + datetime.timedelta(days=5))
    assert roles(user, lag) == {Role.MEMBER, Role.BOARD}
    services.member_resign(actor=user, member=member, reason="Moving away")
    member.refresh_from_db()
    seat.refresh_from_db()
    assert member.status == MemberStatus.RESIGNED and member.ended_at
    assert seat.ends_on == today
    assert not Seat.objects.filter(body=future).exists()  # a seat that had not begun is cancelled
    assert roles(user, lag) == set()
    assert member.history.last().kind == MembershipEventKind.RESIGNED
    assert AuditEvent.objects.get(action="membership.resigned").is_public


def test_resign_keeps_member_role_held_through_another_membership(lag, groups, villages):
    user = UserFactory()
    person = apply(lag, groups, villages, user=user)
    org = apply(lag, groups, villages, user=user, kind="organisation", name="Sno Coop", representative="Nino",
                email="coop@example.ge")
    services.member_approve(actor=None, member=person)
    services.member_approve(actor=None, member=org)
    services.member_resign(actor=user, member=person)
    assert roles(user, lag) == {Role.MEMBER}


def test_only_active_membership_can_end(lag, groups, villages):
    with pytest.raises(ValidationError, match="active"):
        services.member_resign(actor=None, member=apply(lag, groups, villages))


# --- update -----------------------------------------------------------------------------------------


@override("en")
def test_update_records_what_changed(lag, groups, villages, persona):
    member = apply(lag, groups, villages)
    services.member_update(actor=persona("manager"), member=member,
                           changes={"sector": "civil", "interest_group": groups["community"], "phone": "+995 599 00 00 00"})
    member.refresh_from_db()
    assert member.sector == "civil" and member.interest_group == groups["community"]
    event = MembershipEvent.objects.filter(member=member, kind=MembershipEventKind.CHANGED).get()
    assert event.data["changes"]["sector"] == ["business sector", "civil society"]
    assert event.data["changes"]["interest_group"] == ["Agriculture", "Community"]
    audit = AuditEvent.objects.get(action="membership.changed")
    assert "+995 599" not in str(audit.data)  # private values stay out of the audit trail


def test_update_with_nothing_changed_records_nothing(lag, groups, villages):
    member = apply(lag, groups, villages)
    services.member_update(actor=None, member=member, changes={"sector": "business"})
    assert not MembershipEvent.objects.filter(kind=MembershipEventKind.CHANGED).exists()


def test_update_refuses_another_lags_village_and_duplicate_email(lag, groups, villages):
    member = apply(lag, groups, villages)
    apply(lag, groups, villages, email="other@example.ge", name="Other")
    with pytest.raises(ValidationError, match="villages"):
        services.member_update(actor=None, member=member, changes={"village": SettlementFactory(lag=LagFactory(slug="x"))})
    with pytest.raises(ValidationError, match="already"):
        services.member_update(actor=None, member=member, changes={"email": "OTHER@example.ge"})


# --- interest groups and bodies ------------------------------------------------------------------


def test_interest_group_create_and_rename(lag, persona):
    group = services.interest_group_create(actor=persona("manager"), lag=lag, code="Tourism", name_ka="ტურიზმი", name_en="Tourism")
    assert group.code == "tourism"
    with pytest.raises(ValidationError, match="already has"):
        services.interest_group_create(actor=None, lag=lag, code="tourism", name_ka="x", name_en="x")
    services.interest_group_update(actor=None, group=group, name_ka="ტურიზმი", name_en="Tourism and hospitality")
    group.refresh_from_db()
    assert group.name_en == "Tourism and hospitality"
    with pytest.raises(ValidationError):
        services.interest_group_update(actor=None, group=group, name_ka=" ", name_en="")


def test_body_create_and_update(lag, persona):
    assembly = services.body_create(actor=persona("manager"), lag=lag, kind=BodyKind.ASSEMBLY, name_ka="კრება", name_en="Assembly")
    assert assembly.all_members_sit and assembly.quorum_percent == 50
    board = services.body_create(actor=None, lag=lag, kind=BodyKind.BOARD, name_ka="", name_en="Board", quorum_percent=60)
    assert not board.all_members_sit
    with pytest.raises(ValidationError, match="0 to 99"):
        services.body_create(actor=None, lag=lag, kind=BodyKind.BOARD, name_ka="x", name_en="x", quorum_percent=100)
    services.body_update(actor=None, body=board, kind=BodyKind.BOARD, name_ka="გამგეობა", name_en="Board",
                         quorum_percent=66, all_members_sit=False)
    board.refresh_from_db()
    assert board.quorum_percent == 66 and board.name_ka == "გამგეობა"
    assert AuditEvent.objects.filter(action__startswith="membership.body_").count() == 3


# --- seats and elections ---------------------------------------------------------------------------


def test_seat_assign_grants_board_role_and_refuses_overlap(lag, board, make_member, today):
    user = UserFactory()
    member = make_member(user=user)
    start = today - datetime.timedelta(days=100)
    services.seat_assign(actor=None, body=board, member=member, starts_on=start, ends_on=today + datetime.timedelta(days=100))
    assert Role.BOARD in roles(user, lag)
    with pytest.raises(ValidationError, match="overlap"):
        services.seat_assign(actor=None, body=board, member=member, starts_on=today)
    with pytest.raises(ValidationError, match="overlap"):
        services.seat_assign(actor=None, body=board, member=member, starts_on=start - datetime.timedelta(days=10),
                             ends_on=start)
    # A later, non-overlapping term is fine.
    services.seat_assign(actor=None, body=board, member=member, starts_on=today + datetime.timedelta(days=101))
    assert member.history.filter(kind=MembershipEventKind.SEAT_TAKEN).count() == 2


def test_seat_assign_refuses_bad_input(lag, board, assembly, make_member, today):
    with pytest.raises(ValidationError, match="before it starts"):
        services.seat_assign(actor=None, body=board, member=make_member(), starts_on=today, ends_on=today - datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="not an active member"):
        services.seat_assign(actor=None, body=board, member=make_member(status="applied"), starts_on=today)
    with pytest.raises(ValidationError, match="Only a member of this LAG"):
        other = LagFactory(slug="borjomi")
        from sopeli.testing.factories import MemberFactory

        services.seat_assign(actor=None, body=board, member=MemberFactory(lag=other), starts_on=today)
    with pytest.raises(ValidationError, match="no seats"):
        services.seat_assign(actor=None, body=assembly, member=make_member(), starts_on=today)


def test_seat_end_revokes_board_role(lag, board, make_member, today):
    user = UserFactory()
    seat = services.seat_assign(actor=None, body=board, member=make_member(user=user), starts_on=today - datetime.timedelta(days=5))
    with pytest.raises(ValidationError, match="before it starts"):
        services.seat_end(actor=None, seat=seat, ends_on=today - datetime.timedelta(days=6))
    services.seat_end(actor=None, seat=seat, ends_on=today - datetime.timedelta(days=1))
    seat.refresh_from_db()
    assert seat.ends_on == today - datetime.timedelta(days=1)
    assert Role.BOARD not in roles(user, lag)
    with pytest.raises(ValidationError, match="already ends"):
        services.seat_end(actor=None, seat=seat, ends_on=today)


def test_election_record_creates_seats_for_the_term(lag, board, make_member, today):
    a, b, c = make_member(name="A"), make_member(name="B"), make_member(name="C")
    held = today - datetime.timedelta(days=3)
    election = services.election_record(actor=None, body=board, held_on=held, elected=[a, b, c], chair=b,
                                        term_ends=held.replace(year=held.year + 4), notes="By secret ballot")
    seats = Seat.objects.filter(election=election).order_by("member__name")
    assert [(s.member.name, s.role, s.starts_on) for s in seats] == [
        ("A", SeatRole.MEMBER, held), ("B", SeatRole.CHAIR, held), ("C", SeatRole.MEMBER, held)]
    event = AuditEvent.objects.get(action="membership.election_recorded")
    assert event.is_public and "A, B, C" in event.summary


def test_election_refuses_bad_input_and_rolls_back(lag, board, make_member, today):
    a, b = make_member(name="A"), make_member(name="B")
    services.seat_assign(actor=None, body=board, member=b, starts_on=today - datetime.timedelta(days=30))
    with pytest.raises(ValidationError, match="at least one"):
        services.election_record(actor=None, body=board, held_on=today, elected=[])
    with pytest.raises(ValidationError, match="future"):
        services.election_record(actor=None, body=board, held_on=today + datetime.timedelta(days=1), elected=[a])
    with pytest.raises(ValidationError, match="chair"):
        services.election_record(actor=None, body=board, held_on=today, elected=[a], chair=b)
    with pytest.raises(ValidationError, match="overlap"):
        services.election_record(actor=None, body=board, held_on=today, elected=[a, b])
    assert not Election.objects.exists()
    assert not Seat.objects.filter(member=a).exists()


def test_turning_a_group_into_a_board_grants_the_board_role(lag, make_member, today):
    group = services.body_create(actor=None, lag=lag, kind=BodyKind.WORKING_GROUP, name_ka="ჯ", name_en="Group")
    user = UserFactory()
    services.seat_assign(actor=None, body=group, member=make_member(user=user), starts_on=today)
    assert Role.BOARD not in roles(user, lag)
    services.body_update(actor=None, body=group, kind=BodyKind.BOARD, name_ka="ჯ", name_en="Group",
                         quorum_percent=50, all_members_sit=False)
    assert Role.BOARD in roles(user, lag)
    services.body_update(actor=None, body=group, kind=BodyKind.WORKING_GROUP, name_ka="ჯ", name_en="Group",
                         quorum_percent=50, all_members_sit=False)
    assert Role.BOARD not in roles(user, lag)
