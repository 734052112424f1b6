from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import VoterClass
from participation.models import (
    BallotBoxPublished,
    BoothBase,
    CompetenceScreened,
    Moderated,
    ModeratedQuerySet,
)
from participation.thai_dates import BE_OFFSET


class BallotStyle(models.TextChoices):
    KNAPSACK = "knapsack", _("Knapsack: projects up to the amount")
    APPROVAL = "approval", _("Approval: up to a number of projects")
    CUMULATIVE = "cumulative", _("Cumulative: spread points")
    RANKED = "ranked", _("Ranked: order up to a number of projects")


class TallyRule(models.TextChoices):
    GREEDY = "greedy", _("Greedy: most votes first, skipping what no longer fits")
    EQUAL_SHARES = "equal_shares", _("Method of Equal Shares")


class PhaseKind(models.TextChoices):
    # In the order they run; the order of this enum is the order of the cycle.
    INFORMING = "informing", _("Informing")
    ACCEPTING = "accepting", _("Accepting projects")
    REVIEWING = "reviewing", _("Reviewing projects")
    SELECTING = "selecting", _("Selecting projects (supports)")
    VALUATING = "valuating", _("Valuating projects")
    PUBLISHING_PRICES = "publishing_prices", _("Publishing prices")
    BALLOTING = "balloting", _("Balloting")
    REVIEWING_BALLOTS = "reviewing_ballots", _("Reviewing ballots")
    FINISHED = "finished", _("Finished")


PHASE_ORDER = {kind.value: index for index, kind in enumerate(PhaseKind)}


