"""Benchmark of the debate pages on a large, generated municipality.

What it measures
    Server-side time of the debate list (`/th/debates/`, `?order=top`, `?order=new`, `?page=50`)
    and of the busiest debate (the one with the most comments, `/th/debates/<pk>/` and
    `?page=2`), for an anonymous visitor and for a signed-in verified citizen. Each page is
    requested 3 times to warm up, then N=30 times (BENCH_REQUESTS) through Django's test
    `Client`: in-process, so no network, no web server, no static files; only URL routing,
    middleware, views, selectors, the ORM, the database and template rendering. The table gives
    the median and 95th percentile in milliseconds, the number of SQL queries of one request and
    the size of the HTML. It also times one data-layer operation: CONSUL's `hot_score()` of one
    debate, to estimate what the nightly `hot_scores_refresh()` would cost here (the refresh
    itself is not run: on 10,000 debates it takes too long for a benchmark).

The data
    10,000 debates, 100,000 comments (a third of them replies, threads up to depth 4), 500,000
    likes and dislikes (on debates and on comments) from 20,000 people, and tags. Popularity is
    skewed, as in real life: a few debates draw thousands of votes and comments, most a handful.
    Seeding is deterministic (a fixed random seed), uses `bulk_create` and rebuilds the cached
    counters in SQL afterwards; it never calls the per-row services.

Its own database
    Never the development data: a SQLite file `var/bench.sqlite3` by default, or
    BENCH_DATABASE_URL (for example `postgres://ruamkit:…@localhost/ruamkit_bench`), which will
    be WIPED when it does not already hold this benchmark's data. A database that does is reused,
    so the second run starts measuring at once.

How to run
    make bench
    BENCH_DATABASE_URL=postgres://user:password@localhost/ruamkit_bench make bench
    BENCH_SCALE=0.05 .venv/bin/python -m bench    # a twentieth of the data, for a quick try

Exit status 1 when any page answers with anything but 200.
"""

import logging
import math
import os
import platform
import random
import statistics
import sys
import time
import warnings
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = BASE_DIR / "var" / "bench.sqlite3"
# Raise when the generator changes, so an old bench database is seeded again instead of reused.
SEED_VERSION = 1
SEED = 2569
BATCH = 5000

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
WARM_UPS = 3


def _scaled(n: int) -> int:
    return max(1, round(n * SCALE))


USERS = _scaled(20_000)
STAFF = 5
DEBATES = _scaled(10_000)
COMMENTS = _scaled(100_000)
REPLIES = COMMENTS // 3
# How the replies spread over depths 1..4 (the rest of them go to depth 4).
REPLY_DEPTH_SHARES = [0.6, 0.24, 0.105]
DEBATE_VOTES = _scaled(350_000)
COMMENT_VOTES = _scaled(150_000)
FEATURED = 3
HISTORY_DAYS = 730

# ---------------------------------------------------------------------------------------------
# Words the generated content is made of: plausible Saensuk topics, not lorem ipsum, so that
# the HTML has the byte size of real Thai text (three bytes a character in UTF-8).

