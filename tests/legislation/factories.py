import datetime

import factory
from django.utils import timezone

from legislation.anchoring import section_at
from legislation.models import (
    Annotation,
    DraftVersion,
    Process,
    ProcessProposal,
    Question,
    QuestionOption,
)
from legislation.services import version_publish
from tests.factories import UserFactory

DRAFT = """# ร่างข้อบัญญัติเทศบาลเมืองแสนสุข เรื่อง การจำหน่ายสินค้าบนชายหาดบางแสน

## หมวด ๑ บททั่วไป

ข้อ ๑ ข้อบัญญัตินี้ใช้บังคับกับผู้ค้าทุกรายบนชายหาดบางแสน

## หมวด ๒ เวลาค้าขาย

ข้อ ๒ ห้ามตั้งแผงลอยก่อนเวลา ๐๖.๐๐ น. และหลังเวลา ๒๐.๐๐ น.

## Section 3 Fees

ข้อ ๓ Vendors pay a fee of 300 baht per month (ค่าธรรมเนียม)
"""


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


class ProcessFactory(factory.django.DjangoModelFactory):
    """A published process whose comments phase is open today (the others are over)."""

    class Meta:
        model = Process

    title = factory.Sequence(lambda n: f"ร่างข้อบัญญัติ {n}")
    description = "<p>ร่างข้อบัญญัติเพื่อรับฟังความคิดเห็น</p>"
    is_published = True
    debate_starts_on = factory.LazyFunction(lambda: days(-40))
    debate_ends_on = factory.LazyFunction(lambda: days(-31))
    proposals_starts_on = factory.LazyFunction(lambda: days(-30))
    proposals_ends_on = factory.LazyFunction(lambda: days(-21))
    draft_starts_on = factory.LazyFunction(lambda: days(-20))
    draft_ends_on = factory.LazyFunction(lambda: days(-11))
    comments_starts_on = factory.LazyFunction(lambda: days(-10))
    comments_ends_on = factory.LazyFunction(lambda: days(10))
    result_starts_on = factory.LazyFunction(lambda: days(30))


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    process = factory.SubFactory(ProcessFactory)
    text = factory.Sequence(lambda n: f"คำถามที่ {n}")


class QuestionOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionOption

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"ตัวเลือก {n}")


class DraftVersionFactory(factory.django.DjangoModelFactory):
    """An unpublished version; publish it with `published()`."""

    class Meta:
        model = DraftVersion

    process = factory.SubFactory(ProcessFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "ร่างข้อบัญญัติ การจำหน่ายสินค้าบนชายหาดบางแสน"
    body = DRAFT
    changelog = "ฉบับแรก"


def published(**kwargs) -> DraftVersion:
    """A version written and published through the service (rendered, annotations moved)."""
    version = DraftVersionFactory(**kwargs)
    version_publish(version=version)
    version.refresh_from_db()
    return version


class AnnotationFactory(factory.django.DjangoModelFactory):
    """An annotation on the passage `quote` of a published `version` (first occurrence)."""

    class Meta:
        model = Annotation
        exclude = ["at"]

    version = factory.LazyFunction(lambda: published())
    process = factory.LazyAttribute(lambda o: o.version.process)
    written_on = factory.LazyAttribute(lambda o: o.version)
    author = factory.SubFactory(UserFactory)
    quote = "ห้ามตั้งแผงลอย"
    at = factory.LazyAttribute(lambda o: o.version.plain_text.index(o.quote))
    start = factory.LazyAttribute(lambda o: o.at)
    end = factory.LazyAttribute(lambda o: o.at + len(o.quote))
    section = factory.LazyAttribute(lambda o: section_at(o.version.sections, o.at))
    body = factory.Sequence(lambda n: f"ความเห็นต่อข้อความ {n}")


class ProcessProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessProposal

    process = factory.SubFactory(ProcessFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"ข้อเสนอ {n}")
    body = "ควรมีจุดทิ้งขยะทุก ๕๐ เมตร"
