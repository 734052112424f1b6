"""The count of a heading from the database: what takes part, weights, both rules, the grouped
ballots (GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL) and the Pabulib export."""

from decimal import Decimal

import pytest
from django.utils import timezone

from budgets import pabulib, tally
from budgets.counting import ballot_groups, heading_pabulib_text, heading_tally
from budgets.models import Ballot, BallotLine, BallotStyle, Channel, TallyRule
from tests.budgets.factories import HeadingFactory, InvestmentFactory

pytestmark = pytest.mark.django_db


def ballot(heading, *choices, weight=1, points=None, ranked=False):
    """A ballot with lines in the given order (points per line optional)."""
    made = Ballot.objects.create(
        heading=heading, channel=Channel.IMPORTED, weight=Decimal(str(weight))
    )
    for position, investment in enumerate(choices, start=1):
        BallotLine.objects.create(
            ballot=made,
            investment=investment,
            points=points[position - 1] if points else 1,
            rank=position if ranked else None,
        )
    return made


@pytest.fixture
def heading():
    return HeadingFactory(amount=100)


def projects(heading, *prices, **fields):
    return [
        InvestmentFactory(heading=heading, price=price, author=None, **fields) for price in prices
    ]


def test_greedy_by_votes_only_projects_on_the_ballot(heading, django_assert_max_num_queries):
    a, b, c = projects(heading, 60, 50, 40)
    off = InvestmentFactory(heading=heading, price=10, author=None, selected_for_ballot=False)
    hidden = InvestmentFactory(heading=heading, price=10, author=None, hidden_at=timezone.now())
    ballot(heading, a, b, off, hidden)
    ballot(heading, a, c, off, hidden)
    ballot(heading, a, b, off)
    with django_assert_max_num_queries(6):
        counted = heading_tally(heading)
    assert counted.rule == TallyRule.GREEDY
    assert counted.other_rule == TallyRule.EQUAL_SHARES
    # a (3 votes, 60), b (2 votes, but 50 does not fit in the 40 left), c (1 vote, 40) fits.
    assert counted.winners == [a.pk, c.pk]
    assert counted.votes == {a.pk: 3, b.pk: 2, c.pk: 1}
    assert off.pk not in counted.costs and hidden.pk not in counted.costs
    assert counted.ballots == 3
    assert counted.spent == 100


def test_estimated_cost_until_valuated_and_no_cost_left_out(heading):
    a = InvestmentFactory(heading=heading, price=None, estimated_cost=70, author=None)
    b = InvestmentFactory(heading=heading, price=None, estimated_cost=None, author=None)
    ballot(heading, a, b)
    counted = heading_tally(heading)
    assert counted.costs == {a.pk: 70}
    assert counted.winners == [a.pk]


def test_ballot_weight_counts_as_that_many_ballots(heading):
    a, b = projects(heading, 100, 100)
    ballot(heading, a, weight=2)
    ballot(heading, b)
    ballot(heading, b)  # b: 2 ballots, a: 1 ballot of weight 2 -> tie, same cost: a is first
    counted = heading_tally(heading)
    assert counted.votes == {a.pk: 1, b.pk: 2}
    assert counted.scores == {a.pk: 2, b.pk: 2}
    assert counted.winners == [a.pk]
    ballot(heading, b, weight=Decimal("0.5"))
    assert heading_tally(heading).winners == [b.pk]


def test_cumulative_greedy_by_weighted_points(heading):
    budget = heading.group.budget
    budget.ballot_style = BallotStyle.CUMULATIVE
    budget.save()
    a, b = projects(heading, 100, 100)
    ballot(heading, a, b, points=[1, 9])
    ballot(heading, a, points=[5])
    ballot(heading, a, points=[5])
    counted = heading_tally(heading)
    assert counted.points == {a.pk: 11, b.pk: 9}
    assert counted.votes == {a.pk: 3, b.pk: 1}
    assert counted.winners == [a.pk]


def test_equal_shares_rule_with_greedy_beside_it(heading):
    budget = heading.group.budget
    budget.rule = TallyRule.EQUAL_SHARES
    budget.save()
    # The hand-checked comparison instance of test_tally: 6 want big, 4 want s1 and s2.
    big, s1, s2 = projects(heading, 100, 40, 40)
    for _ in range(6):
        ballot(heading, big)
    for _ in range(4):
        ballot(heading, s2, s1)  # lines in another order: the same ballot
    counted = heading_tally(heading)
    assert counted.rule == TallyRule.EQUAL_SHARES
    assert counted.winners == [s1.pk]
    assert counted.other_winners == [big.pk]
    assert not counted.greedy_preferred
    budget.greedy_comparison = True
    budget.save()
    counted = heading_tally(heading)
    assert counted.greedy_preferred
    assert counted.winners == [big.pk]
    assert (counted.prefer_greedy, counted.prefer_equal_shares) == (6, 4)


