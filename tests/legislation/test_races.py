"""Simultaneous answers and supports, with repeated clicks: one row per person, exact counters
(PostgreSQL)."""

import pytest
from django.urls import reverse

from legislation.models import Answer, ProcessProposalSupport
from tests.factories import CitizenFactory
from tests.legislation.factories import (
    ProcessFactory,
    ProcessProposalFactory,
    QuestionOptionFactory,
    days,
)
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_repeated_answers_and_supports_at_once_leave_one_row_per_person():
    process = ProcessFactory(
        debate_starts_on=days(-1),
        debate_ends_on=days(1),
        proposals_starts_on=days(-1),
        proposals_ends_on=days(1),
    )
    option = QuestionOptionFactory(question__process=process)
    proposal = ProcessProposalFactory(process=process)
    people = CitizenFactory.create_batch(30)
    answer = reverse("legislation:answer", args=[process.pk, option.question_id])
    support = reverse("legislation:proposal_support", args=[process.pk, proposal.pk])
    wave = [(person, answer, {"option": option.pk}) for person in people] * 2
    statuses = race(wave)
    wave = [(person, support, {}) for person in people] * 2
    statuses += race(wave)
    assert all(status == 302 for status in statuses)
    assert Answer.objects.count() == 30
    assert ProcessProposalSupport.objects.count() == 30
    proposal.refresh_from_db()
    assert proposal.supports_count == 30
