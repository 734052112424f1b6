"""The aggregation rules: hand-checked instances, a plain exact reference implementation of Equal
Shares on random instances, and the five real Pabulib files against their official outcomes."""

import random
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from django.conf import settings

from budgets import pabulib, tally

DATA = Path(settings.BASE_DIR).parent / "shared" / "data" / "pabulib"


# Greedy ----------------------------------------------------------------------------------


def test_greedy_skips_what_no_longer_fits():
    costs = {"a": 6, "b": 5, "c": 4}
    assert tally.greedy(10, costs, {"a": 3, "b": 2, "c": 1}) == ["a", "c"]


def test_greedy_ties_lower_cost_then_given_order():
    assert tally.greedy(5, {"a": 5, "b": 3}, {"a": 2, "b": 2}) == ["b"]
    assert tally.greedy(5, {"a": 5, "b": 5}, {"a": 2, "b": 2}) == ["a"]
    assert tally.greedy(5, {"b": 5, "a": 5}, {"a": 2, "b": 2}) == ["b"]


def test_greedy_never_funds_a_project_without_votes():
    assert tally.greedy(100, {"a": 5, "b": 5}, {"a": 1}) == ["a"]
    assert tally.greedy(100, {"a": 5}, {"a": 0}) == []


def test_greedy_exact_fractional_scores():
    # 0.1 + 0.2 vs 0.3: floats would call these different.
    scores = {"a": Decimal("0.1") + Decimal("0.2"), "b": Decimal("0.3")}
    assert tally.greedy(5, {"a": 5, "b": 4}, scores) == ["b"]
    assert tally.greedy(10, {"a": 4, "b": 6}, {"a": Fraction(1, 3), "b": Fraction(2, 6)}) == [
        "a",
        "b",
    ]


# Equal Shares, by hand ---------------------------------------------------------------------


def test_equal_shares_prefers_the_widely_shared_project():
    # Shares of 10. z: 3 supporters pay 5 each (rho 1/3) beats x (rho 1/2) and y (rho 1).
    # Then x and y are unaffordable. Completion: from a share of 15, x and y both fit the
    # supporters' money, and the outcome (45) would exceed 30, so share 14 and {z} stay.
    costs = {"x": 20, "y": 10, "z": 15}
    voters = [(["x", "z"], 1), (["x", "z"], 1), (["y", "z"], 1)]
    assert tally.equal_shares(30, costs, voters, completion=False) == ["z"]
    details = tally.equal_shares_details(30, costs, voters)
    assert details.winners == ["z"]
    assert details.increments == 4


def test_equal_shares_completion_until_exhaustive():
    # Shares of 25 fund nothing; at 30 a (60, two supporters) and then b (30) are funded;
    # 90 of 100 is spent and c (40) cannot fit any more: exhaustive, stop.
    costs = {"a": 60, "b": 30, "c": 40}
    voters = [(["a"], 1), (["a"], 1), (["b"], 1), (["c"], 1)]
    assert tally.equal_shares(100, costs, voters, completion=False) == []
    details = tally.equal_shares_details(100, costs, voters)
    assert details.winners == ["a", "b"]
    assert details.increments == 5


def test_equal_shares_tie_lower_cost_first():
    # Two voters with shares of 10 approve both: a costs 20 (each pays 10, rho 1/2), b costs 10
    # (each pays 5, rho 1/2). Equal rho: the cheaper b wins, and a can no longer be paid.
    assert tally.equal_shares(20, {"a": 20, "b": 10}, [(["a", "b"], 2)]) == ["b"]


def test_equal_shares_tie_then_given_order():
    voters = [(["a", "b"], 1), (["a", "b"], 1)]
    assert tally.equal_shares(20, {"a": 20, "b": 20}, voters) == ["a"]
    assert tally.equal_shares(20, {"b": 20, "a": 20}, voters) == ["b"]


