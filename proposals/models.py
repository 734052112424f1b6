from django.conf import settings
from django.core.validators import MinLengthValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager

from accounts.models import VoterClass
from participation.models import CompetenceScreened, Moderated, ModeratedQuerySet


class ProposalQuerySet(ModeratedQuerySet):
    def visible(self):
        """What the public may see: published or retired, not hidden. Drafts are their author's."""
        return super().visible().exclude(status=Proposal.Status.DRAFT)


class Proposal(Moderated, CompetenceScreened):
    """A resident's project for the town; enough supports carry it onward (CONSUL's proposal)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired by its author")

    class RetiredReason(models.TextChoices):
        DUPLICATE = "duplicate", _("Duplicate of another proposal")
        STARTED = "started", _("Already under way")
        UNFEASIBLE = "unfeasible", _("Not feasible")
        DONE = "done", _("Done")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        PENDING = "", _("Waiting for staff")
        POLL = "poll", _("Turned into a poll")
        INVESTMENT = "investment", _("Turned into a budget project")
        DEVELOPMENT_PLAN = "plan", _("Forwarded to the local development plan")
        ANSWERED = "answered", _("Answered by the municipality")

    # RK-<BE year>-<serial>, given on publication; drafts have none yet.
    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True, blank=True)
    title = models.CharField(_("title"), max_length=80, validators=[MinLengthValidator(4)])
    summary = models.CharField(_("summary"), max_length=200)
    # Sanitised HTML (participation.text.sanitise_html), written by the service.
    description = models.TextField(_("description"), max_length=10_000)
    video_url = models.URLField(_("video link"), blank=True)
    image = models.ImageField(_("image"), upload_to="proposals/", blank=True)
    image_alt = models.CharField(
        _("image description"),
        max_length=200,
        blank=True,
        help_text=_(
            "Optional: say in a sentence what the picture shows, for people who cannot see it."
        ),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    community = models.ForeignKey(
        "participation.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    strategic_issue = models.ForeignKey(
        "participation.StrategicIssue",
        verbose_name=_("strategic issue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    tags = TaggableManager(_("tags"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    successful_at = models.DateTimeField(_("reached its threshold at"), null=True, blank=True)
    retired_reason = models.CharField(
        _("why it was retired"), max_length=12, choices=RetiredReason.choices, blank=True
    )
    retired_explanation = models.TextField(_("explanation"), blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    outcome = models.CharField(
        _("what the municipality did"),
        max_length=12,
        choices=Outcome.choices,
        blank=True,
        default=Outcome.PENDING,
    )
    outcome_note = models.TextField(_("public answer"), blank=True)
    supports_count = models.PositiveIntegerField(_("supports"), default=0)
    comments_count = models.PositiveIntegerField(_("comments"), default=0)
    hot_score = models.IntegerField(_("hot score"), default=0)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(
        excluded_fields=["supports_count", "comments_count", "hot_score", "flags_count"]
    )

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        permissions = [
            ("export_proposal", _("Can export proposals for the local development plan")),
        ]
        indexes = [
            *Moderated.Meta.indexes,
            models.Index(fields=["status", "-hot_score", "-id"], name="proposal_hot"),
            models.Index(fields=["status", "-supports_count", "-id"], name="proposal_supported"),
            models.Index(fields=["status", "-published_at", "-id"], name="proposal_new"),
        ]
        constraints = [
            *CompetenceScreened.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(reference__isnull=False),
                name="proposal_published_has_reference",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="retired") | ~models.Q(retired_reason=""),
                name="proposal_retired_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    def get_absolute_url(self):
        return reverse("proposals:detail", args=[self.reference or self.pk])

    def hot_score_events(self):
        """Supports are what make a proposal hot (participation.services.hot_score)."""
        return self.supports.annotate(value=models.Value(1))


class Support(models.Model):
    """One person's support for a proposal, with their class and community when they gave it."""

    # PROTECT: accounts are erased into tombstones, never deleted, so supports stay counted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supports"
    )
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    voter_class = models.CharField(_("voter class"), max_length=20, choices=VoterClass.choices)
    community = models.ForeignKey(
        "participation.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["user", "proposal"], name="support_one_per_person")
        ]
        indexes = [models.Index(fields=["proposal", "voter_class"])]

    def __str__(self):
        return f"{self.proposal_id} · {self.get_voter_class_display()}"


class ProposalUpdate(models.Model):
    """News the author sends to a proposal's supporters (at most one every few days)."""

    # get_absolute_url reads the proposal: pages listing updates fetch it with them.
    url_related = ("proposal",)

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="updates")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("message"), max_length=3000)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("update to supporters")
        verbose_name_plural = _("updates to supporters")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{self.proposal.get_absolute_url()}#update-{self.pk}"


class ProposalDocument(models.Model):
    """A PDF attached to a proposal (a plan, a petition, a quotation)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=160)
    file = models.FileField(_("file"), upload_to="proposals/documents/")
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.title
