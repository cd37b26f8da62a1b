"""Builds the demo network: the Kazbegi LAG (as in the domain notes and scenario S1) and a smaller
Borjomi LAG. Base rows are written directly (a fixture loader, not a user action); the meeting
story in ``demo.story`` goes through the real services so its outcomes are computed by the rules.
"""

import base64
import hashlib
import itertools
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from sopeli.accounts.models import Role, RoleGrant, User
from sopeli.core.demo import people, places
from sopeli.core.models import Lag, Settlement
from sopeli.membership.models import (
    Body,
    BodyKind,
    Election,
    InterestGroup,
    Member,
    MembershipEvent,
    MembershipEventKind,
    MemberStatus,
    Seat,
    SeatRole,
)

TERM_START, TERM_END = date(2025, 1, 15), date(2027, 1, 14)


def demo_totp_secret(email: str) -> str:
    """A fixed secret per demo login, so the README and the console agree across runs."""
    return base64.b32encode(hashlib.sha1(f"sopeli-demo:{email}".encode()).digest()).decode()


def make_user(email: str, full_name: str, *, village=None, totp: bool = False, superuser: bool = False) -> User:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    user = User.objects.filter(email=email).first()
    if user is None:
        maker = User.objects.create_superuser if superuser else User.objects.create_user
        user = maker(email, people.DEMO_PASSWORD, full_name=full_name, village=village)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    if totp and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, demo_totp_secret(email))
    return user


def build_lag(spec: dict) -> tuple[Lag, dict[str, Settlement], dict[str, InterestGroup]]:
    lag = Lag.objects.create(
        slug=spec["slug"], name_ka=spec["name"][0], name_en=spec["name"][1],
        municipality_ka=spec["municipality"][0], municipality_en=spec["municipality"][1],
        region_ka=spec["region"][0], region_en=spec["region"][1],
        description_ka=spec["description"][0], description_en=spec["description"][1],
        area_km2=Decimal(spec["area_km2"]), contact_email=f"info@{spec['slug']}.example",
    )
    villages = {}
    for ka, en, population, lat, lon, elevation, centre in spec["settlements"]:
        villages[en] = Settlement.objects.create(
            lag=lag, name_ka=ka, name_en=en, population=population, latitude=Decimal(lat),
            longitude=Decimal(lon), elevation_m=elevation, is_centre=centre,
        )
    groups = {
        code: InterestGroup.objects.create(lag=lag, code=code, name_ka=ka, name_en=en)
        for code, ka, en in spec["interest_groups"]
    }
    return lag, villages, groups


def add_member(lag, *, name, representative="", organisation_type, sector, group, gender, village, user=None, when=None):
    # Private details exist in the demo so that one can see they never reach a public page.
    serial = Member.objects.count() + 1
    kind = "person" if organisation_type in {"resident", "farmer", "entrepreneur"} and not representative else "organisation"
    member = Member.objects.create(
        lag=lag, user=user, kind=kind, name=name, representative=representative,
        organisation_type=organisation_type, sector=sector, interest_group=group, gender=gender,
        village=village, email=(user.email if user else f"member{serial}@{lag.slug}.example"),
        phone=f"+995 599 {serial:02d} {serial * 7 % 100:02d} {serial * 13 % 100:02d}",
        id_number=f"0100{serial:07d}", address=f"{village.name_ka}, N{serial}",
        status=MemberStatus.ACTIVE, decided_at=when or timezone.now(),
    )
    MembershipEvent.objects.create(member=member, kind=MembershipEventKind.APPLIED)
    MembershipEvent.objects.create(member=member, kind=MembershipEventKind.APPROVED)
    if user:
        RoleGrant.objects.get_or_create(user=user, lag=lag, role=Role.MEMBER)
    return member


def generated_members(lag, villages, groups, count: int, *, sectors_cycle, start: int = 0):
    """Ordinary members spread over sectors, groups, villages and genders, deterministically."""
    village_list = list(villages.values())
    group_list = list(groups.values())
    created = []
    names = itertools.product(people.SURNAMES, people.FIRST_F + people.FIRST_M)
    for i in range(count):
        surname, first = next(names)
        n = i + start
        sector = sectors_cycle[n % len(sectors_cycle)]
        female = first in people.FIRST_F
        org_type = {"public": "public_institution", "business": ["farmer", "entrepreneur", "company"][n % 3],
                    "civil": ["resident", "ngo"][n % 2]}[sector]
        name = f"{first} {surname}" if org_type in {"farmer", "entrepreneur", "resident"} else f"{surname}ების {['კოოპერატივი', 'ასოციაცია', 'დაწესებულება'][n % 3]}"
        created.append(add_member(
            lag, name=name, representative="" if org_type in {"farmer", "entrepreneur", "resident"} else f"{first} {surname}",
            organisation_type=org_type, sector=sector, group=group_list[n % len(group_list)],
            gender="female" if female else "male", village=village_list[n % len(village_list)],
        ))
    return created


def seat(body, member, role=SeatRole.MEMBER, election=None):
    Seat.objects.create(body=body, member=member, role=role, starts_on=TERM_START, ends_on=TERM_END, election=election)
    if body.kind == BodyKind.BOARD and member.user_id:
        RoleGrant.objects.get_or_create(user_id=member.user_id, lag=body.lag, role=Role.BOARD)


