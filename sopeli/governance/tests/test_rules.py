"""Scenario S1 of the domain notes, exactly, and properties of the 49% rule."""

from hypothesis import given, settings
from hypothesis import strategies as st

from sopeli.governance import rules
from sopeli.governance.rules import APPROVED, BLOCKED, REJECTED, Tally, Voter

BOARD = {
    "M1": Voter("M1", "public", "community"),
    "M2": Voter("M2", "public", "environment"),
    "M3": Voter("M3", "public", "tourism"),
    "M4": Voter("M4", "public", "community"),
    "M5": Voter("M5", "business", "tourism"),
    "M6": Voter("M6", "business", "tourism"),
    "M7": Voter("M7", "business", "agriculture"),
    "M8": Voter("M8", "business", "agriculture"),
    "M9": Voter("M9", "civil", "community"),
    "M10": Voter("M10", "civil", "environment"),
    "M11": Voter("M11", "civil", "tourism"),
}
PRESENT = [BOARD[m] for m in BOARD if m not in {"M8", "M10"}]


def test_s1_quorum_and_shares_of_those_present():
    assert rules.quorum_needed(11) == 6
    assert rules.quorum_met(len(PRESENT), 11)
    comp = rules.composition(PRESENT)
    assert (comp.public.count, comp.total) == (4, 9)
    assert {s.key: s.count for s in comp.groups}["tourism"] == 4
    assert comp.ok


def test_s1_item_a07_conflict_blocks_and_names_both_ways_on():
    voters = [v for v in PRESENT if v.id != "M5"]  # M5 declares a conflict (brother's guesthouse)
    absent = [BOARD["M8"], BOARD["M10"]]
    outcome = rules.decide(
        seats=11, participants=voters, votes={v.id: "for" for v in voters},
        is_selection=True, others_without_conflict=absent,
    )
    assert outcome.result == BLOCKED
    assert [(p.code, p.key, p.count, p.total) for p in outcome.problems] == [("composition", "public", 4, 8)]
    remedies = {r.code: r for r in outcome.remedies}
    written = remedies["written_procedure"]
    assert (written.voters, written.public) == (10, 4)
    assert dict(written.groups)["tourism"] == 3 and written.largest_group_count == 3
    step_out = remedies["step_out"]
    assert (step_out.step_out, step_out.step_out_key, step_out.public, step_out.voters) == (1, "public", 3, 7)


def test_s1_item_a03_approved_but_rejected_under_votes_for_variant():
    votes = {"M1": "for", "M2": "for", "M3": "for", "M4": "for", "M7": "for",
             "M5": "against", "M6": "against", "M9": "against", "M11": "abstain"}
    plain = rules.decide(seats=11, participants=PRESENT, votes=votes)
    assert plain.result == APPROVED
    assert plain.tally == Tally(5, 3, 1)

    strict = rules.decide(seats=11, participants=PRESENT, votes=votes, votes_for_variant=True)
    assert strict.result == REJECTED
    assert [(p.code, p.key, p.count, p.total) for p in strict.problems] == [("for_composition", "public", 4, 5)]


def test_four_public_of_eight_passes_the_50_percent_test_but_fails_the_49_percent_test():
    voters = [Voter(i, "public" if i < 4 else "civil", f"g{i}") for i in range(8)]
    assert rules.selection_majority_met(voters)
    outcome = rules.decide(seats=8, participants=voters, votes={v.id: "for" for v in voters}, is_selection=True)
    assert outcome.result == BLOCKED
    assert {p.code for p in outcome.problems} == {"composition"}


def test_quorum_failure_blocks_and_no_step_out_can_fix_it():
    voters = [Voter(i, "civil", f"g{i}") for i in range(5)]
    outcome = rules.decide(seats=11, participants=voters, votes={v.id: "for" for v in voters})
    assert outcome.result == BLOCKED
    assert outcome.problems[0].code == "quorum" and outcome.problems[0].needed == 6
    assert not [r for r in outcome.remedies if r.code == "step_out"]


