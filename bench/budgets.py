"""Benchmark of the participatory-budgeting count (budgets.counting, budgets.tally).

What it measures
    (a) The count of one heading with 100,000 ballots read from the database: the grouped
        votes-and-points query with the greedy rule, the grouped ballot signatures with Equal
        Shares (add1 completion), and `heading_tally()` whole under each rule (it always
        computes the other rule too, for the results page). Best of BENCH_BUDGET_REPEATS runs.
    (b) Equal Shares with add1 completion on a synthetic instance of 6,500 voters and 64
        projects, in memory (budgets.tally alone), and, when the reference library pabutools
        (1.2.3) is importable, its time on the same instance and whether the outcomes agree.
        pabutools is not a dependency of Ruamkit: `.venv/bin/pip install pabutools==1.2.3`.
        BENCH_PABUTOOLS=0 skips it (it takes minutes).

The data
    (a) One budget ("bench:budgets"), one heading of 40 projects (costs from 20,000 to 900,000
        baht, amount 4,000,000) and 100,000 approval ballots of 1 to 10 projects drawn with a
        skewed popularity, as in real city votes; seeded deterministically with bulk_create in
        one transaction, reused on the next run when the counts match.
    (b) Seeded random: costs of 5,000 to 400,000, budget a quarter of the total cost, ballot
        sizes log-normal (mean about 4), project popularity Pareto-skewed.

Its own database
    The bench database of bench/debates.py (`var/bench.sqlite3`, or BENCH_DATABASE_URL); the
    bench budget lives next to the debates' town and touches nothing of it.

How to run
    .venv/bin/python -m bench.budgets
    BENCH_SCALE=0.1 .venv/bin/python -m bench.budgets       # 10,000 ballots in (a)

Exit status 1 when a count disagrees with itself (grouped ballots against the plain count).
"""

import os
import random
import statistics
import sys
import time
import warnings

from bench.debates import (
    BATCH,
    DEFAULT_DATABASE,
    SCALE,
    _database_url,
    _django_setup,
    _load,
    _phase,
)

BALLOTS = max(100, int(100_000 * SCALE))
PROJECTS = 40
AMOUNT = 4_000_000
REPEATS = int(os.environ.get("BENCH_BUDGET_REPEATS", "3"))
SOURCE = "bench:budgets"
SEED = 2569


def synthetic_instance(seed: int = SEED, voters: int = 6_500, projects: int = 64):
    """(budget, costs, ballots) of a realistic approval vote, deterministic for a seed."""
    rng = random.Random(seed)
    keys = [f"p{i + 1}" for i in range(projects)]
    costs = {
        k: rng.choice([5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200, 300, 400]) * 1000
        + rng.randrange(0, 1000) * 10
        for k in keys
    }
    popularity = [rng.paretovariate(1.2) for _ in keys]
    budget = sum(costs.values()) // 4
    ballots = []
    for _ in range(voters):
        size = min(projects, max(1, int(rng.lognormvariate(1.3, 0.6))))
        chosen: set[str] = set()
        while len(chosen) < size:
            chosen.add(rng.choices(keys, popularity)[0])
        ballots.append(sorted(chosen))
    return budget, costs, ballots


# (a) the heading in the database ----------------------------------------------------------------


def _bench_heading():
    from budgets.models import Heading

    return Heading.objects.filter(group__budget__source=SOURCE).order_by("pk").first()


def is_seeded() -> bool:
    heading = _bench_heading()
    return heading is not None and heading.ballots.count() == BALLOTS


def clear() -> None:
    from budgets.models import Budget

    Budget.objects.filter(source=SOURCE).delete()


def seed() -> None:
    """One budget, one heading, its projects and BALLOTS approval ballots, in one transaction."""
    from django.db import transaction

    from budgets.models import (
        Ballot,
        BallotLine,
        BallotStyle,
        Budget,
        BudgetGroup,
        Channel,
        Feasibility,
        Heading,
        Investment,
        TallyRule,
    )

    rng = random.Random(SEED)
    with transaction.atomic():
        budget = Budget.objects.create(
            title="งบประมาณแบบมีส่วนร่วม (ทดสอบสมรรถนะ)",
            fiscal_year=2026,
            currency="THB",
            ballot_style=BallotStyle.APPROVAL,
            approval_max_projects=10,
            rule=TallyRule.GREEDY,
            source=SOURCE,
        )
        group = BudgetGroup.objects.create(budget=budget, title="ทั้งเมือง")
        heading = Heading.objects.create(group=group, title="ทั้งเมือง", amount=AMOUNT)
        investments = Investment.objects.bulk_create(
            Investment(
                heading=heading,
                title=f"โครงการที่ {i + 1}",
                price=rng.randrange(20, 900) * 1000,
                feasibility=Feasibility.FEASIBLE,
                selected_for_ballot=True,
                external_id=str(i + 1),
            )
            for i in range(PROJECTS)
        )
        ids = [investment.pk for investment in investments]
        popularity = [rng.paretovariate(1.1) for _ in ids]
        with _phase(f"{BALLOTS:,} ballots"):
            ballots = Ballot.objects.bulk_create(
                (
                    Ballot(heading=heading, channel=Channel.ONLINE, external_id=str(n))
                    for n in range(BALLOTS)
                ),
                batch_size=BATCH,
            )
        lines = []
        with _phase("their lines"):
            for ballot in ballots:
                size = min(10, max(1, int(rng.lognormvariate(1.2, 0.6))))
                chosen: set[int] = set()
                while len(chosen) < size:
                    chosen.add(rng.choices(ids, popularity)[0])
                lines.extend(BallotLine(ballot_id=ballot.pk, investment_id=i) for i in chosen)
                if len(lines) >= BATCH * 4:
                    BallotLine.objects.bulk_create(lines, batch_size=BATCH)
                    lines = []
            BallotLine.objects.bulk_create(lines, batch_size=BATCH)