FIRST_NAMES = [
    "สมชาย",
    "สมศรี",
    "วันเพ็ญ",
    "ประเสริฐ",
    "สุภาพร",
    "ธนากร",
    "กิตติ",
    "นภา",
    "อรุณี",
    "บุญมี",
    "ชัยวัฒน์",
    "พิมพ์ชนก",
    "ณัฐวุฒิ",
    "ศิริพร",
    "วีระ",
    "มาลี",
    "อนุชา",
    "จันทร์เพ็ญ",
    "ปิยะ",
    "ดวงใจ",
    "ธีรพงษ์",
    "รัตนา",
    "สุรเชษฐ์",
    "กัญญา",
    "เอกชัย",
    "ปรีชา",
    "ลำดวน",
    "ภัทรา",
    "ต้น",
    "มายด์",
]
LAST_NAMES = [
    "ใจดี",
    "ศรีสุข",
    "แสนสุข",
    "ทองคำ",
    "บุญมา",
    "รักษ์ทะเล",
    "มีสุข",
    "สายสมร",
    "พึ่งบุญ",
    "ชลธาร",
    "วงศ์ใหญ่",
    "แก้วมณี",
    "ประเสริฐศักดิ์",
    "อ่อนศรี",
    "เพชรรัตน์",
    "สุขเจริญ",
    "ทะเลทอง",
    "ดีงาม",
]
TITLE_SUBJECTS = [
    "ขอไฟส่องสว่างเพิ่ม",
    "ทางเท้าชำรุด เดินลำบาก",
    "ถังขยะไม่พอช่วงวันหยุดยาว",
    "น้ำท่วมขังทุกครั้งที่ฝนตกหนัก",
    "ขอที่จอดจักรยาน",
    "ลดถุงพลาสติก",
    "ขอลานกีฬาสำหรับเด็ก",
    "รถติดช่วงเย็นวันศุกร์",
    "ขอจุดล้างเท้าเพิ่ม",
    "ทำทางจักรยานให้ปลอดภัย",
    "สุนัขจรจัดเพิ่มขึ้น",
    "ขอติดกล้องวงจรปิด",
    "ท่อระบายน้ำอุดตัน",
    "เสียงดังตอนดึก",
    "ขอรถรางรับส่งนักท่องเที่ยว",
    "จัดโซนขายอาหารริมทาง",
    "ขอพื้นที่สีเขียวเพิ่ม",
    "คัดแยกขยะเศษอาหาร",
    "ป้ายบอกทางหลายภาษา",
    "ตลาดนัดสินค้าชุมชนทุกเดือน",
    "ขอทางลาดสำหรับรถเข็น",
    "ลิงลงมารื้อถังขยะ",
]
PLACES = [
    "ซอยวัดแสนสุข",
    "ถนนลงหาดบางแสน",
    "ตลาดหนองมน",
    "หาดวอนนภา",
    "แหลมแท่น",
    "เขาสามมุข",
    "ถนนบางแสนสาย 2",
    "หน้ามหาวิทยาลัยบูรพา",
    "ชุมชนมาบมะยม",
    "ลานจอดรถริมหาด",
    "ซอยหอพักนิสิต",
    "ถนนข้าวหลาม",
    "บางแสนล่าง",
    "บางแสนบน",
    "ศาลาริมทะเล",
]
SENTENCES = [
    "ผมอยู่ในชุมชนนี้มากว่ายี่สิบปี ปัญหานี้เกิดซ้ำทุกปีแต่ยังไม่มีใครแก้อย่างจริงจัง",
    "ช่วงเสาร์อาทิตย์นักท่องเที่ยวเยอะมาก รถติดยาวตั้งแต่ปากซอยถึงหน้าหาด",
    "อยากให้เทศบาลลองทำเป็นโครงการนำร่องสักสามเดือนแล้วค่อยประเมินผล",
    "แม่ค้าในตลาดหลายคนเห็นด้วย แต่กังวลเรื่องค่าใช้จ่ายที่จะเพิ่มขึ้น",
    "ถ้าทำได้จริง เด็ก ๆ และผู้สูงอายุในชุมชนจะได้ประโยชน์มากที่สุด",
    "ตอนกลางคืนถนนเส้นนี้มืดมาก นิสิตที่เดินกลับหอพักรู้สึกไม่ปลอดภัย",
    "ขยะจากร้านอาหารริมหาดไหลลงทะเลทุกครั้งที่ฝนตก ชาวประมงบอกว่าปลาน้อยลง",
    "ขอให้มีการประชุมประชาคมในชุมชนก่อนตัดสินใจ จะได้ฟังเสียงทุกฝ่าย",
    "เคยแจ้งผ่านสายด่วนเทศบาลไปแล้วครั้งหนึ่ง เจ้าหน้าที่มาดูแต่ยังไม่ได้แก้",
    "ถ้าใช้งบไม่มาก ชุมชนยินดีช่วยออกแรงทำความสะอาดร่วมกันทุกเดือน",
    "ควรมีป้ายบอกชัดเจนว่าจอดได้ถึงกี่โมง เพราะตอนนี้ต่างคนต่างเข้าใจไม่ตรงกัน",
    "ที่เมืองอื่นเขาทำแล้วได้ผลดี เราน่าจะลองศึกษาดูเป็นตัวอย่าง",
    "ร้านข้าวหลามหน้าตลาดขายดีขึ้นตั้งแต่มีที่จอดรถเพิ่ม",
    "เห็นด้วยครึ่งหนึ่ง แต่อยากให้คิดถึงคนที่ต้องขับรถผ่านเส้นนี้ไปทำงานด้วย",
    "น้ำท่วมขังแค่ครึ่งชั่วโมงก็พอทำให้ร้านค้าแถวนี้ต้องปิดทั้งบ่าย",
    "ลิงจากเขาสามมุขลงมาหาอาหารในถังขยะบ่อยขึ้น ต้องใช้ถังแบบมีฝาล็อก",
    "อยากเห็นตัวเลขงบประมาณและระยะเวลาก่อนจะตัดสินใจสนับสนุน",
    "ขอบคุณที่เปิดให้ประชาชนได้ร่วมคิด เรื่องแบบนี้ควรถามคนในพื้นที่ก่อนเสมอ",
    "ผมปั่นจักรยานไปทำงานทุกวัน ถนนเส้นนี้อันตรายมากช่วงเช้า",
    "ถ้าจัดระเบียบร่มเตียงให้ดี คนเดินเล่นริมหาดก็สะดวก ผู้ค้าก็ยังขายได้",
]
OFFICIAL_SENTENCES = [
    "เทศบาลเมืองแสนสุขได้รับเรื่องแล้ว และส่งให้กองช่างลงสำรวจพื้นที่ภายในสัปดาห์นี้",
    "เรื่องนี้อยู่ในแผนพัฒนาท้องถิ่นปีงบประมาณหน้า จะแจ้งความคืบหน้าในหน้านี้อีกครั้ง",
    "กองสาธารณสุขฯ จะจัดประชุมร่วมกับผู้นำชุมชนเพื่อรับฟังความเห็นก่อนดำเนินการ",
]
TAG_NAMES = [
    "ตลาดหนองมน",
    "ชายหาด",
    "ขยะ",
    "จักรยาน",
    "น้ำท่วม",
    "ท่อระบายน้ำ",
    "ไฟส่องสว่าง",
    "ทางเท้า",
    "ที่จอดรถ",
    "การท่องเที่ยว",
    "ผู้ค้าริมหาด",
    "ข้าวหลาม",
    "ประมงพื้นบ้าน",
    "นิสิต",
    "ผู้สูงอายุ",
    "เด็กและเยาวชน",
    "สุนัขจรจัด",
    "ลิงเขาสามมุข",
    "ความปลอดภัย",
    "รีไซเคิล",
    "พื้นที่สีเขียว",
    "การจราจร",
    "เสียงดัง",
    "ขนส่งสาธารณะ",
    "หาดวอนนภา",
    "แหลมแท่น",
    "บางแสน",
    "งานศิลปะ",
    "ถนนคนเดิน",
    "น้ำเสีย",
    "ปุ๋ยหมัก",
    "คนพิการ",
    "กีฬา",
    "สุขภาพ",
    "ตลาดนัด",
    "วัฒนธรรม",
]


