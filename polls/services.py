import uuid
from collections.abc import Mapping
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import CensusRecord, User, VoterClass
from accounts.selectors import voter_class_for
from participation.models import Notification
from participation.secrecy import (
    envelope_size,
    envelopes_destroy,
    payload_size,
    seal,
    share_lock,
    shuffled,
    unseal,
)
from participation.services import (
    NotAllowed,
    booth_count_confirm,
    booth_count_entered,
    ensure_allowed,
)
from polls.models import (
    DEFAULT_CLASSES,
    Answer,
    Ballot,
    Booth,
    BoothTotal,
    Channel,
    Envelope,
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
from polls.selectors import booth_tally

TEXT_ANSWER_MAX = 2000
# An answer in one's own words is sealed with the ballot, and every envelope of a poll has the
# size of its fullest ballot, so the text needs a bound in bytes as the envelope stores it
# (UTF-8 JSON): 2000 Thai characters take 6000. Latin, Thai and line breaks always fit in
# 2000 characters; only text heavy in emoji or control characters meets this bound first.
TEXT_ANSWER_BYTES = 6000
# The longest community key a ballot can carry: a BigAutoField.
_LONGEST_COMMUNITY = 2**63 - 1
# The longest weight as sealed: Ballot.weight has 8 digits, 3 after the point.
_LONGEST_WEIGHT = "99999.999"
BOOTH_CLASS = VoterClass.AFFECTED_CITIZEN


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


def _text_bytes(text: str) -> int:
    # As the envelope stores it: a JSON string without its two quotes.
    return payload_size(text) - 2


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
            if _text_bytes(text) > TEXT_ANSWER_BYTES:
                raise NotAllowed(
                    _(
                        "This answer in your own words is too long to keep: "
                        "please shorten it, or use fewer emoji or symbols."
                    )
                )
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


# --- Online: the roll and the sealed envelope -------------------------------------------------


def _weight_text(weight: Decimal) -> str:
    return str(Decimal(weight).quantize(Decimal("0.001")))


def envelope_payload(
    *, voter_class: str, community_id: int | None, weight: Decimal, answers: list[Answer]
) -> dict:
    """What an envelope holds: the ballot's class, community, weight and answers, no person."""
    return {
        "class": str(voter_class),
        "community": community_id,
        "weight": _weight_text(weight),
        "options": [a.option_id for a in answers if a.option_id is not None],
        "texts": {str(a.question_id): a.text for a in answers if a.option_id is None},
    }


def poll_envelope_size(poll: Poll) -> int:
    """The size of every envelope of this poll: that of its fullest possible ballot.

    Every option of every multiple-choice question, the longest option key of each single-choice
    one, and the longest text each text question allows. Questions and options are frozen from
    the opening, so the size cannot change while envelopes are being sealed.
    """
    prefetch_related_objects([poll], "questions__options")
    options: list[int] = []
    texts: dict[str, str] = {}
    for question in poll.questions.all():
        keys = [option.pk for option in question.options.all()]
        if question.kind == Question.Kind.TEXT:
            # Thai letters take 3 bytes each: 2000 of them are the TEXT_ANSWER_BYTES allowed.
            texts[str(question.pk)] = "ก" * (TEXT_ANSWER_BYTES // 3)
        elif question.kind == Question.Kind.MULTIPLE:
            options.extend(keys)
        elif keys:
            options.append(max(keys, key=lambda k: len(str(k))))
    fullest = {
        "class": max(VoterClass.values, key=len),
        "community": _LONGEST_COMMUNITY,
        "weight": _LONGEST_WEIGHT,
        "options": options,
        "texts": texts,
    }
    return envelope_size(payload_size(fullest))


def _envelope_context(poll: Poll) -> str:
    return f"poll:{poll.pk}"


def _window_refresh(poll: Poll) -> None:
    """Read the poll's dates again: the caller holds its row and decides by what is stored."""
    poll.opens_at, poll.closes_at = (
        Poll.objects.filter(pk=poll.pk).values_list("opens_at", "closes_at").get()
    )


def _roll_add(roll: RollEntry, refusal) -> RollEntry:
    """Write a roll entry; the roll's unique constraints refuse a second vote of one person even
    when both arrive at the same instant."""
    try:
        with transaction.atomic():
            roll.save()
    except IntegrityError:
        raise NotAllowed(str(refusal)) from None
    return roll


def ballot_cast(
    *,
    user: User,
    poll: Poll,
    choices: Mapping[int, list[int]],
    texts: Mapping[int, str] | None = None,
) -> RollEntry:
    """Put one person on the roll and their ballot, sealed, in the box of envelopes.

    Raises NotAllowed with the reason. The poll's row is held in SHARE mode from the start, so
    the count (which takes it FOR UPDATE at the close) waits for this ballot, and a ballot that
    arrives after the count started finds the poll closed.
    """
    answers = answers_check(poll, choices, texts or {})
    with transaction.atomic():
        share_lock(poll)
        _window_refresh(poll)
        voter_class = voter_class_for(user, poll)
        ensure_allowed(ballot_eligibility(user, poll, voter_class=voter_class))
        roll = _roll_add(
            RollEntry(
                poll=poll,
                user=user,
                census_record=census_record_of(user),
                channel=Channel.ONLINE,
                community_id=user.residence_community_id,
            ),
            ALREADY_VOTED,
        )
        payload = envelope_payload(
            voter_class=voter_class,
            community_id=user.residence_community_id,
            weight=poll.weight_of(voter_class),
            answers=answers,
        )
        Envelope.objects.create(
            poll=poll,
            sealed=seal(payload, context=_envelope_context(poll), size=poll_envelope_size(poll)),
        )
    return roll


# --- Booths: the roll during voting, the paper ballots after the close -------------------------


def booth_roll_mark(*, officer: User, booth: Booth, record: CensusRecord) -> RollEntry:
    """An officer marks a person of the census on the roll as having voted at this booth.

    No answers: the person's paper ballot goes into the booth's box, and officers enter the
    box's ballots after the close without knowing whose they are. The account the record
    verifies, if any, goes on the roll too, so they cannot vote online afterwards.
    """
    ensure_allowed(can_record_at_booth(officer, booth))
    poll = booth.poll
    with transaction.atomic():
        share_lock(poll)
        _window_refresh(poll)
        ensure_allowed(booth_eligibility(record, poll))
        return _roll_add(
            RollEntry(
                poll=poll,
                user_id=record.user_id,
                census_record=record,
                channel=Channel.BOOTH,
                community_id=record.community_id,
                officer=officer,
                booth=booth,
            ),
            _("This person has already voted in this poll."),
        )


def _booth_for_count(booth: Booth) -> tuple[Booth, Poll]:
    """The booth's row locked, after its poll's in SHARE mode (so publishing, which takes the
    poll FOR UPDATE, sees every entry or none), once the poll has closed and until published."""
    share_lock(booth.poll)
    booth = Booth.objects.select_related("poll").select_for_update(of=("self",)).get(pk=booth.pk)
    poll = booth.poll
    if not poll.is_closed():
        raise NotAllowed(_("Paper ballots are entered after the poll closes."))
    if PollResult.objects.filter(poll=poll, published_at__isnull=False).exists():
        raise NotAllowed(_("The results are published: the booth's count can no longer change."))
    return booth, poll


def _too_many(on_roll: int):
    return NotAllowed(
        _(
            "This booth has %(count)s people marked on its roll: it cannot count more paper "
            "ballots than that. Check the ballots already entered and the hand count."
        )
        % {"count": on_roll}
    )


def booth_ballot_enter(
    *,
    officer: User,
    booth: Booth,
    choices: Mapping[int, list[int]],
    texts: Mapping[int, str] | None = None,
) -> Ballot:
    """An officer enters one paper ballot from the booth's box, after the close, without identity.

    Refused beyond the people marked on the booth's roll (counting those counted by hand),
    decided under the booth's row lock so two officers entering at once cannot pass it.
    """
    ensure_allowed(can_record_at_booth(officer, booth))
    answers = answers_check(booth.poll, choices, texts or {})
    with transaction.atomic():
        booth, poll = _booth_for_count(booth)
        tally = booth_tally(booth)
        if tally["room"] < 1:
            raise _too_many(tally["on_roll"])
        ballot = Ballot.objects.create(
            poll=poll,
            voter_class=BOOTH_CLASS,
            community=None,
            channel=Channel.BOOTH,
            booth=booth,
            weight=poll.weight_of(BOOTH_CLASS),
        )
        for answer in answers:
            answer.ballot = ballot
            answer.voter_class = ballot.voter_class
            answer.community_id = None
            answer.channel = ballot.channel
            answer.weight = ballot.weight
        Answer.objects.bulk_create(answers)
        booth_count_entered(booth=booth, officer=officer)
    return ballot


def booth_totals_enter(
    *, officer: User, booth: Booth, paper_ballots: int, counts: Mapping[int, int]
) -> int:
    """After close, an officer enters the booth's hand count per option; re-entering corrects it.

    The hand-counted ballots and those entered one by one together stay within the people on
    the booth's roll. Returns how many options were counted. Refused once results are published.
    """
    ensure_allowed(can_record_at_booth(officer, booth))
    with transaction.atomic():
        booth, poll = _booth_for_count(booth)
        questions = list(
            Question.objects.filter(poll=poll)
            .exclude(kind=Question.Kind.TEXT)
            .prefetch_related("options")
        )
        options = {option.pk: q for q in questions for option in q.options.all()}
        if any(pk not in options for pk in counts):
            raise NotAllowed(_("Choose among the options of the question."))
        if paper_ballots < 0 or any(count < 0 for count in counts.values()):
            raise NotAllowed(_("A count is a number of 0 or more."))
        if any(count > paper_ballots for count in counts.values()):
            raise NotAllowed(
                _("An option cannot have more votes than the paper ballots counted by hand.")
            )
        for question in questions:
            if question.kind == Question.Kind.SINGLE and (
                sum(counts.get(o.pk, 0) for o in question.options.all()) > paper_ballots
            ):
                raise NotAllowed(
                    _(
                        "The options of “%(question)s” have more votes together than the paper "
                        "ballots counted by hand."
                    )
                    % {"question": question}
                )
        tally = booth_tally(booth)
        if tally["entered"] + paper_ballots > tally["on_roll"]:
            raise _too_many(tally["on_roll"])
        Booth.objects.filter(pk=booth.pk).update(paper_ballots=paper_ballots)
        for option_pk, count in counts.items():
            BoothTotal.objects.update_or_create(
                booth=booth, option_id=option_pk, defaults={"count": count, "officer": officer}
            )
        booth_count_entered(booth=booth, officer=officer)
    return len(counts)


def booth_confirm(*, officer: User, booth: Booth) -> Booth:
    """A second officer of the booth, who entered none of its ballots, confirms its count."""
    ensure_allowed(can_record_at_booth(officer, booth))
    with transaction.atomic():
        booth, _poll = _booth_for_count(booth)
        booth_count_confirm(booth=booth, officer=officer)
    return booth


# --- The count ------------------------------------------------------------------------------


OPEN_CHUNK = 2000


def _refuse_before_close(poll: Poll) -> None:
    if not poll.is_closed():
        raise NotAllowed(_("A poll is counted after it closes: no ballot is opened before."))


def poll_envelopes_open(*, poll: Poll) -> int:
    """Open every envelope of a closed poll into the ballot box, in a random order, and destroy
    the envelopes. Returns how many it opened (0 on a recount).

    Takes the poll FOR UPDATE: it waits for every ballot still being cast, and every later one
    finds the poll closed. The ballots get fresh random keys and are inserted in the shuffled
    order, all in this one transaction, so neither keys, places in the table nor transaction
    ids follow the order of voting. An envelope that does not open raises EnvelopeBroken and
    nothing is counted: the count stops loudly rather than lose a ballot.
    """
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        _refuse_before_close(poll)
        context = _envelope_context(poll)
        # Opened as they are read, so only the small ballots, not the padded envelopes, are held.
        envelopes = (
            Envelope.objects.filter(poll=poll).values_list("sealed", flat=True).iterator(2000)
        )
        try:
            contents = shuffled(unseal(sealed, context=context) for sealed in envelopes)
        finally:
            # Before an EnvelopeBroken leaves: the database cursor closes while the
            # transaction can still run commands.
            envelopes.close()
        if not contents:
            return 0
        question_of = dict(
            Option.objects.filter(question__poll=poll).values_list("pk", "question_id")
        )
        # Built and inserted a chunk at a time, in the shuffled order, all in this transaction.
        for start in range(0, len(contents), OPEN_CHUNK):
            ballots, answers = [], []
            for content in contents[start : start + OPEN_CHUNK]:
                ballot = Ballot(
                    id=uuid.uuid4(),
                    poll=poll,
                    voter_class=content["class"],
                    community_id=content["community"],
                    channel=Channel.ONLINE,
                    weight=Decimal(content["weight"]),
                )
                ballots.append(ballot)
                copied = {
                    "ballot": ballot,
                    "voter_class": ballot.voter_class,
                    "community_id": ballot.community_id,
                    "channel": ballot.channel,
                    "weight": ballot.weight,
                }
                answers.extend(
                    Answer(id=uuid.uuid4(), question_id=question_of[pk], option_id=pk, **copied)
                    for pk in content["options"]
                )
                answers.extend(
                    Answer(id=uuid.uuid4(), question_id=int(question), text=text, **copied)
                    for question, text in content["texts"].items()
                )
            Ballot.objects.bulk_create(ballots)
            Answer.objects.bulk_create(answers, batch_size=OPEN_CHUNK)
        Envelope.objects.filter(poll=poll).delete()
        envelopes_destroy([Envelope])
    return len(contents)


_BALLOT_COLUMNS = ["voter_class", "community_id", "channel", "booth_id", "weight"]
_ANSWER_COLUMNS = [
    "question_id",
    "option_id",
    "text",
    "voter_class",
    "community_id",
    "channel",
    "weight",
]


def paper_ballots_mix(*, poll: Poll) -> int:
    """Re-insert the poll's paper ballots under fresh keys in a random order. Caller holds the
    poll's row lock (the count).

    Officers enter paper ballots in the order they take them from the box, which may follow the
    order in which people were marked on the booth's roll; each count mixes them, as it mixes
    the envelopes, and rewrites the tables so that the rows as entered do not stay behind.
    """
    ballots = list(
        Ballot.objects.filter(poll=poll, channel=Channel.BOOTH).values("id", *_BALLOT_COLUMNS)
    )
    if not ballots:
        return 0
    answers: dict = {}
    for answer in Answer.objects.filter(ballot__poll=poll, ballot__channel=Channel.BOOTH).values(
        "ballot_id", *_ANSWER_COLUMNS
    ):
        answers.setdefault(answer.pop("ballot_id"), []).append(answer)
    Answer.objects.filter(ballot__poll=poll, ballot__channel=Channel.BOOTH).delete()
    Ballot.objects.filter(poll=poll, channel=Channel.BOOTH).delete()
    copies, copied_answers = [], []
    for ballot in shuffled(ballots):
        copy = Ballot(id=uuid.uuid4(), poll=poll, **{k: ballot[k] for k in _BALLOT_COLUMNS})
        copies.append(copy)
        copied_answers += [
            Answer(id=uuid.uuid4(), ballot=copy, **answer)
            for answer in answers.get(ballot["id"], [])
        ]
    Ballot.objects.bulk_create(copies, batch_size=OPEN_CHUNK)
    Answer.objects.bulk_create(copied_answers, batch_size=OPEN_CHUNK)
    envelopes_destroy([Ballot, Answer])
    return len(copies)


def poll_results_compute(*, poll: Poll) -> PollResult:
    """Count a closed poll: open its envelopes into the box, tally by the database, write the
    ballot box file, and store it all as the result.

    Recomputing keeps the publication: staff who published see the corrected figures. The file
    keeps its hash when nothing changed; a changed file keeps the earlier hash in its history.
    """
    from polls.selectors import ballot_box_csv, poll_tally

    with transaction.atomic():
        poll_envelopes_open(poll=poll)
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        paper_ballots_mix(poll=poll)
        now = timezone.now()
        result = PollResult.objects.filter(poll=poll).first() or PollResult(poll=poll)
        result.data = poll_tally(poll)
        result.computed_at = now
        result.ballot_box_set(ballot_box_csv(poll), now)
        result.save()
    return result


def booths_unconfirmed(poll: Poll) -> list[Booth]:
    """The poll's booths whose count waits for a second officer: people on their roll, ballots
    entered or totals counted, and no confirmation."""
    return list(
        Booth.objects.filter(poll=poll, count_confirmed_at__isnull=True)
        .filter(
            Exists(RollEntry.objects.filter(booth=OuterRef("pk")))
            | Exists(Ballot.objects.filter(booth=OuterRef("pk")))
            | Exists(BoothTotal.objects.filter(booth=OuterRef("pk")))
            | Q(paper_ballots__gt=0)
        )
        .order_by("name")
    )


def poll_results_publish(*, poll: Poll) -> PollResult:
    """Count the poll once more and show the results to everyone.

    Only a closed poll, and only once every booth that took part has its count confirmed by a
    second officer.
    """
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        if not poll.is_closed():
            raise NotAllowed(_("Results are published after the poll closes."))
        waiting = booths_unconfirmed(poll)
        if waiting:
            raise NotAllowed(
                _(
                    "A second officer has not yet confirmed the count of: %(booths)s. "
                    "Results are published once every booth's count is confirmed."
                )
                % {"booths": ", ".join(booth.name for booth in waiting)}
            )
        result = poll_results_compute(poll=poll)
        if result.published_at is None:
            result.published_at = timezone.now()
            result.save(update_fields=["published_at"])
    return result


@transaction.atomic
def poll_results_unpublish(*, poll: Poll) -> None:
    """Take results back from the public, for example to correct a booth's count."""
    PollResult.objects.filter(poll=poll).update(published_at=None)


def poll_results_due(now=None) -> int:
    """Count every poll that has closed and has no result yet.

    As soon as the close passes: the count waits for ballots still being cast (share_lock).
    """
    now = now or timezone.now()
    due = Poll.objects.closed(now).filter(result__isnull=True).values_list("pk", flat=True)
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
