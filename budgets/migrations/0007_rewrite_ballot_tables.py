"""Rewrite the ballot tables on PostgreSQL, so that the dead row versions and dropped columns
of ballots that named their voter leave the database files (VACUUM FULL runs outside a
transaction, hence a migration of its own)."""

from django.db import migrations


def rewrite(apps, schema_editor):
    from participation.secrecy import envelopes_destroy

    envelopes_destroy([apps.get_model("budgets", "Ballot"), apps.get_model("budgets", "BallotLine")])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("budgets", "0006_ballots_without_people"),
    ]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
