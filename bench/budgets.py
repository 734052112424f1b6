"""Benchmark of the participatory-budgeting count (budgets.counting, budgets.tally).

What it measures
    (0) The secret ballot's cost per ballot: sealing a ballot into its envelope (AES-GCM,
        padded to the heading's fullest ballot) with its roll entry, and opening the envelopes
        at the close into the box in a random order (one transaction, then the envelope table
        rewritten). The 100,000 ballots of (a) are made this way when the bench heading is
        seeded; on later runs a side heading of SAMPLE ballots is sealed and opened afresh.
    (a) The count of one heading with 100,000 ballots read from the database: the grouped
        votes-and-points query with the greedy rule, the grouped ballot signatures with Equal
        Shares (add1 completion), and `heading_tally()` whole under each rule (it always
        computes the other rule too, for the results page). Best of BENCH_BUDGET_REPEATS runs.
    (b) Equal Shares with add1 completion on a synthetic instance of 6,500 voters and 64
        projects, in memory (budgets.tally alone), and, when the reference library pabutools
        (1.2.3) is importable, its time on the same instance and whether the outcomes agree.
        pabutools is not a dependency of Ruamkit: `.venv/bin/pip install pabutools==1.2.3`.
        BENCH_PABUTOOLS=0 skips it (it takes minutes).
    (c) The results page of the heading (which reads only what the count stored): median and
        95th percentile server time over BENCH_REQUESTS requests, and its SQL queries.

The data
    (a) One budget ("bench:budgets"), one heading of 40 projects (costs from 20,000 to 900,000
        baht, amount 4,000,000) and 100,000 approval ballots of 1 to 10 projects drawn with a
        skewed popularity, as in real city votes, cast by 100,000 people of the house register
        (bench census records, kept for the next run); sealed in batches, opened at the close
        and counted; reused on the next run when the counts match.
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
    REQUESTS,
    SCALE,
    WARM_UPS,
    _database_url,
    _django_setup,
    _load,
    _phase,
)

BALLOTS = max(100, int(100_000 * SCALE))
SAMPLE = min(BALLOTS, 10_000)
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


def _bench_heading(title: str = "ทั้งเมือง"):
    from budgets.models import Heading

    return Heading.objects.filter(group__budget__source=SOURCE, title=title).order_by("pk").first()


def is_seeded() -> bool:
    heading = _bench_heading()
    return (
        heading is not None
        and heading.ballots.count() == BALLOTS
        and heading.roll.count() == BALLOTS
        and hasattr(heading, "result")
    )


def clear() -> None:
    from budgets.models import Budget, RollEntry

    # The roll protects its headings (and the envelopes go with their entries).
    RollEntry.objects.filter(heading__group__budget__source=SOURCE).delete()
    Budget.objects.filter(source=SOURCE).delete()


def _census(count: int) -> list[int]:
    """Ids of `count` bench people in the house register, made once and reused."""
    import hashlib

    from accounts.models import CensusRecord
    from participation.models import Community

    community, _created = Community.objects.get_or_create(
        code="bench-budgets", defaults={"name_th": "ชุมชนทดสอบงบประมาณ"}
    )
    have = CensusRecord.objects.filter(house_code="bench-budgets").count()
    if have < count:
        CensusRecord.objects.bulk_create(
            (
                CensusRecord(
                    id_hash=hashlib.sha256(f"bench-budgets-{n}".encode()).hexdigest(),
                    house_code="bench-budgets",
                    registered_on="2015-01-01",
                    birth_year=1980,
                    community=community,
                )
                for n in range(have, count)
            ),
            batch_size=BATCH,
        )
    return list(
        CensusRecord.objects.filter(house_code="bench-budgets")
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )


def _heading(budget, title: str, rng):
    from budgets.models import BudgetGroup, Feasibility, Heading, Investment

    group = BudgetGroup.objects.create(budget=budget, title=title)
    heading = Heading.objects.create(group=group, title=title, amount=AMOUNT)
    Investment.objects.bulk_create(
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
    return heading


def _budget():
    from datetime import timedelta

    from django.utils import timezone

    from budgets.models import BallotStyle, Budget, BudgetPhase, PhaseKind, TallyRule

    budget = Budget.objects.filter(source=SOURCE).first()
    if budget is not None:
        return budget
    budget = Budget.objects.create(
        title="งบประมาณแบบมีส่วนร่วม (ทดสอบสมรรถนะ)",
        fiscal_year=2026,
        currency="THB",
        ballot_style=BallotStyle.APPROVAL,
        approval_max_projects=10,
        rule=TallyRule.GREEDY,
        source=SOURCE,
    )
    # Balloting ended yesterday: the envelopes may be opened.
    now = timezone.now()
    BudgetPhase.objects.create(
        budget=budget,
        kind=PhaseKind.BALLOTING,
        starts_at=now - timedelta(days=15),
        ends_at=now - timedelta(days=1),
    )
    return budget


def seal_ballots(heading, people: list[int], rng) -> float:
    """Seal one approval ballot per person into an envelope beside their roll entry, in
    batches, as budgets.services does for each ballot; returns the seconds spent sealing."""
    from budgets.models import Channel, Envelope, RollEntry
    from budgets.services import envelope_size_for
    from participation.secrecy import seal

    ids = list(heading.investments.order_by("pk").values_list("pk", flat=True))
    popularity = [rng.paretovariate(1.1) for _ in ids]
    size = envelope_size_for(heading.pk)
    context = f"heading:{heading.pk}"
    community_id = _census_community()
    sealing = 0.0
    for start in range(0, len(people), BATCH):
        batch = people[start : start + BATCH]
        payloads = []
        for _person in batch:
            n = min(10, max(1, int(rng.lognormvariate(1.2, 0.6))))
            chosen: set[int] = set()
            while len(chosen) < n:
                chosen.add(rng.choices(ids, popularity)[0])
            payloads.append(
                {
                    "class": "affected_citizen",
                    "community": community_id,
                    "weight": "1.0000",
                    "lines": [[pk, 1, None] for pk in sorted(chosen)],
                }
            )
        began = time.perf_counter()
        sealed = [seal(payload, context=context, size=size) for payload in payloads]
        sealing += time.perf_counter() - began
        entries = RollEntry.objects.bulk_create(
            RollEntry(
                heading=heading,
                census_record_id=person,
                channel=Channel.ONLINE,
                community_id=community_id,
            )
            for person in batch
        )
        Envelope.objects.bulk_create(
            Envelope(roll_entry_id=entry.pk, sealed=envelope)
            for entry, envelope in zip(entries, sealed, strict=True)
        )
    return sealing


def _census_community() -> int:
    from participation.models import Community

    return Community.objects.get(code="bench-budgets").pk


def open_envelopes(heading) -> float:
    """Open the heading's envelopes into the box as the count at the close does; seconds,
    including the commit and (on PostgreSQL) the rewrite of the envelope table."""
    from django.db import transaction

    from budgets.models import Heading
    from budgets.services import _envelopes_open

    began = time.perf_counter()
    with transaction.atomic():
        Heading.objects.select_for_update().filter(pk=heading.pk).first()
        _envelopes_open(heading)
    return time.perf_counter() - began


def _mixing_report(label: str, count: int, sealing: float, opening: float) -> None:
    print(
        f"  {label}: sealing {sealing / count * 1e6:7.1f} µs per ballot, "
        f"opening at the close {opening / count * 1e6:7.1f} µs per ballot "
        f"({count:,} ballots: {sealing:.1f} s and {opening:.1f} s)"
    )


def seed() -> None:
    """The bench budget and heading, its ballots sealed by BALLOTS people, opened at the
    close and counted."""
    from budgets.services import heading_results_compute

    rng = random.Random(SEED)
    people = _census(BALLOTS)
    budget = _budget()
    heading = _heading(budget, "ทั้งเมือง", rng)
    with _phase(f"{BALLOTS:,} ballots sealed with their roll entries"):
        sealing = seal_ballots(heading, people, rng)
    with _phase("opened into the box at the close"):
        opening = open_envelopes(heading)
    _mixing_report("(0) the bench heading", BALLOTS, sealing, opening)
    with _phase("counted, with its splits and ballot box"):
        heading_results_compute(heading=heading)


def bench_mixing() -> None:
    """Seal and open SAMPLE ballots in a side heading, afresh on every run."""
    from budgets.models import Heading, RollEntry

    rng = random.Random(SEED + 1)
    budget = _budget()
    old = Heading.objects.filter(group__budget=budget, title="ตัวอย่าง")
    RollEntry.objects.filter(heading__in=old).delete()
    old.delete()
    heading = _heading(budget, "ตัวอย่าง", rng)
    sealing = seal_ballots(heading, _census(SAMPLE), rng)
    opening = open_envelopes(heading)
    _mixing_report("(0) a fresh sample", SAMPLE, sealing, opening)
    RollEntry.objects.filter(heading=heading).delete()
    heading.group.delete()


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
        bench_mixing()
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
    from budgets.services import heading_results_compute

    took, _result = _best(lambda: heading_results_compute(heading=heading), repeats=1)
    print(
        f"  the whole count at the close (tally, splits, reconciliation, ballot box file) "
        f"{took * 1000:8.1f} ms"
    )
    return status


# (c) the results page --------------------------------------------------------------------------


def bench_results_page() -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    heading = _bench_heading()
    client = Client()
    url = f"/th/budgets/headings/{heading.pk}/results/"
    for _ in range(WARM_UPS):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(REQUESTS):
        began = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - began)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(
        f"\n(c) Results page of the {BALLOTS:,}-ballot heading: median "
        f"{statistics.median(times) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
        f"{len(queries)} queries, {len(response.content) / 1024:.1f} KB"
    )


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
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["*"]):
        call_command("migrate", verbosity=0)
        status = bench_heading()
        bench_results_page()
    bench_synthetic()
    return status


if __name__ == "__main__":
    sys.exit(main())
