from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import VoterClass
from accounts.national_id import InvalidNationalId, normalise
from polls.models import Poll, Question
from polls.services import TEXT_ANSWER_MAX


def _option_label(option) -> str:
    """An option's title, with its description and image when it has them."""
    label = format_html('<span class="option-title">{}</span>', option.title)
    if option.description:
        label += format_html('<span class="option-description">{}</span>', option.description)
    if option.image:
        label += format_html(
            '<img class="option-image" src="{}" alt="{}" loading="lazy">',
            option.image.url,
            option.image_alt,
        )
    return label


def _field_name(question: Question) -> str:
    return f"question_{question.pk}"


class BallotForm(forms.Form):
    """One field per question of the poll, in order; cleaned into choices and texts."""

    def __init__(self, *args, poll: Poll, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll = poll
        self.questions = list(poll.questions.all())
        for question in self.questions:
            choices = [(str(option.pk), _option_label(option)) for option in question.options.all()]
            if question.kind == Question.Kind.SINGLE:
                field = forms.ChoiceField(
                    label=question.title, choices=choices, widget=forms.RadioSelect
                )
            elif question.kind == Question.Kind.MULTIPLE:
                attrs = {"data-max-choices": question.max_choices} if question.max_choices else {}
                field = forms.MultipleChoiceField(
                    label=question.title,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple(attrs=attrs),
                )
                if question.max_choices:
                    field.help_text = _("Choose up to %(count)s.") % {"count": question.max_choices}
            else:
                field = forms.CharField(
                    label=question.title,
                    required=False,
                    max_length=TEXT_ANSWER_MAX,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    help_text=_("Optional. Written in your own words."),
                )
            if question.description:
                # Help text is rendered unescaped, and the kind's hint must not hide the
                # description staff wrote for the question.
                hints = [question.description, field.help_text]
                field.help_text = format_html_join(" ", "{}", ((h,) for h in hints if h))
            field.question = question
            self.fields[_field_name(question)] = field

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            name = _field_name(question)
            value = cleaned.get(name)
            if (
                question.kind == Question.Kind.MULTIPLE
                and question.max_choices
                and value
                and len(value) > question.max_choices
            ):
                self.add_error(
                    name,
                    _("Choose at most %(count)s options.") % {"count": question.max_choices},
                )
        return cleaned

    def answers(self) -> tuple[dict[int, list[int]], dict[int, str]]:
        choices, texts = {}, {}
        for question in self.questions:
            value = self.cleaned_data.get(_field_name(question))
            if question.kind == Question.Kind.TEXT:
                texts[question.pk] = value or ""
            elif question.kind == Question.Kind.SINGLE:
                choices[question.pk] = [int(value)] if value else []
            else:
                choices[question.pk] = [int(v) for v in value or []]
        return choices, texts


class NationalIdForm(forms.Form):
    national_id = forms.CharField(
        label=_("National ID number of the voter"),
        max_length=30,
        help_text=_("The 13 digits on the ID card. Dashes and spaces are fine."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_national_id(self):
        try:
            return normalise(self.cleaned_data["national_id"])
        except InvalidNationalId as error:
            raise forms.ValidationError(str(error), code="invalid") from None


class BoothTotalsForm(forms.Form):
    """The hand count of a booth: the paper ballots, then one number per option."""

    paper_ballots = forms.IntegerField(
        label=_("Paper ballots counted by hand"), min_value=0, max_value=1_000_000
    )

    def __init__(self, *args, booth, existing: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("paper_ballots", booth.paper_ballots)
        self.option_fields = []
        for question in booth.poll.questions.all():
            if question.kind == Question.Kind.TEXT:
                continue
            for option in question.options.all():
                name = f"option_{option.pk}"
                self.fields[name] = forms.IntegerField(
                    label=f"{question.title} — {option.title}",
                    min_value=0,
                    max_value=1_000_000,
                    initial=existing.get(option.pk, 0),
                )
                self.option_fields.append((name, option.pk))

    def counts(self) -> dict[int, int]:
        return {pk: self.cleaned_data[name] for name, pk in self.option_fields}


def _weight_field(voter_class: VoterClass) -> forms.DecimalField:
    return forms.DecimalField(
        label=format_lazy(_("Weight: {}"), voter_class.label),
        min_value=0,
        max_digits=6,
        decimal_places=3,
        initial=1,
        required=False,
        help_text=_("1 unless this class counts more or less."),
    )


class PollAdminForm(forms.ModelForm):
    """The classes and weights as checkboxes and numbers rather than raw JSON."""

    voter_classes = forms.MultipleChoiceField(
        label=_("Voter classes that may vote"),
        choices=VoterClass.choices,
        widget=forms.CheckboxSelectMultiple,
        required=True,
    )

    weight_affected_citizen = _weight_field(VoterClass.AFFECTED_CITIZEN)
    weight_affected_resident = _weight_field(VoterClass.AFFECTED_RESIDENT)
    weight_interested = _weight_field(VoterClass.INTERESTED)
    weight_concerned = _weight_field(VoterClass.CONCERNED)

    class Meta:
        model = Poll
        fields = [
            "title",
            "description",
            "image",
            "image_alt",
            "opens_at",
            "closes_at",
            "communities",
            "voter_classes",
            "strategic_issue",
            "proposal",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        weights = self.instance.weights or {}
        for value in VoterClass.values:
            name = f"weight_{value}"
            if name in self.fields:
                self.fields[name].initial = weights.get(value, 1)

    def clean(self):
        cleaned = super().clean()
        # Once the poll has opened the admin shows the weights read-only and leaves them out.
        if all(f"weight_{value}" in self.fields for value in VoterClass.values):
            weights = {}
            for value in VoterClass.values:
                weight = cleaned.get(f"weight_{value}")
                if weight is not None and weight != 1:
                    weights[value] = str(weight)
            self.instance.weights = weights
        return cleaned