def _database_url() -> tuple[str, bool]:
    """The benchmark's database URL, and whether it is the default SQLite file."""
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url:
        return url, False
    return f"sqlite:///{DEFAULT_DATABASE}", True


def _django_setup(url: str) -> None:
    # Before setup: config/settings.py reads DATABASE_URL once, at import.
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


@contextmanager
def _phase(name: str):
    print(f"  {name} …", end="", flush=True)
    start = time.perf_counter()
    yield
    print(f" {time.perf_counter() - start:.1f} s", flush=True)


@contextmanager
def _timestamps_as_given(*models):
    """Let bulk_create keep the created_at we generate.

    auto_now_add stamps every row with "now" in pre_save, and seeding needs two years of history
    so that "newest" and "hottest" differ as they do in a real town.
    """
    fields = [
        f
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _spread(total: int, n: int, exponent: float, cap: int, rng: random.Random) -> list[int]:
    """`total` split over `n` ranks by a power law (rank 0 gets most), each at most `cap`."""
    weights = [1 / (rank + 1) ** exponent for rank in range(n)]
    scale = total / sum(weights)
    counts = [min(cap, int(w * scale)) for w in weights]
    left = total - sum(counts)
    open_ranks = [rank for rank in range(n) if counts[rank] < cap]
    while left > 0 and open_ranks:
        rank = rng.choice(open_ranks)
        counts[rank] += 1
        left -= 1
        if counts[rank] >= cap:
            open_ranks.remove(rank)
    return counts


def _batched(items, size=BATCH):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.sample(SENTENCES, rng.randint(low, high)))