def test_identical_ballots_grouped_in_the_database(heading):
    a, b, c = projects(heading, 10, 20, 30)
    ballot(heading, a, b)
    ballot(heading, b, a)
    ballot(heading, a, b, weight=3)
    ballot(heading, c)
    ballot(heading)  # empty: no group
    groups = {
        tuple(members): weight for members, weight in ballot_groups(heading, [a.pk, b.pk, c.pk])
    }
    assert groups == {(a.pk, b.pk): 5, (c.pk,): 1}
    assert ballot_groups(heading, []) == []


def test_grouped_count_equals_the_plain_count(heading):
    investments = projects(heading, 30, 20, 20, 50, 10)
    pattern = [[0, 1], [1, 2, 3], [0], [3, 4], [1, 2, 3], [2], [4, 0], [1, 0]]
    voters = []
    for n in range(40):
        chosen = [investments[i] for i in pattern[n % len(pattern)]]
        ballot(heading, *chosen)
        voters.append(([x.pk for x in chosen], 1))
    costs = {x.pk: x.price for x in investments}
    budget = heading.group.budget
    budget.rule = TallyRule.EQUAL_SHARES
    budget.save()
    assert heading_tally(heading).winners == tally.equal_shares(heading.amount, costs, voters)


@pytest.mark.postgres
def test_signatures_on_postgresql(heading):
    a, b = projects(heading, 10, 20)
    ballot(heading, b, a)
    ballot(heading, a, b)
    assert ballot_groups(heading, [a.pk, b.pk]) == [([a.pk, b.pk], 2)]


def test_export_ranked_keeps_the_order_and_points(heading):
    budget = heading.group.budget
    budget.ballot_style = BallotStyle.RANKED
    budget.ranked_length = 3
    budget.save()
    a, b, c = projects(heading, 50, 50, 50)
    ballot(heading, c, a, b, points=[3, 2, 1], ranked=True)
    ballot(heading, b, c, points=[3, 2], ranked=True)
    parsed = pabulib.parse(heading_pabulib_text(heading))
    assert parsed.vote_type == "ordinal"
    # Rank order within a ballot; the ballots sorted by content (b before c, a, b).
    assert [v.vote for v in parsed.votes] == [
        [str(b.pk), str(c.pk)],
        [str(c.pk), str(a.pk), str(b.pk)],
    ]
    votes, points = parsed.tallies()
    assert points == {str(a.pk): 2, str(b.pk): 4, str(c.pk): 5}
    assert {k for k, p in parsed.projects.items() if p.selected} == {str(c.pk), str(b.pk)}
    assert parsed.projects[str(c.pk)].score == 5


def test_export_cumulative_writes_points(heading):
    budget = heading.group.budget
    budget.ballot_style = BallotStyle.CUMULATIVE
    budget.points_total = 10
    budget.save()
    a, b = projects(heading, 60, 60)
    ballot(heading, a, b, points=[4, 6])
    parsed = pabulib.parse(heading_pabulib_text(heading))
    assert parsed.vote_type == "cumulative"
    assert parsed.meta["max_sum_points"] == "10"
    assert parsed.votes[0].points == [4, 6]
    assert [k for k, p in parsed.projects.items() if p.selected] == [str(b.pk)]


@pytest.mark.parametrize("rule", [TallyRule.GREEDY, TallyRule.EQUAL_SHARES])
def test_ballots_short_of_the_minimums_are_kept_but_not_counted(heading, rule):
    """Ballots are saved as they are built; one left below the fewest projects or the least
    share of the amount is not counted by either rule, the tables or the Pabulib file."""
    budget = heading.group.budget
    budget.rule = rule
    budget.min_projects = 2
    budget.min_spent_share = Decimal("0.5")
    budget.save()
    a, b, c = projects(heading, 40, 20, 10)
    ballot(heading, a, b)  # 2 projects, 60 of 100: counted
    ballot(heading, a, c)  # 2 projects, 50 of 100: counted (the share is reached exactly)
    ballot(heading, b, c)  # 2 projects, 30 of 100: too little spent
    ballot(heading, b)  # 1 project: too few
    counted = heading_tally(heading)
    assert counted.ballots == 2
    assert counted.ballots_not_counted == 2
    assert counted.votes == {a.pk: 2, b.pk: 1, c.pk: 1}
    assert sorted(members for members, _weight in ballot_groups(heading, [a.pk, b.pk, c.pk])) == [
        sorted([a.pk, b.pk]),
        sorted([a.pk, c.pk]),
    ]
    exported = pabulib.parse(heading_pabulib_text(heading))
    assert len(exported.votes) == 2