def test_equal_shares_capped_supporter_pays_all_they_have():
    # Shares of 10. a (12; v1, v2 pay 6 each, rho 1/2) ties with c (13; v1, v3 6.5 each, rho
    # 1/2): the cheaper a first, leaving v1 4, v2 4, v3 10. Now c: v1 can pay only her 4, so
    # v3 pays 9 (rho 9/13) and keeps exactly 1: d (1) is then exactly affordable, e (2) is not.
    # Had v1 not been capped, v3 would keep 3.5 and fund e too.
    costs = {"a": 12, "b": 6, "c": 13, "d": 1, "e": 2}
    voters = [(["a", "b", "c"], 1), (["a"], 1), (["c", "d", "e"], 1)]
    assert tally.equal_shares(30, costs, voters, completion=False) == ["a", "c", "d"]


def test_equal_shares_weight_is_a_number_of_identical_voters():
    costs = {"a": 60, "b": 30, "c": 40, "d": 25}
    grouped = [(["a", "d"], 2), (["b"], 1), (["c", "d"], 3)]
    spread = [(["a", "d"], 1)] * 2 + [(["b"], 1)] + [(["c", "d"], 1)] * 3
    for completion in (False, True):
        assert tally.equal_shares(120, costs, grouped, completion=completion) == tally.equal_shares(
            120, costs, spread, completion=completion
        )
    # Fractional weights are exact: halving everybody's weight doubles the share per unit.
    halved = [(members, Decimal(weight) / 2) for members, weight in grouped]
    assert tally.equal_shares(120, costs, halved, completion=False) == tally.equal_shares(
        120, costs, grouped, completion=False
    )


def test_equal_shares_ignores_empty_ballots_and_unknown_projects():
    voters = [([], 1), (["zz"], 1), (["a"], 1), (["a"], 0)]
    assert tally.equal_shares(10, {"a": 10}, voters) == ["a"]
    assert tally.equal_shares(10, {"a": 10}, []) == []


def test_equal_shares_funds_a_free_project_first():
    assert tally.equal_shares(10, {"a": 10, "free": 0}, [(["a", "free"], 1)]) == ["free", "a"]


def test_comparison_step_greedy_wins_when_more_voters_prefer_it():
    # 6 voters want "big" (100); 4 want s1 and s2 (40 each). Greedy by votes: {big}.
    # Equal Shares: big is never affordable before the outcome would overspend; {s1}.
    # 6 voters prefer greedy (utility 100 against 0), 4 prefer Equal Shares: greedy wins.
    costs = {"big": 100, "s1": 40, "s2": 40}
    voters = [(["big"], 6), (["s1", "s2"], 4)]
    assert tally.equal_shares(100, costs, voters) == ["s1"]
    details = tally.equal_shares_details(100, costs, voters, greedy_comparison=True)
    assert details.mes_winners == ["s1"]
    assert details.greedy_winners == ["big"]
    assert (details.prefer_greedy, details.prefer_mes) == (6, 4)
    assert details.greedy_won and details.winners == ["big"]
    # With 5 and 5 it is a tie: Equal Shares stays.
    voters = [(["big"], 5), (["s1", "s2"], 5)]
    details = tally.equal_shares_details(100, costs, voters, greedy_comparison=True)
    assert not details.greedy_won
    assert details.winners == details.mes_winners


def test_preferences_use_cost_utilities():
    costs = {"a": 10, "b": 3, "c": 4}
    assert tally.utility(["a", "b"], ["b", "c"], costs) == 3
    assert tally.preferences(["a"], ["b", "c"], costs, [(["a"], 1), (["b", "c"], 2)]) == (1, 2)


# Equal Shares against a plain exact reference ------------------------------------------------


def reference_equal_shares(budget, costs, voters, completion=True):
    """Equal Shares voter by voter in Fractions, the tie-break documented in budgets.tally."""
    return reference_with_increments(budget, costs, voters, completion)[0]


