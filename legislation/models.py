from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import VoterClass
from participation.models import Moderated, ModeratedQuerySet, Votable


class Phase(models.TextChoices):
    """The steps of a process, in the order they normally run."""

    DEBATE = "debate", _("Debate")
    PROPOSALS = "proposals", _("Proposals")
    DRAFT = "draft", _("Draft publication")
    COMMENTS = "comments", _("Comments on the draft")
    RESULT = "result", _("Final result")


class Response(models.TextChoices):
    """The municipality's answer to an annotation or a proposal."""

    PENDING = "", _("Not yet answered")
    ACCEPTED = "accepted", _("Accepted")
    PARTLY = "partly", _("Partly accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")


class Responded(models.Model):
    """Staff answer each contribution openly: accepted or not, and why."""

    response = models.CharField(
        _("response"), max_length=20, choices=Response.choices, blank=True, default=""
    )
    response_reason = models.TextField(_("reason"), blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        abstract = True


class ProcessQuerySet(ModeratedQuerySet):
    def visible(self):
        """What the public may see: published by staff and not hidden."""
        return self.filter(hidden_at__isnull=True, is_published=True)


class Process(Moderated):
    """A bylaw (ข้อบัญญัติ), policy or plan put before residents, in dated phases.

    Moderated only so the shared comment, follow and flag views can address it; staff write it.
    """

    title = models.CharField(_("title"), max_length=200)
    # Sanitised HTML (participation.text.sanitise_html) written by the admin form.
    description = models.TextField(_("description"))
    strategic_issue = models.ForeignKey(
        "participation.StrategicIssue",
        verbose_name=_("strategic issue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legislation_processes",
    )
    is_published = models.BooleanField(_("published"), default=False)
    # Each phase: first and last day (inclusive, local dates) and whether the process has it.
    debate_enabled = models.BooleanField(_("has a debate phase"), default=True)
    debate_starts_on = models.DateField(_("debate starts on"), null=True, blank=True)
    debate_ends_on = models.DateField(_("debate ends on"), null=True, blank=True)
    proposals_enabled = models.BooleanField(_("has a proposals phase"), default=True)
    proposals_starts_on = models.DateField(_("proposals start on"), null=True, blank=True)
    proposals_ends_on = models.DateField(_("proposals end on"), null=True, blank=True)
    draft_enabled = models.BooleanField(_("has a draft publication phase"), default=True)
    draft_starts_on = models.DateField(_("draft publication starts on"), null=True, blank=True)
    draft_ends_on = models.DateField(_("draft publication ends on"), null=True, blank=True)
    comments_enabled = models.BooleanField(_("has a comments phase"), default=True)
    comments_starts_on = models.DateField(_("comments start on"), null=True, blank=True)
    comments_ends_on = models.DateField(_("comments end on"), null=True, blank=True)
    result_enabled = models.BooleanField(_("has a final result"), default=True)
    result_starts_on = models.DateField(_("final result published on"), null=True, blank=True)
    result_summary = models.TextField(
        _("summary of the result"),
        blank=True,
        help_text=_("What the municipality decided and why, shown on the result page."),
    )
    comments_count = models.PositiveIntegerField(_("comments"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ProcessQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("legislation process")
        verbose_name_plural = _("legislation processes")
        permissions = [("export_annotation", _("Can export annotations and responses"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(debate_ends_on__gte=models.F("debate_starts_on"))
                | models.Q(debate_ends_on__isnull=True)
                | models.Q(debate_starts_on__isnull=True),
                name="legislation_debate_dates_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(proposals_ends_on__gte=models.F("proposals_starts_on"))
                | models.Q(proposals_ends_on__isnull=True)
                | models.Q(proposals_starts_on__isnull=True),
                name="legislation_proposals_dates_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(draft_ends_on__gte=models.F("draft_starts_on"))
                | models.Q(draft_ends_on__isnull=True)
                | models.Q(draft_starts_on__isnull=True),
                name="legislation_draft_dates_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(comments_ends_on__gte=models.F("comments_starts_on"))
                | models.Q(comments_ends_on__isnull=True)
                | models.Q(comments_starts_on__isnull=True),
                name="legislation_comments_dates_in_order",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("legislation:detail", args=[self.pk])

    def comments_closed_reason(self) -> str:
        """Asked by the shared comments (participation.permissions.can_comment)."""
        from legislation.permissions import process_comments_closed  # it imports this module

        return process_comments_closed(self)


class Document(models.Model):
    """A file that goes with a process: the current law, a study, the minutes of a hearing."""

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="legislation/documents/")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.title


class Question(models.Model):
    """A closed question of the debate phase."""

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="questions"
    )
    text = models.CharField(_("question"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.text


class QuestionOption(models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="options"
    )
    text = models.CharField(_("option"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return self.text


class Answer(models.Model):
    """One person's answer to one question, with the class they held when answering."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers"
    )
    option = models.ForeignKey(
        QuestionOption, verbose_name=_("option"), on_delete=models.CASCADE, related_name="answers"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    voter_class = models.CharField(
        _("voter class"), max_length=20, choices=VoterClass.choices, blank=True
    )
    created_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "user"], name="legislation_answer_one_per_person"
            )
        ]

    def __str__(self):
        return f"{self.question_id} · {self.option}"


class ProcessProposal(Moderated, Responded):
    """A short proposal a participant makes for the process during its proposals phase."""

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="proposals"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="legislation_proposals",
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("proposal"), max_length=2000)
    voter_class = models.CharField(
        _("voter class"), max_length=20, choices=VoterClass.choices, blank=True
    )
    is_selected = models.BooleanField(
        _("selected"), default=False, help_text=_("Selected by the municipality for the draft.")
    )
    supports_count = models.PositiveIntegerField(_("supports"), default=0)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["-is_selected", "-supports_count", "-created_at", "-id"]
        verbose_name = _("proposal for a process")
        verbose_name_plural = _("proposals for processes")
        # Moderated's partial indexes, named short enough for the 30-character limit.
        indexes = [
            models.Index(
                fields=["-flags_count"],
                name="legislation_proposal_flagged",
                condition=models.Q(flags_count__gt=0),
            ),
            models.Index(
                fields=["hidden_at"],
                name="legislation_proposal_hidden",
                condition=models.Q(hidden_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("legislation:proposals", args=[self.process_id]) + f"#proposal-{self.pk}"


class ProcessProposalSupport(models.Model):
    proposal = models.ForeignKey(
        ProcessProposal,
        verbose_name=_("proposal"),
        on_delete=models.CASCADE,
        related_name="supports",
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    voter_class = models.CharField(
        _("voter class"), max_length=20, choices=VoterClass.choices, blank=True
    )
    created_at = models.DateTimeField(_("supported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "user"], name="legislation_support_one_per_person"
            )
        ]

    def __str__(self):
        return f"{self.user_id} → {self.proposal_id}"


class DraftVersion(models.Model):
    """One version of the draft text, written in Markdown by staff, with what changed."""

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text (Markdown)"),
        help_text=_(
            "Headings with #, ## and ###; each heading starts a section people can comment on."
        ),
    )
    changelog = models.TextField(_("what changed"), blank=True)
    is_final = models.BooleanField(
        _("final text"), default=False, help_text=_("The text the municipality adopted.")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Written once when the version is published (legislation.anchoring.render): annotations
    # are anchored to offsets in `plain_text`, in Unicode code points.
    html = models.TextField(_("rendered text"), blank=True, editable=False)
    plain_text = models.TextField(_("plain text"), blank=True, editable=False)
    sections = models.JSONField(_("sections"), default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["process", "number"]
        verbose_name = _("draft version")
        verbose_name_plural = _("draft versions")
        constraints = [
            models.UniqueConstraint(
                fields=["process", "number"], name="legislation_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["process"],
                condition=models.Q(is_final=True),
                name="legislation_one_final_version",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.number})"

    def get_absolute_url(self):
        return reverse("legislation:version", args=[self.process_id, self.number])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Annotation(Moderated, Votable, Responded):
    """A comment on an exact passage of a published draft version.

    Anchored by `quote` and code-point offsets into the version's `plain_text`; `version` is
    where it is anchored now (moved forward when a new version keeps the passage).
    """

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="annotations"
    )
    # RESTRICT, not PROTECT: a version with annotations cannot be deleted on its own, but a
    # whole process can be, taking its versions and annotations with it.
    version = models.ForeignKey(
        DraftVersion,
        verbose_name=_("version"),
        on_delete=models.RESTRICT,
        related_name="annotations",
    )
    written_on = models.ForeignKey(
        DraftVersion,
        verbose_name=_("written on version"),
        on_delete=models.RESTRICT,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="annotations",
    )
    voter_class = models.CharField(
        _("voter class"), max_length=20, choices=VoterClass.choices, blank=True
    )
    quote = models.TextField(_("passage"))
    start = models.PositiveIntegerField(_("start"))
    end = models.PositiveIntegerField(_("end"))
    section = models.CharField(_("section"), max_length=40, blank=True)
    body = models.TextField(_("comment"), max_length=5000)
    comments_count = models.PositiveIntegerField(_("replies"), default=0)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["start", "end", "id"]
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")
        indexes = [*Moderated.Meta.indexes, models.Index(fields=["version", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="legislation_annotation_range"
            )
        ]

    def __str__(self):
        return self.body[:60]

    def get_absolute_url(self):
        return reverse("legislation:annotation", args=[self.process_id, self.pk])

    @property
    def participation_matter(self) -> Process:
        """Votes on an annotation and its replies keep the voter's class for the process."""
        return self.process

    def comments_closed_reason(self) -> str:
        """Asked by the shared comments (participation.permissions.can_comment)."""
        from legislation.permissions import annotation_replies_closed  # it imports this module

        return annotation_replies_closed(self)
