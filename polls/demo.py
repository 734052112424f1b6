"""Demo polls of Saensuk: one open now, one closed with published results, booths for both.

Idempotent like the rest of the demo: a poll is keyed by its title, and its ballots, booth and
results are made only when the poll itself is first made. Everything goes through the services,
so the roll, the envelopes and the ballot box are what real use leaves: the closed poll is voted
in online and marked at its booth while open, its dates are moved back, and then it is counted
(the envelopes opened), its paper ballots entered by one officer and confirmed by another, and
its results published with the ballot box's hash.

Needs `participation.demo.demo_load()` to have run first.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import CensusRecord, User, VoterClass
from accounts.national_id import id_hash
from accounts.roles import POLL_OFFICER
from participation.demo import ROLE_ACCOUNTS, STAFF, demo_national_id, demo_residents
from participation.models import StrategicIssue
from participation.services import NotAllowed
from polls.models import Booth, Option, Poll, Question
from polls.services import (
    ballot_cast,
    booth_ballot_enter,
    booth_confirm,
    booth_roll_mark,
    poll_results_compute,
    poll_results_publish,
)

OPEN_TITLE = "จัดโซนร่มและเตียงชายหาดบางแสนอย่างไรดี"
CLOSED_TITLE = "เปิดถนนคนเดินตลาดหนองมนทุกเย็นวันเสาร์หรือไม่"
# Census serials of people with no account, who vote at the booth of the closed poll.
BOOTH_VOTERS = range(30, 36)
# The options their paper ballots mark, by option number, as the officer enters them.
PAPER_BALLOTS = [0, 0, 2, 1, 0, 2]


def _poll_add(title, description, issue_slug, questions, *, opens_at, closes_at, **fields):
    poll = Poll.objects.create(
        title=title,
        description=description,
        strategic_issue=StrategicIssue.objects.filter(slug=issue_slug).first(),
        opens_at=opens_at,
        closes_at=closes_at,
        **fields,
    )
    for order, (text, kind, max_choices, options) in enumerate(questions, start=1):
        question = Question.objects.create(
            poll=poll, order=order, title=text, kind=kind, max_choices=max_choices
        )
        Option.objects.bulk_create(
            Option(question=question, order=n, title=option) for n, option in enumerate(options)
        )
    return poll


def _choices(poll: Poll, pick: int) -> tuple[dict, dict]:
    choices, texts = {}, {}
    for question in poll.questions.prefetch_related("options"):
        options = list(question.options.all())
        if question.kind == Question.Kind.TEXT:
            if pick % 3 == 0:
                texts[question.pk] = "อยากให้มีถังขยะแยกประเภทมากขึ้น"
            continue
        first = options[pick % len(options)]
        chosen = [first.pk]
        if question.kind == Question.Kind.MULTIPLE:
            chosen.append(options[(pick + 1) % len(options)].pk)
        choices[question.pk] = chosen
    return choices, texts


def _vote(user: User, poll: Poll, pick: int) -> None:
    choices, texts = _choices(poll, pick)
    try:
        ballot_cast(user=user, poll=poll, choices=choices, texts=texts)
    except NotAllowed:
        # Not eligible (an unverified resident who declared nothing): like in real life.
        pass


def _booth(poll: Poll, name: str, location: str) -> Booth:
    booth = Booth.objects.create(poll=poll, name=name, location=location)
    officer = User.objects.filter(email=ROLE_ACCOUNTS[POLL_OFFICER]).first()
    if officer is not None:
        booth.officers.add(officer)
    return booth


def _open_poll(people, now) -> Poll:
    poll = _poll_add(
        OPEN_TITLE,
        "เทศบาลอยากรู้ว่าควรจัดพื้นที่ร่มและเตียงริมหาดบางแสนอย่างไร ให้มีทั้งที่เดินเล่น "
        "ที่ทำกินของผู้ค้า และหาดที่สะอาด ผลการลงคะแนนจะใช้ประกอบการออกแบบโซนใหม่",
        "sustainable-bang-saen-beach",
        [
            (
                "ท่านอยากให้จัดพื้นที่ร่มและเตียงแบบใด",
                Question.Kind.SINGLE,
                None,
                ["เว้นหาดโล่งทุก 200 เมตร", "จัดร่มเป็นแถวเดียวริมถนน", "คงแบบเดิม"],
            ),
            (
                "สิ่งที่ควรเพิ่มริมหาด (เลือกได้ไม่เกิน 2 ข้อ)",
                Question.Kind.MULTIPLE,
                2,
                ["ห้องน้ำสาธารณะ", "ที่ล้างเท้า", "ถังขยะแยกประเภท", "ทางลาดสำหรับรถเข็น"],
            ),
            ("ข้อเสนอแนะอื่น", Question.Kind.TEXT, None, []),
        ],
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=11),
        voter_classes=[
            VoterClass.AFFECTED_CITIZEN,
            VoterClass.AFFECTED_RESIDENT,
            VoterClass.CONCERNED,
        ],
        weights={VoterClass.CONCERNED: "0.5"},
    )
    for pick, key in enumerate(["chaloem", "muay", "dao", "boonmee"]):
        _vote(people[key], poll, pick)
    _booth(poll, "หน่วยลงคะแนนลานหน้าเทศบาล", "ลานจอดรถหน้าสำนักงานเทศบาล")
    return poll


def _closed_poll(people, now) -> Poll:
    poll = _poll_add(
        CLOSED_TITLE,
        "ผู้ค้าและชุมชนตลาดหนองมนเสนอให้ปิดถนนหน้าตลาดทุกเย็นวันเสาร์เป็นถนนคนเดิน "
        "ขายขนม งานฝีมือ และจัดดนตรีพื้นบ้าน เทศบาลขอให้ชุมชนตัดสินใจร่วมกัน",
        "nong-mon-creative-economy",
        [
            (
                "ท่านเห็นด้วยกับการเปิดถนนคนเดินทุกเย็นวันเสาร์หรือไม่",
                Question.Kind.SINGLE,
                None,
                ["เห็นด้วย", "ไม่เห็นด้วย", "เห็นด้วยถ้าเริ่มเดือนละครั้ง"],
            ),
        ],
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(hours=1),
        voter_classes=[VoterClass.AFFECTED_CITIZEN, VoterClass.AFFECTED_RESIDENT],
    )
    # While open: online ballots into their envelopes, booth voters marked on the roll.
    for pick, key in enumerate(["somchai", "somsri", "wanpen", "sompong", "napa", "chaloem"]):
        _vote(people[key], poll, pick % 2)
    booth = _booth(poll, "หน่วยลงคะแนนตลาดหนองมน", "ศาลาหน้าตลาดหนองมน")
    officer = booth.officers.first()
    if officer is not None:
        for serial in BOOTH_VOTERS:
            record = CensusRecord.objects.filter(id_hash=id_hash(demo_national_id(serial))).first()
            if record is not None:
                try:
                    booth_roll_mark(officer=officer, booth=booth, record=record)
                except NotAllowed:
                    pass
    Poll.objects.filter(pk=poll.pk).update(
        opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=16)
    )
    poll.refresh_from_db()
    # The close: the count opens the envelopes into the box.
    poll_results_compute(poll=poll)
    if officer is not None:
        # One officer enters the box's paper ballots; the municipality's staff member, who
        # entered none, recounts the pile and confirms.
        question = poll.questions.get()
        options = list(Option.objects.filter(question=question))
        for pick in PAPER_BALLOTS[: booth.roll.count()]:
            booth_ballot_enter(
                officer=officer, booth=booth, choices={question.pk: [options[pick].pk]}
            )
        booth.officers.add(people[STAFF])
        booth_confirm(officer=people[STAFF], booth=booth)
    poll_results_publish(poll=poll)
    return poll


@transaction.atomic
def polls_demo_load() -> int:
    """Create the demo polls that are missing; returns how many it created."""
    now = timezone.now()
    made = 0
    people = None
    for title, build in ((OPEN_TITLE, _open_poll), (CLOSED_TITLE, _closed_poll)):
        if Poll.objects.filter(title=title).exists():
            continue
        people = people or demo_residents()
        build(people, now)
        made += 1
    return made
