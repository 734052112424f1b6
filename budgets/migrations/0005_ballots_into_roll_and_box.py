"""Existing ballots become the roll and the box: the person goes onto the roll of the heading;
an online ballot of a heading still in balloting goes into a sealed envelope; every other ballot
stays in the box, re-inserted in a random order without its person. Paper ballots recorded
before booths existed are filed under one booth per budget, "Paper ballots recorded before
booths"."""

from collections import defaultdict

from django.db import migrations
from django.utils import timezone

LEGACY_BOOTH = "Paper ballots recorded before booths"


def forward(apps, schema_editor):
    Heading = apps.get_model("budgets", "Heading")
    Ballot = apps.get_model("budgets", "Ballot")
    BallotLine = apps.get_model("budgets", "BallotLine")
    Booth = apps.get_model("budgets", "Booth")
    BudgetPhase = apps.get_model("budgets", "BudgetPhase")
    RollEntry = apps.get_model("budgets", "RollEntry")
    Envelope = apps.get_model("budgets", "Envelope")
    now = timezone.now()
    for heading in Heading.objects.filter(ballots__isnull=False).distinct().select_related("group"):
        from participation.secrecy import seal, shuffled

        budget_id = heading.group.budget_id
        balloting = BudgetPhase.objects.filter(
            budget_id=budget_id, kind="balloting", enabled=True
        ).first()
        still_open = balloting is not None and now < balloting.ends_at
        ballots = list(Ballot.objects.filter(heading=heading).order_by("id"))
        lines = defaultdict(list)
        for line in BallotLine.objects.filter(ballot__heading=heading).order_by("rank", "id"):
            lines[line.ballot_id].append(line)
        booth = None
        kept, sealed = [], []
        for ballot in ballots:
            paper = ballot.channel == "booth"
            if paper and booth is None:
                booth, _created = Booth.objects.get_or_create(budget_id=budget_id, name=LEGACY_BOOTH)
            person = ballot.user_id is not None or ballot.census_record_id is not None
            if person and (not paper or ballot.recorded_by_id is not None):
                entry = RollEntry.objects.create(
                    heading=heading,
                    user_id=ballot.user_id,
                    census_record_id=ballot.census_record_id,
                    channel="booth" if paper else "online",
                    booth=booth if paper else None,
                    officer_id=ballot.recorded_by_id if paper else None,
                    community_id=ballot.community_id,
                    voted_at=ballot.created_at,
                )
                if still_open and not paper:
                    sealed.append((entry, ballot))
                    continue
            kept.append(ballot)
        if sealed:
            from budgets.services import envelope_size_for

            size = envelope_size_for(heading.pk)
            Envelope.objects.bulk_create(
                Envelope(
                    roll_entry=entry,
                    sealed=seal(
                        {
                            "class": ballot.voter_class,
                            "community": ballot.community_id,
                            "weight": str(ballot.weight),
                            "lines": [
                                [line.investment_id, line.points, line.rank]
                                for line in lines[ballot.pk]
                            ],
                        },
                        context=f"heading:{heading.pk}",
                        size=size,
                    ),
                )
                for entry, ballot in sealed
            )
        for ballot in shuffled(kept):
            copy = Ballot.objects.create(
                heading=heading,
                channel=ballot.channel,
                booth=booth if ballot.channel == "booth" else None,
                voter_class=ballot.voter_class,
                community_id=ballot.community_id,
                weight=ballot.weight,
            )
            BallotLine.objects.bulk_create(
                BallotLine(
                    ballot=copy, investment_id=line.investment_id, points=line.points, rank=line.rank
                )
                for line in lines[ballot.pk]
            )
        BallotLine.objects.filter(ballot_id__in=[b.pk for b in ballots]).delete()
        Ballot.objects.filter(pk__in=[b.pk for b in ballots]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0004_booths_roll_envelopes"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
