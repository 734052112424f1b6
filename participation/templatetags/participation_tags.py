"""Template helpers for the shared participation includes (votes, comments, flags, follows)."""

from django import template
from django.db import models

register = template.Library()


@register.filter
def content_label(obj: models.Model) -> str:
    """The "app_label.model_name" that participation URLs use to address any content."""
    return obj._meta.label_lower
