"""Benchmark of the proposal pages on a large, generated municipality.

What it measures
    Server-side time of the proposal list (`/th/proposals/` in each order: hot, supported, new,
    archived) and of the most supported open proposal (`/th/proposals/<reference>/`), for an
    anonymous visitor and for a signed-in verified citizen who supports it. Same method and
    table as bench/debates.py: 3 warm-ups, then BENCH_REQUESTS timed requests through Django's
    test `Client`; median and 95th percentile in milliseconds, SQL queries of one request, HTML
    size. It also times `support_split()` of that proposal, the two grouped counts its page
    shows (supports per voter class and per community).

The data
    The debates benchmark's town (its people, tags, debates; seeded first when missing), plus
    5,000 proposals published over two years (a fifth of them screened for municipal authority,
    a few retired or hidden) and 200,000 supports from verified people, skewed as in real life:
    a few proposals draw thousands, most a handful. Supports to a proposal stop when it is
    archived or retired. Seeding is deterministic, uses `bulk_create`, and computes
    `supports_count` in SQL afterwards; `hot_score` is CONSUL's formula over the supports of the
    last days (nothing in the application computes it for proposals yet).

Its own database
    The debates benchmark's (`var/bench.sqlite3`, or BENCH_DATABASE_URL). Proposals are added
    next to the debates and reused on the next run when their counts match.

How to run
    make bench                                        # debates, then proposals
    BENCH_SCALE=0.05 .venv/bin/python -m bench.proposals

Exit status 1 when any page answers with anything but 200.
"""

import logging
import math
import random
import statistics
import sys
import time
import warnings
from datetime import timedelta

from bench.debates import (
    BATCH,
    DEFAULT_DATABASE,
    HISTORY_DAYS,
    PLACES,
    REQUESTS,
    SCALE,
    SEED,
    TITLE_SUBJECTS,
    WARM_UPS,
    _batched,
    _database_url,
    _django_setup,
    _load,
    _path,
    _percentile,
    _phase,
    _scaled,
    _spread,
    _text,
    _timestamps_as_given,
    measure_page,
    wipe,
)
from bench.debates import is_seeded as town_is_seeded
from bench.debates import seed as town_seed

PROPOSALS = _scaled(5_000)
SUPPORTS = _scaled(200_000)
ARCHIVE_DAYS = 360  # proposals.permissions: 12 months of 30 days, the default setting
AGENCIES = [
    "กรมเจ้าท่า (สำนักงานเจ้าท่าภูมิภาคสาขาชลบุรี)",
    "แขวงทางหลวงชลบุรี กรมทางหลวง",
    "องค์การบริหารส่วนจังหวัดชลบุรี",
    "การประปาส่วนภูมิภาค สาขาชลบุรี",
    "การไฟฟ้าส่วนภูมิภาค จังหวัดชลบุรี",
    "สถานีตำรวจภูธรแสนสุข",
]


def expected_counts() -> dict[str, int]:
    return {"proposals": PROPOSALS, "supports": SUPPORTS}


def actual_counts() -> dict[str, int]:
    from proposals.models import Proposal, Support

    return {"proposals": Proposal.objects.count(), "supports": Support.objects.count()}


def clear() -> None:
    """Remove earlier bench proposals (of another scale), leaving the debates' town."""
    from django.contrib.contenttypes.models import ContentType
    from taggit.models import TaggedItem

    from participation.models import Follow
    from proposals.models import Proposal, Support

    proposal_ct = ContentType.objects.get_for_model(Proposal)
    Support.objects.all().delete()
    TaggedItem.objects.filter(content_type=proposal_ct).delete()
    Follow.objects.filter(content_type=proposal_ct).delete()
    Proposal.objects.all().delete()
    Proposal.history.all().delete()


