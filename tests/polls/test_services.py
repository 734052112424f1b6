import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import VoterClass
from participation.services import NotAllowed
from polls.models import (
    Answer,
    Ballot,
    BoothTotal,
    Channel,
    Option,
    PollResult,
    Question,
    RollEntry,
)
from polls.services import (
    ballot_cast,
    booth_ballot_cast,
    booth_totals_enter,
    poll_from_proposal,
    poll_results_compute,
    poll_results_due,
    poll_results_publish,
)
from tests.factories import (
    CensusRecordFactory,
    CitizenFactory,
    CommunityFactory,
    ProposalFactory,
    ResidentFactory,
    national_id,
)
from tests.polls.factories import (
    BoothFactory,
    OptionFactory,
    QuestionFactory,
    answers_for,
    officer,
    poll_with_questions,
)

pytestmark = pytest.mark.django_db


def verified_with_record(community=None):
    """A citizen whose account stands on a census record, as residence_verify leaves it."""
    community = community or CommunityFactory()
    user = CitizenFactory(residence_community=community)
    record = CensusRecordFactory(community=community, user=user)
    return user, record


def test_online_ballot_writes_roll_and_answers_apart():
    poll = poll_with_questions()
    user, record = verified_with_record()
    choices, texts = answers_for(poll, text="อยากได้ต้นไม้")
    ballot = ballot_cast(user=user, poll=poll, choices=choices, texts=texts)
    roll = RollEntry.objects.get()
    assert (roll.user, roll.census_record, roll.channel) == (user, record, Channel.ONLINE)
    assert roll.voter_class == VoterClass.AFFECTED_CITIZEN
    assert roll.community == user.residence_community
    assert ballot.voter_class == VoterClass.AFFECTED_CITIZEN
    assert ballot.community == user.residence_community
    # One single choice, two multiple choices, one text.
    assert ballot.answers.count() == 4
    assert Answer.objects.filter(text="อยากได้ต้นไม้").count() == 1
    # Each answer repeats the ballot's class, community, channel and weight, for the tally.
    assert set(ballot.answers.values_list("voter_class", "community", "channel", "weight")) == {
        ("affected_citizen", user.residence_community_id, "online", 1)
    }


def test_second_ballot_is_refused_and_nothing_is_written():
    poll = poll_with_questions()
    user = CitizenFactory()
    choices, texts = answers_for(poll)
    ballot_cast(user=user, poll=poll, choices=choices, texts=texts)
    with pytest.raises(NotAllowed, match="already voted"):
        ballot_cast(user=user, poll=poll, choices=choices, texts=texts)
    assert RollEntry.objects.count() == Ballot.objects.count() == 1


def test_the_unique_constraint_refuses_a_vote_the_check_missed(monkeypatch):
    """Two requests that both passed the eligibility check: the database refuses the second."""
    import polls.services

    poll = poll_with_questions()
    user = CitizenFactory()
    choices, texts = answers_for(poll)
    ballot_cast(user=user, poll=poll, choices=choices, texts=texts)
    monkeypatch.setattr(polls.services, "ballot_eligibility", lambda *a, **k: True)
    with pytest.raises(NotAllowed, match="already voted"):
        ballot_cast(user=user, poll=poll, choices=choices, texts=texts)
    assert Ballot.objects.count() == 1
    assert Answer.objects.count() == 3  # the empty free text is not stored


@pytest.mark.parametrize(
    "change, message",
    [
        ({"single": "none"}, "Answer every question"),
        ({"single": "both"}, "Choose one option"),
        ({"multiple": "all"}, "at most 2"),
        ({"single": "foreign"}, "Choose among"),
    ],
)
def test_invalid_answers_are_refused(change, message):
    poll = poll_with_questions()
    single, multiple, _text = poll.questions.all()
    choices, texts = answers_for(poll)
    other = OptionFactory()
    for key, value in change.items():
        question = single if key == "single" else multiple
        ids = [o.pk for o in question.options.all()]
        choices[question.pk] = {"none": [], "both": ids, "all": ids, "foreign": [other.pk]}[value]
    with pytest.raises(NotAllowed, match=message):
        ballot_cast(user=CitizenFactory(), poll=poll, choices=choices, texts=texts)
    assert not RollEntry.objects.exists()


def test_weights_are_stored_on_the_ballot():
    poll = poll_with_questions(weights={"affected_resident": "0.5"})
    choices, texts = answers_for(poll)
    ballot = ballot_cast(user=ResidentFactory(), poll=poll, choices=choices, texts=texts)
    assert ballot.weight == pytest.approx(0.5)
    assert ballot.voter_class == VoterClass.AFFECTED_RESIDENT


# --- Booths -------------------------------------------------------------------------------


def test_officer_records_a_booth_ballot_for_a_person_without_account():
    poll = poll_with_questions()
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    record = CensusRecordFactory()
    choices, texts = answers_for(poll, pick=1)
    ballot = booth_ballot_cast(
        officer=person, booth=booth, record=record, choices=choices, texts=texts
    )
    roll = RollEntry.objects.get()
    assert roll.user is None and roll.census_record == record
    assert (roll.channel, roll.booth, roll.officer) == (Channel.BOOTH, booth, person)
    assert ballot.voter_class == VoterClass.AFFECTED_CITIZEN
    assert ballot.community == record.community
    assert ballot.channel == Channel.BOOTH


def test_online_voter_is_refused_at_the_booth():
    poll = poll_with_questions()
    user, record = verified_with_record()
    choices, texts = answers_for(poll)
    ballot_cast(user=user, poll=poll, choices=choices, texts=texts)
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    with pytest.raises(NotAllowed, match="already voted"):
        booth_ballot_cast(officer=person, booth=booth, record=record, choices=choices, texts=texts)
    assert RollEntry.objects.count() == 1


