"""Saensuk demo data: idempotent, so `make run` can load it every time."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.db import transaction

from accounts.models import CensusRecord, Residence, User, VoterClass
from accounts.national_id import id_hash
from accounts.roles import ROLE_PERMISSIONS
from accounts.services import VerificationError, residence_verify
from participation.models import Community, StrategicIssue

DEMO_PASSWORD = "saensuk-demo-2569"

# Community names are demo names built on real places of Saensuk.
COMMUNITIES = [
    ("bang-saen-bon", "ชุมชนบางแสนบน", "Bang Saen Bon"),
    ("bang-saen-lang", "ชุมชนบางแสนล่าง", "Bang Saen Lang"),
    ("hat-wonnapa", "ชุมชนหาดวอนนภา", "Wonnapa Beach"),
    ("nong-mon", "ชุมชนตลาดหนองมน", "Nong Mon Market"),
    ("laem-thaen", "ชุมชนแหลมแท่น", "Laem Thaen"),
    ("khao-sam-muk", "ชุมชนเขาสามมุข", "Khao Sam Muk"),
    ("map-mayom", "ชุมชนมาบมะยม", "Map Mayom"),
]

STRATEGIC_ISSUES = [
    (
        "nong-mon-creative-economy",
        "พัฒนาตลาดหนองมนสู่เศรษฐกิจสร้างสรรค์",
        "Developing Nong Mon market for the creative economy",
        "ตลาดหนองมนเป็นแหล่งขนมและของฝากขึ้นชื่อของชลบุรี เราอยากชวนผู้ค้า ชุมชน และคนรุ่นใหม่ "
        "ร่วมคิดว่าจะทำให้ตลาดเป็นพื้นที่สร้างสรรค์ ทั้งงานฝีมือ อาหารท้องถิ่น และกิจกรรมทางวัฒนธรรม "
        "โดยยังรักษาเสน่ห์ดั้งเดิมไว้ได้อย่างไร",
        "Nong Mon market is Chonburi's best-known place for sweets and local gifts. We invite "
        "vendors, communities and young people to think together about making it a creative "
        "space for crafts, local food and culture while keeping its old charm.",
    ),
    (
        "sustainable-bang-saen-beach",
        "ชายหาดบางแสนที่ยั่งยืน",
        "A sustainable Bang Saen beach",
        "ชายหาดบางแสนและหาดวอนนภาคือหัวใจของเมือง การท่องเที่ยวต้องเดินคู่กับความสะอาด "
        "ความปลอดภัย และรายได้ของผู้ค้าริมหาด ร่วมกันหาทางที่ทุกฝ่ายอยู่ได้",
        "Bang Saen and Wonnapa beaches are the heart of the town. Tourism has to go together "
        "with clean sand and sea, safety, and a living for beach vendors: let us find a way that "
        "works for everyone.",
    ),
    (
        "clean-water-less-waste",
        "ชุมชนสะอาด ลดขยะ น้ำไม่ท่วม",
        "Clean communities: less waste, no floods",
        "ขยะที่ลดได้ตั้งแต่ต้นทาง คลองและท่อระบายน้ำที่ไหลสะดวก ทำให้ชุมชนน่าอยู่และรับมือฝนหนักได้ "
        "ร่วมเสนอว่าชุมชนของคุณต้องการอะไร",
        "Less waste at the source and drains that flow keep communities pleasant and ready for "
        "heavy rain. Tell us what your community needs.",
    ),
]

ROLE_ACCOUNTS = {role: f"{role.replace(' ', '-')}@saensuk.example" for role in ROLE_PERMISSIONS}
STAFF_EMAIL = "staff@saensuk.example"
CITIZEN_EMAIL = "somchai@saensuk.example"


def demo_national_id(serial: int) -> str:
    """A 13-digit ID with a valid checksum, made from a fixed demo prefix and a serial."""
    digits = f"39901{serial:07d}"
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits))
    return digits + str((11 - total % 11) % 10)


# (serial, house code, registered on, birth year CE, community code)
DEMO_CENSUS = [
    (
        serial,
        f"2001-{serial:04d}",
        f"20{10 + serial % 14:02d}-0{1 + serial % 9}-15",
        1950 + (serial * 7) % 55,
        COMMUNITIES[serial % len(COMMUNITIES)][0],
    )
    for serial in range(1, 41)
]
# What a newcomer types on the verification page of the demo site.
TRY_NATIONAL_ID = demo_national_id(2)
TRY_BIRTH_YEAR = DEMO_CENSUS[1][3]


def _account(email: str, **fields) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, **fields)
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def demo_load() -> dict[str, str]:
    """Create or refresh the demo data; returns the demo logins (e-mail → role)."""
    Site.objects.update_or_create(
        pk=1, defaults={"domain": "127.0.0.1:8000", "name": "Ruamkit Saensuk"}
    )
    communities = {}
    for order, (code, name_th, name_en) in enumerate(COMMUNITIES):
        communities[code], _ = Community.objects.get_or_create(
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
    for serial, house_code, registered_on, birth_year, community in DEMO_CENSUS:
        CensusRecord.objects.get_or_create(
            id_hash=id_hash(demo_national_id(serial)),
            defaults={
                "house_code": house_code,
                "registered_on": registered_on,
                "birth_year": birth_year,
                "community": communities[community],
            },
        )

    logins = {}
    staff = _account(STAFF_EMAIL, display_name="เจ้าหน้าที่เทศบาล", is_staff=True, is_superuser=True)
    logins[staff.email] = "superuser"
    for role, email in ROLE_ACCOUNTS.items():
        user = _account(email, display_name=f"Demo {role}", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        logins[email] = role
    citizen = _account(CITIZEN_EMAIL, display_name="สมชาย ใจดี")
    if citizen.residence != Residence.CITIZEN:
        residence_verify(
            user=citizen, national_id=demo_national_id(1), birth_year=DEMO_CENSUS[0][3]
        )
    logins[citizen.email] = "verified citizen"
    return logins


@dataclass(frozen=True)
class Resident:
    number: int
    display_name: str
    # The demo census serial this person verifies with; None for people who live elsewhere or
    # have not verified, and so must declare themselves interested or concerned to vote.
    census_serial: int | None
    declares: str = VoterClass.INTERESTED

    @property
    def email(self) -> str:
        return f"resident{self.number:02d}@saensuk.example"


# The census serial decides the community (participation.demo.DEMO_CENSUS): 3 and 10 are
# Nong Mon, 4 Laem Thaen, 5 Khao Sam Muk, 6 Map Mayom, 7 Bang Saen Bon, 8 Bang Saen Lang,
# 9 Wonnapa. Serials 1 and 2 belong to the demo citizen and the newcomer who tries verification.
RESIDENTS = {
    "somsri": Resident(1, "ป้าสมศรี ข้าวหลามหนองมน", 3, VoterClass.CONCERNED),
    "chaloem": Resident(2, "ลุงเฉลิม เรือประมงแหลมแท่น", 4),
    "wanpen": Resident(3, "ครูวันเพ็ญ", 5),
    "sompong": Resident(4, "สมพงษ์ วินมอเตอร์ไซค์", 6),
    "muay": Resident(5, "หมวย ร้านซีฟู้ดบางแสน", 7, VoterClass.CONCERNED),
    "dao": Resident(6, "ยายดาว ร่มเตียงริมหาด", 8, VoterClass.CONCERNED),
    "boonmee": Resident(7, "ลุงบุญมี อสม.", 9),
    "napa": Resident(8, "ป้านภา ขนมจาก", 10, VoterClass.CONCERNED),
    "mind": Resident(9, "มายด์ นิสิตศิลปกรรม ม.บูรพา", None),
    "ton": Resident(10, "ต้น นิสิตวิศวะ", None, VoterClass.CONCERNED),
    "kitti": Resident(11, "กิตติ นักปั่นชลบุรี", None),
    "ann": Resident(12, "แอน ไกด์ทัวร์", None, VoterClass.CONCERNED),
}
# Accounts made by participation.demo.
STAFF = "staff"
SOMCHAI = "somchai"


def demo_residents() -> dict[str, User]:
    """The demo residents by key, made (and verified where they can be) on first load."""
    people = {
        STAFF: User.objects.get(email=STAFF_EMAIL),
        SOMCHAI: User.objects.get(email=CITIZEN_EMAIL),
    }
    password = None
    for key, resident in RESIDENTS.items():
        user = User.objects.filter(email=resident.email).first()
        if user is None:
            # One hash for all: the same demo password, hashed once rather than twelve times.
            password = password or make_password(DEMO_PASSWORD)
            user = User.objects.create(
                email=resident.email, display_name=resident.display_name, password=password
            )
            if resident.census_serial:
                try:
                    residence_verify(
                        user=user,
                        national_id=demo_national_id(resident.census_serial),
                        birth_year=DEMO_CENSUS[resident.census_serial - 1][3],
                    )
                except VerificationError:
                    # The serial verifies someone else in this database: stay unverified and
                    # declare interest to vote, like people who live elsewhere.
                    pass
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        people[key] = user
    return people
