from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
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
