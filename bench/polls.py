"""Benchmark of a poll's count: 100,000 sealed ballots opened, mixed and counted at the close.

What it measures
    Sealing: the cost per ballot of `participation.secrecy.seal` as `polls.services.ballot_cast`
    calls it (the ballot's JSON padded to the poll's envelope size and encrypted), and of
    writing the envelopes (in batches, as BALLOTS separate votes would, without 100,000
    requests). Opening at the close: `polls.services.poll_envelopes_open`, which opens every
    envelope, shuffles, inserts the ballots and answers under fresh keys, deletes the envelopes
    and rewrites their table (VACUUM FULL on PostgreSQL), per ballot. Then the count: wall time
    of `polls.selectors.poll_tally()` (the first run apart, then the median and the slowest of
    TALLY_RUNS), its SQL queries, which do not grow with the ballots, and one
    `poll_results_compute` (tally plus the ballot box file and its hash).

The data
    One poll with a single-choice question (4 options), a pick-two multiple-choice question (5
    options) and a free-text question; BALLOTS ballots spread over the four voter classes and
    the town's communities, with weights 1 / 1 / 0.5 / 0.5; about 3 answers a ballot, one in ten
    with free text. The free-text question makes every envelope as large as a ballot with 2000
    Thai characters (about 6.4 KB): that is what secrecy costs here. Two booths with 40 people
    each on the roll and their hand-counted totals. Seeded deterministically. The online roll is
    not seeded (the count reads only its size), so the reconciliation shows it short.

Its own database
    `var/bench-polls.sqlite3` (or BENCH_DATABASE_URL); under `python -m bench`, the database
    the earlier benchmarks set up. The bench poll is made afresh on every run, since sealing
    and opening are what is measured.

How to run
    BENCH_SCALE=0.1 .venv/bin/python -m bench.polls

Exit status 1 when the count disagrees with the number of ballots sealed.
"""

import hashlib
import os
import random
import statistics
import time
import warnings
from datetime import timedelta
from types import SimpleNamespace

from bench.debates import BASE_DIR, BATCH, SCALE, _batched, _django_setup, _load

BALLOTS = max(1, round(100_000 * SCALE))
TALLY_RUNS = 5
POLL_TITLE = "Bench poll: the tally of 100,000 ballots"
SEED = 2569
DEFAULT_DATABASE = BASE_DIR / "var" / "bench-polls.sqlite3"
BOOTH_PEOPLE = 40
CENSUS_PREFIX = "bench-p-"


def _bench_poll():
    from polls.models import Poll

    return Poll.objects.filter(title=POLL_TITLE).first()


def _remove_old() -> None:
    from accounts.models import CensusRecord
    from polls.models import Answer, Ballot, Booth, BoothTotal, Envelope, PollResult, RollEntry

    old = _bench_poll()
    if old is None:
        return
    Answer.objects.filter(ballot__poll=old).delete()
    Ballot.objects.filter(poll=old).delete()
    Envelope.objects.filter(poll=old).delete()
    BoothTotal.objects.filter(booth__poll=old).delete()
    RollEntry.objects.filter(poll=old).delete()
    Booth.objects.filter(poll=old).delete()
    PollResult.objects.filter(poll=old).delete()
    old.delete()
    CensusRecord.objects.filter(house_code__startswith=CENSUS_PREFIX).delete()


