"""Demo legislation: a draft bylaw on Bang Saen beach vendors open for comments, and a finished
process on noise at Wonnapa beach with its final text, responses and summary.

Idempotent: a process is keyed by its title, and everything in it is made only when the
process itself is first made. Writes go through the services (voter classes, counters, follows,
anchoring); to do so each phase is opened in turn, and the real dates are set at the end.

Needs `participation.demo.demo_load()` to have run first.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.services import interest_declare
from legislation.models import DraftVersion, Process, Question, QuestionOption, Response
from legislation.services import (
    annotation_create,
    answer_cast,
    proposal_create,
    proposal_support,
    response_set,
    version_publish,
)
from participation.demo import RESIDENTS, STAFF, demo_residents
from participation.models import StrategicIssue
from participation.services import NotAllowed, comment_create, vote_cast

VENDORS_TITLE = "ร่างเทศบัญญัติเทศบาลเมืองแสนสุข เรื่อง การจำหน่ายสินค้าบนชายหาดบางแสน"
NOISE_TITLE = "ร่างเทศบัญญัติเทศบาลเมืองแสนสุข เรื่อง การควบคุมเสียงรบกวนริมหาดวอนนภา"

VENDORS_V1 = """# ร่างเทศบัญญัติเทศบาลเมืองแสนสุข เรื่อง การจำหน่ายสินค้าบนชายหาดบางแสน

## หมวด ๑ บททั่วไป

ข้อ ๑ เทศบัญญัตินี้ใช้บังคับกับผู้จำหน่ายสินค้าและผู้ให้บริการทุกรายบนชายหาดบางแสน ตั้งแต่แหลมแท่นถึงหาดวอนนภา

ข้อ ๒ ในเทศบัญญัตินี้ "ผู้ค้า" หมายความว่า ผู้จำหน่ายสินค้าหรือให้บริการเช่าร่มและเตียงผ้าใบบนชายหาด

## หมวด ๒ การขึ้นทะเบียนผู้ค้า

ข้อ ๓ ผู้ค้าต้องขึ้นทะเบียนกับเทศบาลก่อนเริ่มจำหน่ายสินค้า และต้องแสดงบัตรผู้ค้าตลอดเวลา

ข้อ ๔ ผู้ค้าหนึ่งรายมีพื้นที่จำหน่ายได้ไม่เกินสิบตารางเมตร

## หมวด ๓ เวลาและพื้นที่จำหน่าย

ข้อ ๕ ห้ามตั้งแผงลอยก่อนเวลา ๐๖.๐๐ น. และหลังเวลา ๒๑.๐๐ น.

ข้อ ๖ ห้ามวางร่มและเตียงผ้าใบในระยะห้าเมตรจากแนวน้ำทะเลขึ้นสูงสุด

ข้อ ๗ วันพุธเป็นวันหยุดชายหาด ห้ามวางร่มและเตียงผ้าใบทั้งวัน

## หมวด ๔ ความสะอาด

ข้อ ๘ ผู้ค้าต้องจัดที่ทิ้งขยะแยกประเภทประจำแผง และทำความสะอาดพื้นที่ก่อนเลิกจำหน่าย

ข้อ ๙ ห้ามใช้ภาชนะโฟมบรรจุอาหาร

## หมวด ๕ ค่าธรรมเนียมและบทลงโทษ

ข้อ ๑๐ ผู้ค้าชำระค่าธรรมเนียมรายเดือน เดือนละ ๓๐๐ บาท

