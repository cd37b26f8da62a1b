"""Plain sentences for every kind of problem and remedy, from stored outcomes."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from sopeli.governance import presentation, rules, services
from sopeli.governance.models import ItemStatus
from sopeli.governance.rules import Tally, Voter
from sopeli.membership.models import BodyKind
from sopeli.testing.factories import BodyFactory, InterestGroupFactory, MemberFactory

NAMES = {"tourism": "tourism", "agri": "agriculture"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def explain(outcome):
    return presentation.explain(outcome.to_dict(), NAMES)


def test_an_interest_group_over_49_percent_and_its_step_out_remedy():
    voters = [Voter(i, "civil", "tourism") for i in range(5)] + [Voter(i + 5, "business", f"g{i}") for i in range(5)]
    outcome = rules.decide(seats=10, participants=voters, votes={v.id: "for" for v in voters})
    text = explain(outcome)
    assert text.result == "blocked"
    assert text.problems == ["tourism: 5 of 10 voters (50%); at most 4 may come from one interest group."]
    assert [r["text"] for r in text.remedies] == ["one more tourism member stepping out: public 0 of 9, tourism 4 of 9"]


def test_quorum_selection_and_tally_sentences():
    quorum = explain(rules.decide(seats=11, participants=[Voter(i, "civil", f"g{i}") for i in range(5)],
                                  tally=Tally(5, 0, 0)))
    assert quorum.problems == ["Quorum not met: 5 members take part; at least 6 of the 11 seats are needed."]
    voters = [Voter(i, "public", f"g{i}") for i in range(3)] + [Voter(i + 3, "civil", f"h{i}") for i in range(2)]
    selection = explain(rules.decide(seats=5, participants=voters, tally=Tally(5, 0, 0), is_selection=True))
    assert ("A selection decision needs at least half of the votes from non-public partners: 2 of 5 voters are "
            "non-public; at least 3 are needed.") in selection.problems
    hands = explain(rules.decide(seats=3, participants=[Voter(i, "civil", f"g{i}") for i in range(3)],
                                 tally=Tally(3, 1, 0)))
    assert hands.problems == ["4 votes were counted but only 3 members take part."]


def test_rejected_for_lack_of_majority_and_hands_under_votes_for_variant():
    voters = [Voter(i, "civil", f"g{i}") for i in range(6)]
    majority = explain(rules.decide(seats=6, participants=voters, tally=Tally(3, 1, 2)))
    assert majority.headline == "Rejected: 3 for, 1 against, 2 abstaining."
    assert majority.problems == ["Not enough votes for: 3 of the 6 members taking part voted for; at least 4 were "
                                 "needed."]
    strict = explain(rules.decide(seats=6, participants=voters, tally=Tally(6, 0, 0), votes_for_variant=True))
    assert "roll call" in strict.problems[0]


def test_no_outcome_means_no_explanation_and_percent_rounds_half_up():
    assert presentation.explain({}) is None
    assert presentation.percent(1, 8) == 13 and presentation.percent(4, 9) == 44 and presentation.percent(0, 0) == 0


@pytest.mark.django_db
def test_the_general_assembly_counts_every_member(lag):
    """All members sit on the assembly: a written procedure's quorum counts all of them."""
    from sopeli.testing.factories import UserFactory

    group = InterestGroupFactory(lag=lag, code="community")
    assembly = BodyFactory(lag=lag, kind=BodyKind.ASSEMBLY, all_members_sit=True, name_ka="საერთო კრება",
                           name_en="General assembly")
    members = [MemberFactory(lag=lag, interest_group=group, sector=("civil", "business", "civil", "business", "public", "public")[i])
               for i in range(6)]
    for i, m in enumerate(members):
        m.interest_group = InterestGroupFactory(lag=lag, code=f"g{i}")
        m.save()
    manager = UserFactory()
    now = timezone.now()
    item = services.procedure_open(actor=manager, lag=lag, body=assembly, code="GA-1", title_ka="სტრატეგია",
                                   closes_at=now + dt.timedelta(hours=1), now=now)
    for m in members[:4]:
        services.procedure_vote(actor=None, item=item, member=m, choice="for", now=now)
    closed = services.procedure_close(actor=manager, item=item, now=item.closes_at + dt.timedelta(seconds=1))
    assert closed.status == ItemStatus.APPROVED and closed.outcome["seats"] == 6
