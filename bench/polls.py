"""Benchmark of the poll tally: 100,000 secret ballots counted by the database.

What it measures
    Wall time of `polls.selectors.poll_tally()` over one closed poll with BALLOTS ballots (3
    warm-ups are not needed: the first run is shown apart, then the median and the slowest of
    TALLY_RUNS runs), and the SQL queries of one tally, which do not grow with the ballots:
    every total is a GROUP BY in the database, never a Python loop over ballots.

The data
    One poll with a single-choice question (4 options), a pick-two multiple-choice question (5
    options) and a free-text question; BALLOTS ballots spread over the four voter classes, the
    town's communities and both channels, with weights 1 / 1 / 0.5 / 0.5; about 3 answers a
    ballot, one in ten with free text; booth totals at two booths. Seeded with `bulk_create`,
    deterministically. The voter roll is not seeded (the tally reads only its count).

Its own database
    `var/bench-polls.sqlite3` (or BENCH_DATABASE_URL); under `python -m bench`, the database
    the earlier benchmarks set up. The bench poll is reused when its ballot count matches.

How to run
    BENCH_SCALE=0.1 .venv/bin/python -m bench.polls

Exit status 1 when a tally disagrees with the number of ballots seeded.
"""

import os
import random
import statistics
import time
import warnings
from datetime import timedelta

from bench.debates import BASE_DIR, BATCH, SCALE, _batched, _django_setup, _load

BALLOTS = max(1, round(100_000 * SCALE))
TALLY_RUNS = 5
POLL_TITLE = "Bench poll: the tally of 100,000 ballots"
SEED = 2569
DEFAULT_DATABASE = BASE_DIR / "var" / "bench-polls.sqlite3"


def _bench_poll():
    from polls.models import Poll

    return Poll.objects.filter(title=POLL_TITLE).first()


def seed():
    """Write the bench poll, its questions, ballots, answers and booth totals in one transaction."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User, VoterClass
    from participation.models import Community
    from polls.models import Answer, Ballot, Booth, BoothTotal, Channel, Option, Poll, Question

    rng = random.Random(SEED)
    now = timezone.now()
    with transaction.atomic():
        old = _bench_poll()
        if old is not None:
            Answer.objects.filter(ballot__poll=old).delete()
            Ballot.objects.filter(poll=old).delete()
            BoothTotal.objects.filter(booth__poll=old).delete()
            old.delete()
        communities = list(Community.objects.all()[:12])
        if not communities:
            communities = [
                Community.objects.create(code=f"bench-{n}", name_th=f"ชุมชนทดสอบ {n}")
                for n in range(7)
            ]
        weights = {VoterClass.INTERESTED: "0.5", VoterClass.CONCERNED: "0.5"}
        poll = Poll.objects.create(
            title=POLL_TITLE,
            opens_at=now - timedelta(days=20),
            closes_at=now - timedelta(days=1),
            voter_classes=list(VoterClass.values),
            weights=weights,
        )
        single = Question.objects.create(poll=poll, order=1, title="ท่านเห็นด้วยหรือไม่")
        multiple = Question.objects.create(
            poll=poll, order=2, title="เลือกสองข้อ", kind=Question.Kind.MULTIPLE, max_choices=2
        )
        text = Question.objects.create(
            poll=poll, order=3, title="ข้อเสนอแนะ", kind=Question.Kind.TEXT
        )
        single_options = Option.objects.bulk_create(
            Option(question=single, order=n, title=f"ตัวเลือก {n}") for n in range(4)
        )
        multiple_options = Option.objects.bulk_create(
            Option(question=multiple, order=n, title=f"ข้อ {n}") for n in range(5)
        )
        classes = list(VoterClass.values)
        class_shares = [0.55, 0.15, 0.2, 0.1]

        def ballots():
            for _ in range(BALLOTS):
                voter_class = rng.choices(classes, class_shares)[0]
                yield Ballot(
                    poll=poll,
                    voter_class=voter_class,
                    community=rng.choice(communities),
                    channel=Channel.ONLINE if rng.random() < 0.9 else Channel.BOOTH,
                    weight=weights.get(voter_class, "1"),
                )

        for batch in _batched(ballots(), BATCH):
            Ballot.objects.bulk_create(batch)
            answers = []
            for ballot in batch:
                # The service repeats the ballot's class, community, channel and weight.
                copied = {
                    "ballot": ballot,
                    "voter_class": ballot.voter_class,
                    "community": ballot.community,
                    "channel": ballot.channel,
                    "weight": ballot.weight,
                }
                answers.append(Answer(question=single, option=rng.choice(single_options), **copied))
                for option in rng.sample(multiple_options, 2):
                    answers.append(Answer(question=multiple, option=option, **copied))
                if rng.random() < 0.1:
                    answers.append(Answer(question=text, text="ขอให้มีร่มเงา", **copied))
            Answer.objects.bulk_create(answers, batch_size=BATCH)
        officer, _created = User.objects.get_or_create(email="bench-officer@example.org")
        for n in range(2):
            booth = Booth.objects.create(poll=poll, name=f"หน่วย {n}", paper_ballots=40)
            BoothTotal.objects.bulk_create(
                BoothTotal(booth=booth, option=option, count=10, officer=officer)
                for option in single_options
            )
    return poll


def main() -> int:
    from django.apps import apps

    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{DEFAULT_DATABASE}"
    DEFAULT_DATABASE.parent.mkdir(exist_ok=True)
    warnings.filterwarnings("ignore", message="No directory at")
    if not apps.ready:  # not when `python -m bench` has set Django up for an earlier benchmark
        _django_setup(url)
    return _run()


def _run() -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from polls.models import Ballot
    from polls.selectors import poll_tally

    db = settings.DATABASES["default"]
    print("\nRuamkit benchmark: poll tally")
    print(f"  database: {connection.vendor} ({db['ENGINE']}, {db['NAME']})")
    print(f"  scale:    {SCALE:g} (BENCH_SCALE): {BALLOTS:,} ballots")
    print(f"  load average at start: {_load()}")
    call_command("migrate", verbosity=0)

    poll = _bench_poll()
    if poll is not None and Ballot.objects.filter(poll=poll).count() == BALLOTS:
        print("  reusing the seeded ballots")
    else:
        print("Seeding ballots")
        start = time.perf_counter()
        poll = seed()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"  seeded in {time.perf_counter() - start:.1f} s")

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        data = poll_tally(poll)
        first = time.perf_counter() - start
    times = []
    for _ in range(TALLY_RUNS):
        start = time.perf_counter()
        poll_tally(poll)
        times.append(time.perf_counter() - start)
    answers = sum(q["choices"] for q in data["questions"])
    print(
        f"\nTally of {data['ballots']:,} ballots ({answers:,} choices counted, "
        f"{len(queries)} SQL queries)"
    )
    print(f"  first run: {first * 1000:.0f} ms")
    print(
        f"  median of {TALLY_RUNS}: {statistics.median(times) * 1000:.0f} ms, "
        f"slowest {max(times) * 1000:.0f} ms"
    )
    print(f"  load average at the end: {_load()}")
    if data["ballots"] != BALLOTS:
        print(f"  the tally counted {data['ballots']} ballots, expected {BALLOTS}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
