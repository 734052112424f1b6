from django.utils.functional import SimpleLazyObject

from participation.notifications import unread_count


def notifications(request):
    """The unread count for the header, queried only when a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