def _best(fn, repeats: int = REPEATS):
    times = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return min(times), value


def bench_heading() -> int:
    from django.db import connection

    from budgets import tally
    from budgets.counting import (
        _votes_and_points,
        ballot_groups,
        heading_investments,
        heading_tally,
    )
    from budgets.models import BallotLine, TallyRule

    if is_seeded():
        print("  reusing the seeded bench budget")
    else:
        clear()
        print("Seeding")
        start = time.perf_counter()
        seed()
        print(f"  seeded in {time.perf_counter() - start:.1f} s")
    heading = _bench_heading()
    budget = heading.group.budget
    lines = BallotLine.objects.filter(ballot__heading=heading).count()
    print(f"  data: 1 heading, {PROJECTS} projects, {BALLOTS:,} ballots, {lines:,} ballot lines")
    print(f"\n(a) Count of the heading ({connection.vendor}; best of {REPEATS})")
    costs = heading_investments(heading)
    ids = list(costs)
    took, (votes, _points, weighted, _wp) = _best(lambda: _votes_and_points(heading, ids))
    print(f"  votes and points, grouped in the database   {took * 1000:8.1f} ms")
    took, greedy_winners = _best(lambda: tally.greedy(heading.amount, costs, weighted))
    print(f"  greedy rule                                 {took * 1000:8.1f} ms")
    took, groups = _best(lambda: ballot_groups(heading, ids))
    print(
        f"  identical ballots grouped in the database   {took * 1000:8.1f} ms "
        f"({len(groups):,} distinct ballots)"
    )
    took, shares = _best(
        lambda: tally.equal_shares_details(heading.amount, costs, groups), repeats=1
    )
    print(
        f"  Equal Shares with add1 completion           {took * 1000:8.1f} ms "
        f"({shares.runs} runs, {shares.increments} increments)"
    )
    status = 0
    plain = sum(weight for _, weight in groups)
    if plain != BALLOTS or sum(votes.values()) != lines:
        print("  !! the grouped ballots do not add up to the ballots")
        status = 1
    for rule in (TallyRule.GREEDY, TallyRule.EQUAL_SHARES):
        budget.rule = rule
        budget.save(update_fields=["rule"])
        heading.group.budget = budget
        took, counted = _best(lambda: heading_tally(heading), repeats=1)
        print(
            f"  heading_tally(), rule {rule:<13}         {took * 1000:8.1f} ms "
            f"({len(counted.winners)} winners, other rule {len(counted.other_winners)})"
        )
        expected = greedy_winners if rule == TallyRule.GREEDY else shares.winners
        if counted.winners != expected:
            print("  !! heading_tally() disagrees with the parts")
            status = 1
    budget.rule = TallyRule.GREEDY
    budget.save(update_fields=["rule"])
    return status


# (b) the synthetic instance --------------------------------------------------------------------


def bench_synthetic() -> None:
    from budgets import tally

    budget, costs, ballots = synthetic_instance()
    sizes = [len(b) for b in ballots]
    print(
        f"\n(b) Equal Shares with add1 completion, {len(ballots):,} voters x {len(costs)} projects "
        f"(mean ballot {statistics.mean(sizes):.1f} projects, "
        f"{len(set(map(tuple, ballots))):,} distinct ballots), budget {budget:,}"
    )
    took, result = _best(
        lambda: tally.equal_shares_details(budget, costs, [(b, 1) for b in ballots])
    )
    print(
        f"  budgets.tally   {took:8.2f} s  ({result.runs} runs, {result.increments} increments, "
        f"{len(result.winners)} projects, {sum(costs[k] for k in result.winners):,} spent)"
    )
    if os.environ.get("BENCH_PABUTOOLS", "1") == "0":
        print("  pabutools       skipped (BENCH_PABUTOOLS=0)")
        return
    try:
        import pabutools
        from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
        from pabutools.rules import method_of_equal_shares
    except ImportError:
        print("  pabutools       not installed (.venv/bin/pip install pabutools==1.2.3)")
        return
    projects = {k: Project(k, cost) for k, cost in costs.items()}
    instance = Instance(projects.values(), budget_limit=budget)
    profile = ApprovalProfile(
        [ApprovalBallot([projects[k] for k in b]) for b in ballots], instance=instance
    )
    start = time.perf_counter()
    outcome = method_of_equal_shares(
        instance, profile, sat_class=Cost_Sat, voter_budget_increment=1
    )
    reference = time.perf_counter() - start
    agree = {p.name for p in outcome} == set(result.winners)
    version = getattr(pabutools, "__version__", "?")
    print(
        f"  pabutools {version:<5} {reference:8.2f} s  ({reference / took:.0f} times as long); "
        f"outcomes {'agree' if agree else 'DIFFER'}"
    )


def main() -> int:
    url, default_sqlite = _database_url()
    DEFAULT_DATABASE.parent.mkdir(exist_ok=True)
    warnings.filterwarnings("ignore", message="No directory at")
    from django.apps import apps

    if not apps.ready:  # run alone; under bench/__main__ the debates set Django up
        _django_setup(url)
    from django.core.management import call_command
    from django.test import override_settings

    print("Ruamkit benchmark: participatory-budgeting count")
    print(f"  load average at start: {_load()}")
    with override_settings(DEBUG=False):
        call_command("migrate", verbosity=0)
        status = bench_heading()
    bench_synthetic()
    return status


if __name__ == "__main__":
    sys.exit(main())
