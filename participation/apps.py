from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _sqlite_secure_delete(sender, connection, **kwargs):
    # Deleted rows are overwritten with zeros, so an opened ballot envelope or an emptied
    # ballot leaves nothing behind in the database file (participation.secrecy).
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Participation")

    def ready(self):
        connection_created.connect(_sqlite_secure_delete, dispatch_uid="sqlite_secure_delete")
