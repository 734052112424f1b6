from django.conf import settings
from django.core.validators import MinLengthValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager

from participation.models import Moderated, Votable


class Debate(Moderated, Votable):
    """A question or issue put to the town for discussion (CONSUL's debate)."""

    title = models.CharField(
        _("title"),
        max_length=80,
        validators=[MinLengthValidator(4)],
    )
    # Sanitised HTML (participation.text.sanitise) written by the service, never raw input.
    description = models.TextField(_("description"), max_length=10_000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="debates",
    )
    community = models.ForeignKey(
        "participation.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="debates",
    )
    strategic_issue = models.ForeignKey(
        "participation.StrategicIssue",
        verbose_name=_("strategic issue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="debates",
    )
    tags = TaggableManager(_("tags"), blank=True)
    is_featured = models.BooleanField(
        _("featured"), default=False, help_text=_("Featured debates stand first in every list.")
    )
    comments_count = models.PositiveIntegerField(_("comments"), default=0)
    hot_score = models.IntegerField(_("hot score"), default=0)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(
        excluded_fields=[
            "cached_votes_up",
            "cached_votes_down",
            "confidence_score",
            "comments_count",
            "hot_score",
            "flags_count",
        ]
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("debate")
        verbose_name_plural = _("debates")
        indexes = [
            *Moderated.Meta.indexes,
            models.Index(fields=["-is_featured", "-hot_score", "-id"], name="debate_hot"),
            models.Index(fields=["-is_featured", "-confidence_score", "-id"], name="debate_top"),
            models.Index(fields=["-is_featured", "-created_at", "-id"], name="debate_new"),
            models.Index(fields=["-is_featured", "-comments_count", "-id"], name="debate_comments"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("debates:detail", args=[self.pk])
