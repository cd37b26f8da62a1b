"""A small, demo-like LAG with every kind of public and private fact the portal shows.

``build_world(lag)`` creates villages, groups, members (active, applied, rejected), bodies with
seats, a meeting with published minutes (roll call with a recusal, show of hands), a closed
written procedure, an unpublished meeting, news (published and draft), a subscription, public
and private audit events, and returns the objects plus ``SECRETS``: a marker planted in every
private field. Anything that serves the public must never contain one of them.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from sopeli.core.audit import audit_record
from sopeli.governance.models import (
    AgendaItem,
    Attendance,
    ConflictDeclaration,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Procedure,
    RecusalKind,
    Vote,
    VotingMethod,
)
from sopeli.membership.models import BodyKind, MemberStatus, Sector
from sopeli.portal.models import News, Subscription
from sopeli.testing.factories import (
    BodyFactory,
    InterestGroupFactory,
    MemberFactory,
    SeatFactory,
    SettlementFactory,
    UserFactory,
)

# One marker per private field; the privacy test looks for the distinctive part "zq" + digits.
SECRETS = {
    "member.id_number": "zq1001",
    "member.phone": "+995 zq1002",
    "member.address": "zq1003 street",
    "member.email": "zq1004@example.ge",
    "member.motivation": "zq1005 motivation",
    "user.phone": "+995 zq1006",
    "user.email": "zq1007@example.ge",
    "applicant.name": "zq1008 Applicant",
    "rejected.name": "zq1009 Rejected",
    "news.draft_title": "zq1010 draft title",
    "news.draft_body": "zq1011 draft body",
    "subscription.email": "zq1012@example.ge",
    "meeting.unpublished_item_title": "zq1013 unpublished item",
    "meeting.unpublished_conflict_reason": "zq1014 conflict reason",
    "meeting.unpublished_notes": "zq1015 notes",
    "audit.private_summary": "zq1016 private event",
    "ledger.phone_in_data": "+995 zq1017",
    "news.unpublished_body": "zq1018 withdrawn body",
}


def _outcome(result, for_, against, abstain, seats, participants):
    return {
        "result": result, "seats": seats, "participants": participants,
        "tally": {"for": for_, "against": against, "abstain": abstain},
        "composition": {"total": participants, "public": [2, participants], "groups": {"tourism": [2, participants]}},
        "for_composition": None, "problems": [], "remedies": [],
    }


def build_world(lag, *, extra_members: int = 0) -> SimpleNamespace:
    s = SECRETS
    now = timezone.now()
    sno = SettlementFactory(lag=lag, name_ka="სნო", name_en="Sno", population=412)
    juta = SettlementFactory(lag=lag, name_ka="ჯუთა", name_en="Juta", population=80)
    tourism = InterestGroupFactory(lag=lag, code="tourism", name_ka="ტურიზმი", name_en="tourism")
    farming = InterestGroupFactory(lag=lag, code="agriculture", name_ka="სოფლის მეურნეობა", name_en="agriculture")

    user = UserFactory(email=s["user.email"], full_name="Nino Public")
    user.phone = s["user.phone"]
    user.save(update_fields=["phone"])

    def member(name, sector, group, village, **kw):
        return MemberFactory(lag=lag, name=name, sector=sector, interest_group=group, village=village, **kw)

    nino = member("Nino Public", Sector.CIVIL, tourism, sno, user=user, id_number=s["member.id_number"],
                  phone=s["member.phone"], address=s["member.address"], email=s["member.email"],
                  motivation=s["member.motivation"])
    mayor = member("Kazbegi Municipality", Sector.PUBLIC, farming, juta)
    guesthouse = member("Guesthouse Sno", Sector.BUSINESS, tourism, sno)
    farmer = member("Farmer Juta", Sector.BUSINESS, farming, juta)
    member(s["applicant.name"], Sector.CIVIL, tourism, sno, status=MemberStatus.APPLIED, decided_at=None)
    member(s["rejected.name"], Sector.CIVIL, tourism, sno, status=MemberStatus.REJECTED)
    for i in range(extra_members):
        member(f"Extra {i}", Sector.CIVIL, tourism, sno)

    assembly = BodyFactory(lag=lag, kind=BodyKind.ASSEMBLY, name_ka="საერთო კრება", name_en="General assembly",
                           all_members_sit=True)
    board = BodyFactory(lag=lag, kind=BodyKind.BOARD, name_ka="გამგეობა", name_en="Board", quorum_percent=50)
    for m in (nino, mayor, guesthouse, farmer):
        SeatFactory(body=board, member=m)

    # A meeting with published minutes: a roll call with a recusal, and a show of hands.
    meeting = Meeting.objects.create(lag=lag, body=board, title_ka="სხდომა", title_en="Board meeting",
                                     starts_at=now - dt.timedelta(days=3), place="Stepantsminda",
                                     status=MeetingStatus.PUBLISHED, minutes_published_at=now - dt.timedelta(days=1),
                                     minutes_notes="Minutes approved.")
    for m in (nino, mayor, guesthouse, farmer):
        Attendance.objects.create(meeting=meeting, member=m, present=True)
    roll = AgendaItem.objects.create(
        lag=lag, body=board, meeting=meeting, code="A-03", title_ka="გზის შეკეთება", title_en="Road repair",
        voting_method=VotingMethod.ROLL_CALL, status=ItemStatus.APPROVED, decided_at=now - dt.timedelta(days=3),
        outcome=_outcome("approved", 2, 1, 0, 4, 3), is_selection=True,
    )
    ConflictDeclaration.objects.create(item=roll, member=guesthouse, kind=RecusalKind.CONFLICT,
                                       reason="the applicant is the owner's brother")
    Vote.objects.create(item=roll, member=nino, choice="for")
    Vote.objects.create(item=roll, member=mayor, choice="for")
    Vote.objects.create(item=roll, member=farmer, choice="against")
    hands = AgendaItem.objects.create(
        lag=lag, body=board, meeting=meeting, code="A-04", title_ka="ბიუჯეტი", title_en="Budget",
        voting_method=VotingMethod.SHOW_OF_HANDS, hands_for=3, hands_against=1, hands_abstain=0,
        status=ItemStatus.REJECTED, decided_at=now - dt.timedelta(days=3), outcome=_outcome("rejected", 1, 3, 0, 4, 4),
    )
    written = AgendaItem.objects.create(
        lag=lag, body=board, procedure=Procedure.WRITTEN, code="A-07", title_ka="სასტუმრო", title_en="Guesthouse",
        opens_at=now - dt.timedelta(days=2), closes_at=now - dt.timedelta(days=1), status=ItemStatus.APPROVED,
        decided_at=now - dt.timedelta(days=1), outcome=_outcome("approved", 3, 0, 0, 4, 3),
    )
    Vote.objects.create(item=written, member=nino, choice="for")

    # Not yet public: a held meeting whose minutes are not published.
    hidden_meeting = Meeting.objects.create(lag=lag, body=board, title_ka="შემდეგი", title_en="Next meeting",
                                            starts_at=now - dt.timedelta(hours=2), place="Sno",
                                            status=MeetingStatus.HELD, minutes_notes=s["meeting.unpublished_notes"])
    hidden = AgendaItem.objects.create(
        lag=lag, body=board, meeting=hidden_meeting, code="B-01", title_ka=s["meeting.unpublished_item_title"],
        title_en=s["meeting.unpublished_item_title"], status=ItemStatus.APPROVED, decided_at=now,
        outcome=_outcome("approved", 3, 0, 0, 4, 3),
    )
    ConflictDeclaration.objects.create(item=hidden, member=farmer, reason=s["meeting.unpublished_conflict_reason"])
    Vote.objects.create(item=hidden, member=nino, choice="for")

    published = News.objects.create(lag=lag, title_ka="ახალი კონკურსი", title_en="New call", body_ka="ტექსტი",
                                    body_en="The call opens in June.", is_published=True,
                                    published_at=now - dt.timedelta(days=1))
    draft = News.objects.create(lag=lag, title_ka=s["news.draft_title"], title_en=s["news.draft_title"],
                                body_ka=s["news.draft_body"], body_en=s["news.draft_body"])
    withdrawn = News.objects.create(lag=lag, title_ka="გაუქმებული", title_en="Withdrawn", is_published=False,
                                    body_ka=s["news.unpublished_body"], body_en=s["news.unpublished_body"],
                                    published_at=now - dt.timedelta(days=2))
    Subscription.objects.create(lag=lag, email=s["subscription.email"], token=f"world-token-{lag.slug}", confirmed_at=now)

    audit_record(actor=None, lag=lag, action="membership.applied", target=nino, summary=s["audit.private_summary"])
    audit_record(actor=None, lag=lag, action="item.approved", target=roll, public=True, summary="A-03 Road repair",
                 data={"outcome": roll.outcome, "votes": {"for": [nino.pk, mayor.pk]}})
    audit_record(actor=None, lag=lag, action="meeting.minutes_published", target=meeting, public=True,
                 summary="Board meeting", data={"phone": s["ledger.phone_in_data"], "meeting": meeting.pk})
    audit_record(actor=None, lag=lag, action="news.published", target=published, public=True,
                 summary=published.title_ka, data={"news": published.pk})

    return SimpleNamespace(
        lag=lag, villages=[sno, juta], groups=[tourism, farming], user=user,
        members=[nino, mayor, guesthouse, farmer], nino=nino, assembly=assembly, board=board,
        meeting=meeting, roll=roll, hands=hands, written=written, hidden_meeting=hidden_meeting, hidden=hidden,
        news=published, draft=draft, withdrawn=withdrawn,
    )