def test_booth_voter_is_refused_online():
    poll = poll_with_questions()
    user, record = verified_with_record()
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    choices, texts = answers_for(poll)
    booth_ballot_cast(officer=person, booth=booth, record=record, choices=choices, texts=texts)
    with pytest.raises(NotAllowed, match="already voted"):
        ballot_cast(user=user, poll=poll, choices=choices, texts=texts)
    assert RollEntry.objects.count() == Ballot.objects.count() == 1


def test_booth_voter_who_verifies_afterwards_is_still_refused_online():
    """The roll row names only the census record; the account verified later stands on it."""
    poll = poll_with_questions()
    record = CensusRecordFactory()
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    choices, texts = answers_for(poll)
    booth_ballot_cast(officer=person, booth=booth, record=record, choices=choices, texts=texts)
    user = CitizenFactory(residence_community=record.community)
    record.user = user
    record.save()
    with pytest.raises(NotAllowed, match="already voted"):
        ballot_cast(user=user, poll=poll, choices=choices, texts=texts)


def test_only_the_booths_officers_record_there():
    poll = poll_with_questions()
    booth = BoothFactory(poll=poll, officers=[officer()])
    choices, texts = answers_for(poll)
    with pytest.raises(NotAllowed, match="not an officer"):
        booth_ballot_cast(
            officer=officer(), booth=booth, record=CensusRecordFactory(), choices=choices
        )
    with pytest.raises(NotAllowed, match="Only poll officers"):
        booth_ballot_cast(
            officer=CitizenFactory(), booth=booth, record=CensusRecordFactory(), choices=choices
        )
    assert not RollEntry.objects.exists()
    del texts


def test_booth_refuses_a_person_of_another_community():
    community = CommunityFactory()
    poll = poll_with_questions(communities=[community])
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    choices, _texts = answers_for(poll)
    with pytest.raises(NotAllowed, match="communities it names"):
        booth_ballot_cast(
            officer=person, booth=booth, record=CensusRecordFactory(), choices=choices
        )


def test_booth_totals_only_after_close_and_until_published():
    poll = poll_with_questions()
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    option = Option.objects.filter(question__kind="single").first()
    with pytest.raises(NotAllowed, match="after the poll closes"):
        booth_totals_enter(officer=person, booth=booth, paper_ballots=3, counts={option.pk: 3})
    poll.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    poll.save()
    booth_totals_enter(officer=person, booth=booth, paper_ballots=3, counts={option.pk: 3})
    booth_totals_enter(officer=person, booth=booth, paper_ballots=4, counts={option.pk: 4})
    assert BoothTotal.objects.get().count == 4
    booth.refresh_from_db()
    assert booth.paper_ballots == 4
    poll_results_publish(poll=poll)
    with pytest.raises(NotAllowed, match="published"):
        booth_totals_enter(officer=person, booth=booth, paper_ballots=5, counts={option.pk: 5})


# --- Frozen questions ---------------------------------------------------------------------


def test_questions_of_an_opened_poll_cannot_change_but_can_be_saved_as_they_are():
    poll = poll_with_questions()
    question = poll.questions.first()
    question.full_clean()  # unchanged: fine
    question.title = "เปลี่ยนคำถาม"
    with pytest.raises(ValidationError, match="can no longer change"):
        question.full_clean()
    with pytest.raises(ValidationError, match="can no longer change"):
        Question(poll=poll, title="ใหม่").full_clean()
    option = question.options.first()
    option.title = "เปลี่ยน"
    with pytest.raises(ValidationError, match="can no longer change"):
        option.full_clean()


def test_questions_of_a_poll_not_yet_open_can_change():
    poll = poll_with_questions(
        opens_at=timezone.now() + datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=2),
    )
    question = poll.questions.first()
    question.title = "เปลี่ยนคำถาม"
    question.full_clean()
    QuestionFactory.build(poll=poll, title="ใหม่").full_clean()


# --- Results and the proposal action --------------------------------------------------------


def test_results_due_counts_closed_polls_without_results_once():
    closed = poll_with_questions()
    closed.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    closed.save()
    poll_with_questions()  # still open
    # Not yet: a ballot checked just before the close may still be committing.
    assert poll_results_due() == 0
    assert poll_results_due(now=timezone.now() + datetime.timedelta(minutes=2)) == 1
    assert PollResult.objects.get().poll == closed
    assert poll_results_due() == 0


def test_publish_refuses_an_open_poll():
    poll = poll_with_questions()
    with pytest.raises(NotAllowed, match="after the poll closes"):
        poll_results_publish(poll=poll)
    assert poll_results_compute(poll=poll).published_at is None


def test_a_successful_proposal_becomes_a_draft_poll():
    community = CommunityFactory()
    proposal = ProposalFactory(successful_at=timezone.now(), community=community)
    poll = poll_from_proposal(proposal=proposal)
    assert poll.proposal == proposal and poll.opens_at is None
    assert list(poll.communities.all()) == [community]
    question = poll.questions.get()
    assert proposal.title in question.title
    assert question.options.count() == 2
    proposal.refresh_from_db()
    assert proposal.outcome == "poll"
    with pytest.raises(NotAllowed, match="already become a poll"):
        poll_from_proposal(proposal=proposal)


def test_an_unsuccessful_proposal_does_not_become_a_poll():
    with pytest.raises(NotAllowed, match="successful"):
        poll_from_proposal(proposal=ProposalFactory())


def test_national_id_helper_is_valid():
    from accounts.national_id import normalise

    assert normalise(national_id(5)) == national_id(5)