def test_majority_counts_abstentions_as_not_for():
    voters = [Voter(i, "civil", f"g{i}") for i in range(6)]
    outcome = rules.decide(seats=6, participants=voters, tally=Tally(3, 1, 2))
    assert outcome.result == REJECTED and outcome.problems[0].code == "majority"


def test_show_of_hands_cannot_be_checked_under_votes_for_variant():
    voters = [Voter(i, "civil", f"g{i}") for i in range(6)]
    outcome = rules.decide(seats=6, participants=voters, tally=Tally(6, 0, 0), votes_for_variant=True)
    assert outcome.result == BLOCKED and outcome.problems[0].code == "for_needs_roll_call"


def test_more_hands_than_participants_is_refused():
    voters = [Voter(i, "civil", f"g{i}") for i in range(6)]
    outcome = rules.decide(seats=6, participants=voters, tally=Tally(5, 2, 0))
    assert outcome.result == BLOCKED and outcome.problems[0].code == "tally_mismatch"


def test_outcome_serialises_for_the_minutes():
    data = rules.decide(seats=11, participants=PRESENT, votes={v.id: "for" for v in PRESENT}).to_dict()
    assert data["result"] == "approved" and data["composition"]["public"] == [4, 9]


def test_integer_arithmetic_at_the_boundary():
    assert rules.share_within_limit(49, 100)
    assert not rules.share_within_limit(50, 100)
    assert not rules.share_within_limit(1, 2)
    assert rules.share_within_limit(0, 0) and not rules.share_within_limit(1, 0)


voter_lists = st.lists(
    st.tuples(st.sampled_from(["public", "business", "civil"]), st.sampled_from(["tourism", "agri", "env", "comm"])),
    min_size=0, max_size=25,
).map(lambda rows: [Voter(i, s, g) for i, (s, g) in enumerate(rows)])


@settings(max_examples=400)
@given(
    voters=voter_lists,
    extra_seats=st.integers(0, 10),
    choices=st.lists(st.sampled_from(["for", "against", "abstain"]), min_size=25, max_size=25),
    is_selection=st.booleans(),
    votes_for_variant=st.booleans(),
)
def test_no_accepted_decision_has_public_or_any_group_above_49_percent(
    voters, extra_seats, choices, is_selection, votes_for_variant
):
    votes = {v.id: choices[i] for i, v in enumerate(voters)}
    outcome = rules.decide(
        seats=len(voters) + extra_seats, participants=voters, votes=votes,
        is_selection=is_selection, votes_for_variant=votes_for_variant,
    )
    if outcome.result == APPROVED:
        public = sum(v.sector == "public" for v in voters)
        assert 100 * public <= 49 * len(voters)
        for group in {v.group for v in voters}:
            assert 100 * sum(v.group == group for v in voters) <= 49 * len(voters)
        assert 2 * sum(c == "for" for c in votes.values()) > len(voters)
        assert rules.quorum_met(len(voters), len(voters) + extra_seats)
        if votes_for_variant:
            backers = [v for v in voters if votes[v.id] == "for"]
            assert 100 * sum(v.sector == "public" for v in backers) <= 49 * len(backers)


@settings(max_examples=300)
@given(voters=voter_lists, others=voter_lists, extra_seats=st.integers(0, 5), is_selection=st.booleans())
def test_every_proposed_remedy_really_is_valid(voters, others, extra_seats, is_selection):
    others = [Voter(("o", v.id), v.sector, v.group) for v in others]
    seats = len(voters) + len(others) + extra_seats
    outcome = rules.decide(seats=seats, participants=voters, votes={v.id: "for" for v in voters},
                           is_selection=is_selection, others_without_conflict=others)
    for remedy in outcome.remedies:
        assert 100 * remedy.public <= 49 * remedy.voters
        assert 100 * remedy.largest_group_count <= 49 * remedy.voters
        assert rules.quorum_met(remedy.voters, seats)
