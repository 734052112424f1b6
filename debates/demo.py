"""Demo debates of Saensuk, written the way residents would write them.

Idempotent like the rest of the demo: a debate is keyed by its title, and its comments and
votes are made only when the debate itself is first made. Everything goes through the services,
so counters, follows and voter classes are what real use would leave behind; only the dates are
moved back afterwards, so that "newest" and "hottest" differ as they would after two months.

Needs `participation.demo.demo_load()` to have run first (communities, issues, census, staff).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import VoterClass
from accounts.selectors import voter_class_for
from accounts.services import interest_declare
from debates.models import Debate
from debates.services import debate_create
from participation.demo import RESIDENTS, SOMCHAI, STAFF, demo_residents
from participation.models import Comment, Community, StrategicIssue, Vote
from participation.services import comment_create, hot_scores_refresh, vote_cast


@dataclass(frozen=True)
class DemoComment:
    author: str
    body: str
    hours: float  # after the debate started
    reply_to: int | None = None  # index of an earlier comment of the same debate
    official: bool = False
    likes: str = ""  # space-separated keys of RESIDENTS (or "somchai")
    dislikes: str = ""


@dataclass(frozen=True)
class DemoDebate:
    title: str
    author: str
    issue: str
    community: str | None
    tags: list[str]
    days_ago: int
    description: str
    comments: list[DemoComment] = field(default_factory=list)
    likes: str = ""
    dislikes: str = ""
    featured: bool = False


DEMO_DEBATES = [
    DemoDebate(
        title="ปิดถนนหน้าตลาดหนองมนเป็นถนนคนเดินทุกเย็นวันเสาร์ดีไหม",
        author="napa",
        issue="nong-mon-creative-economy",
        community="nong-mon",
        tags=["ตลาดหนองมน", "ถนนคนเดิน"],
        days_ago=45,
        description=(
            "ตลาดหนองมนคึกคักตอนกลางวัน แต่พอหกโมงเย็นร้านส่วนใหญ่ก็ทยอยปิด ลูกค้าที่ขับรถผ่านไป"
            "บางแสนแวะซื้อข้าวหลามแล้วก็ไป ไม่มีอะไรให้อยู่ต่อ\n\n"
            "อยากเสนอให้ลองปิดถนนช่วงหน้าตลาดทุกเย็นวันเสาร์ ตั้งแต่ห้าโมงเย็นถึงสี่ทุ่ม ให้ผู้ค้าในตลาด "
            "นิสิต และคนในชุมชนออกร้านขายอาหาร งานฝีมือ เล่นดนตรี แบบถนนคนเดินที่เมืองอื่นเขาทำกัน "
            "ลองสักสามเดือนก่อน แล้วค่อยมาคุยกันว่าได้ผลไหม"
        ),
        comments=[
            DemoComment(
                "somsri",
                "เห็นด้วยค่ะ ข้าวหลามขายดีช่วงเย็นวันหยุดอยู่แล้ว ถ้าคนเดินเล่นนานขึ้นก็น่าจะขายได้มากขึ้น "
                "แต่ต้องมีที่จอดรถให้ลูกค้าด้วยนะ ไม่อย่างนั้นคนไม่แวะ",
                hours=3,
                likes="napa mind",
            ),
            DemoComment(
                "sompong",
                "ถ้าปิดถนนตรงนั้น รถจะไปติดยาวที่สุขุมวิทหมดเลยครับ วินอย่างผมรับส่งคนไม่ได้ "
                "ขอให้คิดเส้นทางเลี่ยงให้ชัดก่อนจะปิด",
                hours=9,
                likes="kitti",
                dislikes="mind",
            ),
            DemoComment(
                "mind",
                "นิสิตหลายคนอยากมีที่ขายงานทำมือกับโปสการ์ดค่ะ ถ้าเปิดให้จองล็อกฟรีสำหรับนักศึกษาสักสิบล็อกจะดีมากเลย",
                hours=20,
                reply_to=0,
                likes="ton napa",
            ),
            DemoComment(
                "napa",
                "เรื่องรถเป็นห่วงเหมือนกันค่ะ คิดไว้ว่าปิดแค่ช่วงหน้าตลาดไม่ถึงสามร้อยเมตร "
                "ให้รถอ้อมไปทางถนนเลี่ยงเมืองได้",
                hours=26,
                reply_to=1,
            ),
            DemoComment(
                STAFF,
                "เทศบาลเมืองแสนสุขขอบคุณสำหรับข้อเสนอ งานจราจรจะศึกษาเส้นทางเลี่ยงและจุดจอดรถชั่วคราว"
                "ร่วมกับสถานีตำรวจ และจะนัดประชุมผู้ค้าตลาดหนองมนภายในเดือนนี้ "
                "ความเห็นในหน้านี้จะนำเข้าที่ประชุมด้วย",
                hours=72,
                official=True,
                likes="somsri napa sompong",
            ),
        ],
        likes="somsri wanpen muay mind ton ann somchai",
        dislikes="sompong kitti",
    ),
    DemoDebate(
        title="ห่อขนมหนองมนด้วยใบตองแทนกล่องโฟม แม่ค้าจะไหวไหม",
        author="somsri",
        issue="clean-water-less-waste",
        community="nong-mon",
        tags=["ขยะ", "ตลาดหนองมน"],
        days_ago=38,
        description=(
            "ป้าขายข้าวหลามกับขนมที่หนองมนมาสามสิบปี เมื่อก่อนทั้งตลาดใช้ใบตองกับกระทงใบตอง "
            "เดี๋ยวนี้เปลี่ยนเป็นกล่องโฟมกับถุงพลาสติกเกือบหมดเพราะถูกและเร็ว หลังตลาดมีขยะโฟมกองทุกวัน\n\n"
            "ป้าอยากชวนแม่ค้าด้วยกันกลับไปใช้ใบตองหรือกล่องกระดาษ แต่ใบตองแพงขึ้นทุกปี "
            "ถ้าเทศบาลช่วยหาแหล่งใบตองราคาส่งจากสวนในชลบุรี หรือช่วยค่ากล่องกระดาษในช่วงแรก "
            "คิดว่าหลายร้านจะเปลี่ยนตาม"
        ),
        comments=[
            DemoComment(
                "napa",
                "ร้านขนมจากของฉันห่อด้วยใบจากอยู่แล้ว แต่ตอนใส่ให้ลูกค้ายังต้องใช้ถุงพลาสติก "
                "ถ้ามีถุงผ้าลายตลาดหนองมนขายหรือแจกก็น่ารักดีนะ นักท่องเที่ยวชอบถ่ายรูป",
                hours=5,
                likes="somsri ann",
            ),
            DemoComment(
                "ann",
                "พาทัวร์มาหนองมนทุกอาทิตย์ค่ะ ลูกทัวร์ชอบของที่ห่อใบตองมาก ถ่ายรูปกันเยอะ "
                "มองว่าเป็นจุดขายได้เลย ไม่ใช่แค่เรื่องขยะ",
                hours=30,
                likes="somsri",
            ),
            DemoComment(
                "muay",
                "ถุงผ้าดีค่ะ แต่ขอให้ราคาไม่แพง ร้านเล็ก ๆ กำไรต่อชิ้นไม่กี่บาท",
                hours=34,
                reply_to=0,
            ),
            DemoComment(
                STAFF,
                "กองสาธารณสุขและสิ่งแวดล้อมกำลังเตรียมโครงการ “หนองมนลดโฟม” นำร่องกับร้านค้า 30 ร้าน "
                "เทศบาลจะช่วยค่ากล่องกระดาษครึ่งหนึ่งในสามเดือนแรก ร้านที่สนใจสมัครได้ที่สำนักงานตลาด"
                "หนองมน หรือแจ้งในหน้านี้",
                hours=120,
                official=True,
                likes="somsri napa muay wanpen",
            ),
            DemoComment(
                "somsri",
                "ขอบคุณค่ะ ป้าจะชวนร้านข้าง ๆ ไปสมัครด้วย",
                hours=123,
                reply_to=3,
            ),
        ],
        likes="wanpen muay boonmee napa mind ton ann somchai",
        dislikes="kitti",
    ),
    DemoDebate(
        title="ขอพื้นที่ให้นิสิตบูรพาขายงานศิลปะและงานออกแบบในตลาดหนองมน",
        author="mind",
        issue="nong-mon-creative-economy",
        community=None,
        tags=["นิสิต", "งานศิลปะ", "ตลาดหนองมน"],
        days_ago=12,
        description=(
            "หนูเรียนอยู่คณะศิลปกรรมศาสตร์ ม.บูรพา เพื่อน ๆ หลายคนทำงานทำมือ โปสการ์ด "
            "ภาพสีน้ำตลาดหนองมนกับชายหาดบางแสน แต่ไม่มีที่ขายนอกจากออนไลน์\n\n"
            "อยากเสนอให้มีมุมเล็ก ๆ ในตลาดหนองมน ตรงพื้นที่ที่ยังว่างไม่มีร้าน เปิดให้นิสิตและคนรุ่นใหม่"
            "ในแสนสุขมาวางขายงานวันเสาร์อาทิตย์ ค่าเช่าถูก ๆ หรือแลกกับการช่วยออกแบบป้ายและโลโก้ให้ร้าน"
            "ในตลาด ตลาดจะได้มีของฝากแบบใหม่ที่ไม่ใช่แค่ขนม"
        ),
        comments=[
            DemoComment(
                "napa",
                "ป้าชอบนะ ถ้าน้อง ๆ ช่วยออกแบบถุงขนมจากให้ใหม่ ป้ายินดีจ่ายค่าแบบ",
                hours=4,
                likes="mind ton",
            ),
            DemoComment(
                "ton",
                "ชมรมที่คณะวิศวะทำป้ายไฟ LED ประหยัดไฟด้วยครับ ถ้าร้านไหนอยากได้ป้ายใหม่ ชมรมช่วยได้",
                hours=11,
                reply_to=0,
                likes="napa",
            ),
            DemoComment(
                "somsri",
                "ต้องดูด้วยว่าจะไม่ไปแย่งที่ร้านเดิมนะ ที่จอดรถแถวนั้นก็ไม่พออยู่แล้ว",
                hours=25,
            ),
            DemoComment(
                "mind",
                "เข้าใจค่ะป้า ตั้งใจแค่วันเสาร์อาทิตย์ และใช้เฉพาะพื้นที่ที่ไม่มีร้านค้าอยู่แล้วเท่านั้นค่ะ",
                hours=27,
                reply_to=2,
                likes="somsri",
            ),
            DemoComment(
                STAFF,
                "เทศบาลได้ประสานคณะศิลปกรรมศาสตร์ มหาวิทยาลัยบูรพาแล้ว จะสำรวจพื้นที่ว่างในตลาดที่ใช้ได้"
                "โดยไม่กระทบผู้ค้าเดิม และแจ้งผลในหน้านี้ภายในสิ้นเดือน",
                hours=96,
                official=True,
                likes="mind",
            ),
        ],
        likes="wanpen muay napa ton kitti ann",
        dislikes="sompong",
    ),
    DemoDebate(
        title="จัดระเบียบร่มเตียงหาดวอนนภาใหม่ เว้นทางเดินลงทะเลทุก 50 เมตร",
        author="dao",
        issue="sustainable-bang-saen-beach",
        community="hat-wonnapa",
        tags=["ชายหาด", "ผู้ค้าริมหาด", "หาดวอนนภา"],
        days_ago=30,
        description=(
            "ยายให้เช่าร่มเตียงที่หาดวอนนภามายี่สิบกว่าปี ช่วงวันหยุดร่มเตียงตั้งกันเต็มจนคนเดินลงทะเล"
            "ไม่ได้ นักท่องเที่ยวบ่น ผู้ค้าด้วยกันก็ทะเลาะกันเรื่องแนวเขต\n\n"
            "อยากให้เทศบาลตีเส้นแบ่งโซนให้ชัด เว้นช่องทางเดินลงทะเลทุก 50 เมตร และมีวันงดตั้งร่มเตียง"
            "สัปดาห์ละวันให้หาดได้พัก แต่ขอให้ถามผู้ค้าก่อนทุกครั้ง อย่าลดจำนวนล็อกโดยไม่บอก "
            "คนที่นี่เลี้ยงครอบครัวด้วยร่มเตียง"
        ),
        comments=[
            DemoComment(
                "ann",
                "ลูกทัวร์ต่างชาติชอบหาดวอนนภาเพราะเงียบกว่าบางแสน แต่บ่นเรื่องเดินลงน้ำไม่ได้จริง ๆ ค่ะ "
                "เห็นด้วยเรื่องช่องทางเดิน",
                hours=6,
                likes="dao",
            ),
            DemoComment(
                "boonmee",
                "ผมเป็น อสม. ชุมชนหาดวอนนภา ขอเพิ่มจุดปฐมพยาบาลกับธงเตือนคลื่นตรงช่องทางเดินด้วย "
                "หน้ามรสุมมีคนจมน้ำแทบทุกปี",
                hours=15,
                likes="dao ann wanpen",
            ),
            DemoComment(
                "dao",
                "ดีเลยลุง ผู้ค้าช่วยกันดูแลธงได้",
                hours=18,
                reply_to=1,
            ),
            DemoComment(
                "muay",
                "ร้านอาหารริมหาดก็ต้องมีที่ตั้งโต๊ะนะคะ อย่าจัดโซนแล้วลืมร้านเล็ก",
                hours=40,
            ),
            DemoComment(
                STAFF,
                "งานเทศกิจและกองช่างจะลงพื้นที่วัดแนวชายหาดวอนนภาร่วมกับตัวแทนผู้ค้าตามวันที่นัดหมาย "
                "ร่างผังโซนจะนำมาให้ความเห็นในหน้านี้ก่อนประกาศใช้ และจะไม่มีการลดจำนวนล็อกโดยไม่ปรึกษา"
                "ผู้ค้า",
                hours=100,
                reply_to=3,
                official=True,
                likes="dao muay boonmee",
            ),
        ],
        likes="boonmee ann kitti wanpen mind somchai",
        dislikes="muay",
    ),
    DemoDebate(
        title="ทางจักรยานเลียบชายหาดจากแหลมแท่นถึงหาดวอนนภา",
        author="kitti",
        issue="sustainable-bang-saen-beach",
        community=None,
        tags=["จักรยาน", "ชายหาด"],
        days_ago=20,
        featured=True,
        description=(
            "ทุกเช้ามีคนปั่นจักรยานเลียบหาดบางแสนเยอะมาก ทั้งคนในพื้นที่ นิสิต และนักปั่นจากในเมือง"
            "ชลบุรี แต่ต้องปั่นปนกับรถยนต์และรถที่จอดริมถนน อันตรายโดยเฉพาะเช้าวันหยุด\n\n"
            "เสนอให้ทำทางจักรยานแยกจากถนนให้ชัดเจน ต่อเนื่องตั้งแต่แหลมแท่น ผ่านหาดบางแสน "
            "ไปถึงหาดวอนนภา มีที่จอดจักรยานและจุดเติมน้ำดื่มเป็นระยะ ถ้าทำได้ บางแสนจะเป็นเมือง"
            "จักรยานริมทะเลที่คนอยากมาเที่ยวแบบไม่ต้องขับรถ"
        ),
        comments=[
            DemoComment(
                "ton",
                "นิสิตหลายคนปั่นจากหอไปหาดตอนเย็นครับ ถ้ามีทางแยกจะปลอดภัยขึ้นมาก ขอไฟส่องทางด้วย ช่วงหัวค่ำมืดมาก",
                hours=2,
                likes="kitti mind wanpen",
            ),
            DemoComment(
                "muay",
                "แล้วที่จอดรถหน้าร้านริมหาดจะหายไปไหมคะ ลูกค้าส่วนใหญ่ขับรถมา ถ้าที่จอดหายร้านอยู่ไม่ได้",
                hours=8,
                likes="sompong dao",
            ),
            DemoComment(
                "kitti",
                "ไม่จำเป็นต้องเอาที่จอดออกครับ ใช้ทางเท้าฝั่งทะเลที่กว้างอยู่แล้วทำเป็นทางร่วมเดินกับปั่นก็ได้",
                hours=10,
                reply_to=1,
            ),
            DemoComment(
                "sompong",
                "ทางเท้าฝั่งทะเลตอนเย็นคนเดินเยอะมาก ปั่นปนกับคนเดินก็อันตรายเหมือนกันครับ",
                hours=13,
                reply_to=2,
                likes="muay",
            ),
            DemoComment(
                STAFF,
                "ทางจักรยานเลียบชายหาดอยู่ในแผนพัฒนาเมืองของเทศบาล เทศบาลจะจัดเวทีรับฟังความเห็นเรื่อง"
                "แนวเส้นทางและที่จอดรถ โดยเฉพาะกับผู้ค้าริมหาด ก่อนออกแบบรายละเอียด "
                "ขอบคุณทุกความเห็นในหน้านี้ครับ",
                hours=50,
                official=True,
                likes="kitti ton muay somchai",
            ),
            DemoComment(
                "chaloem",
                "ขอให้ผ่านแหลมแท่นแบบไม่ขวางทางลากเรือขึ้นลงของชาวประมงด้วยครับ",
                hours=200,
                likes="kitti boonmee",
            ),
        ],
        likes="somsri wanpen boonmee napa mind ton ann somchai",
        dislikes="sompong muay",
    ),
    DemoDebate(
        title="น้ำเสียจากท่อริมหาดไหลลงทะเลหน้าแหลมแท่น ปลาและหมึกหายไปมาก",
        author="chaloem",
        issue="sustainable-bang-saen-beach",
        community="laem-thaen",
        tags=["ประมงพื้นบ้าน", "น้ำเสีย", "แหลมแท่น"],
        days_ago=58,
        description=(
            "ผมออกเรือประมงพื้นบ้านจากแหลมแท่นไปถึงแถวอ่างศิลามาทั้งชีวิต สองสามปีหลังนี้ฝนตกหนักทีไร "
            "น้ำสีดำกลิ่นเหม็นไหลออกจากท่อริมหาดลงทะเล ปลากับหมึกใกล้ฝั่งหายไปเยอะ "
            "บางวันออกเรือแล้วไม่คุ้มค่าน้ำมัน\n\n"
            "อยากให้เทศบาลตรวจว่าน้ำเสียมาจากไหน ร้านอาหารกับโรงแรมต่อท่อเข้าระบบบำบัดครบหรือยัง "
            "และเอาผลตรวจคุณภาพน้ำทะเลมาประกาศให้ชาวบ้านรู้ทุกเดือน"
        ),
        comments=[
            DemoComment(
                "muay",
                "ร้านเราต่อท่อเข้าระบบแล้วค่ะ แต่ได้ยินว่าบางร้านยังปล่อยน้ำล้างจานลงท่อระบายน้ำฝนตรง ๆ ควรตรวจให้ทั่ว",
                hours=7,
                likes="chaloem boonmee",
            ),
            DemoComment(
                "boonmee",
                "ช่วงที่น้ำเสียออกมา เด็กที่ลงเล่นน้ำบางคนเป็นผื่นคัน อสม. เก็บข้อมูลไว้ ถ้าเทศบาลต้องการส่งให้ได้ครับ",
                hours=28,
                likes="chaloem wanpen",
            ),
            DemoComment(
                STAFF,
                "กองสาธารณสุขฯ เก็บตัวอย่างน้ำทะเลหน้าแหลมแท่นแล้ว 3 จุด ผลตรวจจะประกาศในหน้านี้ "
                "และเทศบาลจะตรวจการต่อท่อของสถานประกอบการริมหาดทุกแห่งภายในไตรมาสนี้",
                hours=150,
                official=True,
                likes="chaloem boonmee muay",
            ),
            DemoComment(
                "chaloem",
                "ขอบคุณครับ ขอให้ประกาศผลเป็นภาษาที่ชาวบ้านอ่านเข้าใจด้วย ไม่ใช่แต่ตัวเลข",
                hours=160,
                reply_to=2,
                likes="boonmee",
            ),
        ],
        likes="somsri wanpen boonmee napa mind ton kitti ann somchai",
    ),
    DemoDebate(
        title="น้ำท่วมขังซอยหอพักหลังมหาวิทยาลัยบูรพาทุกครั้งที่ฝนตกหนัก",
        author="ton",
        issue="clean-water-less-waste",
        community="bang-saen-bon",
        tags=["น้ำท่วม", "ท่อระบายน้ำ", "นิสิต"],
        days_ago=5,
        description=(
            "ซอยหอพักหลังมหาวิทยาลัยมีนิสิตอยู่หลายพันคน ฝนตกหนักแค่ชั่วโมงเดียวน้ำก็ท่วมถึงครึ่งล้อ"
            "มอเตอร์ไซค์ และขังอยู่ครึ่งวัน รถเสีย เดินไปเรียนไม่ได้ ร้านข้าวในซอยต้องปิด\n\n"
            "ดูแล้วท่อระบายน้ำตื้นและมีขยะอุด ฝาท่อบางจุดจมอยู่ใต้ยางมะตอยที่เทถนนทับ "
            "ขอให้ลอกท่อก่อนหน้าฝน และช่วยบอกด้วยว่าน้ำจากซอยนี้ระบายไปทางไหน "
            "พวกเราจะได้ช่วยกันดูไม่ให้มีขยะไปอุด"
        ),
        comments=[
            DemoComment(
                "mind",
                "หอหนูอยู่ซอยเดียวกันค่ะ อาทิตย์ที่แล้วต้องลุยน้ำไปสอบ รองเท้าพังไปคู่หนึ่ง",
                hours=1,
                likes="ton",
            ),
            DemoComment(
                "sompong",
                "วินแถวนั้นไม่กล้าเข้าซอยตอนน้ำท่วมครับ เครื่องดับกันไปหลายคัน",
                hours=5,
                likes="ton mind",
            ),
            DemoComment(
                "ton",
                "ถ่ายรูปกับคลิปตอนน้ำขังเก็บไว้ด้วยนะ จะได้ส่งให้เทศบาลดูว่าท่วมจุดไหนบ้าง",
                hours=6,
                reply_to=0,
            ),
            DemoComment(
                STAFF,
                "กองช่างได้รับรูปและพิกัดแล้ว จะเข้าลอกท่อระบายน้ำในซอยภายในสัปดาห์หน้า และสำรวจ"
                "ฝาท่อที่ถูกถนนเททับ ระหว่างนี้หากน้ำท่วมขังแจ้งเทศบาลได้ตลอด 24 ชั่วโมง",
                hours=30,
                reply_to=2,
                official=True,
                likes="ton mind sompong",
            ),
            DemoComment(
                "boonmee",
                "ฝากดูเรื่องยุงลายด้วยครับ น้ำขังนาน ๆ เดี๋ยวไข้เลือดออกมา",
                hours=40,
                reply_to=3,
                likes="ton",
            ),
        ],
        likes="somsri wanpen sompong muay boonmee napa mind kitti ann somchai",
    ),
    DemoDebate(
        title="ลิงเขาสามมุขรื้อถังขยะทุกเช้า ขอถังขยะแบบมีฝาล็อก",
        author="wanpen",
        issue="clean-water-less-waste",
        community="khao-sam-muk",
        tags=["ขยะ", "ลิงเขาสามมุข"],
        days_ago=2,
        description=(
            "บ้านครูอยู่ตีนเขาสามมุข ทุกเช้าลิงลงมาคุ้ยถังขยะหน้าบ้าน ขยะกระจายเต็มถนน "
            "ฝนตกก็ไหลลงท่อ บางวันลิงกระชากถุงกับข้าวจากมือเด็กนักเรียน\n\n"
            "ขอถังขยะแบบมีฝาล็อกที่ลิงเปิดไม่ได้ให้บ้านในชุมชน และขอให้รถเก็บขยะมาเช้าขึ้นก่อนลิงลงเขา "
            "ที่สำคัญคือช่วยกันรณรงค์ไม่ให้นักท่องเที่ยวให้อาหารลิง"
        ),
        comments=[
            DemoComment(
                SOMCHAI,
                "เห็นด้วยเรื่องห้ามให้อาหารลิงครับ ลิงไม่กลัวคนเพราะนักท่องเที่ยวเอาขนมมาให้ทุกวัน",
                hours=3,
                likes="wanpen",
            ),
            DemoComment(
                "ann",
                "ไกด์หลายคนพาลูกทัวร์มาให้อาหารลิงเพราะเป็นจุดถ่ายรูป ถ้ามีป้ายหลายภาษา และจุดขาย"
                "อาหารลิงที่ควบคุมได้ น่าจะช่วยได้ค่ะ",
                hours=8,
                dislikes="wanpen",
            ),
            DemoComment(
                "wanpen",
                "ไม่อยากให้มีการขายอาหารลิงเลยค่ะ ยิ่งให้ ลิงยิ่งลงมาเยอะ",
                hours=9,
                reply_to=1,
                likes="somchai",
            ),
            DemoComment(
                STAFF,
                "เทศบาลรับเรื่องแล้ว กำลังทดลองถังขยะฝาล็อก 20 ใบในชุมชนเขาสามมุข และปรับรอบรถเก็บขยะ"
                "ให้ถึงก่อน 7 โมงเช้า จะแจ้งผลการทดลองในหน้านี้",
                hours=30,
                official=True,
                likes="wanpen",
            ),
        ],
        likes="boonmee mind somchai",
        dislikes="kitti ann",
    ),
]


def _declared_class(key: str) -> str:
    resident = RESIDENTS.get(key)
    return resident.declares if resident else VoterClass.INTERESTED


def _votes_cast(people, debate, target, likes: str, dislikes: str, since, now) -> None:
    """Each person likes or dislikes `target`, declaring interest first where they must."""
    voters = [(key, 1) for key in likes.split()] + [(key, -1) for key in dislikes.split()]
    for n, (key, value) in enumerate(voters):
        user = people[key]
        if voter_class_for(user, debate) is None:
            interest_declare(user=user, matter=debate, voter_class=_declared_class(key))
        vote = vote_cast(user=user, target=target, value=value)
        cast_at = since + (now - since) * (n + 1) / (len(voters) + 1)
        Vote.objects.filter(pk=vote.pk).update(created_at=cast_at)


def _debate_add(spec: DemoDebate, people, communities, issues, now) -> Debate:
    debate = debate_create(
        author=people[spec.author],
        title=spec.title,
        description=spec.description,
        tags=spec.tags,
        community=communities[spec.community] if spec.community else None,
        strategic_issue=issues[spec.issue],
    )
    started = now - timedelta(days=spec.days_ago)
    Debate.objects.filter(pk=debate.pk).update(
        created_at=started, updated_at=started, is_featured=spec.featured
    )
    debate.created_at = started
    made: list[Comment] = []
    for item in spec.comments:
        comment = comment_create(
            author=people[item.author],
            commentable=debate,
            body=item.body,
            parent=made[item.reply_to] if item.reply_to is not None else None,
            official=item.official,
        )
        written = min(now, started + timedelta(hours=item.hours))
        Comment.objects.filter(pk=comment.pk).update(created_at=written)
        made.append(comment)
        _votes_cast(people, debate, comment, item.likes, item.dislikes, written, now)
    _votes_cast(people, debate, debate, spec.likes, spec.dislikes, started, now)
    return debate


@transaction.atomic
def debates_demo_load() -> int:
    """Create the demo debates that are missing; returns how many it created."""
    missing = [
        spec for spec in DEMO_DEBATES if not Debate.objects.filter(title=spec.title).exists()
    ]
    if not missing:
        return 0
    people = demo_residents()
    communities = {c.code: c for c in Community.objects.all()}
    issues = {i.slug: i for i in StrategicIssue.objects.all()}
    now = timezone.now()
    for spec in missing:
        _debate_add(spec, people, communities, issues, now)
    # The scores were computed when the votes were cast, before their dates moved back.
    hot_scores_refresh(now)
    return len(missing)
