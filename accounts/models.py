from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class VoterClass(models.TextChoices):
    """The seed's three groups; "affected" splits by how it was proven."""

    AFFECTED_CITIZEN = "affected_citizen", _("Affected: citizen")
    AFFECTED_RESIDENT = "affected_resident", _("Affected: resident")
    INTERESTED = "interested", _("Interested")
    CONCERNED = "concerned", _("Concerned")


class Residence(models.TextChoices):
    NONE = "", _("Not verified")
    CITIZEN = "citizen", _("Citizen (in the house register)")
    RESIDENT = "resident", _("Resident (confirmed by staff)")


class EmailDigest(models.TextChoices):
    NEVER = "never", _("Never")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """Someone who signs in by e-mail; erased accounts stay as anonymous tombstones."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=50,
        blank=True,
        help_text=_("Shown beside what you write. Leave empty to appear as a resident of Saensuk."),
    )
    community = models.ForeignKey(
        "participation.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    notify_on_reply = models.BooleanField(
        _("tell me when someone replies to me or comments on what I wrote"), default=True
    )
    email_digest = models.CharField(
        _("e-mail digest of notifications"),
        max_length=8,
        choices=EmailDigest.choices,
        default=EmailDigest.WEEKLY,
    )
    # residence and residence_community are a cache of the census match or the approved resident
    # claim, written in the same transaction as those rows, so the voter class costs no query.
    residence = models.CharField(
        _("residence"), max_length=10, choices=Residence.choices, default=Residence.NONE, blank=True
    )
    residence_community = models.ForeignKey(
        "participation.Community",
        verbose_name=_("verified community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verified_users",
    )
    verification_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    verification_locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)
    blocked_at = models.DateTimeField(
        _("blocked by a moderator at"), null=True, blank=True, editable=False
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(residence="", residence_community__isnull=True)
                | (~Q(residence="") & Q(residence_community__isnull=False)),
                name="user_residence_has_community",
            )
        ]

    def __str__(self):
        return self.public_name

    @property
    def public_name(self) -> str:
        if self.erased_at:
            return str(_("Deleted account"))
        return self.display_name or str(_("Saensuk resident"))

    @property
    def is_verified(self) -> bool:
        return bool(self.residence)


class CensusImport(models.Model):
    """The report of one upload of the civil-registry extract. The file itself is never kept."""

    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField(_("file name"), max_length=255)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_created = models.PositiveIntegerField(_("rows added"), default=0)
    rows_updated = models.PositiveIntegerField(_("rows changed"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    # [{"line": 7, "reason": "..."}]: the header is line 1, as in a spreadsheet.
    errors = models.JSONField(_("rejected rows"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("census import")
        verbose_name_plural = _("census imports")

    def __str__(self):
        return f"{self.file_name} ({timezone.localtime(self.created_at):%Y-%m-%d %H:%M})"


class CensusRecord(models.Model):
    """One person in the house register, known only by a keyed hash of their national ID."""

    id_hash = models.CharField(_("national ID (HMAC-SHA256)"), max_length=64, unique=True)
    house_code = models.CharField(_("house code"), max_length=20)
    registered_on = models.DateField(_("registered at the address on"))
    birth_year = models.PositiveSmallIntegerField(_("birth year (CE)"))
    community = models.ForeignKey(
        "participation.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="census_records",
    )
    # One ID verifies one account. An erased account keeps its record, so the same person cannot
    # verify a second account and vote twice; a new account of theirs takes the record over.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="census_record",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    last_import = models.ForeignKey(
        CensusImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    history = HistoricalRecords(excluded_fields=["last_import"])

    class Meta:
        verbose_name = _("census record")
        verbose_name_plural = _("census records")

    def __str__(self):
        return f"{self.house_code} · {self.id_hash[:10]}…"


class ResidentClaim(models.Model):
    """A person's statement that they live, work or study in Saensuk, for staff to confirm."""

    class Basis(models.TextChoices):
        LIVES = "lives", _("I live here")
        WORKS = "works", _("I work here")
        STUDIES = "studies", _("I study here")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for staff")
        APPROVED = "approved", _("Confirmed")
        REJECTED = "rejected", _("Not confirmed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="resident_claims",
    )
    community = models.ForeignKey(
        "participation.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    explanation = models.TextField(
        _("explanation"),
        max_length=1000,
        help_text=_("For example the street you live on, your workplace or your school."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decision_reason = models.TextField(
        _("reason given to the person"),
        blank=True,
        help_text=_("Shown to the person. Required when the claim is not confirmed."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("resident claim")
        verbose_name_plural = _("resident claims")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="resident_claim_one_pending"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""),
                name="resident_claim_rejection_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.community} · {self.get_status_display()}"


class InterestDeclaration(models.Model):
    """A person's own statement that they are interested in, or concerned by, one matter."""

    DECLARABLE = [VoterClass.INTERESTED, VoterClass.CONCERNED]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interest_declarations"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    matter = GenericForeignKey("content_type", "object_id")
    voter_class = models.CharField(
        _("voter class"),
        max_length=20,
        choices=[(c.value, c.label) for c in DECLARABLE],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interest declaration")
        verbose_name_plural = _("interest declarations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"],
                name="interest_declaration_one_per_matter",
            ),
            models.CheckConstraint(
                condition=Q(voter_class__in=["interested", "concerned"]),
                name="interest_declaration_declarable_class",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_voter_class_display()}"