ข้อ ๑๑ ผู้ฝ่าฝืนข้อ ๕ ถึงข้อ ๙ ต้องระวางโทษปรับไม่เกิน ๑,๐๐๐ บาท
"""

VENDORS_V2 = (
    VENDORS_V1.replace(
        "ข้อ ๕ ห้ามตั้งแผงลอยก่อนเวลา ๐๖.๐๐ น. และหลังเวลา ๒๑.๐๐ น.",
        "ข้อ ๕ ห้ามตั้งแผงลอยก่อนเวลา ๐๕.๓๐ น. และหลังเวลา ๒๑.๐๐ น. ยกเว้นช่วงเทศกาลที่เทศบาลประกาศ",
    )
    .replace(
        "ข้อ ๙ ห้ามใช้ภาชนะโฟมบรรจุอาหาร",
        "ข้อ ๙ ห้ามใช้ภาชนะโฟมบรรจุอาหาร และให้ลดการใช้ถุงพลาสติกแบบใช้ครั้งเดียว",
    )
    .replace(
        "ข้อ ๔ ผู้ค้าหนึ่งรายมีพื้นที่จำหน่ายได้ไม่เกินสิบตารางเมตร\n\n",
        "",
    )
)

NOISE_V1 = """# ร่างเทศบัญญัติ เรื่อง การควบคุมเสียงรบกวนริมหาดวอนนภา

## หมวด ๑ บททั่วไป

ข้อ ๑ เทศบัญญัตินี้ใช้บังคับในพื้นที่ริมหาดวอนนภาและถนนเลียบชายหาด

## หมวด ๒ ระดับเสียง

ข้อ ๒ ห้ามเปิดเครื่องเสียงดังเกิน ๗๐ เดซิเบล หลังเวลา ๒๒.๐๐ น.

ข้อ ๓ ร้านค้าที่จัดดนตรีสดต้องแจ้งเทศบาลล่วงหน้าเจ็ดวัน

## หมวด ๓ บทลงโทษ

