"""Demo budgets for Saensuk: one finished, with results and milestones, and one in balloting.

Needs `participation.demo.demo_load()` to have run first: the communities become headings, the
demo residents vote online and the census people without an account vote at a booth.

Every ballot goes through the services, as in real life: the finished budget is first set up
with balloting open now, the residents build their ballots into sealed envelopes and the booth
officer marks the census people on the roll; then its calendar (and the roll's times) move back
five months, the count opens the envelopes into the box, the officer enters the booth's paper
ballots, the municipality's staff member confirms them as a second officer, and the result is
counted again and published with the ballot box's hash.
"""

import datetime
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import CensusRecord, User
from accounts.national_id import id_hash
from accounts.roles import POLL_OFFICER
from budgets.models import (
    BallotStyle,
    Booth,
    Budget,
    BudgetGroup,
    BudgetPhase,
    Feasibility,
    Heading,
    Investment,
    PhaseKind,
    RollEntry,
    TallyRule,
)
from budgets.services import (
    ballot_line_add,
    booth_count_confirm_by,
    booth_paper_ballot_enter,
    booth_roll_mark,
    heading_results_compute,
)
from participation.demo import (
    DEMO_CENSUS,
    ROLE_ACCOUNTS,
    STAFF,
    demo_national_id,
    demo_residents,
)
from participation.models import Community, Competence, Milestone, StrategicIssue
from participation.services import NotAllowed

FINISHED_TITLE = "งบประมาณแบบมีส่วนร่วม ปีงบประมาณ 2568"
BALLOTING_TITLE = "งบประมาณแบบมีส่วนร่วม ปีงบประมาณ 2569"
CITY_WIDE = "ทั้งเทศบาลเมืองแสนสุข"

# (title pattern, price, strategic issue slug); {name} is the community's Thai name.
COMMUNITY_PROJECTS = [
    ("ไฟส่องสว่างในซอย {name}", 180_000, "clean-water-less-waste"),
    ("ลอกท่อระบายน้ำ {name}", 320_000, "clean-water-less-waste"),
    ("ลานกีฬาและเครื่องเล่นเด็ก {name}", 450_000, "sustainable-bang-saen-beach"),
    ("ตลาดนัดชุมชนสุดสัปดาห์ {name}", 150_000, "nong-mon-creative-economy"),
]
CITY_PROJECTS = [
    ("ทางจักรยานเลียบชายหาดบางแสน", 1_400_000, "sustainable-bang-saen-beach"),
    ("จุดคัดแยกขยะรีไซเคิลทั่วเมือง", 600_000, "clean-water-less-waste"),
    ("ลานวัฒนธรรมตลาดหนองมน", 900_000, "nong-mon-creative-economy"),
]
UNFEASIBLE = "ท่าเรือท่องเที่ยวแหลมแท่น"


def _phases(budget: Budget, balloting_starts: datetime.datetime) -> None:
    """The nine phases, two weeks each, with balloting starting at the given moment."""
    kinds = list(PhaseKind)
    start = balloting_starts - timedelta(days=14 * kinds.index(PhaseKind.BALLOTING))
    for i, kind in enumerate(kinds):
        BudgetPhase.objects.create(
            budget=budget,
            kind=kind,
            starts_at=start + timedelta(days=14 * i),
            ends_at=start + timedelta(days=14 * (i + 1)),
            # The supports phase is skipped in the earlier year: staff chose from the proposals.
            enabled=not (kind == PhaseKind.SELECTING and budget.title == FINISHED_TITLE),
        )


def _budget(title: str, fiscal_year: int, rule: str, description: str) -> Budget:
    return Budget.objects.create(
        title=title,
        description=description,
        fiscal_year=fiscal_year,
        ballot_style=BallotStyle.KNAPSACK,
        rule=rule,
        voter_classes=["affected_citizen", "affected_resident"],
    )


def _headings(budget: Budget, communities, amount: int) -> list[Heading]:
    by_community = BudgetGroup.objects.create(budget=budget, title="ตามชุมชน")
    city = BudgetGroup.objects.create(budget=budget, title="ทั้งเมือง")
    headings = [
        Heading.objects.create(
            group=by_community,
            title=community.name_th,
            amount=amount,
            community=community,
            population=community.census_records.count() or None,
        )
        for community in communities
    ]
    headings.append(
        Heading.objects.create(
            group=city, title=CITY_WIDE, amount=2_000_000, population=CensusRecord.objects.count()
        )
    )
    return headings


