"""factory_boy factories and the fixed cast of personas the tests use."""

import factory
from django.utils import timezone

from sopeli.accounts.models import Role, RoleGrant, User
from sopeli.core.models import Lag, Settlement
from sopeli.membership.models import (
    Body,
    BodyKind,
    Gender,
    InterestGroup,
    Member,
    MemberStatus,
    OrganisationType,
    Seat,
    Sector,
)

PASSWORD = "correct-horse-battery-staple"


class LagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lag
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"lag{n}")
    name_ka = factory.Sequence(lambda n: f"ადგილობრივი ჯგუფი {n}")
    name_en = factory.Sequence(lambda n: f"Local Action Group {n}")
    municipality_ka = "ყაზბეგი"
    municipality_en = "Kazbegi"


class SettlementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Settlement

    lag = factory.SubFactory(LagFactory)
    name_ka = factory.Sequence(lambda n: f"სოფელი {n}")
    name_en = factory.Sequence(lambda n: f"Village {n}")
    population = 200


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.ge")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        """Mark the e-mail as confirmed, as allauth would after the link is clicked."""
        if create:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})


class InterestGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterestGroup

    lag = factory.SubFactory(LagFactory)
    code = factory.Sequence(lambda n: f"group{n}")
    name_ka = factory.Sequence(lambda n: f"ჯგუფი {n}")
    name_en = factory.Sequence(lambda n: f"Group {n}")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    lag = factory.SubFactory(LagFactory)
    name = factory.Sequence(lambda n: f"Member {n}")
    organisation_type = OrganisationType.RESIDENT
    sector = Sector.CIVIL
    interest_group = factory.SubFactory(InterestGroupFactory, lag=factory.SelfAttribute("..lag"))
    gender = Gender.FEMALE
    village = factory.SubFactory(SettlementFactory, lag=factory.SelfAttribute("..lag"))
    email = factory.Sequence(lambda n: f"member{n}@example.ge")
    status = MemberStatus.ACTIVE
    decided_at = factory.LazyFunction(timezone.now)


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    lag = factory.SubFactory(LagFactory)
    kind = BodyKind.BOARD
    name_ka = "გამგეობა"
    name_en = "Board"


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    body = factory.SubFactory(BodyFactory)
    member = factory.SubFactory(MemberFactory, lag=factory.SelfAttribute("..body.lag"))
    starts_on = factory.LazyFunction(lambda: timezone.localdate().replace(year=timezone.localdate().year - 1))


def grant_role(user: User, lag: Lag | None, role: Role) -> User:
    RoleGrant.objects.get_or_create(user=user, lag=lag, role=role)
    return user


def give_totp(user: User) -> str:
    """Set up an authenticator for a privileged persona; returns the secret to compute codes."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


# The roles a private page is tested against: every role, plus anonymous and an outsider.
PERSONAS = ["anonymous", "outsider", "applicant", "member", "evaluator", "board", "manager", "network_officer"]


def make_persona(name: str, lag: Lag) -> User | None:
    """A user holding exactly the persona's role in ``lag`` (privileged ones with 2FA set up)."""
    if name == "anonymous":
        return None
    user = UserFactory(email=f"{name}.{lag.slug}@example.ge", full_name=name.title())
    if name == "outsider":
        return user
    if name == "network_officer":
        return grant_role(user, None, Role.NETWORK_OFFICER)
    grant_role(user, lag, Role(name))
    if name in {"manager", "board", "evaluator"}:
        give_totp(user)
    return user
