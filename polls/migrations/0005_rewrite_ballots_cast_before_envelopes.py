"""Ballots cast before envelopes were written in the same transaction as their roll entry, so
the transaction id and the order of the rows paired them. Re-insert every ballot with its
answers under fresh keys, in a random order and in one transaction per poll, then rewrite the
tables on PostgreSQL so that the old row versions leave the database files."""

import uuid

from django.db import migrations, transaction

BALLOT_FIELDS = ["poll_id", "voter_class", "community_id", "channel", "booth_id", "weight"]
ANSWER_FIELDS = [
    "question_id",
    "option_id",
    "text",
    "voter_class",
    "community_id",
    "channel",
    "weight",
]


def rewrite(apps, schema_editor):
    from participation.secrecy import envelopes_destroy, shuffled

    Ballot = apps.get_model("polls", "Ballot")
    Answer = apps.get_model("polls", "Answer")
    poll_ids = Ballot.objects.values_list("poll_id", flat=True).distinct().order_by("poll_id")
    for poll_id in list(poll_ids):
        with transaction.atomic():
            ballots = list(Ballot.objects.filter(poll_id=poll_id).values("id", *BALLOT_FIELDS))
            answers: dict = {}
            for answer in Answer.objects.filter(ballot__poll_id=poll_id).values(
                "ballot_id", *ANSWER_FIELDS
            ):
                answers.setdefault(answer.pop("ballot_id"), []).append(answer)
            Answer.objects.filter(ballot__poll_id=poll_id).delete()
            Ballot.objects.filter(poll_id=poll_id).delete()
            new_ballots, new_answers = [], []
            for ballot in shuffled(ballots):
                old_id = ballot.pop("id")
                copy = Ballot(id=uuid.uuid4(), **ballot)
                new_ballots.append(copy)
                new_answers += [
                    Answer(id=uuid.uuid4(), ballot_id=copy.id, **answer)
                    for answer in answers.get(old_id, [])
                ]
            Ballot.objects.bulk_create(new_ballots, batch_size=2000)
            Answer.objects.bulk_create(shuffled(new_answers), batch_size=5000)
    envelopes_destroy([Ballot, Answer, apps.get_model("polls", "RollEntry")])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("polls", "0004_booth_permission_wording"),
    ]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
