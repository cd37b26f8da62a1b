"""A large synthetic LEADER network for the benchmark, written fast with ``bulk_create``.

Sizes come from the environment (defaults in brackets):
BENCH_LAGS [100] LAGs · BENCH_MEMBERS [10000] members in all · BENCH_MEETINGS [2000] meetings in all ·
BENCH_ITEMS_PER_MEETING [3] · BENCH_VILLAGES_PER_LAG [10] · BENCH_BOARD_SEATS [11] ·
BENCH_FOCUS_SHARE [0.2]: the share of members and meetings that belong to the first LAG, the one
whose pages are measured (so its pages show a big LAG, not an average one).

Only rows go in; no service runs (services are for one write at a time and record audit events
one by one). Outcome JSON is minimal. Must be called after ``django.setup()``.
"""

import os
import random
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

FIRST = ["ნინო", "გიორგი", "თამარ", "დავით", "ლევან", "მარიამ", "ანა", "ირაკლი", "ეკა", "ზურაბ", "ნათია", "ლაშა", "სალომე", "ბექა"]
LAST = ["ბერიძე", "კაპანაძე", "გელაშვილი", "ჩოხელი", "ხეცურიანი", "ყაზბეგი", "სულაძე", "ცისკარიშვილი", "არაბული", "გიგაური"]
KAZBEGI_VILLAGES = [
    ("სტეფანწმინდა", "Stepantsminda"), ("სნო", "Sno"), ("ჯუთა", "Juta"), ("გერგეტი", "Gergeti"),
    ("არშა", "Arsha"), ("გარბანი", "Garbani"), ("ფანშეტი", "Pansheti"), ("ტოხთა", "Tokhta"),
    ("ხურთისი", "Khurtisi"), ("კობი", "Kobi"), ("სიონი", "Sioni"), ("გველეთი", "Gveleti"),
]
GROUPS = [
    ("tourism", "ტურიზმი", "Tourism"), ("farming", "სოფლის მეურნეობა", "Farming"),
    ("women", "ქალები", "Women"), ("youth", "ახალგაზრდები", "Youth"), ("crafts", "ხელობა", "Crafts"),
]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def sizes() -> dict:
    return {
        "lags": env_int("BENCH_LAGS", 100),
        "members": env_int("BENCH_MEMBERS", 10000),
        "meetings": env_int("BENCH_MEETINGS", 2000),
        "items_per_meeting": env_int("BENCH_ITEMS_PER_MEETING", 3),
        "villages_per_lag": env_int("BENCH_VILLAGES_PER_LAG", 10),
        "board_seats": env_int("BENCH_BOARD_SEATS", 11),
        "focus_share": float(os.environ.get("BENCH_FOCUS_SHARE", "0.2")),
    }


