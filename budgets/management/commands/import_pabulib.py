from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from budgets.counting import pabulib_import
from budgets.pabulib import PabulibError, parse


class Command(BaseCommand):
    help = "Create a budget with one heading, its projects and its ballots from a Pabulib file."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="a Pabulib .pb file (approval, choose-1, cumulative, ordinal)"
        )

    def handle(self, *args, file, **options):
        """Import one Pabulib file and print the ids of what it created."""
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot open %(file)s: %(error)s")
                % {"file": file, "error": error.strerror or error}
            ) from error
        try:
            imported = pabulib_import(parsed=parse(data), name=path.name)
        except PabulibError as error:
            if error.line:
                raise CommandError(
                    _("%(file)s, line %(line)d: %(reason)s")
                    % {"file": path.name, "line": error.line, "reason": error.message}
                ) from error
            raise CommandError(
                _("%(file)s: %(reason)s") % {"file": path.name, "reason": error.message}
            ) from error
        self.stdout.write(
            _(
                "Budget %(budget)d, group %(group)d, heading %(heading)d: "
                "%(investments)d projects, %(ballots)d ballots, %(lines)d ballot lines."
            )
            % {
                "budget": imported.budget.pk,
                "group": imported.group.pk,
                "heading": imported.heading.pk,
                "investments": imported.investments,
                "ballots": imported.ballots,
                "lines": imported.lines,
            }
        )