@transaction.atomic
def build_kazbegi() -> dict:
    lag, villages, groups = build_lag(places.KAZBEGI)
    logins = {}
    manager = make_user("manager@kazbegi.example", "ნათია გიგაური", village=villages["Stepantsminda"], totp=True)
    RoleGrant.objects.create(user=manager, lag=lag, role=Role.MANAGER)
    logins["manager"] = manager
    board_user = make_user("board@kazbegi.example", "თამარ ჩოფიკაშვილი", village=villages["Stepantsminda"], totp=True)
    logins["board member (M9)"] = board_user
    conflicted_user = make_user("guesthouse@kazbegi.example", "დავით სუჯაშვილი", village=villages["Sno"], totp=True)
    logins["board member (M5)"] = conflicted_user

    board_members = {}
    for key, name, rep, org_type, sector, group, gender, village in people.KAZBEGI_BOARD:
        user = {"M9": board_user, "M5": conflicted_user}.get(key)
        board_members[key] = add_member(
            lag, name=name, representative=rep, organisation_type=org_type, sector=sector,
            group=groups[group], gender=gender, village=villages[village], user=user,
        )
    member_user = make_user("member@kazbegi.example", "ლიკა წიკლაური", village=villages["Gergeti"])
    ordinary = [add_member(lag, name="ლიკა წიკლაური", organisation_type="resident", sector="civil",
                           group=groups["community"], gender="female", village=villages["Gergeti"], user=member_user)]
    logins["member"] = member_user
    # 71 members in all: 11 on the board, the demo member, and 59 more.
    ordinary += generated_members(lag, villages, groups, 59, sectors_cycle=["business", "civil", "business", "civil", "public"])

    assembly = Body.objects.create(lag=lag, kind=BodyKind.ASSEMBLY, name_ka="საერთო კრება", name_en="General assembly",
                                   all_members_sit=True, description_ka="ჯგუფის ყველა წევრი.",
                                   description_en="Every member of the LAG.")
    board = Body.objects.create(
        lag=lag, kind=BodyKind.BOARD, name_ka="პროექტების შემფასებელი კომიტეტი", name_en="Project Evaluation Committee",
        description_ka="ირჩევს დასაფინანსებელ პროექტებს.", description_en="Selects the projects to fund.",
    )
    election = Election.objects.create(body=board, held_on=TERM_START, notes="საერთო კრებამ აირჩია 11 წევრი ორი წლის ვადით.")
    for key, member in board_members.items():
        seat(board, member, SeatRole.CHAIR if key == "M9" else SeatRole.MEMBER, election)
    for code, ka, en in [("tourism", "ტურიზმის სამუშაო ჯგუფი", "Tourism working group"),
                         ("agriculture", "სოფლის მეურნეობის სამუშაო ჯგუფი", "Agriculture working group"),
                         ("community", "თემის განვითარების სამუშაო ჯგუფი", "Community working group")]:
        wg = Body.objects.create(lag=lag, kind=BodyKind.WORKING_GROUP, name_ka=ka, name_en=en)
        for member in [m for m in ordinary if m.interest_group.code == code][:6]:
            seat(wg, member)

    evaluator = make_user("evaluator@kazbegi.example", "ირაკლი ჯალაბაძე", totp=True)
    RoleGrant.objects.create(user=evaluator, lag=lag, role=Role.EVALUATOR)
    logins["evaluator"] = evaluator
    applicant = make_user("applicant@kazbegi.example", "მარიამ გუდუშაური", village=villages["Juta"])
    RoleGrant.objects.create(user=applicant, lag=lag, role=Role.APPLICANT)
    logins["applicant"] = applicant
    # A pending application for the manager to decide.
    Member.objects.create(
        lag=lag, kind="person", name="სოფო ყაზბეგი", organisation_type="farmer", sector="business",
        interest_group=groups["agriculture"], gender="female", village=villages["Kobi"],
        email="sopo@kazbegi.example", motivation="მინდა ყველის წარმოების განვითარებაში მონაწილეობა.",
    )
    return {"lag": lag, "assembly": assembly, "board": board, "board_members": board_members, "logins": logins}


@transaction.atomic
def build_borjomi() -> dict:
    lag, villages, groups = build_lag(places.BORJOMI)
    manager = make_user("manager@borjomi.example", "ლელა ბეროშვილი", village=villages["Borjomi"], totp=True)
    RoleGrant.objects.create(user=manager, lag=lag, role=Role.MANAGER)
    members = generated_members(lag, villages, groups, 24, sectors_cycle=["business", "civil", "public", "civil"], start=3)
    Body.objects.create(lag=lag, kind=BodyKind.ASSEMBLY, name_ka="საერთო კრება", name_en="General assembly", all_members_sit=True)
    board = Body.objects.create(lag=lag, kind=BodyKind.BOARD, name_ka="გამგეობა", name_en="Board")
    for member in members[:7]:
        seat(board, member)
    return {"lag": lag, "logins": {"Borjomi manager": manager}}


def build_network_officer() -> User:
    user = make_user("network@sopeli.example", "ვახტანგ ხუციშვილი")
    RoleGrant.objects.get_or_create(user=user, lag=None, role=Role.NETWORK_OFFICER)
    return user
