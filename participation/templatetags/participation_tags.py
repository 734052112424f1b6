"""Template helpers for the shared participation includes (votes, comments, flags, follows)."""

from django import template
from django.db import models

from participation.permissions import comments_closed_reason

register = template.Library()


@register.filter
def comments_closed(commentable) -> str:
    """Why no comment can be added to `commentable` now, or "" when it takes them."""
    return comments_closed_reason(commentable)


@register.filter
def content_label(obj: models.Model) -> str:
    """The "app_label.model_name" that participation URLs use to address any content."""
    return obj._meta.label_lower