def _investments(heading: Heading, issues, people, now) -> list[Investment]:
    community = heading.community
    specs = (
        [(t.format(name=community.name_th), p, s) for t, p, s in COMMUNITY_PROJECTS]
        if community
        else CITY_PROJECTS
    )
    authors = [p for p in people.values() if p.is_verified] or list(people.values())
    made = []
    for n, (title, price, issue) in enumerate(specs):
        made.append(
            Investment.objects.create(
                heading=heading,
                title=title,
                description=f"<p>{title}: เสนอโดยผู้อยู่อาศัย เพื่อให้ชุมชนน่าอยู่และปลอดภัยขึ้น</p>",
                location=community.name_th if community else "เทศบาลเมืองแสนสุข",
                author=authors[(heading.pk + n) % len(authors)],
                community=community,
                strategic_issue=issues.get(issue),
                estimated_cost=price - price // 10,
                price=price,
                feasibility=Feasibility.FEASIBLE,
                competence=Competence.WITHIN,
                competence_screened_at=now,
                duration="3 เดือน" if price < 400_000 else "6 เดือน",
                valuation_explanation="ราคากลางตามบัญชีครุภัณฑ์และค่าแรงของเทศบาล",
                valuated_at=now,
                selected_for_ballot=True,
                objective="ยกระดับคุณภาพชีวิตของคนในชุมชน",
                target=community.name_th if community else "ประชาชนทั้งเมือง",
                responsible_division="กองช่าง" if "ท่อ" in title or "ไฟ" in title else "กองสาธารณสุข",
            )
        )
    return made


def _choices(heading: Heading, investments, n: int) -> list[Investment]:
    """What the n-th voter of a heading picks: up to three projects that fit its amount, each
    voter starting from a different project so that the count has something to decide."""
    chosen, spent = [], 0
    for k in range(len(investments)):
        investment = investments[(n * 2 + k) % len(investments)]
        if spent + investment.price <= heading.amount and len(chosen) < 3:
            chosen.append(investment)
            spent += investment.price
    return chosen


def _vote_online(heading: Heading, investments, voters) -> int:
    """Residents build their ballots on the ballot page (through the service)."""
    voted = 0
    for n, person in enumerate(voters):
        try:
            for investment in _choices(heading, investments, n):
                ballot_line_add(user=person, heading=heading, investment_id=investment.pk)
        except NotAllowed:
            continue
        voted += 1
    return voted


def _national_ids() -> dict[str, str]:
    """The demo census's national IDs by their hash (the officer types the ID at the booth)."""
    ids = (demo_national_id(serial) for serial, *_rest in DEMO_CENSUS)
    return {id_hash(nid): nid for nid in ids}


def _booth(budget: Budget, name: str, location: str) -> Booth:
    booth = Booth.objects.create(budget=budget, name=name, location=location)
    officer = User.objects.filter(email=ROLE_ACCOUNTS[POLL_OFFICER]).first()
    if officer is not None:
        booth.officers.add(officer)
    return booth


def _mark_at_booth(booth: Booth, heading: Heading, records) -> list[int]:
    """The booth's officer marks census people without an account on the heading's roll;
    returns the numbers (for _choices) of those marked."""
    officer = booth.officers.first()
    national_ids = _national_ids()
    marked = []
    for n, record in enumerate(records, start=1000):
        if officer is None or record.id_hash not in national_ids:
            continue
        try:
            booth_roll_mark(
                officer=officer,
                booth=booth,
                heading=heading,
                national_id=national_ids[record.id_hash],
            )
        except NotAllowed:
            continue
        marked.append(n)
    return marked


def _milestones(investment: Investment, done: bool, start: datetime.date) -> None:
    steps = [
        ("จัดซื้อจัดจ้าง", Milestone.Status.DONE, 100),
        (
            "เริ่มก่อสร้าง",
            Milestone.Status.DONE if done else Milestone.Status.UNDER_WAY,
            100 if done else 60,
        ),
        (
            "ส่งมอบงาน",
            Milestone.Status.DONE if done else Milestone.Status.PLANNED,
            100 if done else 0,
        ),
    ]
    for n, (title, status, progress) in enumerate(steps):
        Milestone.objects.create(
            content_object=investment,
            title=title,
            date=start + timedelta(days=45 * n),
            status=status,
            progress=progress,
        )


