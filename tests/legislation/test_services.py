import pytest

from legislation.models import Annotation, Answer, ProcessProposalSupport
from legislation.services import (
    annotation_create,
    annotation_create_for_section,
    answer_cast,
    proposal_create,
    proposal_support,
    version_publish,
)
from participation.services import NotAllowed
from tests.factories import CitizenFactory, UserFactory
from tests.legislation.factories import (
    DRAFT,
    AnnotationFactory,
    DraftVersionFactory,
    ProcessFactory,
    ProcessProposalFactory,
    QuestionOptionFactory,
    days,
    published,
)

pytestmark = pytest.mark.django_db


def test_annotation_is_anchored_by_code_points_with_section_and_class():
    version = published()
    author = CitizenFactory()
    quote = "ห้ามตั้งแผงลอย"
    start = version.plain_text.index(quote)
    annotation = annotation_create(
        author=author,
        version=version,
        start=start,
        end=start + len(quote),
        quote=quote,
        body="ควรเริ่ม ๐๕.๓๐ น.",
    )
    assert annotation.section == "section-3"
    assert annotation.voter_class == "affected_citizen"
    assert annotation.written_on == version
    assert version.plain_text[annotation.start : annotation.end] == quote


def test_annotation_whose_quote_does_not_match_the_offsets_is_refused():
    version = published()
    start = version.plain_text.index("ห้ามตั้ง")
    with pytest.raises(NotAllowed):
        annotation_create(
            author=UserFactory(),
            version=version,
            start=start + 1,
            end=start + 9,
            quote="ห้ามตั้ง",
            body="x",
        )
    with pytest.raises(NotAllowed):
        annotation_create(
            author=UserFactory(), version=version, start=0, end=10**6, quote="ห้ามตั้ง", body="x"
        )
    assert not Annotation.objects.exists()


def test_annotation_outside_the_comments_phase_is_refused():
    version = published(
        process=ProcessFactory(comments_ends_on=days(-1), comments_starts_on=days(-5))
    )
    with pytest.raises(NotAllowed):
        annotation_create(
            author=UserFactory(),
            version=version,
            start=0,
            end=3,
            quote=version.plain_text[:3],
            body="x",
        )


def test_section_comment_quotes_the_whole_section():
    version = published()
    annotation = annotation_create_for_section(
        author=UserFactory(), version=version, section="section-2", body="ทั้งหมวด"
    )
    assert annotation.quote.startswith("หมวด ๑ บททั่วไป")
    assert "ข้อ ๒" not in annotation.quote
    with pytest.raises(NotAllowed):
        annotation_create_for_section(
            author=UserFactory(), version=version, section="section-99", body="x"
        )


def test_only_the_latest_version_takes_annotations():
    first = published()
    published(process=first.process, number=first.number + 1)
    with pytest.raises(NotAllowed):
        annotation_create(
            author=UserFactory(),
            version=first,
            start=0,
            end=3,
            quote=first.plain_text[:3],
            body="x",
        )


def test_publishing_moves_kept_passages_and_leaves_deleted_ones_behind():
    first = published()
    kept = AnnotationFactory(version=first, quote="ห้ามตั้งแผงลอย")
    gone = AnnotationFactory(version=first, quote="ใช้บังคับกับผู้ค้าทุกราย")
    new_body = "## คำนำ\n\nเพิ่มข้อความใหม่ก่อนหน้า\n\n" + DRAFT.replace(
        "ข้อบัญญัตินี้ใช้บังคับกับผู้ค้าทุกรายบนชายหาดบางแสน", "ข้อบัญญัตินี้ใช้กับผู้ค้าบางราย"
    )
    second = DraftVersionFactory(process=first.process, number=first.number + 1, body=new_body)
    moved, stayed = version_publish(version=second)
    assert (moved, stayed) == (1, 1)
    kept.refresh_from_db()
    gone.refresh_from_db()
    second.refresh_from_db()
    assert kept.version == second and kept.written_on == first
    assert second.plain_text[kept.start : kept.end] == "ห้ามตั้งแผงลอย"
    assert kept.start > first.plain_text.index("ห้ามตั้งแผงลอย")
    assert kept.section == "section-4"
    assert gone.version == first


def test_publishing_twice_or_out_of_order_is_refused():
    first = published()
    with pytest.raises(NotAllowed):
        version_publish(version=first)
    published(process=first.process, number=first.number + 10)
    older = DraftVersionFactory(process=first.process, number=first.number + 5)
    with pytest.raises(NotAllowed):
        version_publish(version=older)


def test_one_answer_per_person_changed_not_duplicated():
    process = ProcessFactory(debate_starts_on=days(-1), debate_ends_on=days(1))
    yes = QuestionOptionFactory(question__process=process)
    no = QuestionOptionFactory(question=yes.question)
    person = CitizenFactory()
    answer_cast(user=person, question=yes.question, option=yes)
    answer_cast(user=person, question=yes.question, option=no)
    answer = Answer.objects.get()
    assert answer.option == no and answer.voter_class == "affected_citizen"
    other = QuestionOptionFactory(question__process=process)
    with pytest.raises(NotAllowed):
        answer_cast(user=person, question=yes.question, option=other)


def test_answers_only_in_the_debate_phase():
    option = QuestionOptionFactory()  # the factory's debate ended a month ago
    with pytest.raises(NotAllowed):
        answer_cast(user=UserFactory(), question=option.question, option=option)


def test_proposals_and_one_support_per_person():
    process = ProcessFactory(proposals_starts_on=days(-1), proposals_ends_on=days(1))
    author, supporter = UserFactory(), CitizenFactory()
    proposal = proposal_create(author=author, process=process, title=" จุดทิ้งขยะ ", body="ทุก ๕๐ เมตร")
    assert proposal.title == "จุดทิ้งขยะ"
    assert proposal_support(user=supporter, proposal=proposal) is True
    assert proposal_support(user=supporter, proposal=proposal) is False
    proposal.refresh_from_db()
    assert proposal.supports_count == 1
    assert ProcessProposalSupport.objects.get().voter_class == "affected_citizen"
    with pytest.raises(NotAllowed):
        proposal_support(user=author, proposal=proposal)


def test_proposals_closed_outside_their_phase():
    proposal = ProcessProposalFactory()
    with pytest.raises(NotAllowed):
        proposal_create(author=UserFactory(), process=proposal.process, title="t", body="b")
    with pytest.raises(NotAllowed):
        proposal_support(user=UserFactory(), proposal=proposal)


def test_passages_shifted_by_different_amounts_each_land_on_their_words():
    first = published()
    early = AnnotationFactory(version=first, quote="ข้อ ๑")
    late = AnnotationFactory(version=first, quote="ค่าธรรมเนียม")
    twice = AnnotationFactory(
        version=first, quote="ชายหาดบางแสน", at=first.plain_text.rindex("ชายหาดบางแสน")
    )
    body = first.body.replace("## หมวด ๒", "## หมวดแทรก\n\nข้อความแทรกยาวพอสมควร\n\n## หมวด ๒")
    second = DraftVersionFactory(process=first.process, number=first.number + 1, body=body)
    assert version_publish(version=second) == (3, 0)
    second.refresh_from_db()
    for annotation in (early, late, twice):
        annotation.refresh_from_db()
        assert second.plain_text[annotation.start : annotation.end] == annotation.quote
    assert early.start == first.plain_text.index("ข้อ ๑")
    assert late.start > first.plain_text.index("ค่าธรรมเนียม")
    assert twice.start == second.plain_text.rindex("ชายหาดบางแสน")