def _seed_marker() -> str:
    return f"Ruamkit bench v{SEED_VERSION} scale {SCALE:g}"


def expected_counts() -> dict[str, int]:
    return {
        "users": USERS,
        "debates": DEBATES,
        "comments": COMMENTS,
        "votes": DEBATE_VOTES + COMMENT_VOTES,
    }


def actual_counts() -> dict[str, int]:
    from accounts.models import User
    from debates.models import Debate
    from participation.models import Comment, Vote

    return {
        "users": User.objects.count(),
        "debates": Debate.objects.count(),
        "comments": Comment.objects.count(),
        "votes": Vote.objects.count(),
    }


def is_seeded() -> bool:
    """The database holds exactly what this version of the seeder makes."""
    from django.contrib.sites.models import Site

    site = Site.objects.filter(pk=1).first()
    return site is not None and site.name == _seed_marker() and actual_counts() == expected_counts()


def seed() -> None:
    """Fill an empty database with the generated municipality, in one transaction."""
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sites.models import Site
    from django.db import connection, transaction
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce
    from django.utils import timezone
    from django.utils.text import slugify
    from taggit.models import Tag, TaggedItem

    from accounts.models import InterestDeclaration, Residence, User, VoterClass
    from debates.models import Debate
    from participation.demo import COMMUNITIES, STRATEGIC_ISSUES
    from participation.models import Comment, Community, Follow, StrategicIssue, Vote
    from participation.services import HOT_SCORE_MAX_PERIOD_DAYS, confidence_score_expression

    rng = random.Random(SEED)
    now = timezone.now()
    day = timedelta(days=1)

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # synchronous=OFF lasts for this connection only: a crash mid-seed could corrupt the
            # bench file, which the next run would just wipe. WAL stays with the file.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")
            cursor.execute("PRAGMA temp_store=MEMORY")

    with transaction.atomic(), _timestamps_as_given(Debate, Comment, Vote):
        with _phase("places and strategic issues"):
            Site.objects.update_or_create(
                pk=1, defaults={"domain": "testserver", "name": _seed_marker()}
            )
            for order, (code, name_th, name_en) in enumerate(COMMUNITIES):
                Community.objects.get_or_create(
                    code=code, defaults={"name_th": name_th, "name_en": name_en, "order": order}
                )
            for order, (slug, title_th, title_en, text_th, text_en) in enumerate(STRATEGIC_ISSUES):
                StrategicIssue.objects.get_or_create(
                    slug=slug,
                    defaults={
                        "title_th": title_th,
                        "title_en": title_en,
                        "description_th": text_th,
                        "description_en": text_en,
                        "order": order,
                    },
                )
            community_ids = list(Community.objects.values_list("pk", flat=True))
            issue_ids = list(StrategicIssue.objects.values_list("pk", flat=True))

        with _phase(f"{USERS:,} people"):
            users = []
            for n in range(USERS):
                r = rng.random()
                residence = (
                    Residence.CITIZEN if r < 0.55 else Residence.RESIDENT if r < 0.65 else ""
                )
                community_id = rng.choice(community_ids)
                users.append(
                    User(
                        email=f"bench{n:05d}@bench.example",
                        display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                        # Unusable (starts with "!"): the benchmark signs in with force_login.
                        password="!bench",
                        is_staff=n < STAFF,
                        residence=residence,
                        residence_community_id=community_id if residence else None,
                        community_id=community_id if residence or r > 0.9 else None,
                        date_joined=now - rng.uniform(0, HISTORY_DAYS + 200) * day,
                    )
                )
            User.objects.bulk_create(users, batch_size=BATCH)
            if users[0].pk is None:  # a backend that cannot return the ids of a bulk insert
                by_email = dict(User.objects.values_list("email", "pk"))
                for user in users:
                    user.pk = by_email[user.email]
            user_pk = [u.pk for u in users]
            user_residence = [u.residence for u in users]
            user_community = [u.residence_community_id for u in users]
            del users

        with _phase(f"{DEBATES:,} debates, their {DEBATE_VOTES:,} votes planned"):
            tags = []
            for i, name in enumerate(TAG_NAMES):
                tags.append(Tag(name=name, slug=slugify(name, allow_unicode=True) or f"tag-{i}"))
            seen_slugs = set()
            for i, tag in enumerate(tags):
                if tag.slug in seen_slugs:
                    tag.slug = f"{tag.slug}-{i}"
                seen_slugs.add(tag.slug)
            Tag.objects.bulk_create(tags)
            tag_ids = list(Tag.objects.order_by("pk").values_list("pk", flat=True))
            tag_weights = [1 / (i + 1) ** 0.6 for i in range(len(tag_ids))]

            # Popularity rank of each debate, independent of its age.
            rank = list(range(DEBATES))
            rng.shuffle(rank)
            vote_cap = max(1, min(5000, USERS // 2))
            votes_by_rank = _spread(DEBATE_VOTES, DEBATES, 0.7, vote_cap, rng)
            top_level = COMMENTS - REPLIES
            comments_by_rank = _spread(top_level, DEBATES, 0.8, max(1, top_level // 20), rng)
            featured = set(rng.sample(range(DEBATES), min(FEATURED, DEBATES)))

            debates = []
            debate_votes = []  # per debate: [(user index, value, cast at)]
            for i in range(DEBATES):
                created = now - rng.uniform(0, HISTORY_DAYS) * day
                approval = rng.betavariate(4, 2)
                voters = rng.sample(range(USERS), votes_by_rank[rank[i]])
                votes = [
                    (
                        u,
                        1 if rng.random() < approval else -1,
                        created + (now - created) * rng.random() ** 2,
                    )
                    for u in voters
                ]
                debate_votes.append(votes)
                # CONSUL's hot score, as participation.services.hot_score computes it.
                age_days = math.ceil((now - created) / day)
                period = max(1, min(HOT_SCORE_MAX_PERIOD_DAYS, age_days))
                since = now - period * day
                hot = round(sum(v for _u, v, at in votes if at >= since) / period)
                hidden = rng.random() < 0.005
                debates.append(
                    Debate(
                        title=f"{rng.choice(TITLE_SUBJECTS)} บริเวณ{rng.choice(PLACES)}",
                        description="".join(f"<p>{_text(rng, 1, 3)}</p>" for _ in range(2)),
                        author_id=user_pk[rng.randrange(USERS)],
                        community_id=rng.choice(community_ids) if rng.random() < 0.7 else None,
                        strategic_issue_id=rng.choice(issue_ids) if rng.random() < 0.8 else None,
                        is_featured=i in featured,
                        hot_score=hot,
                        hidden_at=created + day if hidden else None,
                        created_at=created,
                        updated_at=created,
                    )
                )
            Debate.objects.bulk_create(debates, batch_size=BATCH)
            debate_pk = [d.pk for d in debates]
            debate_created = [d.created_at for d in debates]
            debate_community = [d.community_id for d in debates]
            debate_author = [d.author_id for d in debates]
            debate_ct = ContentType.objects.get_for_model(Debate)
            comment_ct = ContentType.objects.get_for_model(Comment)

            tagged = []
            for i in range(DEBATES):
                chosen = set(rng.choices(tag_ids, weights=tag_weights, k=rng.randint(1, 3)))
                tagged += [
                    TaggedItem(tag_id=t, content_type_id=debate_ct.pk, object_id=debate_pk[i])
                    for t in chosen
                ]
            TaggedItem.objects.bulk_create(tagged, batch_size=BATCH)
            del debates, tagged

        follows = {(debate_author[i], i) for i in range(DEBATES)}
        comment_info = []  # (pk, debate index, created_at)

        with _phase(f"{top_level:,} comments"):
            rows = []
            for i in range(DEBATES):
                created = debate_created[i]
                for _ in range(comments_by_rank[rank[i]]):
                    official = rng.random() < 0.004
                    author = rng.randrange(STAFF) if official else rng.randrange(USERS)
                    at = created + (now - created) * rng.random() ** 1.5
                    rows.append(
                        (
                            i,
                            Comment(
                                content_type_id=debate_ct.pk,
                                object_id=debate_pk[i],
                                author_id=user_pk[author],
                                body=rng.choice(OFFICIAL_SENTENCES)
                                if official
                                else _text(rng, 1, 3),
                                is_official=official,
                                hidden_at=at + day if rng.random() < 0.01 else None,
                                deleted_at=at + day if rng.random() < 0.005 else None,
                                created_at=at,
                            ),
                        )
                    )
                    follows.add((user_pk[author], i))
            Comment.objects.bulk_create([c for _i, c in rows], batch_size=BATCH)
            level = [(c.pk, i, c.created_at, c.pk) for i, c in rows]
            comment_info += [(pk, i, at) for pk, i, at, _root in level]

        replies_left = REPLIES
        for depth in range(1, 5):
            share = REPLY_DEPTH_SHARES[depth - 1] if depth < 4 else None
            count = replies_left if share is None else round(REPLIES * share)
            replies_left -= count
            if not count or not level:
                continue
            with _phase(f"{count:,} replies at depth {depth}"):
                rows = []
                for _ in range(count):
                    parent_pk, i, parent_at, root_pk = rng.choice(level)
                    author = rng.randrange(USERS)
                    at = min(now, parent_at + timedelta(seconds=rng.expovariate(1 / 21_600)))
                    rows.append(
                        (
                            i,
                            root_pk,
                            Comment(
                                content_type_id=debate_ct.pk,
                                object_id=debate_pk[i],
                                author_id=user_pk[author],
                                parent_id=parent_pk,
                                root_id=root_pk,
                                depth=depth,
                                body=_text(rng, 1, 2),
                                hidden_at=at + day if rng.random() < 0.01 else None,
                                created_at=at,
                            ),
                        )
                    )
                    follows.add((user_pk[author], i))
                Comment.objects.bulk_create([c for _i, _r, c in rows], batch_size=BATCH)
                level = [(c.pk, i, c.created_at, root) for i, root, c in rows]
                comment_info += [(pk, i, at) for pk, i, at, _root in level]

        declarations = {}  # (user index, debate index) → declared class

        def voter_class(u: int, i: int) -> str:
            # A matter of one community affects that community's verified people; the rest must
            # have declared themselves interested or concerned before they could vote.
            residence = user_residence[u]
            if residence and debate_community[i] in (None, user_community[u]):
                if residence == Residence.CITIZEN:
                    return VoterClass.AFFECTED_CITIZEN
                return VoterClass.AFFECTED_RESIDENT
            key = (u, i)
            if key not in declarations:
                declarations[key] = VoterClass.INTERESTED if (u + i) % 4 else VoterClass.CONCERNED
            return declarations[key]

        def vote_rows():
            for i, votes in enumerate(debate_votes):
                for u, value, at in votes:
                    yield Vote(
                        user_id=user_pk[u],
                        content_type_id=debate_ct.pk,
                        object_id=debate_pk[i],
                        value=value,
                        voter_class=voter_class(u, i),
                        created_at=at,
                    )
            cap = max(1, min(500, USERS // 4))
            per_comment = _spread(COMMENT_VOTES, len(comment_info), 0.6, cap, rng)
            order = list(range(len(comment_info)))
            rng.shuffle(order)
            for r, c in enumerate(order):
                pk, i, created = comment_info[c]
                for u in rng.sample(range(USERS), per_comment[r]):
                    yield Vote(
                        user_id=user_pk[u],
                        content_type_id=comment_ct.pk,
                        object_id=pk,
                        value=1 if rng.random() < 0.75 else -1,
                        voter_class=voter_class(u, i),
                        created_at=created + (now - created) * rng.random() ** 2,
                    )

        with _phase(f"{DEBATE_VOTES + COMMENT_VOTES:,} votes"):
            for n, batch in enumerate(_batched(vote_rows())):
                Vote.objects.bulk_create(batch, batch_size=BATCH)
                if n % 20 == 19:
                    print(f" {(n + 1) * BATCH:,}", end="", flush=True)
            debate_votes.clear()

        with _phase(f"{len(declarations):,} interest declarations, {len(follows):,} follows"):
            InterestDeclaration.objects.bulk_create(
                (
                    InterestDeclaration(
                        user_id=user_pk[u],
                        content_type_id=debate_ct.pk,
                        object_id=debate_pk[i],
                        voter_class=declared,
                    )
                    for (u, i), declared in declarations.items()
                ),
                batch_size=BATCH,
            )
            Follow.objects.bulk_create(
                (
                    Follow(user_id=user, content_type_id=debate_ct.pk, object_id=debate_pk[i])
                    for user, i in follows
                ),
                batch_size=BATCH,
            )

        def counted(queryset):
            per_row = queryset.order_by().values("object_id").annotate(n=Count("pk")).values("n")
            return Coalesce(Subquery(per_row), 0)

        def votes_of(content_type, value):
            return counted(
                Vote.objects.filter(
                    content_type=content_type, object_id=OuterRef("pk"), value=value
                )
            )

        with _phase("cached counters rebuilt in SQL"):
            for model, content_type in ((Debate, debate_ct), (Comment, comment_ct)):
                model.objects.update(
                    cached_votes_up=votes_of(content_type, 1),
                    cached_votes_down=votes_of(content_type, -1),
                )
                model.objects.update(confidence_score=confidence_score_expression())
            # Hidden comments do not count, as participation.services keeps it.
            Debate.objects.update(
                comments_count=counted(
                    Comment.objects.filter(
                        content_type_id=debate_ct.pk,
                        object_id=OuterRef("pk"),
                        hidden_at__isnull=True,
                    )
                )
            )

    if connection.vendor == "postgresql":
        with _phase("ANALYZE"), connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def wipe(default_sqlite: bool) -> None:
    """Empty the bench database: a new file for the default SQLite, a flush otherwise."""
    from django.core.management import call_command
    from django.db import connection

    if default_sqlite:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DEFAULT_DATABASE}{suffix}").unlink(missing_ok=True)
        call_command("migrate", verbosity=0)
    else:
        call_command("flush", interactive=False, verbosity=0)


# ---------------------------------------------------------------------------------------------
# Measuring


def _percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _path(name: str, fallback: str, *args) -> str:
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    with translation.override("th"):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            return fallback


def measure_page(client, path: str) -> dict:
    """Warm up, then time REQUESTS requests of one page; counts the queries of one request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    status = None
    queries = None
    size = 0
    for n in range(WARM_UPS):
        try:
            if n == WARM_UPS - 1:
                # Counted on a warm-up, so that capturing SQL costs nothing in the timed runs.
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(path)
                queries = len(captured.captured_queries)
            else:
                response = client.get(path)
        except Exception as error:  # the test client re-raises what the view raised
            return {
                "status": f"error: {type(error).__name__}: {error}",
                "times": [],
                "queries": queries,
                "size": 0,
            }
        status = response.status_code
        size = len(response.content)
        if status != 200:
            return {"status": status, "times": [], "queries": queries, "size": size}
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            status = response.status_code
    return {"status": status, "times": times, "queries": queries, "size": size}


def time_hot_score(sample_size: int = 200) -> str:
    """Time CONSUL's hot_score() with its UPDATE on sample debates, then roll them back."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.db.models import Q
    from django.utils import timezone

    from debates.models import Debate
    from participation.models import Vote
    from participation.services import HOT_SCORE_MAX_PERIOD_DAYS, hot_score

    now = timezone.now()
    voted = Vote.objects.filter(
        content_type=ContentType.objects.get_for_model(Debate),
        created_at__gte=now - timedelta(days=HOT_SCORE_MAX_PERIOD_DAYS),
    ).values("object_id")
    candidates = Debate.objects.filter(~Q(hot_score=0) | Q(pk__in=voted))
    start = time.perf_counter()
    total = candidates.count()
    count_ms = (time.perf_counter() - start) * 1000
    sample = list(candidates.only("created_at").order_by("?")[:sample_size])
    with transaction.atomic():
        start = time.perf_counter()
        for debate in sample:
            Debate.objects.filter(pk=debate.pk).update(hot_score=hot_score(debate, now))
        per_row = (time.perf_counter() - start) * 1000 / max(1, len(sample))
        transaction.set_rollback(True)
    return (
        f"hot_score() + UPDATE of one debate: {per_row:.2f} ms (mean of {len(sample)}); "
        f"{total:,} debates are candidates (found in {count_ms:.0f} ms), so "
        f"hot_scores_refresh() would take about {per_row * total / 1000:.0f} s here (not run)."
    )


def _load() -> str:
    try:
        return " ".join(f"{n:.2f}" for n in os.getloadavg()) + " (1, 5, 15 min)"
    except OSError:
        return "unknown"


def main() -> int:
    url, default_sqlite = _database_url()
    fresh = default_sqlite and not DEFAULT_DATABASE.exists()
    DEFAULT_DATABASE.parent.mkdir(exist_ok=True)
    # WhiteNoise warns when collectstatic has not run (`make bench` runs it, `python -m` may not).
    warnings.filterwarnings("ignore", message="No directory at")
    _django_setup(url)

    from django.conf import settings
    from django.test import override_settings

    # Production-like throughout: DEBUG off, so neither the seeding nor the pages pay for the
    # debug cursor's query log or the template engine's debug data. The test client's host is
    # allowed as the test runner would allow it.
    with override_settings(DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        return _run(default_sqlite=default_sqlite, fresh=fresh)


def _run(*, default_sqlite: bool, fresh: bool) -> int:
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import Residence, User
    from debates.models import Debate
    from participation.models import Vote

    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT sqlite_version()")
            version = cursor.fetchone()[0]
    else:
        version = ".".join(map(str, connection.get_database_version()))
    print("Ruamkit benchmark: debate pages")
    print(f"  database: {connection.vendor} {version} ({db['ENGINE']}, {db['NAME']})")
    print(
        f"  machine:  {os.cpu_count()} CPUs (os.cpu_count()), {platform.machine()}, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"Django {django.get_version()}, DEBUG off"
    )
    print(f"  scale:    {SCALE:g} (BENCH_SCALE), {REQUESTS} timed requests a page")
    # Other work on the machine moves the numbers: the load says how quiet it was.
    print(f"  load average at start: {_load()}")

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"  migrate: {time.perf_counter() - start:.1f} s")
    if not fresh and is_seeded():
        print("  reusing the seeded bench database")
    else:
        if not fresh:
            print("  the bench database does not hold this benchmark's data: wiping it")
            wipe(default_sqlite)
        print("Seeding")
        start = time.perf_counter()
        seed()
        print(f"  seeded in {time.perf_counter() - start:.1f} s")
    counts = actual_counts()
    print("  data: " + ", ".join(f"{n:,} {name}" for name, n in counts.items()))

    busy = Debate.objects.visible().order_by("-comments_count", "pk").first()
    voters = Vote.objects.filter(content_type__model="debate", object_id=busy.pk)
    member = (
        User.objects.filter(
            residence=Residence.CITIZEN, is_staff=False, pk__in=voters.values("user_id")
        )
        .order_by("pk")
        .first()
    )
    print(
        f"  busiest debate: #{busy.pk} with {busy.comments_count:,} comments and "
        f"{busy.cached_votes_total:,} votes; signed-in visitor: {member.email}, a citizen "
        f"who voted on it ({member.votes.count()} votes in all)"
    )

    list_path = _path("debates:list", "/th/debates/")
    detail_path = _path("debates:detail", f"/th/debates/{busy.pk}/", busy.pk)
    pages = [
        list_path,
        f"{list_path}?order=top",
        f"{list_path}?order=new",
        f"{list_path}?page=50",
        detail_path,
        f"{detail_path}?page=2",
    ]
    anonymous = Client()
    signed_in = Client()
    signed_in.force_login(member)

    print("\nData layer")
    print("  " + time_hot_score())

    print(f"\nPages ({WARM_UPS} warm-ups, then {REQUESTS} timed requests each)")
    header = f"  {'page':<34} {'visitor':<10} {'median ms':>9} {'p95 ms':>8} {'SQL':>5} {'KB':>7}"
    print(header)
    print("  " + "-" * (len(header) - 2))
    failures = 0
    # A failing page is reported in the table, in one line, not by the request logger's traceback.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
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
        print(f"\n{failures} page(s) did not answer 200.", file=sys.stderr)
        return 1
    return 0
