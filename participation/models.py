import hashlib
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import VoterClass


def in_language(thai: str, english: str) -> str:
    """Thai first: English text is shown only to English readers, and only when it exists."""
    if (get_language() or "th").startswith("en") and english:
        return english
    return thai


class Community(models.Model):
    """A community (ชุมชน) of Saensuk: the unit the census, proposals and polls are grouped by."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_th = models.CharField(_("name in Thai"), max_length=120, unique=True)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name_th"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_th, self.name_en)


class StrategicIssueQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class StrategicIssue(models.Model):
    """One of the few issues the municipality chose; every stage groups participation under them."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    title_th = models.CharField(_("title in Thai"), max_length=160)
    title_en = models.CharField(_("title in English"), max_length=160, blank=True)
    description_th = models.TextField(_("description in Thai"))
    description_en = models.TextField(_("description in English"), blank=True)
    image = models.ImageField(_("image"), upload_to="strategic-issues/", blank=True)
    image_alt_th = models.CharField(_("image description in Thai"), max_length=200, blank=True)
    image_alt_en = models.CharField(_("image description in English"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = StrategicIssueQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("strategic issue")
        verbose_name_plural = _("strategic issues")

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return in_language(self.title_th, self.title_en)

    @property
    def description(self) -> str:
        return in_language(self.description_th, self.description_en)

    @property
    def image_alt(self) -> str:
        return in_language(self.image_alt_th, self.image_alt_en)


class Vote(models.Model):
    """A like (+1) or dislike (-1) on any content, with the voter's class when they voted."""

    class Value(models.IntegerChoices):
        UP = 1, _("like")
        DOWN = -1, _("dislike")

    # PROTECT: accounts are never deleted, only erased into anonymous tombstones, so a vote
    # outlives the personal data of whoever cast it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="votes"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    value = models.SmallIntegerField(_("value"), choices=Value.choices)
    voter_class = models.CharField(
        _("voter class"), max_length=20, choices=VoterClass.choices, blank=True
    )
    created_at = models.DateTimeField(_("cast at"), auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="vote_one_per_user_and_object"
            ),
            models.CheckConstraint(
                condition=models.Q(value__in=[1, -1]), name="vote_value_up_or_down"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.get_value_display()} · {self.content_type.model} {self.object_id}"


class ModeratedQuerySet(models.QuerySet):
    def visible(self):
        """What the public may see: not hidden by a moderator."""
        return self.filter(hidden_at__isnull=True)


class Moderated(models.Model):
    """Content that people can flag and moderators can hide, restore or clear of flags.

    Every concrete subclass with an `author` appears in the moderation queue and is hidden
    when its author is blocked.
    """

    # Only partial indexes on these (see Meta): nearly every row is unflagged and visible, and a
    # full index on them lures SQLite's planner away from the list-ordering indexes.
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    flags_count = models.PositiveIntegerField(_("flags"), default=0)
    # Flags raised before this moment were reviewed and judged harmless.
    flags_ignored_at = models.DateTimeField(_("flags ignored at"), null=True, blank=True)

    objects = ModeratedQuerySet.as_manager()

    class Meta:
        abstract = True
        indexes = [
            models.Index(
                fields=["-flags_count"],
                name="%(app_label)s_%(class)s_flagged",
                condition=models.Q(flags_count__gt=0),
            ),
            models.Index(
                fields=["hidden_at"],
                name="%(app_label)s_%(class)s_hidden",
                condition=models.Q(hidden_at__isnull=False),
            ),
        ]

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Votable(models.Model):
    """Content people like or dislike; the counts are a cache of `Vote` rows."""

    cached_votes_up = models.PositiveIntegerField(_("likes"), default=0)
    cached_votes_down = models.PositiveIntegerField(_("dislikes"), default=0)
    confidence_score = models.FloatField(_("confidence score"), default=0)

    class Meta:
        abstract = True

    @property
    def cached_votes_total(self) -> int:
        return self.cached_votes_up + self.cached_votes_down


class Comment(Moderated, Votable):
    """A comment on any commentable content, or a reply to another comment, to any depth."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    commentable = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    # The top-level comment of the thread (None for a top-level comment), so one query fetches
    # every reply of a page of threads.
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="descendants"
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    body = models.TextField(_("comment"), max_length=5000)
    is_official = models.BooleanField(
        _("official answer of the municipality"),
        default=False,
        help_text=_("Shown with a badge; only staff can post so."),
    )
    deleted_at = models.DateTimeField(_("deleted by its author at"), null=True, blank=True)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            *Moderated.Meta.indexes,
            models.Index(fields=["content_type", "object_id", "root"]),
            models.Index(fields=["root", "created_at"]),
        ]

    def __str__(self):
        return self.body[:60]


class Flag(models.Model):
    """One person's report that a piece of content breaks the rules."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="flag_one_per_user_and_object"
            )
        ]

    def __str__(self):
        return f"{self.content_type.model} {self.object_id}"