def seed() -> None:
    """Add the generated proposals and their supports to the town, in one transaction."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem

    from accounts.models import Residence, User, VoterClass
    from participation.models import Community, Competence, Follow, StrategicIssue
    from participation.services import HOT_SCORE_MAX_PERIOD_DAYS
    from participation.thai_dates import BE_OFFSET
    from proposals.models import Proposal, Support
    from proposals.services import REFERENCE_PREFIX, support_threshold

    rng = random.Random(SEED + 1)
    now = timezone.now()
    day = timedelta(days=1)
    threshold = support_threshold()
    classes = {
        Residence.CITIZEN: VoterClass.AFFECTED_CITIZEN,
        Residence.RESIDENT: VoterClass.AFFECTED_RESIDENT,
    }
    verified = list(
        User.objects.filter(residence__in=list(classes), is_staff=False)
        .order_by("pk")
        .values_list("pk", "residence", "residence_community_id")
    )
    community_ids = list(Community.objects.values_list("pk", flat=True))
    issue_ids = list(StrategicIssue.objects.values_list("pk", flat=True))
    tag_ids = list(Tag.objects.order_by("pk").values_list("pk", flat=True))
    tag_weights = [1 / (i + 1) ** 0.6 for i in range(len(tag_ids))]
    proposal_ct = ContentType.objects.get_for_model(Proposal)

    with transaction.atomic(), _timestamps_as_given(Proposal, Support):
        with _phase(f"{PROPOSALS:,} proposals, their {SUPPORTS:,} supports planned"):
            rank = list(range(PROPOSALS))
            rng.shuffle(rank)
            cap = max(1, min(5000, len(verified) // 2))
            supports_by_rank = _spread(SUPPORTS, PROPOSALS, 0.7, cap, rng)
            proposals = []
            planned = []  # per proposal: [(verified index, given at)]
            for i in range(PROPOSALS):
                published = now - rng.uniform(0, HISTORY_DAYS) * day
                created = published - rng.uniform(0.05, 5) * day
                retired = rng.random() < 0.015 and now - published > 2 * day
                hidden = rng.random() < 0.005
                # Supports arrive while the proposal is open: until archived or retired.
                closes = min(now, published + ARCHIVE_DAYS * day)
                if retired:
                    closes = published + (closes - published) * rng.uniform(0.3, 0.9)
                given = sorted(
                    published + (closes - published) * rng.random() ** 2
                    for _ in range(supports_by_rank[rank[i]])
                )
                chosen = rng.sample(range(len(verified)), len(given))
                planned.append(list(zip(chosen, given, strict=True)))
                age_days = math.ceil((now - created) / day)
                period = max(1, min(HOT_SCORE_MAX_PERIOD_DAYS, age_days))
                since = now - period * day
                r = rng.random()
                competence = (
                    Competence.WITHIN
                    if r < 0.3
                    else Competence.PARTLY
                    if r < 0.38
                    else Competence.OUTSIDE
                    if r < 0.43
                    else Competence.UNSCREENED
                )
                successful_at = given[threshold - 1] if len(given) >= threshold else None
                proposals.append(
                    Proposal(
                        title=f"{rng.choice(TITLE_SUBJECTS)} บริเวณ{rng.choice(PLACES)}",
                        summary=_text(rng, 1, 1)[:200],
                        description="".join(f"<p>{_text(rng, 1, 3)}</p>" for _ in range(3)),
                        author_id=verified[rng.randrange(len(verified))][0],
                        community_id=rng.choice(community_ids) if rng.random() < 0.7 else None,
                        strategic_issue_id=rng.choice(issue_ids) if rng.random() < 0.8 else None,
                        status=Proposal.Status.RETIRED if retired else Proposal.Status.PUBLISHED,
                        published_at=published,
                        successful_at=successful_at,
                        retired_reason=Proposal.RetiredReason.STARTED if retired else "",
                        retired_explanation=_text(rng, 1, 1) if retired else "",
                        retired_at=closes if retired else None,
                        outcome=(
                            Proposal.Outcome.DEVELOPMENT_PLAN
                            if successful_at and rng.random() < 0.1
                            else Proposal.Outcome.PENDING
                        ),
                        competence=competence,
                        responsible_agency=(
                            rng.choice(AGENCIES) if competence in ("partly", "outside") else ""
                        ),
                        competence_screened_at=(
                            published + rng.uniform(1, 10) * day if competence else None
                        ),
                        hot_score=round(sum(1 for at in given if at >= since) / period),
                        hidden_at=published + day if hidden else None,
                        created_at=created,
                        updated_at=published,
                    )
                )
            # References by order of publication: RK-<BE year>-<serial within that year>.
            serials: dict[int, int] = {}
            for proposal in sorted(proposals, key=lambda p: p.published_at):
                year = timezone.localtime(proposal.published_at).year + BE_OFFSET
                serials[year] = serials.get(year, 0) + 1
                proposal.reference = f"{REFERENCE_PREFIX}-{year}-{serials[year]:04d}"
            Proposal.objects.bulk_create(proposals, batch_size=BATCH)
            if proposals[0].pk is None:  # a backend that cannot return the ids of a bulk insert
                by_reference = dict(Proposal.objects.values_list("reference", "pk"))
                for proposal in proposals:
                    proposal.pk = by_reference[proposal.reference]
            proposal_pk = [p.pk for p in proposals]
            follows = {(p.author_id, p.pk) for p in proposals}
            tagged = []
            for pk in proposal_pk:
                chosen = set(rng.choices(tag_ids, weights=tag_weights, k=rng.randint(1, 3)))
                tagged += [
                    TaggedItem(tag_id=t, content_type_id=proposal_ct.pk, object_id=pk)
                    for t in chosen
                ]
            TaggedItem.objects.bulk_create(tagged, batch_size=BATCH)
            del proposals, tagged

        def support_rows():
            for i, supports in enumerate(planned):
                for v, at in supports:
                    user_pk, residence, community_id = verified[v]
                    follows.add((user_pk, proposal_pk[i]))
                    yield Support(
                        user_id=user_pk,
                        proposal_id=proposal_pk[i],
                        voter_class=classes[residence],
                        community_id=community_id,
                        created_at=at,
                    )

        with _phase(f"{SUPPORTS:,} supports"):
            for batch in _batched(support_rows()):
                Support.objects.bulk_create(batch, batch_size=BATCH)
            planned.clear()

        with _phase(f"{len(follows):,} follows"):
            Follow.objects.bulk_create(
                (
                    Follow(user_id=user, content_type_id=proposal_ct.pk, object_id=pk)
                    for user, pk in follows
                ),
                batch_size=BATCH,
            )

        with _phase("supports_count rebuilt in SQL"):
            per_proposal = (
                Support.objects.filter(proposal=OuterRef("pk"))
                .order_by()
                .values("proposal")
                .annotate(n=Count("pk"))
                .values("n")
            )
            Proposal.objects.update(supports_count=Coalesce(Subquery(per_proposal), 0))


def time_support_split(proposal, runs: int = 10) -> str:
    from proposals.selectors import support_split

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        support_split(proposal)
        times.append((time.perf_counter() - start) * 1000)
    return (
        f"support_split() of {proposal.reference} ({proposal.supports_count:,} supports): "
        f"{statistics.median(times):.1f} ms (median of {runs})"
    )


def main() -> int:
    from django.apps import apps

    url, default_sqlite = _database_url()
    DEFAULT_DATABASE.parent.mkdir(exist_ok=True)
    warnings.filterwarnings("ignore", message="No directory at")
    if not apps.ready:  # not when `python -m bench` has run the debates benchmark first
        _django_setup(url)

    from django.conf import settings
    from django.test import override_settings

    with override_settings(DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        return _run(default_sqlite=default_sqlite)


def _run(*, default_sqlite: bool) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import Residence, User
    from proposals.models import Proposal
    from proposals.permissions import archived_before

    db = settings.DATABASES["default"]
    print("\nRuamkit benchmark: proposal pages")
    print(f"  database: {connection.vendor} ({db['ENGINE']}, {db['NAME']})")
    print(f"  scale:    {SCALE:g} (BENCH_SCALE), {REQUESTS} timed requests a page")
    print(f"  load average at start: {_load()}")

    call_command("migrate", verbosity=0)
    if not town_is_seeded():
        print("  the bench database does not hold the debates benchmark's town: seeding it")
        wipe(default_sqlite)
        start = time.perf_counter()
        town_seed()
        print(f"  town seeded in {time.perf_counter() - start:.1f} s")
    if actual_counts() == expected_counts():
        print("  reusing the seeded proposals")
    else:
        print("Seeding proposals")
        start = time.perf_counter()
        clear()
        seed()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"  seeded in {time.perf_counter() - start:.1f} s")
    counts = actual_counts()
    print("  data: " + ", ".join(f"{n:,} {name}" for name, n in counts.items()))

    busy = (
        Proposal.objects.visible()
        .filter(status=Proposal.Status.PUBLISHED, published_at__gte=archived_before())
        .order_by("-supports_count", "pk")
        .first()
    )
    member = (
        User.objects.filter(residence=Residence.CITIZEN, is_staff=False, supports__proposal=busy)
        .order_by("pk")
        .first()
    )
    print(
        f"  busiest open proposal: {busy.reference} with {busy.supports_count:,} supports; "
        f"signed-in visitor: {member.email}, a citizen who supports it "
        f"({member.supports.count()} supports in all)"
    )

    print("\nData layer")
    print("  " + time_support_split(busy))

    list_path = _path("proposals:list", "/th/proposals/")
    detail_path = _path("proposals:detail", f"/th/proposals/{busy.reference}/", busy.reference)
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    anonymous = Client()
    probe = anonymous.get(list_path)
    if probe.status_code == 404:
        print(f"\nPages skipped: {list_path} answered 404 (the proposal pages are not there yet).")
        return 0
    pages = [
        list_path,
        f"{list_path}?order=supported",
        f"{list_path}?order=new",
        f"{list_path}?order=archived",
        detail_path,
    ]
    signed_in = Client()
    signed_in.force_login(member)

    print(f"\nPages ({WARM_UPS} warm-ups, then {REQUESTS} timed requests each)")
    header = f"  {'page':<34} {'visitor':<10} {'median ms':>9} {'p95 ms':>8} {'SQL':>5} {'KB':>7}"
    print(header)
    print("  " + "-" * (len(header) - 2))
    failures = 0
    for path in pages:
        for visitor, client in (("anonymous", anonymous), ("signed in", signed_in)):
            result = measure_page(client, path)
            times = result["times"]
            if result["status"] != 200 or not times:
                failures += 1
                print(f"  {path:<34} {visitor:<10} status {result['status']}")
                continue
            print(
                f"  {path:<34} {visitor:<10} {statistics.median(times):>9.1f}"
                f" {_percentile(times, 0.95):>8.1f} {result['queries']:>5}"
                f" {result['size'] / 1024:>7.1f}"
            )
    print(f"  load average at the end: {_load()}")
    if failures:
        print(f"\n{failures} proposal page(s) did not answer 200.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