class Budget(models.Model):
    """A participatory budget of one fiscal year: its phases, ballot style and counting rule."""

    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    # Stored in CE like every date; pages show it in BE (buddhist_year).
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year (CE)"), validators=[MinValueValidator(1900), MaxValueValidator(2400)]
    )
    currency = models.CharField(_("currency"), max_length=8, default="THB")
    ballot_style = models.CharField(
        _("ballot style"), max_length=12, choices=BallotStyle.choices, default=BallotStyle.KNAPSACK
    )
    rule = models.CharField(
        _("counting rule"), max_length=14, choices=TallyRule.choices, default=TallyRule.GREEDY
    )
    greedy_comparison = models.BooleanField(
        _("compare with greedy"),
        default=False,
        help_text=_(
            "Equal Shares only: if more voters prefer the greedy outcome, the greedy outcome wins."
        ),
    )
    approval_max_projects = models.PositiveIntegerField(
        _("approval: most projects a voter may choose"), null=True, blank=True
    )
    points_total = models.PositiveIntegerField(
        _("cumulative: points each voter spreads"), null=True, blank=True
    )
    points_max_per_project = models.PositiveIntegerField(
        _("cumulative: most points on one project"), null=True, blank=True
    )
    ranked_length = models.PositiveIntegerField(
        _("ranked: how many projects a voter ranks"), null=True, blank=True
    )
    min_projects = models.PositiveIntegerField(
        _("fewest projects on a ballot"), null=True, blank=True
    )
    max_projects = models.PositiveIntegerField(
        _("most projects on a ballot"), null=True, blank=True
    )
    min_spent_share = models.DecimalField(
        _("least share of the amount a ballot spends"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("Between 0 and 1, e.g. 0.5 for half of the heading's amount."),
    )
    voter_classes = models.JSONField(
        _("voter classes who may support and ballot"),
        default=list,
        blank=True,
        help_text=_("Empty means every voter class."),
    )
    class_weights = models.JSONField(
        _("weights per voter class"),
        default=dict,
        blank=True,
        help_text=_('For example {"interested": 0.5}; a class not listed weighs 1.'),
    )
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("e.g. pabulib:Poland_Swiecie_2023.pb")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-fiscal_year", "-id"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        permissions = [
            ("export_budget", _("Can export budget projects for the local development plan")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_spent_share__isnull=True)
                | models.Q(min_spent_share__gte=0, min_spent_share__lte=1),
                name="budget_min_spent_share_0_1",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("budgets:detail", args=[self.pk])

    def clean(self):
        """Limits that contradict each other, a cumulative ballot with nothing to spread, or a
        change to the ballot's rules once they are frozen."""
        if self.pk is not None:
            _refuse_frozen_change(self, self.pk, BUDGET_FROZEN_FIELDS)
        errors = {}
        if self.ballot_style == BallotStyle.CUMULATIVE and not self.points_total:
            errors["points_total"] = _("A cumulative ballot needs the points each voter spreads.")
        if self.min_projects and self.max_projects and self.min_projects > self.max_projects:
            errors["min_projects"] = _(
                "The fewest projects on a ballot cannot be more than the most projects."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def fiscal_year_be(self) -> int:
        return self.fiscal_year + BE_OFFSET

    def weight_for(self, voter_class: str) -> Decimal:
        """The weight of a ballot of this class (1 unless the budget says otherwise)."""
        return Decimal(str(self.class_weights.get(voter_class, 1))) if voter_class else Decimal(1)

    @property
    def is_weighted(self) -> bool:
        return any(Decimal(str(w)) != 1 for w in (self.class_weights or {}).values())


# What decides how ballots are cast and counted: frozen once balloting opens (budget_frozen_reason).
BUDGET_FROZEN_FIELDS = [
    "ballot_style",
    "approval_max_projects",
    "points_total",
    "points_max_per_project",
    "ranked_length",
    "min_projects",
    "max_projects",
    "min_spent_share",
    "rule",
    "greedy_comparison",
    "voter_classes",
    "class_weights",
]


def budget_frozen_reason(budget_id, now=None) -> str:
    """Why the rules of this budget's ballot can no longer change, or "" while they can.

    From the moment balloting opens (or once the budget holds ballots, as an imported one does),
    the ballot style and limits, who votes and with what weight, the counting rule, the
    headings' amounts and the projects on the ballot with their prices stay as they were: a
    ballot is cast under the rules it is counted by. Reads the database, not prefetched rows.
    """
    if budget_id is None:
        return ""
    now = now or timezone.now()
    if BudgetPhase.objects.filter(
        budget_id=budget_id, kind=PhaseKind.BALLOTING, enabled=True, starts_at__lte=now
    ).exists():
        return str(
            _(
                "Balloting has opened: the ballot's rules, the headings' amounts and the "
                "projects on the ballot with their prices can no longer change."
            )
        )
    if (
        Ballot.objects.filter(heading__group__budget_id=budget_id).exists()
        or RollEntry.objects.filter(heading__group__budget_id=budget_id).exists()
    ):
        return str(
            _(
                "This budget holds ballots: the ballot's rules, the headings' amounts and the "
                "projects on the ballot with their prices can no longer change."
            )
        )
    return ""


def _refuse_frozen_change(instance: models.Model, budget_id, fields: list[str]) -> None:
    """A row of a frozen budget may be saved with these fields only as they are stored."""
    if not (reason := budget_frozen_reason(budget_id)):
        return
    names = [instance._meta.get_field(name).attname for name in fields]
    stored = type(instance).objects.filter(pk=instance.pk).values(*names).first()
    if stored is None:
        raise ValidationError(reason)
    changed = [
        name
        for name, attname in zip(fields, names, strict=True)
        if stored[attname] != getattr(instance, attname)
    ]
    if changed:
        raise ValidationError({name: reason for name in changed})


class BudgetPhase(models.Model):
    """One phase of a budget with its dates; a disabled phase is skipped."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("phase"), max_length=20, choices=PhaseKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["budget", "starts_at", "id"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["budget", "kind"], name="budget_phase_once"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="budget_phase_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()

    def clean(self):
        """Once balloting has opened, its phase keeps its kind, start and being enabled (moving
        them would reopen the rules), its end once passed, and no other phase runs into it."""
        if not self.budget_id or not (reason := budget_frozen_reason(self.budget_id)):
            return
        stored = BudgetPhase.objects.filter(pk=self.pk).first() if self.pk else None
        if stored is not None and stored.kind == PhaseKind.BALLOTING:
            changed = [
                name
                for name in ("kind", "starts_at", "enabled")
                if getattr(stored, name) != getattr(self, name)
            ]
            if stored.ends_at <= timezone.now() and stored.ends_at != self.ends_at:
                changed.append("ends_at")
            if changed:
                raise ValidationError({name: reason for name in changed})
            return
        if self.kind == PhaseKind.BALLOTING:
            raise ValidationError({"kind": reason})
        balloting = BudgetPhase.objects.filter(
            budget_id=self.budget_id, kind=PhaseKind.BALLOTING, enabled=True
        ).first()
        # A second's slack: the admin's date fields drop the microseconds of dates set in code.
        second = timedelta(seconds=1)
        unchanged = (
            stored is not None
            and (stored.kind, stored.enabled) == (self.kind, self.enabled)
            and abs(stored.starts_at - self.starts_at) < second
            and abs(stored.ends_at - self.ends_at) < second
        )
        if (
            balloting is not None
            and self.enabled
            and not unchanged
            and self.starts_at < balloting.ends_at - second
            and balloting.starts_at + second < self.ends_at
        ):
            raise ValidationError(
                _("Another phase cannot run during balloting, which has opened.")
            )


class BudgetGroup(models.Model):
    """Headings that share a rule: a person ballots in at most `max_headings_per_voter` of them."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="groups")
    title = models.CharField(_("title"), max_length=160)
    max_headings_per_voter = models.PositiveSmallIntegerField(
        _("headings a person may ballot in"), default=1, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["budget", "id"]
        verbose_name = _("group of headings")
        verbose_name_plural = _("groups of headings")

    def __str__(self):
        return self.title

    def clean(self):
        """How many headings a person ballots in is a rule of the ballot: frozen with it."""
        if self.pk is not None:
            stored = BudgetGroup.objects.filter(pk=self.pk).values_list("budget_id", flat=True)
            budget_id = stored.first()
            _refuse_frozen_change(self, budget_id, ["budget", "max_headings_per_voter"])


class Heading(models.Model):
    """A pot of money (for one community, or city-wide) that projects compete for."""

    group = models.ForeignKey(BudgetGroup, on_delete=models.CASCADE, related_name="headings")
    title = models.CharField(_("title"), max_length=160)
    amount = models.PositiveBigIntegerField(_("amount (whole currency units)"))
    community = models.ForeignKey(
        "participation.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_headings",
    )
    population = models.PositiveIntegerField(
        _("population"), null=True, blank=True, help_text=_("For the turnout share.")
    )

    class Meta:
        ordering = ["group", "id"]
        verbose_name = _("heading")
        verbose_name_plural = _("headings")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("budgets:heading", args=[self.pk])

    def clean(self):
        """A heading's amount, community and group are frozen with its budget's rules, and a
        frozen budget takes no new heading."""
        stored_group = (
            Heading.objects.filter(pk=self.pk).values_list("group_id", flat=True).first()
            if self.pk
            else None
        )
        for group_id in {stored_group, self.group_id} - {None}:
            budget_id = BudgetGroup.objects.filter(pk=group_id).values_list("budget_id").first()
            budget_id = budget_id[0] if budget_id else None
            if self.pk is None:
                if reason := budget_frozen_reason(budget_id):
                    raise ValidationError(reason)
            else:
                _refuse_frozen_change(self, budget_id, ["group", "amount", "community"])

    @property
    def budget(self) -> Budget:
        return self.group.budget

    @property
    def admitted_classes(self) -> list[str]:
        """The voter classes that may take part in this heading: its budget's, or every class
        when the budget names none (accounts.selectors.declarable_classes reads it)."""
        return list(self.group.budget.voter_classes or VoterClass.values)

    @property
    def affected_community_id(self):
        # accounts.selectors.voter_class_for: a community heading affects that community's people.
        return self.community_id


class Feasibility(models.TextChoices):
    UNDECIDED = "undecided", _("Not yet valuated")
    FEASIBLE = "feasible", _("Feasible")
    UNFEASIBLE = "unfeasible", _("Not feasible")


class InvestmentQuerySet(ModeratedQuerySet):
    def feasible(self):
        return self.filter(feasibility=Feasibility.FEASIBLE)

    def on_ballot(self):
        return self.visible().filter(selected_for_ballot=True)


class Investment(Moderated, CompetenceScreened):
    """A project proposed for a heading's money, valuated by staff and voted on."""

    heading = models.ForeignKey(
        Heading, verbose_name=_("heading"), on_delete=models.CASCADE, related_name="investments"
    )
    title = models.CharField(_("title"), max_length=200, validators=[MinLengthValidator(4)])
    # Sanitised HTML (participation.text.sanitise_html), written by the service.
    description = models.TextField(_("description"), max_length=10_000, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    # Imported projects have no author in Ruamkit.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investments",
    )
    community = models.ForeignKey(
        "participation.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investments",
    )
    strategic_issue = models.ForeignKey(
        "participation.StrategicIssue",
        verbose_name=_("strategic issue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investments",
    )
    # Set only for a project staff made from a successful proposal (investment_from_proposal);
    # one-to-one so that a proposal becomes at most one project, even under concurrent requests.
    proposal = models.OneToOneField(
        "proposals.Proposal",
        verbose_name=_("proposal it came from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investment",
    )
    image = models.ImageField(_("image"), upload_to="budgets/", blank=True)
    image_alt = models.CharField(
        _("image description"),
        max_length=200,
        blank=True,
        help_text=_(
            "Optional: say in a sentence what the picture shows, for people who cannot see it."
        ),
    )
    estimated_cost = models.PositiveBigIntegerField(
        _("estimated cost (baht)"), null=True, blank=True
    )
    # The valuated cost: what the ballot and the tally use.
    price = models.PositiveBigIntegerField(_("price (baht)"), null=True, blank=True)
    feasibility = models.CharField(
        _("feasibility"), max_length=12, choices=Feasibility.choices, default=Feasibility.UNDECIDED
    )
    unfeasibility_reason = models.TextField(_("why it is not feasible"), blank=True)
    duration = models.CharField(_("duration"), max_length=100, blank=True)
    valuation_explanation = models.TextField(_("explanation of the price"), blank=True)
    valuated_at = models.DateTimeField(_("valuated at"), null=True, blank=True)
    unfeasible_notified_at = models.DateTimeField(
        _("author told it is not feasible at"), null=True, blank=True, editable=False
    )
    valuators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("valuators"),
        blank=True,
        related_name="valuated_investments",
    )
    selected_for_ballot = models.BooleanField(_("on the ballot"), default=False)
    # Local development plan (แผนพัฒนาท้องถิ่น) columns, filled by staff.
    objective = models.TextField(_("objective"), blank=True)
    target = models.CharField(_("target"), max_length=300, blank=True)
    responsible_division = models.CharField(_("responsible division"), max_length=200, blank=True)
    supports_count = models.PositiveIntegerField(_("supports"), default=0)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["supports_count", "flags_count"])

    objects = InvestmentQuerySet.as_manager()

    class Meta:
        ordering = ["heading", "id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [
            *Moderated.Meta.indexes,
            models.Index(fields=["heading", "selected_for_ballot"], name="investment_ballot"),
            models.Index(fields=["heading", "external_id"], name="investment_external"),
        ]
        constraints = [
            *CompetenceScreened.Meta.constraints,
            models.CheckConstraint(
                condition=~models.Q(feasibility="unfeasible") | ~models.Q(unfeasibility_reason=""),
                name="investment_unfeasible_has_reason",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("budgets:investment", args=[self.pk])

    def clean(self):
        """Once a budget is frozen, the set of projects on its ballot and their prices stay."""
        super().clean()
        stored = (
            Investment.objects.filter(pk=self.pk)
            .values("heading_id", "selected_for_ballot", *INVESTMENT_FROZEN_ON_BALLOT)
            .first()
            if self.pk
            else None
        )
        heading_ids = {self.heading_id, stored["heading_id"] if stored else None} - {None}
        budget_ids = Heading.objects.filter(pk__in=heading_ids).values_list(
            "group__budget_id", flat=True
        )
        reason = next((r for b in set(budget_ids) if (r := budget_frozen_reason(b))), "")
        if not reason:
            return
        if stored is None:
            if self.selected_for_ballot:
                raise ValidationError({"selected_for_ballot": reason})
            return
        changed = []
        if stored["heading_id"] != self.heading_id:
            changed.append("heading")
        if stored["selected_for_ballot"] != self.selected_for_ballot:
            changed.append("selected_for_ballot")
        if stored["selected_for_ballot"]:
            changed += [
                name for name in INVESTMENT_FROZEN_ON_BALLOT if stored[name] != getattr(self, name)
            ]
        if changed:
            raise ValidationError({name: reason for name in changed})

    @property
    def cost(self) -> int | None:
        """What the project costs on the ballot: the price once valuated, else the estimate."""
        return self.price if self.price is not None else self.estimated_cost


# What a project on a frozen ballot keeps: what it costs and that it is feasible.
INVESTMENT_FROZEN_ON_BALLOT = ["price", "estimated_cost", "feasibility"]


class InvestmentDocument(models.Model):
    """A PDF attached to a project (a plan, a quotation)."""

    investment = models.ForeignKey(Investment, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=160)
    file = models.FileField(_("file"), upload_to="budgets/documents/")
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.title


class InvestmentSupport(models.Model):
    """One person's support for a project in the selecting phase, with their class then."""

    # PROTECT: accounts are erased into tombstones, never deleted, so supports stay counted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="investment_supports"
    )
    investment = models.ForeignKey(Investment, on_delete=models.CASCADE, related_name="supports")
    voter_class = models.CharField(_("voter class"), max_length=20, choices=VoterClass.choices)
    community = models.ForeignKey(
        "participation.Community", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "investment"], name="investment_support_one_per_person"
            )
        ]

    def __str__(self):
        return f"{self.investment_id} · {self.get_voter_class_display()}"


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    BOOTH = "booth", _("At a booth")
    IMPORTED = "imported", _("Imported")


class Booth(BoothBase):
    """A polling place of a budget: its officers mark people on the roll of any heading during
    balloting, and enter the paper ballots cast there after it ends."""

    budget = models.ForeignKey(
        Budget, verbose_name=_("budget"), on_delete=models.CASCADE, related_name="booths"
    )

    class Meta:
        ordering = ["budget", "name", "id"]
        verbose_name = _("booth")
        verbose_name_plural = _("booths")

    def get_absolute_url(self):
        return reverse("budgets:booth", args=[self.pk])


class RollEntry(models.Model):
    """The roll of a heading: that someone voted in it, where and when. What they chose is not
    here: an online ballot lies sealed in the entry's `Envelope` until the close, and a paper
    ballot goes into the booth's box."""

    heading = models.ForeignKey(
        Heading, verbose_name=_("heading"), on_delete=models.PROTECT, related_name="roll"
    )
    # Null for a booth voter without an account; PROTECT because accounts become tombstones.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_roll_entries",
    )
    # The house-register entry, so that a booth look-up by national ID sees an online vote of
    # the same person, and the other way round.
    census_record = models.ForeignKey(
        "accounts.CensusRecord",
        verbose_name=_("census record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_roll_entries",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    booth = models.ForeignKey(
        Booth,
        verbose_name=_("booth"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roll",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("poll officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The person's community when they voted, for turnout per community.
    community = models.ForeignKey(
        "participation.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    voted_at = models.DateTimeField(_("voted at"), default=timezone.now)

    class Meta:
        verbose_name = _("voter roll entry")
        verbose_name_plural = _("voter roll")
        constraints = [
            models.UniqueConstraint(
                fields=["heading", "user"],
                condition=models.Q(user__isnull=False),
                name="budget_roll_one_per_person",
            ),
            models.UniqueConstraint(
                fields=["heading", "census_record"],
                condition=models.Q(census_record__isnull=False),
                name="budget_roll_one_per_census_record",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(census_record__isnull=False),
                name="budget_roll_names_someone",
            ),
            models.CheckConstraint(
                condition=models.Q(channel="online", booth__isnull=True, officer__isnull=True)
                | models.Q(channel="booth", booth__isnull=False, officer__isnull=False),
                name="budget_roll_booth_has_officer",
            ),
        ]
        indexes = [models.Index(fields=["heading", "channel"], name="budget_roll_channel")]

    def __str__(self):
        return f"{self.heading_id} · {self.get_channel_display()}"


class Envelope(models.Model):
    """A person's online ballot while balloting is open, sealed (participation.secrecy) beside
    their name on the roll: tied to its owner by design, because they come back to change it.

    At the close the count opens every envelope of the heading in a random order into the
    anonymous `Ballot` box and deletes them. Inside: {"class", "community", "weight",
    "lines": [[investment id, points, rank], ...]}, sealed for the context "heading:<id>".
    """

    roll_entry = models.OneToOneField(
        RollEntry, on_delete=models.CASCADE, primary_key=True, related_name="envelope"
    )
    sealed = models.BinaryField()

    class Meta:
        verbose_name = _("sealed ballot")
        verbose_name_plural = _("sealed ballots")

    def __str__(self):
        return f"{self.roll_entry_id}"


class Ballot(models.Model):
    """A ballot in a heading's box: no person, no time, no order of arrival.

    Rows are only ever inserted: online ballots at the close, opened from their envelopes in a
    random order; paper ballots by the booth's officers after the close; imported ones by
    `import_pabulib`. The class, community and weight are what the count splits and weighs by.
    """

    heading = models.ForeignKey(
        Heading, verbose_name=_("heading"), on_delete=models.CASCADE, related_name="ballots"
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    # The booth whose paper ballot this is (channel booth), for the booth's reconciliation.
    booth = models.ForeignKey(
        Booth,
        verbose_name=_("booth"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ballots",
    )
    voter_class = models.CharField(
        _("voter class"), max_length=20, choices=VoterClass.choices, blank=True
    )
    community = models.ForeignKey(
        "participation.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=4, default=Decimal(1))

    class Meta:
        ordering = ["heading", "id"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel="booth", booth__isnull=False)
                | (~models.Q(channel="booth") & models.Q(booth__isnull=True)),
                name="ballot_booth_for_paper",
            ),
        ]

    def __str__(self):
        return f"{self.heading_id} · {self.pk}"


class BallotLine(models.Model):
    """One project on a ballot with the points it got (1 for knapsack and approval)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="lines")
    investment = models.ForeignKey(
        Investment, verbose_name=_("project"), on_delete=models.CASCADE, related_name="ballot_lines"
    )
    points = models.PositiveIntegerField(_("points"), default=1)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)

    class Meta:
        ordering = ["ballot", "rank", "id"]
        verbose_name = _("ballot line")
        verbose_name_plural = _("ballot lines")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "investment"], name="ballot_line_once"),
            models.CheckConstraint(condition=models.Q(points__gte=1), name="ballot_line_points"),
        ]

    def __str__(self):
        return f"{self.investment_id} × {self.points}"


class HeadingResult(BallotBoxPublished):
    """The outcome of a heading's count, stored so that pages never recount: winners, votes,
    the splits by class and community (small groups merged), the reconciliation of roll and
    box, turnout, and the ballot box as a Pabulib file with its SHA-256."""

    heading = models.OneToOneField(Heading, on_delete=models.CASCADE, related_name="result")
    rule = models.CharField(_("counting rule"), max_length=14, choices=TallyRule.choices)
    # {"winners": [ids], "other_winners": [ids], "votes": {id: n}, "points": {id: n},
    #  "splits": {...}, "reconciliation": [...], "participation": {...}, ...}
    data = models.JSONField(_("result"), default=dict)
    ballots_count = models.PositiveIntegerField(_("ballots"), default=0)
    computed_at = models.DateTimeField(_("computed at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self):
        return str(self.heading)

    @property
    def winner_ids(self) -> list[int]:
        return [int(pk) for pk in self.data.get("winners", [])]

    @property
    def other_winner_ids(self) -> list[int]:
        return [int(pk) for pk in self.data.get("other_winners", [])]


class InvestmentPhoto(models.Model):
    """A photo of a winning project being carried out, optionally of one milestone."""

    investment = models.ForeignKey(Investment, on_delete=models.CASCADE, related_name="photos")
    milestone = models.ForeignKey(
        "participation.Milestone",
        verbose_name=_("milestone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    image = models.ImageField(_("photo"), upload_to="budgets/execution/")
    caption = models.CharField(_("caption"), max_length=200)
    taken_on = models.DateField(_("taken on"), null=True, blank=True)

    class Meta:
        ordering = ["taken_on", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.caption
