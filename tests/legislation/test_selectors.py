import pytest

from legislation import selectors
from legislation.models import Answer, ProcessProposalSupport
from tests.factories import UserFactory
from tests.legislation.factories import (
    AnnotationFactory,
    ProcessFactory,
    ProcessProposalFactory,
    QuestionOptionFactory,
    published,
)

pytestmark = pytest.mark.django_db


def test_answer_totals_per_option_and_class(django_assert_num_queries):
    process = ProcessFactory()
    yes = QuestionOptionFactory(question__process=process)
    no = QuestionOptionFactory(question=yes.question)
    for voter_class, option in [
        ("affected_citizen", yes),
        ("affected_citizen", yes),
        ("interested", yes),
        ("concerned", no),
    ]:
        Answer.objects.create(
            question=yes.question, option=option, user=UserFactory(), voter_class=voter_class
        )
    with django_assert_num_queries(3):
        [question] = selectors.questions_with_totals(process, with_totals=True)
        options = list(question.options.all())
    assert question.total == 4
    assert [o.total for o in options] == [3, 1]
    by_class = {row["label"]: row["n"] for row in options[0].by_class}
    assert list(by_class.values()) == [2, 0, 1, 0]


def test_participants_are_counted_once_by_their_strongest_class():
    process = ProcessFactory()
    person, other = UserFactory(), UserFactory()
    option = QuestionOptionFactory(question__process=process)
    Answer.objects.create(
        question=option.question, option=option, user=person, voter_class="interested"
    )
    AnnotationFactory(
        version=published(process=process), author=person, voter_class="affected_citizen"
    )
    proposal = ProcessProposalFactory(process=process, author=other, voter_class="concerned")
    ProcessProposalSupport.objects.create(
        proposal=proposal, user=person, voter_class="affected_citizen"
    )
    summary = selectors.participants_by_class(process)
    assert summary["total"] == 2
    assert [row["n"] for row in summary["by_class"]] == [1, 0, 0, 1]


def test_most_discussed_counts_annotations_and_replies_per_passage():
    version = published()
    AnnotationFactory(version=version, quote="ห้ามตั้งแผงลอย", comments_count=1)
    AnnotationFactory(version=version, quote="ห้ามตั้งแผงลอย")
    AnnotationFactory(version=version, quote="ข้อ ๓", comments_count=5)
    passages = selectors.most_discussed(selectors.annotations_of(version))
    assert [(p.quote, p.annotations, p.replies) for p in passages] == [
        ("ข้อ ๓", 1, 5),
        ("ห้ามตั้งแผงลอย", 2, 1),
    ]