ข้อ ๔ ผู้ฝ่าฝืนต้องระวางโทษปรับไม่เกิน ๒,๐๐๐ บาท
"""

NOISE_FINAL = NOISE_V1.replace(
    "หลังเวลา ๒๒.๐๐ น.", "หลังเวลา ๒๓.๐๐ น. ในคืนวันศุกร์และวันเสาร์ และหลังเวลา ๒๒.๐๐ น. ในวันอื่น"
).replace("ล่วงหน้าเจ็ดวัน", "ล่วงหน้าสามวัน")


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _open_only(process: Process, phase: str) -> Process:
    """Set the dates so that `phase` (and only it) is open today, and return the fresh row."""
    fields = {}
    for name in ("debate", "proposals", "draft", "comments"):
        fields[f"{name}_starts_on"] = _days(-1) if name == phase else _days(-100)
        fields[f"{name}_ends_on"] = _days(1) if name == phase else _days(-90)
    fields["result_starts_on"] = _days(-1) if phase == "result" else _days(100)
    Process.objects.filter(pk=process.pk).update(**fields)
    return Process.objects.get(pk=process.pk)


def _try(action, *args, **kwargs):
    try:
        return action(*args, **kwargs)
    except NotAllowed:
        # A demo person without a class for this matter cannot vote: the demo goes on without.
        return None


def _declare(process, people) -> None:
    """Unverified demo people say how the process concerns them, as the site would ask."""
    for key, resident in RESIDENTS.items():
        person = people[key]
        if not person.residence:
            interest_declare(user=person, matter=process, voter_class=resident.declares)


def _questions(process, people, questions) -> int:
    for order, (text, options, answers) in enumerate(questions):
        question = Question.objects.create(process=process, text=text, order=order)
        made = [
            QuestionOption.objects.create(question=question, text=option, order=index)
            for index, option in enumerate(options)
        ]
        for key, index in answers.items():
            answer_cast(user=people[key], question=question, option=made[index])
    return len(questions)


def _version(process, number, title, body, changelog, *, final=False) -> DraftVersion:
    version = DraftVersion.objects.create(
        process=process,
        number=number,
        title=title,
        body=body,
        changelog=changelog,
        is_final=final,
    )
    version_publish(version=version)
    version.refresh_from_db()
    return version


def _annotate(version, person, quote, body, *, occurrence=0):
    start = -1
    for _n in range(occurrence + 1):
        start = version.plain_text.index(quote, start + 1)
    return annotation_create(
        author=person, version=version, start=start, end=start + len(quote), quote=quote, body=body
    )


def _vendors(people, issue) -> int:
    process = Process.objects.create(
        title=VENDORS_TITLE,
        description=(
            "<p>ชายหาดบางแสนเป็นของทุกคน เทศบาลเสนอร่างเทศบัญญัติว่าด้วยการจำหน่ายสินค้าบนชายหาด "
            "เพื่อให้ผู้ค้าทำมาหากินได้ และชายหาดสะอาด เดินได้ และปลอดภัย</p>"
            "<p>ขอเชิญผู้ค้า ชาวบ้าน และนักท่องเที่ยว ร่วมแสดงความเห็นต่อถ้อยคำของร่างได้ทุกข้อ</p>"
        ),
        strategic_issue=issue,
        is_published=True,
    )
    made = 1
    _declare(process, people)
    process = _open_only(process, "debate")
    made += _questions(
        process,
        people,
        [
            (
                "ควรมีวันหยุดชายหาด (งดวางร่มและเตียง) สัปดาห์ละหนึ่งวันหรือไม่",
                ["ควรมี", "ไม่ควรมี", "ควรมีเดือนละครั้ง"],
                {"somchai": 0, "chaloem": 0, "dao": 1, "muay": 2, "wanpen": 0, "mind": 0},
            ),
            (
                "ผู้ค้าควรเริ่มตั้งแผงได้ตั้งแต่กี่โมง",
                ["๐๕.๓๐ น.", "๐๖.๐๐ น.", "๐๗.๐๐ น."],
                {"somchai": 1, "dao": 0, "napa": 0, "boonmee": 1, "kitti": 2},
            ),
        ],
    )
    comment_create(
        author=people["dao"],
        commentable=process,
        body="ยายขายเตียงริมหาดมาสามสิบปี ขอให้เทศบาลฟังเสียงผู้ค้าด้วยนะคะ",
    )
    comment_create(
        author=people["kitti"],
        commentable=process,
        body="อยากให้มีทางเดินริมหาดที่ไม่มีเตียงวางขวางทางครับ",
    )
    process = _open_only(process, "proposals")
    proposals = [
        proposal_create(
            author=people["muay"],
            process=process,
            title="จุดทิ้งขยะแยกประเภททุก ๕๐ เมตร",
            body="ให้เทศบาลตั้งจุดทิ้งขยะแยกประเภทตลอดแนวหาด ผู้ค้าจะได้ช่วยแยกได้จริง",
        ),
        proposal_create(
            author=people["ton"],
            process=process,
            title="บัตรผู้ค้าแบบมีคิวอาร์โค้ด",
            body="นักท่องเที่ยวสแกนดูได้ว่าผู้ค้าขึ้นทะเบียนแล้ว และแจ้งปัญหาได้",
        ),
        proposal_create(
            author=people["chaloem"],
            process=process,
            title="ลดค่าธรรมเนียมในฤดูมรสุม",
            body="ช่วงฝนคนมาน้อย ขอให้ลดค่าธรรมเนียมครึ่งหนึ่ง",
        ),
    ]
    made += len(proposals)
    for proposal, supporters in zip(
        proposals,
        (["somchai", "dao", "napa", "wanpen"], ["mind", "kitti"], ["dao", "muay"]),
        strict=True,
    ):
        for key in supporters:
            _try(proposal_support, user=people[key], proposal=proposal)
    proposals[0].is_selected = True
    proposals[0].save(update_fields=["is_selected"])
    process = _open_only(process, "comments")
    first = _version(
        process,
        1,
        "ร่างเทศบัญญัติ การจำหน่ายสินค้าบนชายหาดบางแสน (ฉบับรับฟังความเห็น)",
        VENDORS_V1,
        "ฉบับแรกสำหรับรับฟังความคิดเห็น",
    )
    made += 1
    early = [
        _annotate(
            first,
            people["dao"],
            "ห้ามตั้งแผงลอยก่อนเวลา ๐๖.๐๐ น.",
            "ผู้ค้าต้องเตรียมของก่อนคนมาออกกำลังกายตอนเช้า ขอเป็นตีห้าครึ่งค่ะ",
        ),
        _annotate(
            first,
            people["somchai"],
            "ข้อ ๔ ผู้ค้าหนึ่งรายมีพื้นที่จำหน่ายได้ไม่เกินสิบตารางเมตร",
            "สิบตารางเมตรน้อยไปสำหรับร้านเช่าเตียง",
        ),
        _annotate(first, people["muay"], "ห้ามใช้ภาชนะโฟมบรรจุอาหาร", "เห็นด้วย และควรรวมถุงพลาสติกด้วย"),
    ]
    second = _version(
        process,
        2,
        "ร่างเทศบัญญัติ การจำหน่ายสินค้าบนชายหาดบางแสน (ฉบับปรับปรุง)",
        VENDORS_V2,
        "ข้อ ๕ เริ่มตั้งแผงได้ ๐๕.๓๐ น. ตามความเห็นผู้ค้า\n"
        "ตัดข้อ ๔ เรื่องขนาดพื้นที่ ไปกำหนดในประกาศเทศบาล\n"
        "ข้อ ๙ เพิ่มการลดถุงพลาสติก",
    )
    made += 1
    later = [
        _annotate(second, people["wanpen"], "วันพุธเป็นวันหยุดชายหาด", "ดีมากค่ะ เด็ก ๆ ได้เล่นบนหาดที่โล่ง"),
        _annotate(
            second, people["chaloem"], "เดือนละ ๓๐๐ บาท", "ช่วงมรสุมควรลดให้ครึ่งหนึ่ง ตามข้อเสนอที่ส่งไป"
        ),
        _annotate(
            second,
            people["boonmee"],
            "วันพุธเป็นวันหยุดชายหาด ห้ามวางร่มและเตียงผ้าใบทั้งวัน",
            "ควรให้ร้านอาหารเปิดได้ แต่ห้ามวางเตียงเท่านั้น",
        ),
        _annotate(second, people["kitti"], "ห้ามวางร่มและเตียงผ้าใบ", "ข้อ ๖ ดีครับ ทางเดินริมน้ำจะโล่ง"),
    ]
    made += len(early) + len(later)
    reply = comment_create(
        author=people["napa"], commentable=later[0], body="เห็นด้วยค่ะ พาหลานไปเล่นทุกวันพุธ"
    )
    comment_create(author=people["wanpen"], commentable=later[0], body="ขอบคุณค่ะ", parent=reply)
    comment_create(author=people["somchai"], commentable=later[1], body="เห็นด้วยครับ")
    comment_create(
        author=people[STAFF],
        commentable=early[0],
        official=True,
        body="ขอบคุณครับ ฉบับปรับปรุงเปลี่ยนเป็น ๐๕.๓๐ น. แล้ว",
    )
    for annotation, voters in (
        (later[0], ["somchai", "napa", "dao", "wanpen"]),
        (later[1], ["dao", "muay"]),
        (later[2], ["sompong"]),
        (early[0], ["napa", "muay"]),
    ):
        for key in voters:
            if people[key].pk != annotation.author_id:
                _try(vote_cast, user=people[key], target=annotation, value=1)
    Process.objects.filter(pk=process.pk).update(
        debate_starts_on=_days(-60),
        debate_ends_on=_days(-46),
        proposals_starts_on=_days(-45),
        proposals_ends_on=_days(-31),
        draft_starts_on=_days(-30),
        draft_ends_on=_days(-15),
        comments_starts_on=_days(-14),
        comments_ends_on=_days(14),
        result_starts_on=_days(45),
    )
    return made


def _noise(people, issue) -> int:
    process = Process.objects.create(
        title=NOISE_TITLE,
        description="<p>เสียงดนตรีจากร้านริมหาดวอนนภารบกวนผู้อยู่อาศัยยามดึก "
        "เทศบาลจึงเสนอร่างเทศบัญญัติควบคุมเสียงรบกวน</p>",
        strategic_issue=issue,
        is_published=True,
        debate_enabled=False,
        draft_enabled=False,
        result_summary=(
            "เทศบาลได้รับความคิดเห็นจากผู้อยู่อาศัยและผู้ประกอบการ และปรับร่างให้ผ่อนเวลาในคืนวันศุกร์"
            "และวันเสาร์ พร้อมลดระยะแจ้งล่วงหน้าสำหรับดนตรีสด สภาเทศบาลมีมติเห็นชอบฉบับสุดท้ายแล้ว"
        ),
    )
    made = 1
    _declare(process, people)
    process = _open_only(process, "proposals")
    proposal = proposal_create(
        author=people["ann"],
        process=process,
        title="โซนดนตรีสดที่ห่างบ้านคน",
        body="กำหนดโซนที่เปิดดนตรีได้ถึงเที่ยงคืน ห่างจากบ้านเรือน",
    )
    _try(proposal_support, user=people["mind"], proposal=proposal)
    made += 1
    process = _open_only(process, "comments")
    first = _version(process, 1, "ร่างเทศบัญญัติ ควบคุมเสียงรบกวน (ฉบับรับฟังความเห็น)", NOISE_V1, "ฉบับแรก")
    annotations = [
        _annotate(
            first, people["sompong"], "หลังเวลา ๒๒.๐๐ น.", "วันหยุดสุดสัปดาห์ขอเป็นห้าทุ่ม คนมาเที่ยวเยอะ"
        ),
        _annotate(first, people["boonmee"], "ล่วงหน้าเจ็ดวัน", "เจ็ดวันนานไป สามวันก็พอ"),
        _annotate(first, people["somsri"], "ไม่เกิน ๒,๐๐๐ บาท", "โทษน้อยไป ร้านไม่กลัว"),
    ]
    made += 1 + len(annotations)
    for key in ("somchai", "chaloem"):
        _try(vote_cast, user=people[key], target=annotations[0], value=1)
    final = _version(
        process,
        2,
        "เทศบัญญัติ ควบคุมเสียงรบกวนริมหาดวอนนภา (ฉบับสุดท้าย)",
        NOISE_FINAL,
        "ผ่อนเวลาคืนวันศุกร์และวันเสาร์เป็น ๒๓.๐๐ น.\nลดการแจ้งดนตรีสดล่วงหน้าเหลือสามวัน",
        final=True,
    )
    made += 1
    for target, response, reason in (
        (annotations[0], Response.PARTLY, "ผ่อนเป็น ๒๓.๐๐ น. เฉพาะคืนวันศุกร์และวันเสาร์"),
        (annotations[1], Response.ACCEPTED, "ปรับเป็นสามวันในฉบับสุดท้าย"),
        (annotations[2], Response.NOT_ACCEPTED, "อัตราโทษเป็นไปตามที่กฎหมายแม่บทกำหนด"),
        (proposal, Response.PARTLY, "จะพิจารณากำหนดโซนในแผนพัฒนาชายหาดปีหน้า"),
    ):
        target.refresh_from_db()
        response_set(target=target, response=response, reason=reason)
    Process.objects.filter(pk=process.pk).update(
        proposals_starts_on=_days(-120),
        proposals_ends_on=_days(-100),
        comments_starts_on=_days(-90),
        comments_ends_on=_days(-60),
        result_starts_on=_days(-30),
    )
    DraftVersion.objects.filter(pk=final.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=30)
    )
    return made


@transaction.atomic
def legislation_demo_load() -> int:
    """Load the demo processes once; returns how many processes, questions, proposals,
    versions and annotations it made (0 when they were already there)."""
    people = demo_residents()
    issue = StrategicIssue.objects.filter(slug="sustainable-bang-saen-beach").first()
    made = 0
    if not Process.objects.filter(title=VENDORS_TITLE).exists():
        made += _vendors(people, issue)
    if not Process.objects.filter(title=NOISE_TITLE).exists():
        made += _noise(people, issue)
    return made
