import datetime

import factory
from django.utils import timezone

from polls.models import Booth, Option, Poll, Question
from tests.factories import UserFactory


class PollFactory(factory.django.DjangoModelFactory):
    """An open poll (opened an hour ago, closes in a week) for verified citizens and residents."""

    class Meta:
        model = Poll
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Poll number {n}")
    description = "ควรปรับปรุงตลาดหนองมนอย่างไร"
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    voter_classes = factory.LazyFunction(lambda: ["affected_citizen", "affected_resident"])

    @factory.post_generation
    def communities(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.communities.set(list(extracted))


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    poll = factory.SubFactory(PollFactory)
    title = factory.Sequence(lambda n: f"Question {n}?")
    kind = Question.Kind.SINGLE


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory)
    title = factory.Sequence(lambda n: f"Option {n}")
    order = factory.Sequence(lambda n: n)


class BoothFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booth
        skip_postgeneration_save = True

    poll = factory.SubFactory(PollFactory)
    name = factory.Sequence(lambda n: f"Booth {n}")
    location = "ศาลาประชาคม"

    @factory.post_generation
    def officers(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.officers.set(list(extracted))


def poll_with_questions(**kwargs) -> Poll:
    """A poll with a single-choice question (Yes/No), a multiple-choice one (max 2 of 3) and a
    free-text one."""
    poll = PollFactory(**kwargs)
    single = QuestionFactory(poll=poll, order=1, title="เห็นด้วยหรือไม่")
    OptionFactory(question=single, title="เห็นด้วย")
    OptionFactory(question=single, title="ไม่เห็นด้วย")
    multiple = QuestionFactory(
        poll=poll, order=2, title="เลือกสิ่งที่อยากได้", kind=Question.Kind.MULTIPLE, max_choices=2
    )
    for title in ["ที่จอดรถ", "ห้องน้ำ", "ร่มเงา"]:
        OptionFactory(question=multiple, title=title)
    QuestionFactory(poll=poll, order=3, title="ข้อเสนอแนะอื่น", kind=Question.Kind.TEXT)
    return poll


def officer(**kwargs):
    """A staff user in the poll officer group."""
    from django.contrib.auth.models import Group

    from accounts.roles import POLL_OFFICER, roles_sync

    roles_sync()
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=POLL_OFFICER))
    return user


def answers_for(poll: Poll, *, pick: int = 0, text: str = "") -> tuple[dict, dict]:
    """Valid choices for every question: option number `pick` of each (two for multiple)."""
    choices, texts = {}, {}
    for question in poll.questions.all():
        options = list(question.options.all())
        if question.kind == Question.Kind.TEXT:
            texts[question.pk] = text
        elif question.kind == Question.Kind.MULTIPLE:
            choices[question.pk] = [options[pick].pk, options[(pick + 1) % len(options)].pk]
        else:
            choices[question.pk] = [options[pick % len(options)].pk]
    return choices, texts


def post_data(poll: Poll, *, pick: int = 0, text: str = "") -> dict:
    """The ballot form's POST for answers_for."""
    choices, texts = answers_for(poll, pick=pick, text=text)
    data = {f"question_{pk}": [str(v) for v in values] for pk, values in choices.items()}
    data.update({f"question_{pk}": value for pk, value in texts.items()})
    return data


def close(poll: Poll) -> Poll:
    """Move the poll's close a minute into the past, as the clock would."""
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    poll.refresh_from_db()
    return poll


def mark_at_booth(booth, count: int, **record) -> list:
    """Mark `count` people of the census (without accounts) on the roll at the booth, by its
    first officer, while the poll is open."""
    from polls.services import booth_roll_mark
    from tests.factories import CensusRecordFactory

    person = booth.officers.first()
    return [
        booth_roll_mark(officer=person, booth=booth, record=CensusRecordFactory(**record))
        for _ in range(count)
    ]
