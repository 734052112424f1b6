from django.core.management.base import BaseCommand

from budgets.demo import budgets_demo_load
from debates.demo import debates_demo_load
from debates.models import Debate
from legislation.demo import legislation_demo_load
from participation.demo import DEMO_PASSWORD, TRY_BIRTH_YEAR, TRY_NATIONAL_ID, demo_load
from polls.demo import polls_demo_load
from proposals.demo import proposals_demo_load
from proposals.models import Proposal


class Command(BaseCommand):
    help = "Load the Saensuk demo data (safe to run again: it changes nothing the second time)."

    def handle(self, *args, **options):
        logins = demo_load()
        debates_created = debates_demo_load()
        proposals_created = proposals_demo_load()
        # Each stage's loader reports how many things it added now (0 on a second run).
        stages_created = {
            "polls": polls_demo_load(),
            "legislation": legislation_demo_load(),
            "participatory budgets": budgets_demo_load(),
        }
        self.stdout.write(self.style.SUCCESS("Saensuk demo data is loaded."))
        self.stdout.write(
            f"Demo debates: {debates_created} added now, {Debate.objects.count()} in all."
        )
        self.stdout.write(
            f"Demo proposals: {proposals_created} added now, {Proposal.objects.count()} in all."
        )
        for stage, created in stages_created.items():
            self.stdout.write(f"Demo {stage}: {created} items added now.")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, role in logins.items():
            self.stdout.write(f"  {role:<17} {email}")
        self.stdout.write(
            f"To try verification, sign up and enter national ID {TRY_NATIONAL_ID} "
            f"with birth year {TRY_BIRTH_YEAR} (BE {TRY_BIRTH_YEAR + 543})."
        )
