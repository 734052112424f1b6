import datetime
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import CensusRecord, User, VoterClass
from accounts.selectors import voter_class_for
from participation.models import Notification
from participation.services import NotAllowed, ensure_allowed
from polls.models import (
    DEFAULT_CLASSES,
    Answer,
    Ballot,
    Booth,
    BoothTotal,
    Channel,
    Option,
    Poll,
    PollResult,
    Question,
    RollEntry,
)
from polls.permissions import (
    ALREADY_VOTED,
    ballot_eligibility,
    booth_eligibility,
    can_record_at_booth,
    census_record_of,
)

TEXT_ANSWER_MAX = 2000


def poll_frozen_reason(poll: Poll, now=None) -> str:
    """Why a poll's questions and options can no longer change, or "" if they still can."""
    if poll.pk and Poll.objects.filter(pk=poll.pk, opens_at__lte=now or timezone.now()).exists():
        return _("The poll has opened: its questions and options can no longer change.")
    return ""


def question_check(poll: Poll) -> None:
    """Refuse any change to the questions of a poll that has opened (the admin's second line)."""
    reason = poll_frozen_reason(poll)
    if reason:
        raise NotAllowed(reason)


def answers_check(
    poll: Poll, choices: Mapping[int, list[int]], texts: Mapping[int, str]
) -> list[Answer]:
    """The answers of one ballot, checked against the poll's questions (not yet saved).

    Every choice question needs an answer; a multiple-choice one at most its maximum.
    """
    # A no-op when the caller's poll came with them (polls.selectors.poll_detail).
    prefetch_related_objects([poll], "questions__options")
    questions = list(poll.questions.all())
    answers = []
    for question in questions:
        if question.kind == Question.Kind.TEXT:
            text = (texts.get(question.pk) or "").strip()
            if len(text) > TEXT_ANSWER_MAX:
                raise NotAllowed(_("An answer in your own words can be at most 2000 characters."))
            if text:
                answers.append(Answer(question=question, text=text))
            continue
        chosen = list(dict.fromkeys(choices.get(question.pk) or []))
        options = {option.pk: option for option in question.options.all()}
        if not chosen:
            raise NotAllowed(_("Answer every question: %(question)s") % {"question": question})
        if any(pk not in options for pk in chosen):
            raise NotAllowed(_("Choose among the options of the question."))
        if question.kind == Question.Kind.SINGLE and len(chosen) > 1:
            raise NotAllowed(_("Choose one option: %(question)s") % {"question": question})
        if question.max_choices and len(chosen) > question.max_choices:
            raise NotAllowed(
                _("Choose at most %(count)s options: %(question)s")
                % {"count": question.max_choices, "question": question}
            )
        answers.extend(Answer(question=question, option=options[pk]) for pk in chosen)
    return answers


def _ballot_write(*, poll: Poll, roll: RollEntry, answers: list[Answer]) -> Ballot:
    """The roll entry and the ballot, together or not at all.

    The unique constraints of the roll (per account, per census record) refuse a second vote
    of the same person even when both arrive at the same instant.
    """
    try:
        with transaction.atomic():
            roll.save()
            ballot = Ballot.objects.create(
                poll=poll,
                voter_class=roll.voter_class,
                community_id=roll.community_id,
                channel=roll.channel,
                weight=poll.weight_of(roll.voter_class),
            )
            for answer in answers:
                answer.ballot = ballot
                answer.voter_class = ballot.voter_class
                answer.community_id = ballot.community_id
                answer.channel = ballot.channel
                answer.weight = ballot.weight
            Answer.objects.bulk_create(answers)
    except IntegrityError:
        raise NotAllowed(str(ALREADY_VOTED)) from None
    return ballot


def ballot_cast(
    *,
    user: User,
    poll: Poll,
    choices: Mapping[int, list[int]],
    texts: Mapping[int, str] | None = None,
) -> Ballot:
    """Record one person's secret ballot online. Raises NotAllowed with the reason."""
    ensure_allowed(ballot_eligibility(user, poll))
    answers = answers_check(poll, choices, texts or {})
    roll = RollEntry(
        poll=poll,
        user=user,
        census_record=census_record_of(user),
        channel=Channel.ONLINE,
        voter_class=voter_class_for(user, poll),
        community_id=user.residence_community_id,
    )
    return _ballot_write(poll=poll, roll=roll, answers=answers)


def booth_ballot_cast(
    *,
    officer: User,
    booth: Booth,
    record: CensusRecord,
    choices: Mapping[int, list[int]],
    texts: Mapping[int, str] | None = None,
) -> Ballot:
    """Record a paper ballot a poll officer takes at a booth from a person in the census.

    The person is an affected citizen of their census community. The account their record
    verifies, if any, goes on the roll too, so they cannot vote online afterwards.
    """
    ensure_allowed(can_record_at_booth(officer, booth))
    poll = booth.poll
    ensure_allowed(booth_eligibility(record, poll))
    answers = answers_check(poll, choices, texts or {})
    roll = RollEntry(
        poll=poll,
        user_id=record.user_id,
        census_record=record,
        channel=Channel.BOOTH,
        voter_class=VoterClass.AFFECTED_CITIZEN,
        community_id=record.community_id,
        officer=officer,
        booth=booth,
    )
    return _ballot_write(poll=poll, roll=roll, answers=answers)