def split(total: int, parts: int, focus_share: float) -> list[int]:
    """``total`` spread over ``parts``, the first one taking ``focus_share`` of it."""
    if parts == 1:
        return [total]
    first = max(1, int(total * focus_share))
    rest = total - first
    return [first] + [rest // (parts - 1) + (1 if i < rest % (parts - 1) else 0) for i in range(parts - 1)]


def tr(model, field: str, ka: str, en: str) -> dict:
    """Values for a field that may or may not be registered with modeltranslation."""
    names = {f.name for f in model._meta.get_fields()}
    return {f"{field}_ka": ka, f"{field}_en": en} if f"{field}_ka" in names else {field: ka}


def bulk(model, rows, batch=2000):
    return model.objects.bulk_create(rows, batch_size=batch)


@transaction.atomic
def build(size: dict | None = None, *, seed: int = 7) -> dict:
    from sopeli.accounts.models import Role, RoleGrant, User
    from sopeli.core.models import AuditEvent, Lag, Settlement
    from sopeli.governance.models import (
        AgendaItem,
        Attendance,
        Choice,
        ConflictDeclaration,
        ItemStatus,
        Meeting,
        MeetingStatus,
        Procedure,
        Vote,
    )
    from sopeli.membership.models import (
        Body,
        BodyKind,
        Election,
        Gender,
        InterestGroup,
        Member,
        MembershipEvent,
        MembershipEventKind,
        MemberStatus,
        OrganisationType,
        Seat,
        SeatRole,
        Sector,
    )

    size = size or sizes()
    rnd = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    n_lags = size["lags"]
    member_counts = split(size["members"], n_lags, size["focus_share"])
    meeting_counts = split(size["meetings"], n_lags, size["focus_share"])

    lags = bulk(Lag, [
        Lag(
            slug="kazbegi" if i == 0 else f"lag-{i:03d}",
            name_ka="ყაზბეგის ადგილობრივი სამოქმედო ჯგუფი" if i == 0 else f"ადგილობრივი სამოქმედო ჯგუფი {i}",
            name_en="Kazbegi LAG" if i == 0 else f"Local Action Group {i}",
            municipality_ka="ყაზბეგი" if i == 0 else f"მუნიციპალიტეტი {i}",
            municipality_en="Kazbegi" if i == 0 else f"Municipality {i}",
            region_ka="მცხეთა-მთიანეთი", region_en="Mtskheta-Mtianeti",
            description_ka="სინთეზური მონაცემები წარმადობის გასაზომად.",
            description_en="Synthetic data for the benchmark.",
        )
        for i in range(n_lags)
    ])

    settlements = []
    for i, lag in enumerate(lags):
        for v in range(size["villages_per_lag"]):
            ka, en = KAZBEGI_VILLAGES[v] if i == 0 and v < len(KAZBEGI_VILLAGES) else (f"სოფელი {v + 1}", f"Village {v + 1}")
            settlements.append(Settlement(
                lag=lag, name_ka=ka, name_en=en, population=rnd.randint(40, 2000),
                elevation_m=rnd.randint(1200, 2200), is_centre=(v == 0),
            ))
    settlements = bulk(Settlement, settlements)
    villages_by_lag = {}
    for s in settlements:
        villages_by_lag.setdefault(s.lag_id, []).append(s)

    groups = bulk(InterestGroup, [
        InterestGroup(lag=lag, code=code, name_ka=ka, name_en=en) for lag in lags for code, ka, en in GROUPS
    ])
    groups_by_lag = {}
    for g in groups:
        groups_by_lag.setdefault(g.lag_id, []).append(g)

    sectors = [Sector.PUBLIC, Sector.BUSINESS, Sector.BUSINESS, Sector.CIVIL, Sector.CIVIL]
    types = {
        Sector.PUBLIC: [OrganisationType.MUNICIPALITY, OrganisationType.SCHOOL, OrganisationType.PUBLIC_INSTITUTION],
        Sector.BUSINESS: [OrganisationType.FARMER, OrganisationType.ENTREPRENEUR, OrganisationType.COMPANY, OrganisationType.COOPERATIVE],
        Sector.CIVIL: [OrganisationType.RESIDENT, OrganisationType.NGO],
    }
    members = []
    n = 0
    for lag, count in zip(lags, member_counts, strict=True):
        for _ in range(count):
            n += 1
            sector = sectors[n % len(sectors)]
            members.append(Member(
                lag=lag, name=f"{rnd.choice(FIRST)} {rnd.choice(LAST)} {n}",
                organisation_type=rnd.choice(types[sector]), sector=sector,
                interest_group=rnd.choice(groups_by_lag[lag.id]), gender=rnd.choice([Gender.FEMALE, Gender.MALE]),
                village=rnd.choice(villages_by_lag[lag.id]), email=f"member{n}@bench.example.ge",
                phone=f"+995 555 {n % 1000000:06d}", id_number=f"{10000000000 + n}",
                address=f"ქუჩა {n % 90 + 1}", status=MemberStatus.ACTIVE if n % 20 else MemberStatus.APPLIED,
                decided_at=now - timedelta(days=n % 700),
            ))
    members = bulk(Member, members)
    bulk(MembershipEvent, [MembershipEvent(member=m, kind=MembershipEventKind.APPLIED) for m in members], batch=5000)
    bulk(MembershipEvent, [
        MembershipEvent(member=m, kind=MembershipEventKind.APPROVED) for m in members if m.status == MemberStatus.ACTIVE
    ], batch=5000)
    active_by_lag = {}
    for m in members:
        if m.status == MemberStatus.ACTIVE:
            active_by_lag.setdefault(m.lag_id, []).append(m)

    bodies = []
    for lag in lags:
        bodies += [
            Body(lag=lag, kind=BodyKind.ASSEMBLY, name_ka="საერთო კრება", name_en="General assembly", all_members_sit=True),
            Body(lag=lag, kind=BodyKind.BOARD, name_ka="გამგეობა", name_en="Board"),
            Body(lag=lag, kind=BodyKind.WORKING_GROUP, name_ka="ტურიზმის სამუშაო ჯგუფი", name_en="Tourism working group"),
        ]
    bodies = bulk(Body, bodies)
    elections = bulk(Election, [Election(body=b, held_on=today - timedelta(days=400)) for b in bodies if not b.all_members_sit])
    election_of = {e.body_id: e for e in elections}

    seats, seated = [], {}
    for body in bodies:
        if body.all_members_sit:
            continue
        want = size["board_seats"] if body.kind == BodyKind.BOARD else 7
        pool = active_by_lag.get(body.lag_id, [])
        # Balanced by sector: no sector near 49%.
        by_sector = {s: [m for m in pool if m.sector == s] for s in (Sector.PUBLIC, Sector.BUSINESS, Sector.CIVIL)}
        chosen = []
        while len(chosen) < min(want, len(pool)):
            for s in (Sector.BUSINESS, Sector.CIVIL, Sector.PUBLIC):
                if by_sector[s] and len(chosen) < want:
                    chosen.append(by_sector[s].pop(rnd.randrange(len(by_sector[s]))))
            if not any(by_sector.values()):
                break
        seated[body.id] = chosen
        for k, m in enumerate(chosen):
            seats.append(Seat(
                body=body, member=m, role=SeatRole.CHAIR if k == 0 else SeatRole.MEMBER,
                starts_on=today - timedelta(days=400), election=election_of[body.id],
            ))
    bulk(Seat, seats)

    seated_bodies = {}
    for body in bodies:
        if body.id in seated and seated[body.id]:
            seated_bodies.setdefault(body.lag_id, []).append(body)

    meetings = []
    for lag, count in zip(lags, meeting_counts, strict=True):
        for k in range(count):
            body = seated_bodies[lag.id][0 if k % 4 else -1]  # three in four are board meetings
            future = k % 25 == 0
            starts = now + timedelta(days=7 + k) if future else now - timedelta(days=3 * k + 1, hours=rnd.randint(0, 8))
            meetings.append(Meeting(
                lag=lag, body=body, **tr(Meeting, "title", f"სხდომა №{k + 1}", f"Meeting no. {k + 1}"),
                **tr(Meeting, "place", "სტეფანწმინდა, ბიბლიოთეკა", "Stepantsminda, library"),
                starts_at=starts, status=MeetingStatus.PLANNED if future else MeetingStatus.PUBLISHED,
                invitations_sent_at=starts - timedelta(days=7),
                minutes_published_at=None if future else starts + timedelta(days=2),
            ))
    meetings = bulk(Meeting, meetings)

    attendance, items = [], []
    present_at = {}
    for meeting in meetings:
        sitting = seated[meeting.body_id]
        held = meeting.status != MeetingStatus.PLANNED
        present = [m for m in sitting if held and rnd.random() < 0.85]
        present_at[meeting.id] = present
        attendance += [Attendance(meeting=meeting, member=m, present=m in present) for m in sitting]
        for j in range(size["items_per_meeting"]):
            status = ItemStatus.PENDING if not held else rnd.choice(
                [ItemStatus.APPROVED, ItemStatus.APPROVED, ItemStatus.APPROVED, ItemStatus.REJECTED, ItemStatus.BLOCKED]
            )
            items.append(AgendaItem(
                lag_id=meeting.lag_id, body_id=meeting.body_id, meeting=meeting, procedure=Procedure.MEETING,
                code=f"A-{j + 1:02d}", title_ka=f"საკითხი {j + 1}: პროექტის შერჩევა", title_en=f"Item {j + 1}: project selection",
                description_ka="განსახილველი საკითხის აღწერა.", description_en="What the item is about.",
                is_selection=(j == 0), status=status,
                decided_at=meeting.starts_at + timedelta(hours=1) if held else None,
                outcome={"result": status} if held else {},
            ))
    bulk(Attendance, attendance, batch=5000)
    items = bulk(AgendaItem, items)

    conflicts, votes = [], []
    for item in items:
        present = present_at[item.meeting_id]
        if not present:
            continue
        recused = set()
        if rnd.random() < 0.3:
            m = rnd.choice(present)
            recused.add(m.id)
            conflicts.append(ConflictDeclaration(item=item, member=m, reason="ოჯახური კავშირი განმცხადებელთან"))
        for m in present:
            if m.id not in recused:
                votes.append(Vote(item=item, member=m, choice=rnd.choice([Choice.FOR, Choice.FOR, Choice.AGAINST, Choice.ABSTAIN])))
    bulk(ConflictDeclaration, conflicts, batch=5000)
    bulk(Vote, votes, batch=5000)

    manager = User.objects.create_user("manager@bench.example.ge", "bench-password-not-secret", full_name="ნინო მენეჯერი")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=manager, email=manager.email, verified=True, primary=True)
    RoleGrant.objects.create(user=manager, lag=lags[0], role=Role.MANAGER)
    from sopeli.testing.factories import give_totp

    give_totp(manager)

    events = []
    for meeting in meetings:
        events.append(AuditEvent(
            lag_id=meeting.lag_id, actor=manager if meeting.lag_id == lags[0].id else None, action="meeting.plan",
            target_type="governance.meeting", target_id=str(meeting.id), summary=f"Meeting planned (#{meeting.id})",
        ))
        if meeting.status == MeetingStatus.PUBLISHED:
            events.append(AuditEvent(
                lag_id=meeting.lag_id, actor=None, action="minutes.publish", target_type="governance.meeting",
                target_id=str(meeting.id), summary=f"Minutes published (#{meeting.id})", is_public=True,
            ))
    for m in members:
        events.append(AuditEvent(
            lag_id=m.lag_id, action="member.approve", target_type="membership.member", target_id=str(m.id),
            summary=f"Member approved: {m.name}", is_public=True,
        ))
    bulk(AuditEvent, events, batch=5000)
    if connection.vendor == "postgresql":
        # Spread the timestamps (auto_now_add gave every row the same instant).
        with connection.cursor() as cur:
            cur.execute("UPDATE core_auditevent SET created_at = now() - (id * interval '17 minutes')")
            cur.execute("UPDATE membership_member SET applied_at = now() - (id * interval '2 hours')")

    focus = lags[0]
    board = next(b for b in bodies if b.lag_id == focus.id and b.kind == BodyKind.BOARD)
    minutes_meeting = next(m for m in meetings if m.lag_id == focus.id and m.status == MeetingStatus.PUBLISHED)
    counts = {
        "LAGs": len(lags), "settlements": len(settlements), "members": len(members), "bodies": len(bodies),
        "seats": len(seats), "meetings": len(meetings), "attendance rows": len(attendance),
        "agenda items": len(items), "conflict declarations": len(conflicts), "votes": len(votes),
        "audit events": len(events),
        f"members in {focus.slug}": member_counts[0], f"meetings in {focus.slug}": meeting_counts[0],
    }
    return {"lag": focus, "board": board, "meeting": minutes_meeting, "manager": manager, "counts": counts}


def session_cookie_for(user) -> str:
    """A logged-in session for ``user``, made without a login form (the TOTP step is a login-time check)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
