"""The board of scenario S1 (domain.md), built in the database through factories and services.

Shared by the governance tests and the browser journeys.
"""

import datetime as dt

from django.utils import timezone

from sopeli.accounts.models import Role
from sopeli.governance import services
from sopeli.membership.models import Sector
from sopeli.testing.factories import (
    BodyFactory,
    InterestGroupFactory,
    MemberFactory,
    SeatFactory,
    UserFactory,
    give_totp,
    grant_role,
)

S1 = {
    "M1": (Sector.PUBLIC, "community"), "M2": (Sector.PUBLIC, "environment"), "M3": (Sector.PUBLIC, "tourism"),
    "M4": (Sector.PUBLIC, "community"), "M5": (Sector.BUSINESS, "tourism"), "M6": (Sector.BUSINESS, "tourism"),
    "M7": (Sector.BUSINESS, "agriculture"), "M8": (Sector.BUSINESS, "agriculture"),
    "M9": (Sector.CIVIL, "community"), "M10": (Sector.CIVIL, "environment"), "M11": (Sector.CIVIL, "tourism"),
}
GROUP_NAMES = {"community": ("თემი", "community"), "environment": ("გარემო", "environment"),
               "tourism": ("ტურიზმი", "tourism"), "agriculture": ("სოფლის მეურნეობა", "agriculture")}


class Board:
    def __init__(self, lag):
        self.lag = lag
        self.groups = {code: InterestGroupFactory(lag=lag, code=code, name_ka=ka, name_en=en)
                       for code, (ka, en) in GROUP_NAMES.items()}
        self.body = BodyFactory(lag=lag, name_ka="პროექტების შემფასებელი კომიტეტი", name_en="Board")
        self.m = {}
        for name, (sector, group) in S1.items():
            user = UserFactory(email=f"{name.lower()}@example.ge", full_name=name)
            grant_role(user, lag, Role.MEMBER)
            member = MemberFactory(lag=lag, name=name, sector=sector, interest_group=self.groups[group],
                                   user=user, email=f"{name.lower()}@example.ge")
            SeatFactory(body=self.body, member=member)
            self.m[name] = member
        self.manager = grant_role(UserFactory(email="manager.s1@example.ge", full_name="Manager"), lag, Role.MANAGER)
        give_totp(self.manager)

    def ids(self, *names):
        return [self.m[n].pk for n in names]

    def meeting(self, **kw):
        return services.meeting_create(
            actor=self.manager, lag=self.lag, body=self.body, title_ka="გამგეობის სხდომა",
            title_en="Board meeting", starts_at=kw.get("starts_at", timezone.now() + dt.timedelta(hours=1)),
            place="სტეფანწმინდა",
        )

    def held_meeting(self):
        meeting = self.meeting()
        present = [n for n in S1 if n not in {"M8", "M10"}]
        services.attendance_record(actor=self.manager, meeting=meeting, present_member_ids=self.ids(*present))
        meeting.refresh_from_db()
        return meeting