@transaction.atomic
def booth_totals_enter(
    *, officer: User, booth: Booth, paper_ballots: int, counts: Mapping[int, int]
) -> int:
    """After close, an officer enters the booth's hand count per option; re-entering corrects it.

    Returns how many options were counted. Refused once the results are published.
    """
    ensure_allowed(can_record_at_booth(officer, booth))
    poll = Poll.objects.select_for_update().get(pk=booth.poll_id)
    if not poll.is_closed():
        raise NotAllowed(_("Booth totals are entered after the poll closes."))
    if PollResult.objects.filter(poll=poll, published_at__isnull=False).exists():
        raise NotAllowed(_("The results are published: the booth totals can no longer change."))
    options = {
        option.pk: option
        for option in Option.objects.filter(question__poll=poll).exclude(
            question__kind=Question.Kind.TEXT
        )
    }
    if any(pk not in options for pk in counts):
        raise NotAllowed(_("Choose among the options of the question."))
    if paper_ballots < 0 or any(count < 0 for count in counts.values()):
        raise NotAllowed(_("A count is a number of 0 or more."))
    Booth.objects.filter(pk=booth.pk).update(paper_ballots=paper_ballots)
    for option_pk, count in counts.items():
        BoothTotal.objects.update_or_create(
            booth=booth, option_id=option_pk, defaults={"count": count, "officer": officer}
        )
    return len(counts)


@transaction.atomic
def poll_results_compute(*, poll: Poll) -> PollResult:
    """Count a poll's ballots and booth totals (by the database) and store the result.

    Recomputing keeps the publication: staff who published see the corrected figures.
    """
    from polls.selectors import poll_tally

    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    result, _created = PollResult.objects.update_or_create(
        poll=poll, defaults={"data": poll_tally(poll), "computed_at": timezone.now()}
    )
    return result


@transaction.atomic
def poll_results_publish(*, poll: Poll) -> PollResult:
    """Show the results to everyone. Only a closed poll's results are published."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if not poll.is_closed():
        raise NotAllowed(_("Results are published after the poll closes."))
    result = PollResult.objects.filter(poll=poll).first()
    if result is None:
        result = poll_results_compute(poll=poll)
    if result.published_at is None:
        result.published_at = timezone.now()
        result.save(update_fields=["published_at"])
    return result


@transaction.atomic
def poll_results_unpublish(*, poll: Poll) -> None:
    """Take results back from the public, for example to correct a booth total."""
    PollResult.objects.filter(poll=poll).update(published_at=None)


# A ballot checked just before the close may commit just after it; the count waits this long
# so that it never misses one (staff can recount at any time).
COUNT_AFTER_CLOSE = datetime.timedelta(minutes=2)


def poll_results_due(now=None) -> int:
    """Compute the results of every poll that closed a little while ago and has none yet."""
    now = now or timezone.now()
    due = (
        Poll.objects.closed(now - COUNT_AFTER_CLOSE)
        .filter(result__isnull=True)
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in due:
        poll_results_compute(poll=Poll(pk=pk))
        count += 1
    return count


@transaction.atomic
def poll_from_proposal(*, proposal) -> Poll:
    """Turn a successful proposal into a draft poll asking whether to carry it out.

    The poll has no dates yet: staff finish it in the admin before it opens. The proposal's
    outcome says it became a poll, and everyone who took part in the proposal is told.
    """
    from proposals.models import Proposal
    from proposals.notifications import next_stage_announce

    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.successful_at is None:
        raise NotAllowed(_("Only a successful proposal can become a poll."))
    if Poll.objects.filter(proposal=proposal).exists():
        raise NotAllowed(_("This proposal has already become a poll."))
    # The town writes Thai first, whatever language the staff member's admin is in.
    with translation.override("th"):
        poll = Poll.objects.create(
            title=proposal.title[:160],
            description=proposal.summary,
            strategic_issue=proposal.strategic_issue,
            proposal=proposal,
            voter_classes=list(DEFAULT_CLASSES),
        )
        if proposal.community_id:
            poll.communities.set([proposal.community_id])
        question = Question.objects.create(
            poll=poll,
            title=_("Should the municipality carry out the proposal “%(title)s”?")
            % {"title": proposal.title},
        )
        Option.objects.bulk_create(
            [
                Option(question=question, order=1, title=_("Yes, carry it out")),
                Option(question=question, order=2, title=_("No, do not carry it out")),
            ]
        )
    # A proposal already turned into a budget project keeps that outcome: it is the further step.
    if proposal.outcome != Proposal.Outcome.INVESTMENT:
        proposal.outcome = Proposal.Outcome.POLL
        proposal.save(update_fields=["outcome", "updated_at"])
    # The subject is the proposal: the draft poll's page 404s until it opens, and the proposal's
    # page links to the poll from then on. After commit, so nobody hears of a rolled-back poll;
    # robust, because the poll stands even if telling people fails.
    transaction.on_commit(
        lambda: next_stage_announce(
            proposal=proposal, kind=Notification.Kind.TO_POLL, subject=proposal
        ),
        robust=True,
    )
    return poll