@transaction.atomic
def budgets_demo_load() -> int:
    """Create the demo budgets that are missing; returns how many budgets and projects it made."""
    made = 0
    now = timezone.now()
    people = demo_residents()
    communities = list(Community.objects.filter(is_active=True).order_by("order", "name_th"))
    issues = {i.slug: i for i in StrategicIssue.objects.all()}
    if not Budget.objects.filter(title=FINISHED_TITLE).exists():
        made += _finished_budget(people, communities, issues, now)
    if not Budget.objects.filter(title=BALLOTING_TITLE).exists():
        budget = _budget(
            BALLOTING_TITLE,
            2026,
            TallyRule.EQUAL_SHARES,
            "ลงคะแนนได้แล้ว: เลือกโครงการในชุมชนของท่านได้ไม่เกินวงเงินของชุมชน "
            "นับคะแนนด้วยวิธีแบ่งส่วนเท่ากัน (Method of Equal Shares)",
        )
        budget.greedy_comparison = True
        budget.save(update_fields=["greedy_comparison"])
        # Balloting opened a week ago and runs two weeks.
        _phases(budget, now - timedelta(days=7))
        made += 1
        for heading in _headings(budget, communities, 700_000):
            investments = _investments(heading, issues, people, now - timedelta(days=30))
            made += len(investments)
            if heading.community_id is None:
                continue
            # A few residents voted already; the demo citizen has not, to try the ballot.
            voters = [
                p
                for key, p in people.items()
                if key not in ("somchai", "staff")
                and p.is_verified
                and p.residence_community_id == heading.community_id
            ][:1]
            _vote_online(heading, investments, voters)
        _booth(budget, "หน่วยลงคะแนนลานหน้าเทศบาล", "ลานจอดรถหน้าสำนักงานเทศบาล")
    return made


# The finished budget's balloting ended this long ago.
FINISHED_AGO = timedelta(days=150)


def _finished_budget(people, communities, issues, now) -> int:
    """The 2568 budget, voted through the services while open, then moved back in time, its
    paper ballots entered and confirmed, counted once and published."""
    budget = _budget(
        FINISHED_TITLE,
        2025,
        TallyRule.GREEDY,
        "งบประมาณ 10 ล้านบาทที่ชาวแสนสุขเสนอโครงการและลงคะแนนเลือกเอง "
        "นับคะแนนแบบโลภ (ได้คะแนนมากก่อน ข้ามโครงการที่เงินไม่พอ)",
    )
    # Balloting opened a week ago while the ballots are cast; then the calendar moves back.
    _phases(budget, now - timedelta(days=7))
    headings = _headings(budget, communities, 800_000)
    booth = _booth(budget, "หน่วยลงคะแนนตลาดหนองมน", "ศาลาหน้าตลาดหนองมน")
    made = 1
    paper: dict[int, list[list[Investment]]] = {}
    for heading in headings:
        investments = _investments(heading, issues, people, now - timedelta(days=200))
        made += len(investments)
        community_id = heading.community_id
        voters = [
            p
            for p in people.values()
            if p.is_verified and (community_id is None or p.residence_community_id == community_id)
        ]
        _vote_online(heading, investments, voters)
        records = (
            CensusRecord.objects.filter(user__isnull=True)
            .filter(**({"community_id": community_id} if community_id else {}))
            .order_by("pk")
        )
        marked = _mark_at_booth(booth, heading, records)
        # The paper ballots in the box are mixed before they are entered: by content here.
        paper[heading.pk] = sorted(
            (_choices(heading, investments, n) for n in marked),
            key=lambda chosen: [i.pk for i in chosen],
        )
    shift = FINISHED_AGO + timedelta(days=7)
    BudgetPhase.objects.filter(budget=budget).update(
        starts_at=F("starts_at") - shift, ends_at=F("ends_at") - shift
    )
    RollEntry.objects.filter(heading__group__budget=budget).update(voted_at=F("voted_at") - shift)
    officer = booth.officers.first()
    confirmer = people[STAFF]
    booth.officers.add(confirmer)
    for heading in Heading.objects.filter(group__budget=budget).order_by("pk"):
        for chosen in paper[heading.pk]:
            booth_paper_ballot_enter(
                officer=officer,
                booth=booth,
                heading=heading,
                investment_ids=[i.pk for i in chosen],
            )
    booth_count_confirm_by(officer=confirmer, booth=booth)
    # The next day, as the calendar goes.
    Booth.objects.filter(pk=booth.pk).update(
        count_confirmed_at=now - FINISHED_AGO + timedelta(days=1)
    )
    for heading in Heading.objects.filter(group__budget=budget).order_by("pk"):
        result = heading_results_compute(heading=heading)
        for n, winner in enumerate(Investment.objects.filter(pk__in=result.winner_ids)):
            _milestones(winner, done=n % 2 == 0, start=(now - timedelta(days=120)).date())
    unfeasible = Investment.objects.create(
        heading=headings[-1],
        title=UNFEASIBLE,
        description="<p>สร้างท่าเรือสำหรับเรือท่องเที่ยวที่แหลมแท่น</p>",
        author=people.get("chaloem"),
        estimated_cost=5_000_000,
        feasibility=Feasibility.UNFEASIBLE,
        unfeasibility_reason="พื้นที่ชายฝั่งอยู่ในความดูแลของกรมเจ้าท่า และเกินวงเงินของหมวดนี้",
        competence=Competence.OUTSIDE,
        responsible_agency="กรมเจ้าท่า",
        competence_screened_at=now - timedelta(days=200),
        unfeasible_notified_at=now - timedelta(days=200),
    )
    return made + (1 if unfeasible else 0)
