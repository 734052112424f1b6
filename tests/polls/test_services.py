import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import VoterClass
from participation.secrecy import EnvelopeBroken, unseal
from participation.services import NotAllowed
from polls.models import (
    Answer,
    Ballot,
    BoothTotal,
    Channel,
    Envelope,
    Option,
    PollResult,
    Question,
    RollEntry,
)
from polls.services import (
    TEXT_ANSWER_BYTES,
    ballot_cast,
    booth_ballot_enter,
    booth_confirm,
    booth_roll_mark,
    booth_totals_enter,
    poll_envelope_size,
    poll_envelopes_open,
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
    close,
    mark_at_booth,
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


def test_online_ballot_puts_the_person_on_the_roll_and_the_ballot_in_an_envelope():
    poll = poll_with_questions()
    user, record = verified_with_record()
    choices, texts = answers_for(poll, text="อยากได้ต้นไม้")
    roll = ballot_cast(user=user, poll=poll, choices=choices, texts=texts)
    assert roll == RollEntry.objects.get()
    assert (roll.user, roll.census_record, roll.channel) == (user, record, Channel.ONLINE)
    assert roll.community == user.residence_community
    # Nothing is in the box before the close: the ballot waits sealed.
    assert not Ballot.objects.exists() and not Answer.objects.exists()
    envelope = Envelope.objects.get()
    assert "อยากได้ต้นไม้".encode() not in bytes(envelope.sealed)
    content = unseal(envelope.sealed, context=f"poll:{poll.pk}")
    single, multiple, text = poll.questions.all()
    assert content == {
        "class": "affected_citizen",
        "community": user.residence_community_id,
        "weight": "1.000",
        "options": [*choices[single.pk], *choices[multiple.pk]],
        "texts": {str(text.pk): "อยากได้ต้นไม้"},
    }


def test_every_envelope_of_a_poll_has_the_size_of_its_fullest_ballot():
    poll = poll_with_questions(weights={"affected_citizen": "2.5"})
    plain, _texts = answers_for(poll)
    ballot_cast(user=CitizenFactory(), poll=poll, choices=plain, texts={})
    full, texts = answers_for(poll, text="ก" * 2000)
    ballot_cast(user=ResidentFactory(), poll=poll, choices=full, texts=texts)
    sizes = {len(bytes(e.sealed)) for e in Envelope.objects.all()}
    assert len(sizes) == 1
    # 1 byte version + 12 nonce + 16 tag around the padded ballot.
    assert sizes == {poll_envelope_size(poll) + 29}


def test_a_text_answer_is_bounded_in_bytes_as_sealed():
    poll = poll_with_questions()
    choices, _texts = answers_for(poll)
    text_question = poll.questions.get(kind=Question.Kind.TEXT)
    # 2000 characters, but emoji of 4 bytes each: more than the envelope allows.
    with pytest.raises(NotAllowed, match="too long to keep"):
        ballot_cast(
            user=CitizenFactory(), poll=poll, choices=choices, texts={text_question.pk: "😀" * 2000}
        )
    with pytest.raises(NotAllowed, match="at most 2000 characters"):
        ballot_cast(
            user=CitizenFactory(), poll=poll, choices=choices, texts={text_question.pk: "a" * 2001}
        )
    # Control characters are escaped in six bytes each: bounded too.
    with pytest.raises(NotAllowed, match="too long to keep"):
        ballot_cast(
            user=CitizenFactory(),
            poll=poll,
            choices=choices,
            texts={text_question.pk: "ก" + "\x01" * 1999},
        )
    thai = "ก" * (TEXT_ANSWER_BYTES // 3)
    ballot_cast(user=CitizenFactory(), poll=poll, choices=choices, texts={text_question.pk: thai})
    assert RollEntry.objects.count() == Envelope.objects.count() == 1


def test_second_ballot_is_refused_and_nothing_is_written():
    poll = poll_with_questions()
    user = CitizenFactory()
    choices, texts = answers_for(poll)
    ballot_cast(user=user, poll=poll, choices=choices, texts=texts)
    with pytest.raises(NotAllowed, match="already voted"):
        ballot_cast(user=user, poll=poll, choices=choices, texts=texts)
    assert RollEntry.objects.count() == Envelope.objects.count() == 1


def test_the_unique_constraint_refuses_a_vote_the_check_missed(monkeypatch):
    """Two requests that both passed the eligibility check: the database refuses the second,
    and its envelope is not written either."""
    import polls.services

    poll = poll_with_questions()
    user = CitizenFactory()
    choices, texts = answers_for(poll)
    ballot_cast(user=user, poll=poll, choices=choices, texts=texts)
    monkeypatch.setattr(polls.services, "ballot_eligibility", lambda *a, **k: True)
    with pytest.raises(NotAllowed, match="already voted"):
        ballot_cast(user=user, poll=poll, choices=choices, texts=texts)
    assert Envelope.objects.count() == RollEntry.objects.count() == 1


def test_a_ballot_after_the_close_is_refused_by_the_stored_close_not_the_callers_copy():
    poll = poll_with_questions()
    stale = type(poll).objects.get(pk=poll.pk)
    close(poll)
    choices, texts = answers_for(stale)
    with pytest.raises(NotAllowed, match="closed"):
        ballot_cast(user=CitizenFactory(), poll=stale, choices=choices, texts=texts)
    assert not Envelope.objects.exists() and not RollEntry.objects.exists()


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
    assert not RollEntry.objects.exists() and not Envelope.objects.exists()


def test_weights_and_classes_come_out_of_the_envelopes_at_the_close():
    poll = poll_with_questions(weights={"affected_resident": "0.5"})
    choices, texts = answers_for(poll, text="ร่มเงา")
    ballot_cast(user=ResidentFactory(), poll=poll, choices=choices, texts=texts)
    close(poll)
    assert poll_envelopes_open(poll=poll) == 1
    ballot = Ballot.objects.get()
    assert ballot.weight == pytest.approx(0.5)
    assert ballot.voter_class == VoterClass.AFFECTED_RESIDENT
    assert ballot.channel == Channel.ONLINE and ballot.booth is None
    # One single choice, two multiple choices, one text; each repeats the ballot's columns.
    assert ballot.answers.count() == 4
    assert set(ballot.answers.values_list("voter_class", "channel", "weight")) == {
        ("affected_resident", "online", 0.5)
    }
    assert Answer.objects.filter(text="ร่มเงา").count() == 1
    assert not Envelope.objects.exists()


# --- The count opens the envelopes ----------------------------------------------------------


def test_the_envelopes_are_opened_only_after_the_close_then_destroyed():
    poll = poll_with_questions()
    for pick in range(5):
        choices, texts = answers_for(poll, pick=pick % 2)
        ballot_cast(user=CitizenFactory(), poll=poll, choices=choices, texts=texts)
    with pytest.raises(NotAllowed, match="after it closes"):
        poll_envelopes_open(poll=poll)
    with pytest.raises(NotAllowed, match="after it closes"):
        poll_results_compute(poll=poll)
    assert Envelope.objects.count() == 5 and not Ballot.objects.exists()
    assert not PollResult.objects.exists()
    close(poll)
    result = poll_results_compute(poll=poll)
    assert result.data["ballots"] == 5 == Ballot.objects.count()
    assert not Envelope.objects.exists()
    # A recount finds no envelope left and counts the same box.
    assert poll_envelopes_open(poll=poll) == 0
    assert poll_results_compute(poll=poll).data["ballots"] == 5


def test_an_envelope_that_does_not_open_stops_the_count_and_loses_nothing():
    poll = poll_with_questions()
    for _ in range(3):
        choices, texts = answers_for(poll)
        ballot_cast(user=CitizenFactory(), poll=poll, choices=choices, texts=texts)
    broken = Envelope.objects.first()
    sealed = bytearray(bytes(broken.sealed))
    sealed[-1] ^= 1
    Envelope.objects.filter(pk=broken.pk).update(sealed=bytes(sealed))
    close(poll)
    with pytest.raises(EnvelopeBroken):
        poll_results_compute(poll=poll)
    assert Envelope.objects.count() == 3
    assert not Ballot.objects.exists() and not PollResult.objects.exists()


def test_an_envelope_of_another_poll_does_not_open_here():
    poll, other = poll_with_questions(), poll_with_questions()
    choices, texts = answers_for(poll)
    ballot_cast(user=CitizenFactory(), poll=poll, choices=choices, texts=texts)
    Envelope.objects.update(poll=other)
    close(other)
    with pytest.raises(EnvelopeBroken):
        poll_envelopes_open(poll=other)


# --- Booths: the roll during voting, paper ballots after the close -------------------------


def test_officer_marks_a_person_without_account_on_the_roll_and_nothing_else():
    poll = poll_with_questions()
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    record = CensusRecordFactory()
    roll = booth_roll_mark(officer=person, booth=booth, record=record)
    assert roll == RollEntry.objects.get()
    assert roll.user is None and roll.census_record == record
    assert (roll.channel, roll.booth, roll.officer) == (Channel.BOOTH, booth, person)
    assert roll.community == record.community
    assert not Envelope.objects.exists() and not Ballot.objects.exists()


def test_online_voter_is_refused_at_the_booth():
    poll = poll_with_questions()
    user, record = verified_with_record()
    choices, texts = answers_for(poll)
    ballot_cast(user=user, poll=poll, choices=choices, texts=texts)
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    with pytest.raises(NotAllowed, match="already voted"):
        booth_roll_mark(officer=person, booth=booth, record=record)
    assert RollEntry.objects.count() == 1


def test_booth_voter_is_refused_online():
    poll = poll_with_questions()
    user, record = verified_with_record()
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    booth_roll_mark(officer=person, booth=booth, record=record)
    choices, texts = answers_for(poll)
    with pytest.raises(NotAllowed, match="already voted"):
        ballot_cast(user=user, poll=poll, choices=choices, texts=texts)
    assert RollEntry.objects.count() == 1 and not Envelope.objects.exists()


def test_booth_voter_who_verifies_afterwards_is_still_refused_online():
    """The roll row names only the census record; the account verified later stands on it."""
    poll = poll_with_questions()
    record = CensusRecordFactory()
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    booth_roll_mark(officer=person, booth=booth, record=record)
    user = CitizenFactory(residence_community=record.community)
    record.user = user
    record.save()
    choices, texts = answers_for(poll)
    with pytest.raises(NotAllowed, match="already voted"):
        ballot_cast(user=user, poll=poll, choices=choices, texts=texts)


def test_a_person_is_marked_once_even_when_the_check_missed(monkeypatch):
    import polls.services

    poll = poll_with_questions()
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    record = CensusRecordFactory()
    booth_roll_mark(officer=person, booth=booth, record=record)
    monkeypatch.setattr(polls.services, "booth_eligibility", lambda *a, **k: True)
    with pytest.raises(NotAllowed, match="already voted"):
        booth_roll_mark(officer=person, booth=booth, record=record)
    assert RollEntry.objects.count() == 1


def test_only_the_booths_officers_mark_and_count_there():
    poll = poll_with_questions()
    booth = BoothFactory(poll=poll, officers=[officer()])
    with pytest.raises(NotAllowed, match="not an officer"):
        booth_roll_mark(officer=officer(), booth=booth, record=CensusRecordFactory())
    with pytest.raises(NotAllowed, match="Only poll officers"):
        booth_roll_mark(officer=CitizenFactory(), booth=booth, record=CensusRecordFactory())
    close(poll)
    choices, texts = answers_for(poll)
    with pytest.raises(NotAllowed, match="not an officer"):
        booth_ballot_enter(officer=officer(), booth=booth, choices=choices, texts=texts)
    with pytest.raises(NotAllowed, match="not an officer"):
        booth_confirm(officer=officer(), booth=booth)
    assert not RollEntry.objects.exists() and not Ballot.objects.exists()


def test_booth_refuses_a_person_of_another_community():
    community = CommunityFactory()
    poll = poll_with_questions(communities=[community])
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    with pytest.raises(NotAllowed, match="communities it names"):
        booth_roll_mark(officer=person, booth=booth, record=CensusRecordFactory())


def test_marking_is_refused_after_the_close():
    poll = poll_with_questions()
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    close(poll)
    with pytest.raises(NotAllowed, match="closed"):
        booth_roll_mark(officer=person, booth=booth, record=CensusRecordFactory())


def test_paper_ballots_are_entered_after_the_close_and_never_beyond_the_roll():
    """The demo's numbers: 6 people marked at the booth; a 7th ballot is refused."""
    poll = poll_with_questions(weights={"affected_citizen": "2"})
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    mark_at_booth(booth, 6)
    choices, texts = answers_for(poll, text="ต้นไม้")
    with pytest.raises(NotAllowed, match="after the poll closes"):
        booth_ballot_enter(officer=person, booth=booth, choices=choices, texts=texts)
    close(poll)
    entered, refused = 0, 0
    for _ in range(12):
        try:
            booth_ballot_enter(officer=person, booth=booth, choices=choices, texts=texts)
        except NotAllowed as error:
            assert "6 people marked on its roll" in error.reason
            refused += 1
        else:
            entered += 1
    assert (entered, refused) == (6, 6)
    ballots = Ballot.objects.filter(booth=booth)
    assert ballots.count() == 6
    assert set(ballots.values_list("channel", "voter_class", "community", "weight")) == {
        ("booth", "affected_citizen", None, 2)
    }
    assert Answer.objects.filter(text="ต้นไม้").count() == 6
    booth.refresh_from_db()
    assert list(booth.counted_by.all()) == [person]


def test_hand_counted_totals_and_entered_ballots_together_stay_within_the_roll():
    poll = poll_with_questions()
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    option = Option.objects.filter(question__kind="single").first()
    mark_at_booth(booth, 4)
    with pytest.raises(NotAllowed, match="after the poll closes"):
        booth_totals_enter(officer=person, booth=booth, paper_ballots=3, counts={option.pk: 3})
    close(poll)
    choices, texts = answers_for(poll)
    booth_ballot_enter(officer=person, booth=booth, choices=choices, texts=texts)
    booth_totals_enter(officer=person, booth=booth, paper_ballots=3, counts={option.pk: 3})
    # Re-entering corrects, still within the roll.
    booth_totals_enter(officer=person, booth=booth, paper_ballots=2, counts={option.pk: 2})
    assert BoothTotal.objects.get().count == 2
    with pytest.raises(NotAllowed, match="4 people marked on its roll"):
        booth_totals_enter(officer=person, booth=booth, paper_ballots=4, counts={option.pk: 4})
    with pytest.raises(NotAllowed, match="more votes than the paper ballots"):
        booth_totals_enter(officer=person, booth=booth, paper_ballots=2, counts={option.pk: 3})
    other = Option.objects.filter(question__kind="single").last()
    with pytest.raises(NotAllowed, match="more votes together"):
        booth_totals_enter(
            officer=person, booth=booth, paper_ballots=2, counts={option.pk: 2, other.pk: 1}
        )
    booth_ballot_enter(officer=person, booth=booth, choices=choices, texts=texts)
    with pytest.raises(NotAllowed, match="4 people marked on its roll"):
        booth_ballot_enter(officer=person, booth=booth, choices=choices, texts=texts)
    booth.refresh_from_db()
    assert booth.paper_ballots == 2 and booth.ballots.count() == 2


def test_a_second_officer_confirms_and_any_later_entry_clears_the_confirmation():
    poll = poll_with_questions()
    first, second = officer(), officer()
    booth = BoothFactory(poll=poll, officers=[first, second])
    mark_at_booth(booth, 3)
    close(poll)
    with pytest.raises(NotAllowed, match="No paper ballots have been entered"):
        booth_confirm(officer=second, booth=booth)
    choices, texts = answers_for(poll)
    booth_ballot_enter(officer=first, booth=booth, choices=choices, texts=texts)
    with pytest.raises(NotAllowed, match="another officer"):
        booth_confirm(officer=first, booth=booth)
    booth_confirm(officer=second, booth=booth)
    booth.refresh_from_db()
    assert booth.count_confirmed and booth.count_confirmed_by == second
    with pytest.raises(NotAllowed, match="already confirmed"):
        booth_confirm(officer=second, booth=booth)
    booth_ballot_enter(officer=first, booth=booth, choices=choices, texts=texts)
    booth.refresh_from_db()
    assert not booth.count_confirmed


def test_publishing_is_refused_while_a_booth_that_took_part_is_unconfirmed():
    poll = poll_with_questions()
    first, second = officer(), officer()
    booth = BoothFactory(poll=poll, officers=[first, second], name="หน่วยตลาด")
    BoothFactory(poll=poll, officers=[first], name="หน่วยว่าง")  # nobody came: no need
    mark_at_booth(booth, 2)
    close(poll)
    # Counting is fine with an unconfirmed booth; publishing is not.
    assert poll_results_compute(poll=poll).data["reconciliation"][1]["confirmed"] is False
    with pytest.raises(NotAllowed, match="not yet confirmed the count of: หน่วยตลาด\\."):
        poll_results_publish(poll=poll)
    choices, texts = answers_for(poll)
    booth_ballot_enter(officer=first, booth=booth, choices=choices, texts=texts)
    with pytest.raises(NotAllowed, match="หน่วยตลาด"):
        poll_results_publish(poll=poll)
    booth_confirm(officer=second, booth=booth)
    result = poll_results_publish(poll=poll)
    assert result.published_at is not None
    # Publishing counted again: the entered ballot is in the published figures.
    assert result.data["ballots"] == 1
    # Once published, the booth's count is closed.
    with pytest.raises(NotAllowed, match="published"):
        booth_ballot_enter(officer=first, booth=booth, choices=choices, texts=texts)
    with pytest.raises(NotAllowed, match="published"):
        booth_totals_enter(officer=first, booth=booth, paper_ballots=0, counts={})


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


def test_results_due_counts_closed_polls_without_results_once_as_soon_as_they_close():
    closed = close(poll_with_questions())
    poll_with_questions()  # still open
    assert poll_results_due() == 1
    assert PollResult.objects.get().poll == closed
    assert poll_results_due() == 0


def test_publish_and_count_refuse_an_open_poll():
    poll = poll_with_questions()
    with pytest.raises(NotAllowed, match="after the poll closes"):
        poll_results_publish(poll=poll)
    with pytest.raises(NotAllowed, match="after it closes"):
        poll_results_compute(poll=poll)
    assert not PollResult.objects.exists()


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
