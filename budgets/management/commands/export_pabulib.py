from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from budgets.counting import heading_pabulib_text
from budgets.models import Heading


class Command(BaseCommand):
    help = "Write a heading as a Pabulib file whose selected column holds Ruamkit's winners."

    def add_arguments(self, parser):
        parser.add_argument("--heading", type=int, required=True, help="heading id")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, heading, output=None, **options):
        """Count the heading and write its Pabulib file."""
        try:
            found = Heading.objects.get(pk=heading)
        except Heading.DoesNotExist:
            raise CommandError(_("There is no heading %(id)d.") % {"id": heading}) from None
        text = heading_pabulib_text(found)
        if not output:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s")
                % {"file": output, "error": error.strerror or error}
            ) from error
        self.stdout.write(_("Wrote %(file)s.") % {"file": output})
