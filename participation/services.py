from django.db.models import Exists, OuterRef

from participation.models import Vote


def votes_transfer(*, from_user, to_user) -> None:
    """Give `to_user` the votes of `from_user`, keeping `to_user`'s own where both voted.

    Used when a person who erased an account verifies a new one. Caller is inside a transaction.
    """
    own = Vote.objects.filter(
        user=to_user, content_type_id=OuterRef("content_type_id"), object_id=OuterRef("object_id")
    )
    Vote.objects.filter(user=from_user).filter(Exists(own)).delete()
    Vote.objects.filter(user=from_user).update(user=to_user)
