"""Tags as people type them: comma-separated, checked the same way in every stage."""

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# Latin and full-width commas both separate tags: some Thai phone keyboards offer the latter.
TAG_SEPARATORS = re.compile(r"[,，]")
MAX_TAGS = 6
MAX_TAG_LENGTH = 40


def tags_normalise(tags) -> list[str]:
    """Strip, lower-case and de-duplicate tags, keeping the order they were given in."""
    normalised: list[str] = []
    for tag in tags:
        # Thai has no case, so lower() only folds Latin (and other cased) letters; inner runs of
        # spaces collapse so "ผัง  เมือง" and "ผัง เมือง" are one tag.
        tag = " ".join(str(tag).split()).lower()
        if tag and tag not in normalised:
            normalised.append(tag)
    return normalised


def tags_split(text: str) -> list[str]:
    """Comma-separated text as normalised tags."""
    return tags_normalise(TAG_SEPARATORS.split(text or ""))


def tags_problem(tags: list[str]) -> str | None:
    """Why these (normalised) tags cannot be saved, or None when they can."""
    if len(tags) > MAX_TAGS:
        return ngettext(
            "Use at most %(max)d tag; you wrote %(count)d.",
            "Use at most %(max)d tags; you wrote %(count)d.",
            MAX_TAGS,
        ) % {"max": MAX_TAGS, "count": len(tags)}
    too_long = [tag for tag in tags if len(tag) > MAX_TAG_LENGTH]
    if too_long:
        return _("Each tag can be at most %(max)d characters long. Shorten: %(tags)s") % {
            "max": MAX_TAG_LENGTH,
            "tags": ", ".join(too_long),
        }
    return None


class TagsInput(forms.TextInput):
    """A text box for comma-separated tags, with a <datalist> of suggestions (no JavaScript)."""

    template_name = "participation/includes/tags_input.html"

    def __init__(self, attrs=None, suggestions=()):
        super().__init__(attrs)
        self.suggestions = suggestions

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        list_id = f"{context['widget']['attrs'].get('id') or name}_suggestions"
        context["widget"]["attrs"]["list"] = list_id
        context["widget"]["list_id"] = list_id
        context["widget"]["suggestions"] = self.suggestions
        return context


class TagsField(forms.CharField):
    """Comma-separated tags with a list of suggestions; cleans to the checked tags."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Tags"))
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "Up to 6 tags, separated by commas, such as: flooding, market, รถเมล์. "
                "Each at most 40 characters."
            ),
        )
        super().__init__(
            required=False,
            max_length=400,
            widget=TagsInput(attrs={"autocomplete": "off"}),
            **kwargs,
        )

    def clean(self, value) -> list[str]:
        tags = tags_split(super().clean(value))
        problem = tags_problem(tags)
        if problem:
            raise forms.ValidationError(problem, code="invalid_tags")
        return tags


def tags_checked(tags) -> list[str]:
    """For services: the normalised tags, or NotAllowed saying what to change."""
    from participation.services import NotAllowed

    tags = tags_normalise(tags)
    problem = tags_problem(tags)
    if problem:
        raise NotAllowed(problem)
    return tags