def seed() -> tuple:
    """Write the bench poll and seal its ballots into envelopes, in batches, as votes would.

    Returns the poll, the seconds spent sealing, the seconds spent writing the envelopes, and
    the size of one envelope in bytes.
    """
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import CensusRecord, User, VoterClass
    from participation.models import Community
    from participation.secrecy import seal
    from polls.models import (
        Booth,
        BoothTotal,
        Channel,
        Envelope,
        Option,
        Poll,
        Question,
        RollEntry,
    )
    from polls.services import envelope_payload, poll_envelope_size

    rng = random.Random(SEED)
    now = timezone.now()
    sealing = writing = 0.0
    with transaction.atomic():
        _remove_old()
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
            closes_at=now + timedelta(days=1),
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
        size = poll_envelope_size(poll)
        context = f"poll:{poll.pk}"

        def payloads():
            for _ in range(BALLOTS):
                voter_class = rng.choices(classes, class_shares)[0]
                answers = [SimpleNamespace(option_id=rng.choice(single_options).pk, question_id=0)]
                answers += [
                    SimpleNamespace(option_id=o.pk, question_id=0)
                    for o in rng.sample(multiple_options, 2)
                ]
                if rng.random() < 0.1:
                    answers.append(
                        SimpleNamespace(option_id=None, question_id=text.pk, text="ขอให้มีร่มเงา")
                    )
                yield envelope_payload(
                    voter_class=voter_class,
                    community_id=rng.choice(communities).pk,
                    weight=poll.weight_of(voter_class),
                    answers=answers,
                )

        for batch in _batched(payloads(), BATCH):
            start = time.perf_counter()
            sealed = [seal(payload, context=context, size=size) for payload in batch]
            sealing += time.perf_counter() - start
            start = time.perf_counter()
            Envelope.objects.bulk_create(
                (Envelope(poll=poll, sealed=envelope) for envelope in sealed), batch_size=1000
            )
            writing += time.perf_counter() - start

        officer, _created = User.objects.get_or_create(email="bench-officer@example.org")
        for n in range(2):
            booth = Booth.objects.create(poll=poll, name=f"หน่วย {n}", paper_ballots=BOOTH_PEOPLE)
            records = CensusRecord.objects.bulk_create(
                CensusRecord(
                    # Not a real ID's keyed hash: bench people are never looked up.
                    id_hash=hashlib.sha256(f"{CENSUS_PREFIX}{n}-{k}".encode()).hexdigest(),
                    house_code=f"{CENSUS_PREFIX}{n}-{k}",
                    registered_on="2015-06-01",
                    birth_year=1970,
                    community=communities[k % len(communities)],
                )
                for k in range(BOOTH_PEOPLE)
            )
            RollEntry.objects.bulk_create(
                RollEntry(
                    poll=poll,
                    census_record=record,
                    channel=Channel.BOOTH,
                    community=record.community,
                    booth=booth,
                    officer=officer,
                )
                for record in records
            )
            BoothTotal.objects.bulk_create(
                BoothTotal(booth=booth, option=option, count=10, officer=officer)
                for option in single_options
            )
    return poll, sealing, writing, len(sealed[0])


def main() -> int:
    from django.apps import apps

    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{DEFAULT_DATABASE}"
    DEFAULT_DATABASE.parent.mkdir(exist_ok=True)
    warnings.filterwarnings("ignore", message="No directory at")
    if not apps.ready:  # not when `python -m bench` has set Django up for an earlier benchmark
        _django_setup(url)
    return _run()


def _per_ballot(seconds: float) -> str:
    return f"{seconds * 1e6 / BALLOTS:.0f} µs a ballot ({seconds:.1f} s in all)"


def _run() -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from polls.models import Ballot, Envelope, Poll
    from polls.selectors import poll_tally
    from polls.services import poll_envelopes_open, poll_results_compute

    db = settings.DATABASES["default"]
    print("\nRuamkit benchmark: poll count (sealed envelopes, opened at the close)")
    print(f"  database: {connection.vendor} ({db['ENGINE']}, {db['NAME']})")
    print(f"  scale:    {SCALE:g} (BENCH_SCALE): {BALLOTS:,} ballots")
    print(f"  load average at start: {_load()}")
    call_command("migrate", verbosity=0)

    print("Sealing ballots into envelopes")
    start = time.perf_counter()
    poll, sealing, writing, envelope_bytes = seed()
    print(f"  seeded in {time.perf_counter() - start:.1f} s; one envelope: {envelope_bytes:,} B")
    print(f"  sealing:            {_per_ballot(sealing)}")
    print(f"  writing envelopes:  {_per_ballot(writing)}")

    # The close, then the count opens the box.
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    poll.refresh_from_db()
    start = time.perf_counter()
    opened = poll_envelopes_open(poll=poll)
    opening = time.perf_counter() - start
    print(f"\nOpening and mixing {opened:,} envelopes at the close")
    print(f"  open, shuffle, insert, delete, rewrite: {_per_ballot(opening)}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

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
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = poll_results_compute(poll=poll)
        computing = time.perf_counter() - start
    print(
        f"  the whole count (tally, ballot box file of {len(result.ballot_box.encode()):,} B "
        f"and its hash): {computing * 1000:.0f} ms, {len(queries)} SQL queries"
    )
    print(f"  load average at the end: {_load()}")
    status = 0
    if data["ballots"] != BALLOTS or Ballot.objects.filter(poll=poll).count() != BALLOTS:
        print(f"  the count found {data['ballots']} ballots, expected {BALLOTS}")
        status = 1
    if Envelope.objects.filter(poll=poll).exists():
        print("  envelopes were left after the count")
        status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
