from django import template
from django.utils.translation import gettext as _

from budgets.models import PhaseKind

register = template.Library()


@register.filter
def money(value) -> str:
    """A whole amount of baht with thousands separators: "1,250,000 บาท"."""
    if value is None or value == "":
        return "—"
    return _("%(amount)s baht") % {"amount": f"{int(value):,}"}


@register.filter
def number(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{int(value):,}"


@register.filter
def phase_label(kind) -> str:
    return PhaseKind(kind).label if kind else _("Not started")
