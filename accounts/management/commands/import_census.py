from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.census import CensusFileError, census_import


class Command(BaseCommand):
    help = "Import the civil-registry extract (CSV) into the census records."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="CSV file: national_id,house_code,registered_on,birth_year,community"
        )

    def handle(self, *args, file, **options):
        """Run the census import on a file and print its counts and rejected lines."""
        path = Path(file)
        try:
            with path.open("rb") as stream:
                report = census_import(file=stream, file_name=path.name)
        except OSError as error:
            raise CommandError(
                _("Cannot open %(file)s: %(error)s")
                % {"file": file, "error": error.strerror or error}
            ) from error
        except CensusFileError as error:
            raise CommandError(str(error)) from error

        self.stdout.write(
            _(
                "%(read)d rows read: %(created)d added, %(updated)d changed, "
                "%(unchanged)d unchanged, %(rejected)d rejected."
            )
            % {
                "read": report.rows_read,
                "created": report.rows_created,
                "updated": report.rows_updated,
                "unchanged": report.rows_unchanged,
                "rejected": len(report.errors),
            }
        )
        for error in report.errors:
            self.stdout.write(_("line %(line)d: %(reason)s") % error)