def reference_with_increments(budget, costs, voters, completion=True):
    """(outcome, add1 increments) of the plain reference, which runs every increment."""
    keys = list(costs)
    voters = [(set(a) & set(keys), Fraction(w)) for a, w in voters if w > 0]
    voters = [(a, w) for a, w in voters if a]
    total = sum(w for _, w in voters)
    if not total:
        return [], 0

    def run(share):
        money = [share] * len(voters)
        supporters = {k: [i for i, (a, _) in enumerate(voters) if k in a] for k in keys}
        winners = [k for k in keys if costs[k] == 0 and supporters[k]]
        remaining = [k for k in keys if costs[k] > 0 and supporters[k]]
        while True:
            best = None
            for index, k in enumerate(keys):
                if k not in remaining:
                    continue
                sup = sorted(supporters[k], key=lambda i: money[i])
                if sum(money[i] * voters[i][1] for i in sup) < costs[k]:
                    continue
                paid, weight = 0, sum(voters[i][1] for i in sup)
                for i in sup:
                    alpha = Fraction(costs[k] - paid) / weight
                    if money[i] >= alpha:
                        break
                    paid += money[i] * voters[i][1]
                    weight -= voters[i][1]
                rank = (alpha / costs[k], costs[k], -sum(voters[i][1] for i in sup), index)
                if best is None or rank < best[0]:
                    best = (rank, k, alpha)
            if best is None:
                return winners
            _, k, alpha = best
            for i in supporters[k]:
                money[i] = max(money[i] - alpha, 0)
            winners.append(k)
            remaining.remove(k)

    share = Fraction(budget) / total
    outcome = run(share)
    step = 0
    while completion:
        left = budget - sum(costs[k] for k in outcome)
        supported = [k for k in keys if any(k in a for a, _ in voters)]
        if not any(k not in outcome and costs[k] <= left for k in supported):
            break
        following = run(share + step + 1)
        if sum(costs[k] for k in following) > budget:
            break
        step += 1
        outcome = following
    return outcome, step


@pytest.mark.parametrize("seed", range(60))
def test_equal_shares_matches_the_reference(seed):
    rng = random.Random(seed)
    keys = [f"p{i}" for i in range(rng.randint(2, 7))]
    # Few distinct costs and small ballots make exact ties in rho common.
    costs = {
        k: rng.choice([0, 10, 20, 20, 30, 40, 60])
        if seed % 7 == 0
        else rng.choice([10, 20, 20, 30, 40, 60])
        for k in keys
    }
    voters = []
    for _ in range(rng.randint(1, 9)):
        approved = rng.sample(keys, rng.randint(1, min(3, len(keys))))
        weight = rng.choice([1, 1, 1, 2, 3]) if seed % 2 else 1
        if seed % 5 == 0:
            weight = rng.choice([Decimal("0.5"), Decimal("1.25"), 1])
        voters.append((approved, weight))
    budget = rng.choice([40, 50, 60, 90, 120])
    for completion in (False, True):
        assert tally.equal_shares(budget, costs, voters, completion=completion) == (
            reference_equal_shares(budget, costs, voters, completion)
        )


def random_instance(seed):
    """4 to 10 projects (some free, many equal costs), 5 to 40 voters, random weights."""
    rng = random.Random(seed)
    keys = [f"p{i}" for i in range(rng.randint(4, 10))]
    palette = rng.choice([[10, 20, 20, 30], [0, 5, 10, 15, 25, 40, 60], list(range(1, 80))])
    scale = rng.choice([1, 4, 12])  # one add1 step is large or small against the shares
    costs = {k: rng.choice(palette) * scale for k in keys}
    if seed % 9 == 0:
        costs[keys[0]] = 0
    voters = []
    for _ in range(rng.randint(5, 40)):
        approved = rng.sample(keys, rng.randint(1, min(4, len(keys))))
        weight = 1
        if seed % 3 == 1:
            weight = rng.choice([1, 1, 2, 3])
        elif seed % 3 == 2:
            weight = rng.choice([Decimal("0.5"), Decimal("1.5"), Fraction(1, 3), 1])
        voters.append((approved, weight))
    total = sum(costs.values())
    budget = max(1, int(total * rng.choice([0.2, 0.35, 0.5, 0.7])))
    return budget, costs, voters


@pytest.mark.parametrize("batch", range(30))
def test_completion_matches_running_every_increment(batch):
    # 300 small instances: winners (in order) and the number of add1 increments taken must be
    # those of the reference, which runs the method at every increment in exact Fractions.
    for seed in range(batch * 10, batch * 10 + 10):
        budget, costs, voters = random_instance(seed)
        details = tally.equal_shares_details(budget, costs, voters)
        expected = reference_with_increments(budget, costs, voters)
        assert (details.winners, details.increments) == expected, seed


