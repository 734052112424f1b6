"""Demo proposals of Saensuk, one or more in every state a proposal can be in.

Idempotent like the rest of the demo: a proposal is keyed by its title, and its supports,
comments, screening and outcome are made only when the proposal itself is first made.
Everything goes through the services, so references, counters, follows and voter classes are
what real use would leave behind; only the dates are moved back afterwards.

With the demo census (40 records) and the default threshold of "2%", one support is enough for
a proposal to succeed; so every supported proposal here is successful, and the open ones that
are not yet successful are the recent ones nobody has supported.

Needs `participation.demo.demo_load()` to have run first; the residents are the ones of
`debates.demo`, made there (or here, when the debates are already loaded).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from participation.demo import STAFF, demo_residents
from participation.models import Comment, Community, Competence, StrategicIssue
from participation.services import comment_create
from proposals.models import Proposal, Support
from proposals.services import (
    _next_reference,
    competence_screen,
    proposal_create,
    proposal_publish,
    proposal_retire,
    support_add,
    support_threshold,
)


@dataclass(frozen=True)
class DemoComment:
    author: str
    body: str
    hours: float  # after publication
    reply_to: int | None = None  # index of an earlier comment of the same proposal
    official: bool = False


@dataclass(frozen=True)
class Screening:
    competence: str
    agency: str = ""
    explanation: str = ""
    days_after: float = 3  # after publication


@dataclass(frozen=True)
class DemoProposal:
    title: str
    author: str
    issue: str
    community: str | None
    tags: list[str]
    days_ago: int  # when it was written; published a few hours later
    summary: str
    description: str
    published: bool = True
    supporters: str = ""  # space-separated keys of debates.demo.RESIDENTS (or "somchai")
    comments: list[DemoComment] = field(default_factory=list)
    screening: Screening | None = None
    # (reason, explanation, days after publication)
    retired: tuple[str, str, float] | None = None
    outcome: tuple[str, str] | None = None
    archived: bool = False  # published more than a year ago


def _paragraphs(*texts: str) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


DEMO_PROPOSALS = [
    DemoProposal(
        title="ไฟส่องสว่างพลังงานแสงอาทิตย์ตลอดถนนเลียบหาดบางแสน",
        author="muay",
        issue="sustainable-bang-saen-beach",
        community="bang-saen-lang",
        tags=["ไฟส่องสว่าง", "ชายหาด", "ความปลอดภัย"],
        days_ago=64,
        summary="ติดเสาไฟโซลาร์เซลล์ทุก 30 เมตร ตั้งแต่ศาลาริมทะเลถึงปลายหาดบางแสน "
        "ให้คนเดินเล่นและผู้ค้าปลอดภัยหลังสองทุ่ม",
        description=_paragraphs(
            "หลังสองทุ่มถนนเลียบหาดช่วงบางแสนล่างมืดมาก ไฟเดิมเสียหลายต้นเพราะไอเค็ม "
            "ร้านซีฟู้ดต้องเปิดไฟหน้าร้านเองให้ลูกค้าเดินไปที่จอดรถ นักท่องเที่ยวบางคนโดนกระชากกระเป๋า",
            "เสนอให้ติดเสาไฟโซลาร์เซลล์แบบทนไอทะเลทุก 30 เมตร ตั้งแต่ศาลาริมทะเลถึงปลายหาด "
            "ไม่ต้องเดินสายไฟใหม่ ค่าไฟไม่เพิ่ม และเปิดเองอัตโนมัติตอนค่ำ",
        ),
        supporters="somsri chaloem wanpen sompong dao boonmee napa somchai",
        comments=[
            DemoComment(
                "dao",
                "ยายเก็บร่มเตียงเสร็จก็สามทุ่มทุกวัน เดินกลับมืดจริง ๆ เห็นด้วยมากค่ะ",
                hours=5,
            ),
            DemoComment(
                "boonmee",
                "ขอให้มีไฟตรงจุดปฐมพยาบาลกับหอสังเกตการณ์ด้วยครับ ตอนค่ำมีคนลงเล่นน้ำอยู่",
                hours=30,
            ),
            DemoComment(
                STAFF,
                "กองช่างสำรวจแล้ว ไฟเดิม 46 ต้นเสีย 19 ต้น จะซ่อมให้เสร็จภายในเดือนนี้ "
                "ส่วนไฟโซลาร์เซลล์ตลอดแนวหาดเสนอเข้าแผนพัฒนาท้องถิ่นแล้ว",
                hours=200,
                official=True,
            ),
        ],
        screening=Screening(
            Competence.WITHIN,
            explanation="ไฟส่องสว่างบนถนนและที่สาธารณะในเขตเทศบาลเป็นหน้าที่ของเทศบาลโดยตรง",
            days_after=4,
        ),
        outcome=(
            Proposal.Outcome.DEVELOPMENT_PLAN,
            "เทศบาลบรรจุโครงการติดตั้งไฟส่องสว่างพลังงานแสงอาทิตย์ 120 ต้น ตลอดถนนเลียบหาดบางแสน "
            "ไว้ในแผนพัฒนาท้องถิ่น ปีงบประมาณ 2570 กองช่างจะออกแบบและประมาณราคาภายในปีนี้ "
            "และจะแจ้งความคืบหน้าในหน้านี้",
        ),
    ),
    DemoProposal(
        title="จุดรับซื้อขยะรีไซเคิลเคลื่อนที่ทุกวันอาทิตย์ในชุมชนมาบมะยม",
        author="sompong",
        issue="clean-water-less-waste",
        community="map-mayom",
        tags=["ขยะ", "รีไซเคิล"],
        days_ago=41,
        summary="รถรับซื้อขวด กระป๋อง กระดาษ มาจอดที่ลานวัดทุกเช้าวันอาทิตย์ "
        "รายได้เข้ากองทุนชุมชน ขยะที่รถเทศบาลต้องเก็บก็ลดลง",
        description=_paragraphs(
            "ในชุมชนมาบมะยมหลายบ้านแยกขวดกับกระป๋องไว้แล้ว แต่ร้านรับซื้ออยู่ไกล "
            "สุดท้ายก็ทิ้งรวมกับขยะอื่น รถเก็บขยะต้องขนไปฝังกลบทั้งหมด",
            "เสนอให้เทศบาลร่วมกับร้านรับซื้อของเก่า จัดรถมาจอดที่ลานวัดทุกเช้าวันอาทิตย์ "
            "ให้ชาวบ้านเอาของมาขายหรือบริจาคเข้ากองทุนชุมชน วินมอเตอร์ไซค์ในซอยช่วยรับของจากผู้สูงอายุได้",
        ),
        supporters="somsri wanpen boonmee somchai",
        comments=[
            DemoComment(
                "wanpen",
                "โรงเรียนใกล้ ๆ ช่วยประชาสัมพันธ์ให้ได้ค่ะ เด็ก ๆ ชอบเอาขวดมาแลกสมุด",
                hours=12,
            ),
        ],
        screening=Screening(
            Competence.WITHIN,
            explanation="การจัดการขยะมูลฝอยในเขตเทศบาลเป็นอำนาจหน้าที่ของเทศบาล",
        ),
    ),
    DemoProposal(
        title="ขุดลอกร่องน้ำหน้าแหลมแท่นให้เรือประมงพื้นบ้านเข้าออกได้ทุกฤดู",
        author="chaloem",
        issue="sustainable-bang-saen-beach",
        community="laem-thaen",
        tags=["ประมงพื้นบ้าน", "แหลมแท่น"],
        days_ago=33,
        summary="ร่องน้ำหน้าแหลมแท่นตื้นเขิน น้ำลงแล้วเรือเข้าฝั่งไม่ได้ ขอให้ขุดลอกและทำทุ่นบอกแนวร่องน้ำ",
        description=_paragraphs(
            "ชาวประมงพื้นบ้านแหลมแท่นกว่าสี่สิบลำต้องรอน้ำขึ้นถึงจะนำเรือเข้าฝั่งได้ "
            "ทรายกับโคลนทับถมทุกปีหลังมรสุม หลายลำเกยตื้นจนใบจักรเสีย",
            "ขอให้ขุดลอกร่องน้ำหน้าแหลมแท่น และวางทุ่นบอกแนวร่องน้ำให้เห็นชัดตอนกลางคืน",
        ),
        supporters="somsri wanpen sompong muay dao somchai",
        comments=[
            DemoComment(
                "muay",
                "ร้านซีฟู้ดรับปลาจากเรือแหลมแท่นทุกเช้า ถ้าเรือออกไม่ได้ ของสดก็ไม่มีขายค่ะ",
                hours=8,
            ),
            DemoComment(
                STAFF,
                "ร่องน้ำทางทะเลอยู่ในอำนาจของกรมเจ้าท่า เทศบาลส่งข้อเสนอนี้พร้อมจำนวนผู้สนับสนุน"
                "ไปยังสำนักงานเจ้าท่าภูมิภาคสาขาชลบุรีแล้ว และจะแจ้งคำตอบในหน้านี้",
                hours=80,
                official=True,
            ),
            DemoComment(
                "chaloem",
                "ขอบคุณครับ ชาวเรือพร้อมพาเจ้าหน้าที่ไปดูจุดที่ตื้นที่สุด",
                hours=90,
                reply_to=1,
            ),
        ],
        screening=Screening(
            Competence.OUTSIDE,
            agency="กรมเจ้าท่า (สำนักงานเจ้าท่าภูมิภาคสาขาชลบุรี)",
            explanation="การขุดลอกร่องน้ำและการวางทุ่นในทะเลเป็นอำนาจของกรมเจ้าท่า "
            "เทศบาลทำเองไม่ได้ แต่ได้ส่งเรื่องต่อและจะติดตามให้",
        ),
    ),
    DemoProposal(
        title="ทางม้าลายยกระดับและไฟกะพริบหน้าตลาดหนองมน",
        author="napa",
        issue="nong-mon-creative-economy",
        community="nong-mon",
        tags=["ตลาดหนองมน", "การจราจร", "ความปลอดภัย"],
        days_ago=26,
        summary="คนข้ามถนนสุขุมวิทหน้าตลาดหนองมนเสี่ยงทุกวัน ขอทางม้าลายยกระดับ ไฟกะพริบ และป้ายลดความเร็ว",
        description=_paragraphs(
            "ลูกค้าที่จอดรถฝั่งตรงข้ามต้องวิ่งข้ามถนนสุขุมวิทมาตลาด รถวิ่งเร็วมาก "
            "ปีนี้มีคนโดนเฉี่ยวแล้วสองครั้ง ส่วนใหญ่เป็นผู้สูงอายุกับเด็กนักเรียน",
            "เสนอให้ทำทางม้าลายยกระดับพร้อมไฟกะพริบตรงปากทางเข้าตลาด "
            "ติดป้ายลดความเร็ว และทำทางเท้าเชื่อมจากที่จอดรถถึงหน้าตลาด",
        ),
        supporters="somsri sompong muay boonmee somchai",
        comments=[
            DemoComment(
                "sompong",
                "วินหน้าตลาดช่วยโบกรถให้คนข้ามอยู่ทุกวันครับ ถ้ามีไฟกะพริบจะช่วยได้มาก",
                hours=6,
            ),
        ],
        screening=Screening(
            Competence.PARTLY,
            agency="แขวงทางหลวงชลบุรี กรมทางหลวง",
            explanation="ถนนสุขุมวิทหน้าตลาดเป็นทางหลวงแผ่นดินหมายเลข 3 ทางม้าลายยกระดับและไฟกะพริบ"
            "บนถนนสายนี้ต้องได้รับอนุญาตจากแขวงทางหลวงชลบุรี เทศบาลทำได้ในส่วนป้ายเตือน "
            "ไฟส่องสว่าง และทางเท้าเชื่อมตลาด",
            days_after=5,
        ),
    ),
    DemoProposal(
        title="บ่อดักไขมันรวมสำหรับร้านอาหารในตลาดหนองมน",
        author="somsri",
        issue="clean-water-less-waste",
        community="nong-mon",
        tags=["น้ำเสีย", "ตลาดหนองมน"],
        days_ago=17,
        summary="น้ำล้างจานจากร้านในตลาดไหลลงท่อพร้อมไขมัน ท่อตันและเหม็น ขอบ่อดักไขมันรวมและรอบสูบทุกเดือน",
        description=_paragraphs(
            "ร้านข้าวแกงกับร้านขนมในตลาดหนองมนล้างภาชนะวันละหลายรอบ ไขมันไหลลงท่อแล้วจับตัว "
            "ท่อหลังตลาดตันทุกหน้าฝน น้ำเอ่อขึ้นมาเหม็นทั้งซอย",
            "ร้านเล็กติดบ่อดักไขมันเองไม่ไหว เสนอให้ทำบ่อดักไขมันรวมท้ายรางระบายน้ำของตลาด "
            "และให้รถสูบมาเก็บทุกเดือน แม่ค้ายินดีช่วยค่าสูบตามขนาดร้าน",
        ),
        supporters="napa muay chaloem",
        comments=[
            DemoComment(
                "napa",
                "ซอยหลังร้านป้าเหม็นทุกเย็นเลยค่ะ ยินดีช่วยค่าสูบ",
                hours=4,
            ),
            DemoComment(
                "somsri",
                "ขอบใจจ้ะ ป้าจะชวนร้านแถวเดียวกันมาสนับสนุนอีก",
                hours=9,
                reply_to=0,
            ),
        ],
    ),
    DemoProposal(
        title="ธนาคารขยะในโรงเรียนเทศบาล นำขวดมาแลกสมุดและอุปกรณ์การเรียน",
        author="wanpen",
        issue="clean-water-less-waste",
        community=None,
        tags=["ขยะ", "รีไซเคิล", "เด็กและเยาวชน"],
        days_ago=2,
        summary="ให้นักเรียนนำขยะรีไซเคิลจากบ้านมาฝากที่ธนาคารขยะของโรงเรียน สะสมแต้มแลกสมุด ดินสอ และชุดกีฬา",
        description=_paragraphs(
            "ครูสอนที่โรงเรียนเทศบาลมาสิบห้าปี เด็ก ๆ สนใจเรื่องขยะมาก แต่ยังไม่มีที่ให้ลงมือทำจริง",
            "เสนอให้ทุกโรงเรียนในสังกัดเทศบาลมีธนาคารขยะ เปิดทุกวันศุกร์ นักเรียนเป็นพนักงานธนาคารเอง "
            "แต้มที่สะสมแลกอุปกรณ์การเรียนได้ ส่วนรายได้จากการขายขยะใช้ซื้ออุปกรณ์เพิ่ม",
        ),
        screening=Screening(
            Competence.WITHIN,
            explanation="โรงเรียนในสังกัดเทศบาลและการจัดการขยะเป็นหน้าที่ของเทศบาล",
            days_after=1,
        ),
    ),
    DemoProposal(
        title="ทางลาดและห้องน้ำสำหรับผู้ใช้รถเข็นที่หาดบางแสน",
        author="somchai",
        issue="sustainable-bang-saen-beach",
        community="bang-saen-lang",
        tags=["คนพิการ", "ผู้สูงอายุ", "ชายหาด"],
        days_ago=1,
        summary="ทำทางลาดลงชายหาดอย่างน้อยสามจุด และห้องน้ำที่รถเข็นเข้าได้ ให้ผู้สูงอายุและคนพิการมาเที่ยวหาดได้เอง",
        description=_paragraphs(
            "พาแม่ที่นั่งรถเข็นมาหาดบางแสนทุกเดือน ต้องมีคนช่วยยกลงจากทางเท้าทุกครั้ง "
            "ห้องน้ำสาธารณะริมหาดก็มีขั้นบันได รถเข็นเข้าไม่ได้",
            "เสนอให้ทำทางลาดลงชายหาดอย่างน้อยสามจุด มีแผ่นทางเดินบนทรายต่อไปถึงร่มเงา "
            "และปรับห้องน้ำสาธารณะอย่างน้อยหนึ่งแห่งให้รถเข็นเข้าได้",
        ),
    ),
    DemoProposal(
        title="ถังแยกขยะสามสีริมหาดวอนนภาทุก 100 เมตร",
        author="dao",
        issue="sustainable-bang-saen-beach",
        community="hat-wonnapa",
        tags=["ขยะ", "ชายหาด", "หาดวอนนภา"],
        days_ago=402,
        archived=True,
        summary="วางถังแยกขยะสามสีริมหาดวอนนภาทุก 100 เมตร พร้อมป้ายบอกวิธีแยกเป็นภาษาไทย อังกฤษ และจีน",
        description=_paragraphs(
            "ขยะริมหาดวอนนภามีทั้งขวด กล่องโฟม และเศษอาหารปนกันในถังเดียว ผู้ค้าช่วยกันแยกทุกเย็นแต่ไม่ไหว",
            "เสนอให้วางถังแยกขยะสามสีทุก 100 เมตร ป้ายบอกวิธีแยกหลายภาษาสำหรับนักท่องเที่ยว "
            "และให้รถเก็บขยะเก็บแยกประเภทด้วย",
        ),
    ),
    DemoProposal(
        title="ถังขยะฝาล็อกกันลิงให้ทุกบ้านตีนเขาสามมุข",
        author="wanpen",
        issue="clean-water-less-waste",
        community="khao-sam-muk",
        tags=["ขยะ", "ลิงเขาสามมุข"],
        days_ago=21,
        summary="แจกถังขยะแบบมีฝาล็อกที่ลิงเปิดไม่ได้ให้ทุกบ้านในชุมชนเขาสามมุข ขยะจะได้ไม่กระจายเต็มถนนทุกเช้า",
        description=_paragraphs(
            "ทุกเช้าลิงลงมาคุ้ยถังขยะหน้าบ้าน ขยะกระจายเต็มถนนและไหลลงท่อเวลาฝนตก",
            "เสนอให้เทศบาลแจกถังขยะฝาล็อกที่ลิงเปิดไม่ได้ให้ทุกบ้านตีนเขา ประมาณ 300 หลัง",
        ),
        retired=(
            Proposal.RetiredReason.STARTED,
            "เทศบาลเริ่มทดลองถังขยะฝาล็อก 20 ใบในชุมชนเขาสามมุขแล้ว ตามที่แจ้งในหน้าร่วมคิด "
            "ครูขอถอนข้อเสนอนี้ไว้ก่อน ถ้าผลทดลองดีจะเสนอใหม่ให้ขยายทั้งชุมชน",
            14,
        ),
    ),
    DemoProposal(
        title="รถพยาบาลและจุดปฐมพยาบาลประจำหาดบางแสนช่วงวันหยุดยาว",
        author="boonmee",
        issue="sustainable-bang-saen-beach",
        community=None,
        tags=["สุขภาพ", "ชายหาด", "ความปลอดภัย"],
        days_ago=0,
        published=False,
        summary="จอดรถพยาบาลพร้อมทีมกู้ชีพที่กลางหาดบางแสนทุกวันหยุดยาว และเพิ่มจุดปฐมพยาบาลอีกสองจุด",
        description=_paragraphs(
            "ช่วงวันหยุดยาวคนเล่นน้ำที่หาดบางแสนเป็นหมื่น รถพยาบาลจากโรงพยาบาลต้องฝ่ารถติดมา "
            "กว่าจะถึงก็เกือบครึ่งชั่วโมง",
            "ร่างไว้ก่อน ยังต้องถามทีม อสม. เรื่องจำนวนคนและเวรที่ทำได้",
        ),
    ),
]


def _spread(start, end, n: int) -> list:
    """`n` moments evenly inside (start, end)."""
    return [start + (end - start) * (k + 1) / (n + 1) for k in range(n)]


def _proposal_add(spec: DemoProposal, people, communities, issues, now) -> Proposal:
    author = people[spec.author]
    proposal = proposal_create(
        author=author,
        title=spec.title,
        summary=spec.summary,
        description=spec.description,
        tags=spec.tags,
        community=communities[spec.community] if spec.community else None,
        strategic_issue=issues[spec.issue],
    )
    written = now - timedelta(days=spec.days_ago, hours=2 if spec.days_ago == 0 else 0)
    if not spec.published:
        Proposal.objects.filter(pk=proposal.pk).update(created_at=written, updated_at=written)
        return proposal

    proposal = proposal_publish(user=author, proposal=proposal)
    published = written + timedelta(hours=1)
    moved = {"created_at": written, "updated_at": published, "published_at": published}
    if spec.archived:
        # References carry the Buddhist-era year of publication.
        moved["reference"] = _next_reference(published)
    Proposal.objects.filter(pk=proposal.pk).update(**moved)
    proposal.refresh_from_db()

    supporters = [people[key] for key in spec.supporters.split()]
    # Only verified people can support; a resident whose demo serial was taken stays out.
    supporters = [user for user in supporters if user.is_verified]
    until = now if not spec.retired else published + timedelta(days=spec.retired[2])
    given = _spread(published, until, len(supporters))
    for user, at in zip(supporters, given, strict=True):
        support = support_add(user=user, proposal=proposal)
        Support.objects.filter(pk=support.pk).update(created_at=at)
    threshold = support_threshold()
    if len(given) >= threshold:
        Proposal.objects.filter(pk=proposal.pk).update(successful_at=given[threshold - 1])

    made: list[Comment] = []
    for item in spec.comments:
        comment = comment_create(
            author=people[item.author],
            commentable=proposal,
            body=item.body,
            parent=made[item.reply_to] if item.reply_to is not None else None,
            official=item.official,
        )
        Comment.objects.filter(pk=comment.pk).update(
            created_at=min(now, published + timedelta(hours=item.hours))
        )
        made.append(comment)

    if spec.screening:
        screening = spec.screening
        competence_screen(
            proposal=proposal,
            competence=screening.competence,
            responsible_agency=screening.agency,
            explanation=screening.explanation,
        )
        Proposal.objects.filter(pk=proposal.pk).update(
            competence_screened_at=min(now, published + timedelta(days=screening.days_after))
        )
    if spec.outcome:
        outcome, note = spec.outcome
        Proposal.objects.filter(pk=proposal.pk).update(outcome=outcome, outcome_note=note)
    if spec.retired:
        reason, explanation, days_after = spec.retired
        proposal_retire(user=author, proposal=proposal, reason=reason, explanation=explanation)
        retired_at = published + timedelta(days=days_after)
        Proposal.objects.filter(pk=proposal.pk).update(retired_at=retired_at, updated_at=retired_at)
    return proposal


@transaction.atomic
def proposals_demo_load() -> int:
    """Create the demo proposals that are missing; returns how many it created."""
    missing = [
        spec for spec in DEMO_PROPOSALS if not Proposal.objects.filter(title=spec.title).exists()
    ]
    if not missing:
        return 0
    people = demo_residents()
    communities = {c.code: c for c in Community.objects.all()}
    issues = {i.slug: i for i in StrategicIssue.objects.all()}
    now = timezone.now()
    # Oldest first, so that reference serials grow with the date of publication.
    for spec in sorted(missing, key=lambda spec: -spec.days_ago):
        _proposal_add(spec, people, communities, issues, now)
    return len(missing)