class ModerationAction(models.Model):
    """The record of what a moderator did: who, when, to what."""

    class Kind(models.TextChoices):
        HIDE = "hide", _("hidden")
        RESTORE = "restore", _("restored")
        IGNORE_FLAGS = "ignore_flags", _("flags ignored")
        BLOCK = "block", _("author blocked")
        UNBLOCK = "unblock", _("author unblocked")

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    content_object = GenericForeignKey("content_type", "object_id")
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.CharField(_("what"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.summary}"


class Follow(models.Model):
    """A person follows something to hear about new comments on it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="follow_one_per_user_and_object"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.user} → {self.content_type.model} {self.object_id}"


class Notification(models.Model):
    """An in-app notice for one person, later e-mailed in their digest.

    It is about a comment (someone commented or replied) or about a `subject`: an update an
    author sent, a proposal that reached its supports or went on to a vote (the proposal, since
    the draft poll has no public page yet), the budget project a proposal became, a project
    found unfeasible.
    """

    class Kind(models.TextChoices):
        COMMENT = "comment", _("new comment")
        REPLY = "reply", _("reply to you")
        UPDATE = "update", _("update from an author")
        SUCCESS = "success", _("reached its supports")
        TO_POLL = "to_poll", _("went to a vote")
        TO_BUDGET = "to_budget", _("became a budget project")
        UNFEASIBLE = "unfeasible", _("found not feasible")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # A retried fan-out task cannot notify anyone twice about one thing.
            models.UniqueConstraint(
                fields=["user", "comment"], name="notification_once_per_comment"
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "content_type", "object_id"],
                condition=models.Q(content_type__isnull=False),
                name="notification_once_per_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(comment__isnull=False, content_type__isnull=True)
                | models.Q(comment__isnull=True, content_type__isnull=False),
                name="notification_about_one_thing",
            ),
        ]
        indexes = [
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["user"],
                condition=models.Q(emailed_at__isnull=True),
                name="notification_unemailed",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()}"


class Competence(models.TextChoices):
    """Whether a request lies within what the municipality may do (the brief's first problem)."""

    UNSCREENED = "", _("Not yet screened")
    WITHIN = "within", _("Within municipal authority")
    PARTLY = "partly", _("Partly within municipal authority")
    OUTSIDE = "outside", _("Outside municipal authority")


class CompetenceScreened(models.Model):
    """Staff say openly whether the municipality can act on this, and if not, who can."""

    competence = models.CharField(
        _("municipal authority"),
        max_length=10,
        choices=Competence.choices,
        blank=True,
        default=Competence.UNSCREENED,
    )
    responsible_agency = models.CharField(
        _("responsible agency"),
        max_length=200,
        blank=True,
        help_text=_("Who can act instead, e.g. Chonburi Province or the Marine Department."),
    )
    competence_explanation = models.TextField(_("public explanation"), blank=True)
    competence_screened_at = models.DateTimeField(_("screened at"), null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(competence__in=["partly", "outside"])
                | ~models.Q(responsible_agency=""),
                name="%(app_label)s_%(class)s_agency_when_not_within",
            )
        ]


class Milestone(models.Model):
    """A dated step in carrying out something people backed (a proposal, later a project)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        UNDER_WAY = "under_way", _("Under way")
        DONE = "done", _("Done")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        indexes = [models.Index(fields=["content_type", "object_id", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="milestone_progress_at_most_100"
            )
        ]

    def __str__(self):
        return self.title


class BoothBase(models.Model):
    """A place where officers check people against the roll and take paper ballots (polls,
    budgets). After the close the officers enter the paper ballots; another officer of the
    booth, who entered none of them, confirms the count (CONSUL's recount)."""

    name = models.CharField(_("name"), max_length=120)
    location = models.CharField(_("location"), max_length=200, blank=True)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officers"),
        blank=True,
        related_name="%(app_label)s_booths",
    )
    # Who entered paper ballots or totals: none of them may confirm the count.
    counted_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counted by"),
        blank=True,
        related_name="+",
        editable=False,
    )
    # Cleared whenever a paper ballot or total is entered, so a confirmation covers it all.
    count_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("count confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    count_confirmed_at = models.DateTimeField(
        _("count confirmed at"), null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def count_confirmed(self) -> bool:
        return self.count_confirmed_at is not None


class BallotBoxPublished(models.Model):
    """A counted result's anonymous ballots as one file in a canonical order, with its SHA-256,
    so that anyone can recount; a recount that changes the file keeps the earlier hash."""

    ballot_box = models.TextField(_("ballot box file"), blank=True, editable=False)
    ballot_box_sha256 = models.CharField(
        _("SHA-256 of the ballot box file"), max_length=64, blank=True, editable=False
    )
    # [{"sha256": earlier file's hash, "replaced_at": ISO time of the recount}], oldest first.
    ballot_box_history = models.JSONField(
        _("earlier ballot box files"), default=list, blank=True, editable=False
    )

    class Meta:
        abstract = True

    def ballot_box_set(self, text: str, now) -> bool:
        """Keep this file as the ballot box (not saved); True if it replaced a different one."""
        digest = hashlib.sha256(text.encode()).hexdigest()
        changed = bool(self.ballot_box_sha256) and digest != self.ballot_box_sha256
        if changed:
            self.ballot_box_history = [
                *self.ballot_box_history,
                {"sha256": self.ballot_box_sha256, "replaced_at": now.isoformat()},
            ]
        self.ballot_box, self.ballot_box_sha256 = text, digest
        return changed

    @property
    def ballot_box_recounts(self) -> list[dict]:
        """Each recount that changed the file: earlier hash, the hash after, and when."""
        hashes = [entry["sha256"] for entry in self.ballot_box_history] + [self.ballot_box_sha256]
        return [
            {
                "before": entry["sha256"],
                "after": hashes[i + 1],
                "at": datetime.fromisoformat(entry["replaced_at"]),
            }
            for i, entry in enumerate(self.ballot_box_history)
        ]
