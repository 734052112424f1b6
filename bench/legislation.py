"""Benchmark of a draft with many annotations: rendering, shading, re-anchoring, the draft page.

What it measures
    For one bylaw of 60 sections (about 180 Thai clauses) with ANNOTATIONS annotations (2,000
    at BENCH_SCALE=1, spread over its passages, many overlapping): the time to render the
    Markdown (`anchoring.render`), to shade the passages (`anchoring.shade`), to publish a new
    version that moves every annotation (`services.version_publish`), and the server-side time
    of the draft page (`/th/legislation/<pk>/draft/<n>/`) for an anonymous visitor and for a
    signed-in citizen: median and 95th percentile in milliseconds over BENCH_REQUESTS requests
    after 3 warm-ups, SQL queries of one request, HTML size.

Its own rows
    In the benchmark database (`var/bench.sqlite3`, or BENCH_DATABASE_URL), a process titled
    "bench: legislation" and 200 people "bench-legislation-N@example.org", made afresh each run.

How to run
    .venv/bin/python -m bench.legislation
    BENCH_SCALE=0.1 .venv/bin/python -m bench.legislation

Exit status 1 when the draft page answers with anything but 200.
"""

import random
import statistics
import time
import warnings

from bench.debates import (
    DEFAULT_DATABASE,
    REQUESTS,
    SCALE,
    SEED,
    WARM_UPS,
    _database_url,
    _django_setup,
    _percentile,
)

ANNOTATIONS = max(50, int(2_000 * SCALE))
PEOPLE = 200
TITLE = "bench: legislation"
CLAUSES = [
    "ห้ามตั้งแผงลอยก่อนเวลา ๐๖.๐๐ น. และหลังเวลา ๒๑.๐๐ น. ยกเว้นช่วงเทศกาลที่เทศบาลประกาศ",
    "ผู้ค้าต้องจัดที่ทิ้งขยะแยกประเภทประจำแผง และทำความสะอาดพื้นที่ก่อนเลิกจำหน่าย",
    "Vendors pay a monthly fee of 300 baht (ค่าธรรมเนียมรายเดือน) at the municipal office",
]


def _draft(sections: int) -> str:
    parts = ["# ร่างเทศบัญญัติ (bench)"]
    clause = 0
    for section in range(1, sections + 1):
        parts.append(f"## หมวด {section} เรื่องที่ {section}")
        for text in CLAUSES:
            clause += 1
            parts.append(f"ข้อ {clause} {text} ลำดับ {clause}")
    return "\n\n".join(parts) + "\n"


def _timed(function, repeat: int = 5) -> float:
    samples = []
    for _n in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    from django.apps import apps

    url, _default_sqlite = _database_url()
    DEFAULT_DATABASE.parent.mkdir(exist_ok=True)
    warnings.filterwarnings("ignore", message="No directory at")
    if not apps.ready:
        _django_setup(url)

    from django.conf import settings
    from django.test import override_settings

    with override_settings(DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        return _run()


def _run() -> int:
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Residence, User
    from legislation import anchoring
    from legislation.models import Annotation, DraftVersion, Process
    from legislation.services import version_publish
    from participation.models import Community

    print("\nRuamkit benchmark: collaborative legislation")
    print(f"  database: {connection.vendor}; {ANNOTATIONS:,} annotations (BENCH_SCALE={SCALE:g})")
    call_command("migrate", verbosity=0)
    rng = random.Random(SEED)
    today = timezone.localdate()
    Annotation.objects.filter(process__title=TITLE).delete()
    Process.objects.filter(title=TITLE).delete()
    existing = User.objects.filter(email__startswith="bench-legislation-").count()
    if existing < PEOPLE:
        User.objects.bulk_create(
            User(email=f"bench-legislation-{n}@example.org", display_name=f"ผู้อ่าน {n}")
            for n in range(existing, PEOPLE)
        )
    people = list(User.objects.filter(email__startswith="bench-legislation-").order_by("pk"))
    reader = people[0]
    community = Community.objects.first() or Community.objects.create(
        code="bench-legislation", name_th="ชุมชนทดสอบ"
    )
    User.objects.filter(pk=reader.pk).update(
        residence=Residence.CITIZEN, residence_community=community
    )

    process = Process.objects.create(
        title=TITLE,
        description="<p>bench</p>",
        is_published=True,
        comments_starts_on=today,
        comments_ends_on=today,
    )
    body = _draft(60)
    print(f"  draft: {len(body):,} characters of Markdown")
    render_ms = _timed(lambda: anchoring.render(body))
    first = DraftVersion.objects.create(process=process, number=1, title="bench", body=body)
    version_publish(version=first)
    first.refresh_from_db()
    text = first.plain_text
    annotations = []
    for n in range(ANNOTATIONS):
        start = rng.randrange(0, len(text) - 60)
        end = start + rng.randint(5, 60)
        annotations.append(
            Annotation(
                process=process,
                version=first,
                written_on=first,
                author=people[n % len(people)],
                quote=text[start:end],
                start=start,
                end=end,
                section=anchoring.section_at(first.sections, start),
                body=f"ความเห็นที่ {n}",
                comments_count=rng.randint(0, 3),
            )
        )
    Annotation.objects.bulk_create(annotations, batch_size=1000)
    ranges = [(a.start, a.end) for a in annotations]
    shade_ms = _timed(lambda: anchoring.shade(first.html, ranges))

    second = DraftVersion.objects.create(
        process=process, number=2, title="bench 2", body="## คำนำ\n\nเพิ่มคำนำ\n\n" + body
    )
    start = time.perf_counter()
    moved, stayed = version_publish(version=second)
    publish_ms = (time.perf_counter() - start) * 1000

    print("\nData layer (median of 5)")
    print(f"  render 60 sections:               {render_ms:8.1f} ms")
    print(f"  shade {ANNOTATIONS:,} annotations:         {shade_ms:8.1f} ms")
    print(f"  publish v2, move annotations:     {publish_ms:8.1f} ms", end=" ")
    print(f"({moved:,} moved, {stayed} stayed)")

    path = f"/th/legislation/{process.pk}/draft/2/"
    status = 0
    print("\nDraft page")
    print(f"  {'visitor':<12}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'HTML KB':>9}")
    signed_in = Client()
    signed_in.force_login(reader)
    for name, client in (("anonymous", Client()), ("citizen", signed_in)):
        for _n in range(WARM_UPS):
            client.get(path)
        samples = []
        for _n in range(REQUESTS):
            began = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - began) * 1000)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            status = 1
        print(
            f"  {name:<12}{statistics.median(samples):>10.1f}{_percentile(samples, 0.95):>9.1f}"
            f"{len(queries):>9}{len(response.content) / 1024:>9.0f}"
        )
    Annotation.objects.filter(Q(process=process)).delete()
    process.delete()
    return status


if __name__ == "__main__":
    raise SystemExit(main())
