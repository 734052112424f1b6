import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import VoterClass
from participation.models import BallotBoxPublished, BoothBase

DEFAULT_CLASSES = [VoterClass.AFFECTED_CITIZEN.value, VoterClass.AFFECTED_RESIDENT.value]


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    BOOTH = "booth", _("At a booth")


class PollQuerySet(models.QuerySet):
    def scheduled(self):
        """Polls with dates: a poll without them is a draft staff are still writing."""
        return self.filter(opens_at__isnull=False, closes_at__isnull=False)

    def closed(self, now=None):
        now = now or timezone.now()
        return self.scheduled().filter(closes_at__lte=now)


class Poll(models.Model):
    """A question the town decides by vote, online and at booths (CONSUL's poll)."""

    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    image = models.ImageField(_("image"), upload_to="polls/", blank=True)
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    # Both empty: a draft nobody sees. Open is computed from the clock, never a flag.
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    communities = models.ManyToManyField(
        "participation.Community",
        verbose_name=_("communities that may vote"),
        blank=True,
        related_name="polls",
        help_text=_("Leave empty to let people of every community vote."),
    )
    # A list of accounts.VoterClass values; weights is {voter class: weight}, missing means 1.
    voter_classes = models.JSONField(_("voter classes that may vote"), default=list, blank=True)
    weights = models.JSONField(_("weights per voter class"), default=dict, blank=True)
    strategic_issue = models.ForeignKey(
        "participation.StrategicIssue",
        verbose_name=_("strategic issue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="polls",
    )
    proposal = models.ForeignKey(
        "proposals.Proposal",
        verbose_name=_("proposal it came from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="polls",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = PollQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        permissions = [
            ("record_booth_vote", _("Can mark the roll and enter paper ballots at a booth")),
            ("publish_pollresult", _("Can compute and publish poll results")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True, closes_at__isnull=True)
                | Q(
                    opens_at__isnull=False,
                    closes_at__isnull=False,
                    closes_at__gt=models.F("opens_at"),
                ),
                name="poll_dates_in_order",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("polls:detail", args=[self.pk])

    def clean(self):
        super().clean()
        if (self.opens_at is None) != (self.closes_at is None):
            raise ValidationError(_("Give both the opening and the closing time, or neither."))
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The poll must close after it opens.")})
        unknown = set(self.voter_classes or []) - set(VoterClass.values)
        if unknown or not isinstance(self.voter_classes, list):
            raise ValidationError({"voter_classes": _("Choose voter classes from the list.")})
        for key, value in (self.weights or {}).items():
            if key not in VoterClass.values:
                raise ValidationError({"weights": _("Weights are given per voter class.")})
            try:
                if Decimal(str(value)) < 0:
                    raise ValueError
            except (ValueError, ArithmeticError):
                raise ValidationError(
                    {"weights": _("A weight is a number of 0 or more.")}
                ) from None

    def has_opened(self, now=None) -> bool:
        return self.opens_at is not None and self.opens_at <= (now or timezone.now())

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.has_opened(now) and now < self.closes_at

    def is_closed(self, now=None) -> bool:
        return self.closes_at is not None and self.closes_at <= (now or timezone.now())

    def weight_of(self, voter_class: str) -> Decimal:
        return Decimal(str((self.weights or {}).get(voter_class, 1)))

    @property
    def is_weighted(self) -> bool:
        return any(Decimal(str(w)) != 1 for w in (self.weights or {}).values())

    @property
    def admitted_classes(self) -> list[str]:
        return list(self.voter_classes or [])


def _refuse_frozen_change(instance: models.Model, poll: "Poll | None") -> None:
    """A question or option of an opened poll may be saved only exactly as it is stored."""
    from polls.services import poll_frozen_reason

    if poll is None or not (reason := poll_frozen_reason(poll)):
        return
    names = [f.attname for f in instance._meta.concrete_fields]
    stored = type(instance).objects.filter(pk=instance.pk).values(*names).first()
    if stored is None or any(stored[n] != getattr(instance, n) for n in names):
        raise ValidationError(reason)


class Question(models.Model):
    """One question of a poll; frozen once the poll opens (polls.services.question_check)."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TEXT = "text", _("Free text (optional)")

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("question"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    max_choices = models.PositiveSmallIntegerField(
        _("most options one may choose"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("For multiple choice. Empty means any number."),
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        _refuse_frozen_change(self, self.poll if self.poll_id else None)
        if self.kind != self.Kind.MULTIPLE and self.max_choices:
            raise ValidationError(
                {"max_choices": _("Only a multiple-choice question has a maximum.")}
            )

    @property
    def is_choice(self) -> bool:
        return self.kind != self.Kind.TEXT


class Option(models.Model):
    """One answer a question offers, in a set order."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    image = models.ImageField(_("image"), upload_to="polls/options/", blank=True)
    image_alt = models.CharField(
        _("image description"),
        max_length=200,
        blank=True,
        help_text=_(
            "Optional: say in a sentence what the picture shows, for people who cannot see it."
        ),
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        _refuse_frozen_change(self, self.question.poll if self.question_id else None)


class Booth(BoothBase):
    """A place where poll officers mark people on the roll during voting and, after the close,
    enter the paper ballots of its box (or their totals counted by hand)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="booths")
    # Entered with the booth totals after close: paper ballots counted by hand, not one by one.
    paper_ballots = models.PositiveIntegerField(_("paper ballots counted by hand"), default=0)

    class Meta:
        ordering = ["poll", "name"]
        verbose_name = _("booth")
        verbose_name_plural = _("booths")

    def __str__(self):
        return f"{self.name} ({self.poll})"

    def get_absolute_url(self):
        return reverse("polls:booth", args=[self.pk])


class RollEntry(models.Model):
    """The voter roll: that someone voted, when, where and how. Not their class, not their
    ballot: an online ballot waits in an Envelope, a booth voter's on paper in the box."""

    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="roll")
    # Null for a booth voter without an account; PROTECT because accounts become tombstones.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="poll_roll_entries",
    )
    # The house-register entry, so a booth look-up by national ID sees an online vote of the
    # same person and the other way round.
    census_record = models.ForeignKey(
        "accounts.CensusRecord",
        verbose_name=_("census record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="poll_roll_entries",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The person's community (turnout by community); their class is on the ballot only.
    community = models.ForeignKey(
        "participation.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    voted_at = models.DateTimeField(_("voted at"), default=timezone.now)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("poll officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    booth = models.ForeignKey(
        Booth,
        verbose_name=_("booth"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roll",
    )

    class Meta:
        verbose_name = _("voter roll entry")
        verbose_name_plural = _("voter roll")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "user"],
                condition=Q(user__isnull=False),
                name="roll_one_per_person",
            ),
            models.UniqueConstraint(
                fields=["poll", "census_record"],
                condition=Q(census_record__isnull=False),
                name="roll_one_per_census_record",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(census_record__isnull=False),
                name="roll_names_someone",
            ),
            models.CheckConstraint(
                condition=Q(channel="online", booth__isnull=True, officer__isnull=True)
                | Q(channel="booth", booth__isnull=False, officer__isnull=False),
                name="roll_booth_has_officer",
            ),
        ]
        indexes = [models.Index(fields=["poll", "channel"])]

    def __str__(self):
        return f"{self.poll_id} · {self.get_channel_display()}"


class Envelope(models.Model):
    """An online ballot sealed until the close (participation.secrecy): the double envelope.

    Nothing but the poll and the sealed bytes, all of one size per poll: no link to the roll
    entry written in the same transaction, no time. Opened and deleted by the count.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="+")
    sealed = models.BinaryField()

    class Meta:
        verbose_name = _("sealed envelope")
        verbose_name_plural = _("sealed envelopes")

    def __str__(self):
        return str(self.pk)


class Ballot(models.Model):
    """One ballot in the box: opened from an envelope at the close, or a paper ballot entered
    by a booth's officers after it. Who cast it is on the roll, and nothing here leads back.

    No person, no timestamp, and a random key; the count inserts the opened envelopes in a
    random order, in one transaction, so neither a column, the order of the keys, the place in
    the table nor the transaction joins a ballot to a roll entry.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="ballots")
    voter_class = models.CharField(_("voter class"), max_length=20, choices=VoterClass.choices)
    community = models.ForeignKey(
        "participation.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The booth whose paper ballot this is; empty for an online ballot.
    booth = models.ForeignKey(
        Booth,
        verbose_name=_("booth"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ballots",
    )
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=3, default=1)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        indexes = [
            models.Index(
                fields=["poll", "voter_class", "community", "channel"], name="ballot_tally"
            )
        ]
        constraints = [
            # Booth ballots typed in before issue 12 have no booth; every one entered since has.
            models.CheckConstraint(
                condition=Q(booth__isnull=True) | Q(channel="booth"),
                name="ballot_online_has_no_booth",
            )
        ]

    def __str__(self):
        return f"{self.poll_id} · {self.pk}"


class Answer(models.Model):
    """One chosen option (or free text) on a ballot.

    The ballot's class, community, channel and weight are repeated here, so the tally is one
    GROUP BY over this table without a join (polls.selectors.poll_tally).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    option = models.ForeignKey(
        Option, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )
    text = models.TextField(_("answer"), blank=True, max_length=2000)
    voter_class = models.CharField(_("voter class"), max_length=20, choices=VoterClass.choices)
    community = models.ForeignKey(
        "participation.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=3, default=1)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "option"],
                condition=Q(option__isnull=False),
                name="answer_option_once_per_ballot",
            ),
            models.CheckConstraint(
                condition=Q(option__isnull=False) | ~Q(text=""), name="answer_not_empty"
            ),
        ]
        indexes = [
            models.Index(
                # Every column the tally reads, so the index alone answers it.
                fields=["question", "option", "voter_class", "community", "channel", "weight"],
                name="answer_tally",
            )
        ]

    def __str__(self):
        return str(self.pk)


class BoothTotal(models.Model):
    """Paper ballots counted by hand at a booth after close: kept apart, added to the results."""

    booth = models.ForeignKey(Booth, on_delete=models.PROTECT, related_name="totals")
    option = models.ForeignKey(Option, on_delete=models.PROTECT, related_name="booth_totals")
    count = models.PositiveIntegerField(_("count"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("poll officer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("booth total")
        verbose_name_plural = _("booth totals")
        constraints = [models.UniqueConstraint(fields=["booth", "option"], name="booth_total_once")]

    def __str__(self):
        return f"{self.booth} · {self.option}: {self.count}"


class PollResult(BallotBoxPublished):
    """The counted results of a poll, shown to the public once staff publish them.

    `data` holds every figure the results pages show (polls.selectors.poll_tally), small groups
    already merged; the ballot box file is the counted ballots (polls.selectors.ballot_box_csv).
    """

    poll = models.OneToOneField(Poll, on_delete=models.CASCADE, related_name="result")
    data = models.JSONField(_("results"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("poll result")
        verbose_name_plural = _("poll results")

    def __str__(self):
        return str(self.poll)
