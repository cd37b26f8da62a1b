import pytest
from django.utils import timezone

from sopeli.membership.models import BodyKind
from sopeli.testing.factories import BodyFactory, InterestGroupFactory, MemberFactory, SettlementFactory


@pytest.fixture
def groups(lag):
    return {
        code: InterestGroupFactory(lag=lag, code=code, name_en=code.title(), name_ka=code)
        for code in ("tourism", "agriculture", "environment", "community")
    }


@pytest.fixture
def villages(lag):
    return {name: SettlementFactory(lag=lag, name_en=name, name_ka=name) for name in ("Sno", "Juta", "Gergeti")}


@pytest.fixture
def board(lag):
    return BodyFactory(lag=lag, kind=BodyKind.BOARD, name_en="Board", name_ka="გამგეობა")


@pytest.fixture
def assembly(lag):
    return BodyFactory(lag=lag, kind=BodyKind.ASSEMBLY, name_en="General assembly", name_ka="საერთო კრება", all_members_sit=True)


@pytest.fixture
def make_member(lag, groups, villages):
    def make(**kwargs):
        kwargs.setdefault("interest_group", groups["tourism"])
        kwargs.setdefault("village", villages["Sno"])
        kwargs.setdefault("decided_at", timezone.now() - timezone.timedelta(days=30))
        return MemberFactory(lag=lag, **kwargs)

    return make


@pytest.fixture
def today():
    return timezone.localdate()
