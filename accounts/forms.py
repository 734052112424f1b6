from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from accounts.models import InterestDeclaration, ResidentClaim, User, VoterClass
from accounts.national_id import InvalidNationalId, normalise
from accounts.selectors import declarable_classes
from participation.selectors import community_list

BE_OFFSET = 543


class VerifyForm(forms.Form):
    national_id = forms.CharField(
        label=_("National ID number"),
        max_length=30,
        help_text=_("The 13 digits on your ID card. Dashes and spaces are fine."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        help_text=_("Buddhist Era (such as 2530) or Christian Era (such as 1987)."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_national_id(self):
        try:
            return normalise(self.cleaned_data["national_id"])
        except InvalidNationalId as error:
            raise forms.ValidationError(str(error), code="invalid") from None

    def clean_birth_year(self):
        year = self.cleaned_data["birth_year"]
        if year >= 2400:
            year -= BE_OFFSET
        if not 1900 <= year <= timezone.localdate().year:
            raise forms.ValidationError(_("Enter a year of birth such as 2530 or 1987."))
        return year


class ResidentClaimForm(forms.ModelForm):
    class Meta:
        model = ResidentClaim
        fields = ["community", "basis", "explanation"]
        widgets = {
            "basis": forms.RadioSelect,
            "explanation": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = community_list()
        self.fields["community"].label = _("Which community?")
        self.fields["basis"].label = _("How are you part of Saensuk?")


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "community", "language", "notify_on_reply", "email_digest"]
        widgets = {"email_digest": forms.RadioSelect, "language": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = community_list()
        self.fields["community"].help_text = _("The community you most take part in.")
        # Each language in its own name, so a person can find theirs whatever the page shows.
        self.fields["language"].choices = [
            (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
        ]


VOTER_CLASS_EXPLANATIONS = {
    VoterClass.AFFECTED_CITIZEN: _(
        "You are in Saensuk's house register, so matters of the town affect you directly."
    ),
    VoterClass.AFFECTED_RESIDENT: _(
        "Staff confirmed that you live, work or study in Saensuk, "
        "so its matters affect you directly."
    ),
    VoterClass.INTERESTED: _("You care about this matter and want to follow it and take part."),
    VoterClass.CONCERNED: _(
        "This matter could touch your life, work or business, although you are not registered here."
    ),
}


class InterestDeclarationForm(forms.Form):
    """Asked on a voting page of a person who holds no affected class for that matter."""

    voter_class = forms.ChoiceField(
        label=_("How does this matter concern you?"),
        widget=forms.RadioSelect,
        choices=[
            (c.value, format_lazy("{}: {}", c.label, VOTER_CLASS_EXPLANATIONS[c]))
            for c in InterestDeclaration.DECLARABLE
        ],
        help_text=_("Results are read per group, so the town knows who said what."),
    )

    def __init__(self, *args, matter=None, **kwargs):
        super().__init__(*args, **kwargs)
        if matter is not None:
            # Offer only what the matter admits: a declaration it refuses would count for nothing.
            allowed = set(declarable_classes(matter))
            field = self.fields["voter_class"]
            field.choices = [choice for choice in field.choices if choice[0] in allowed]


class AccountDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my personal data will be erased and this cannot be undone."),
    )