def plain_completion(budget, costs, voters):
    """The add1 completion of budgets.tally without any skipping: one run per increment."""
    keys = list(costs)
    index = {k: i for i, k in enumerate(keys)}
    grouped = {}
    for approved, weight in voters:
        members = frozenset(index[k] for k in approved)
        grouped[members] = grouped.get(members, 0) + weight
    instance = tally._Instance([costs[k] for k in keys], list(grouped.items()))
    share = Fraction(budget) / instance.total_weight
    outcome, step = instance.run(share), 0
    while True:
        left = budget - sum(instance.costs[i] for i in outcome)
        if not any(i not in outcome and instance.costs[i] <= left for i in instance.candidates):
            break
        following = instance.run(share + step + 1)
        if sum(instance.costs[i] for i in following) > budget:
            break
        step += 1
        outcome = following
    return [keys[i] for i in outcome], step


@pytest.mark.parametrize("seed", range(4))
def test_completion_matches_one_run_per_increment_medium(seed):
    # 200 voters, 15 projects, realistic costs: too big for the voter-by-voter reference, so
    # the completion is checked against running budgets.tally's own method at every increment.
    rng = random.Random(1000 + seed)
    keys = [f"p{i}" for i in range(15)]
    costs = {k: rng.choice([5, 10, 20, 40, 80, 150]) * 100 + rng.randrange(100) for k in keys}
    popularity = [rng.paretovariate(1.2) for _ in keys]
    voters = []
    for _ in range(200):
        approved = set()
        for _ in range(rng.randint(1, 5)):
            approved.add(rng.choices(keys, popularity)[0])
        voters.append((sorted(approved), 1))
    budget = sum(costs.values()) // 4
    details = tally.equal_shares_details(budget, costs, voters)
    assert (details.winners, details.increments) == plain_completion(budget, costs, voters)


def test_completion_skips_steps_it_can_prove_change_nothing():
    # b (all three) then c are paid by equal splits in the static order; a (7,000) waits until
    # its one supporter holds 7,000: about 3,670 add1 steps that all give {b, c}. They are
    # skipped, and the outcome is the one of running every step (the reference does).
    costs = {"a": 7_000, "b": 1, "c": 2_000}
    voters = [(["a", "b"], 1), (["b"], 1), (["b", "c"], 1)]
    details = tally.equal_shares_details(10_000, costs, voters)
    assert details.winners == reference_equal_shares(10_000, costs, voters) == ["b", "c", "a"]
    assert details.increments == 3_667
    assert details.runs < 10


# The five real files --------------------------------------------------------------------------

FILES = {
    "Poland_Warszawa_2019_Stary_Mokotow.pb": ("approval", "greedy"),
    "Poland_Czestochowa_2024_Grabowka.pb": ("cumulative", "greedy"),
    "Poland_Krakow_2019_Bronowice.pb": ("ordinal", "greedy"),
    "Poland_Swiecie_2023.pb": ("approval", "equalshares/add1"),
    "Netherlands_Assen_2024.pb": ("approval", "equalshares/add1"),
}


@pytest.mark.parametrize("name", list(FILES))
def test_real_file_official_outcome(name):
    path = DATA / name
    if not path.exists():
        pytest.skip(f"the Pabulib data file {path} is not there (../shared/data/pabulib)")
    pb = pabulib.parse(path.read_bytes())
    assert (pb.vote_type, pb.rule) == FILES[name]
    votes, points = pb.tallies()
    # The file's own columns agree with our reading of the ballots.
    for key, project in pb.projects.items():
        if project.votes is not None:
            assert project.votes == votes[key]
        if project.score is not None:
            assert project.score == points[key]
    costs = {key: project.cost for key, project in pb.projects.items()}
    if pb.rule.startswith("equalshares"):
        winners = tally.equal_shares(pb.budget, costs, [(v.vote, 1) for v in pb.votes])
    else:
        scores = votes if pb.vote_type in ("approval", "choose-1") else points
        winners = tally.greedy(pb.budget, costs, scores)
    assert set(winners) == {key for key, project in pb.projects.items() if project.selected}
    assert sum(costs[k] for k in winners) <= pb.budget
