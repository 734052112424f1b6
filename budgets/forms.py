from django import forms
from django.utils.translation import gettext_lazy as _

from budgets.models import Feasibility
from participation.forms import image_size_checked, pdf_checked
from participation.models import Competence
from participation.selectors import community_list, strategic_issue_list


class InvestmentForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        min_length=4,
        max_length=200,
        error_messages={"required": _("Write a title for the project.")},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "What should be done, for whom, and why. Simple formatting and links are kept."
        ),
        error_messages={"required": _("Describe the project.")},
    )
    location = forms.CharField(
        label=_("Location"),
        max_length=200,
        required=False,
        help_text=_("Where, in words: a street, a landmark, a soi."),
    )
    estimated_cost = forms.IntegerField(
        label=_("Estimated cost (baht)"),
        min_value=1,
        max_value=10**12,
        required=False,
        help_text=_("Your best guess; staff set the price when they valuate the project."),
    )
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=community_list(),
        required=False,
        empty_label=_("All of Saensuk"),
    )
    strategic_issue = forms.ModelChoiceField(
        label=_("Strategic issue"),
        queryset=strategic_issue_list(),
        required=False,
        empty_label=_("None"),
    )
    image = forms.ImageField(
        label=_("Image"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("Optional: a photo or drawing in JPEG, PNG or WebP, at most 5 MB."),
    )
    image_alt = forms.CharField(
        label=_("Image description"),
        required=False,
        max_length=200,
        help_text=_(
            "Optional: say in a sentence what the picture shows, for people who cannot see it."
        ),
        error_messages={
            "max_length": _(
                "Keep the image description to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )
    document = forms.FileField(
        label=_("Document"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf"}),
        help_text=_("Optional: a PDF such as a plan or a quotation, at most 5 MB."),
    )

    def clean_image(self):
        return image_size_checked(self.cleaned_data.get("image"))

    def clean_document(self):
        return pdf_checked(self.cleaned_data.get("document"))

    def service_fields(self) -> dict:
        fields = dict(self.cleaned_data)
        for name in ("image", "document"):
            if not fields.get(name):
                fields.pop(name, None)
        return fields


class ValuationForm(forms.Form):
    feasibility = forms.ChoiceField(
        label=_("Feasibility"), choices=Feasibility.choices, widget=forms.RadioSelect
    )
    unfeasibility_reason = forms.CharField(
        label=_("Why it is not feasible"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when not feasible: the author is told this."),
    )
    competence = forms.ChoiceField(
        label=_("Municipal authority"), choices=Competence.choices, required=False
    )
    responsible_agency = forms.CharField(
        label=_("Responsible agency"),
        required=False,
        max_length=200,
        help_text=_("Required when the project is not (fully) within municipal authority."),
    )
    price = forms.IntegerField(
        label=_("Price (baht)"), min_value=1, max_value=10**12, required=False
    )
    duration = forms.CharField(label=_("Duration"), required=False, max_length=100)
    valuation_explanation = forms.CharField(
        label=_("Explanation of the price"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("feasibility") == Feasibility.UNFEASIBLE
            and not data.get("unfeasibility_reason", "").strip()
        ):
            self.add_error(
                "unfeasibility_reason",
                _("Say why the project is not feasible: its author will be told."),
            )
        if data.get("feasibility") == Feasibility.FEASIBLE and not data.get("price"):
            self.add_error("price", _("A feasible project needs its price."))
        if (
            data.get("competence") in (Competence.PARTLY, Competence.OUTSIDE)
            and not data.get("responsible_agency", "").strip()
        ):
            self.add_error(
                "responsible_agency",
                _("Name the responsible agency when it is not within municipal authority."),
            )
        return data


class InvestmentFilterForm(forms.Form):
    """The list's filters, sent by GET; unknown values are dropped, not refused."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    feasibility = forms.ChoiceField(
        label=_("Feasibility"),
        required=False,
        choices=[("", _("Any")), *Feasibility.choices],
    )
    strategic_issue = forms.ChoiceField(label=_("Strategic issue"), required=False)
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("new", _("Newest")),
            ("supported", _("Most supported")),
            ("price", _("Cheapest")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategic_issue"].choices = [("", _("All strategic issues"))] + [
            (issue.slug, issue.title) for issue in strategic_issue_list()
        ]

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or None,
            "feasibility": data.get("feasibility") or None,
            "strategic_issue": data.get("strategic_issue") or None,
            "order": data.get("order") or "new",
        }

    @property
    def active(self) -> bool:
        filters = self.filters()
        return any(filters[k] for k in ("q", "feasibility", "strategic_issue"))


class BoothRollForm(forms.Form):
    """The officer marks a person on the roll: their national ID, nothing of their choice."""

    national_id = forms.CharField(
        label=_("National ID of the voter"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class PaperBallotForm(forms.Form):
    """One paper ballot as marked, entered after balloting without any identity."""

    def __init__(self, *args, investments=(), cumulative=False, ranked=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.investments = list(investments)
        self.cumulative = cumulative
        self.ranked = ranked
        for investment in self.investments:
            name = f"i{investment.pk}"
            if cumulative or ranked:
                self.fields[name] = forms.IntegerField(
                    label=investment.title,
                    required=False,
                    min_value=1,
                    max_value=1000,
                    help_text=_("Points") if cumulative else _("Rank (1 = first choice)"),
                )
            else:
                self.fields[name] = forms.BooleanField(label=investment.title, required=False)

    def clean(self):
        data = super().clean()
        if self.ranked:
            ranks = [data.get(f"i{investment.pk}") for investment in self.investments]
            ranks = [rank for rank in ranks if rank]
            if len(ranks) != len(set(ranks)):
                # Two projects marked with the same rank have no order to record.
                raise forms.ValidationError(
                    _("Give each chosen project a different rank, as marked on the paper.")
                )
        return data

    def choices(self) -> tuple[list, dict]:
        """The chosen investment ids (in rank order for a ranked ballot) and points for each."""
        chosen = []
        points = {}
        for investment in self.investments:
            value = self.cleaned_data.get(f"i{investment.pk}")
            if value:
                chosen.append((value if self.ranked else 0, str(investment.pk)))
                if self.cumulative:
                    points[str(investment.pk)] = int(value)
        chosen.sort()
        return [pk for _order, pk in chosen], points
