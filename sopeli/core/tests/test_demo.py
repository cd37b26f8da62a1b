import pytest
from django.core.management import call_command

from sopeli.core.models import Lag
from sopeli.governance import rules
from sopeli.governance.models import AgendaItem, ItemStatus, Meeting, MeetingStatus
from sopeli.membership.models import BodyKind, Member, MemberStatus, Seat


@pytest.mark.django_db
def test_demo_loads_kazbegi_with_the_s1_board_and_a_second_lag_once(capsys):
    call_command("seed_demo", "--if-empty")
    assert set(Lag.objects.values_list("slug", flat=True)) == {"kazbegi", "borjomi"}
    kazbegi = Lag.objects.get(slug="kazbegi")
    assert Member.objects.filter(lag=kazbegi, status=MemberStatus.ACTIVE).count() == 71
    board = Seat.objects.filter(body__lag=kazbegi, body__kind=BodyKind.BOARD).select_related("member", "member__interest_group")
    voters = [rules.Voter(s.member_id, s.member.sector, s.member.interest_group.code) for s in board]
    composition = rules.composition(voters)
    assert (composition.total, composition.public.count) == (11, 4)
    assert composition.ok
    out = capsys.readouterr().out
    assert "manager@kazbegi.example" in out and "authenticator secret" in out

    # The S1 story, computed by the services: A-07 blocked at the meeting, passed in writing.
    items = {(i.code, i.procedure): i for i in AgendaItem.objects.filter(lag=kazbegi)}
    assert items["A-03", "meeting"].status == ItemStatus.APPROVED
    blocked = items["A-07", "meeting"]
    assert blocked.status == ItemStatus.BLOCKED
    assert blocked.outcome["problems"][0]["count"] == 4 and blocked.outcome["problems"][0]["total"] == 8
    assert items["A-07", "written"].status == ItemStatus.APPROVED
    assert items["B-02", "written"].status == ItemStatus.VOTING
    s1_meeting = Meeting.objects.get(lag=kazbegi, items__code="A-03")
    assert s1_meeting.status == MeetingStatus.PUBLISHED and s1_meeting.minutes_ledger_hash

    call_command("seed_demo", "--if-empty")  # a second `make run` changes nothing
    assert Member.objects.filter(lag=kazbegi).count() == 72  # 71 members + 1 pending application
