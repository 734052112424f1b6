import pytest

from budgets.demo import BALLOTING_TITLE, FINISHED_TITLE, budgets_demo_load
from budgets.models import (
    Ballot,
    Booth,
    Budget,
    Channel,
    Envelope,
    HeadingResult,
    Investment,
    PhaseKind,
    RollEntry,
)
from budgets.permissions import current_phase
from budgets.selectors import winners_by_community
from participation.demo import demo_load
from participation.models import Milestone

pytestmark = pytest.mark.django_db


def test_demo_loads_once_with_a_finished_and_a_balloting_budget(client):
    demo_load()
    made = budgets_demo_load()
    assert made > 10
    counts = (
        Budget.objects.count(),
        Investment.objects.count(),
        Ballot.objects.count(),
        RollEntry.objects.count(),
    )
    assert budgets_demo_load() == 0
    assert (
        Budget.objects.count(),
        Investment.objects.count(),
        Ballot.objects.count(),
        RollEntry.objects.count(),
    ) == counts
    finished = Budget.objects.prefetch_related("phases").get(title=FINISHED_TITLE)
    balloting = Budget.objects.prefetch_related("phases").get(title=BALLOTING_TITLE)
    assert current_phase(finished) == PhaseKind.FINISHED
    assert current_phase(balloting) == PhaseKind.BALLOTING
    results = HeadingResult.objects.filter(heading__group__budget=finished)
    assert results.count() == finished.groups.all()[0].headings.count() + 1
    assert all(r.winner_ids and r.published_at and r.ballot_box_sha256 for r in results)
    assert Milestone.objects.filter(
        object_id__in=[w for r in results for w in r.winner_ids]
    ).exists()
    groups = winners_by_community(finished)
    assert groups and all(
        i.status in ("planned", "under_way", "done") for g in groups for i in g["investments"]
    )
    # The finished budget: online ballots opened into the box, paper ballots entered at the
    # booth and confirmed by a second officer; every roll entry has its ballot.
    booth = Booth.objects.get(budget=finished)
    assert booth.count_confirmed and booth.count_confirmed_by not in booth.counted_by.all()
    box = Ballot.objects.filter(heading__group__budget=finished)
    roll = RollEntry.objects.filter(heading__group__budget=finished)
    assert box.filter(channel=Channel.ONLINE).count() == roll.filter(channel="online").count()
    assert box.filter(booth=booth).count() == roll.filter(booth=booth).count() > 0
    assert not Envelope.objects.filter(roll_entry__heading__group__budget=finished).exists()
    # The budget in balloting: sealed envelopes, nothing in its box yet.
    assert Envelope.objects.filter(roll_entry__heading__group__budget=balloting).exists()
    assert not Ballot.objects.filter(heading__group__budget=balloting).exists()
    assert Booth.objects.filter(budget=balloting).exists()
    # Every demo ballot keeps the heading's amount.
    for ballot in Ballot.objects.prefetch_related("lines__investment").select_related("heading"):
        assert sum(line.investment.price for line in ballot.lines.all()) <= ballot.heading.amount
    assert client.get(f"/en/budgets/{finished.pk}/execution/").status_code == 200
    heading = box.filter(booth=booth).first().heading
    result = heading.result
    page = client.get(f"/en/budgets/headings/{heading.pk}/results/").text
    assert result.ballot_box_sha256 in page
    assert "Roll and ballots, reconciled" in page and booth.name in page
    assert "Yes, by a second officer" in page
    download = client.get(f"/th/budgets/headings/{heading.pk}/pabulib.pb")
    assert download.status_code == 200 and download.content.decode() == result.ballot_box
