import pytest

from budgets.demo import BALLOTING_TITLE, FINISHED_TITLE, budgets_demo_load
from budgets.models import Ballot, Budget, HeadingResult, Investment, PhaseKind
from budgets.permissions import current_phase
from budgets.selectors import winners_by_community
from participation.demo import demo_load
from participation.models import Milestone

pytestmark = pytest.mark.django_db


def test_demo_loads_once_with_a_finished_and_a_balloting_budget(client):
    demo_load()
    made = budgets_demo_load()
    assert made > 10
    counts = (Budget.objects.count(), Investment.objects.count(), Ballot.objects.count())
    assert budgets_demo_load() == 0
    assert (Budget.objects.count(), Investment.objects.count(), Ballot.objects.count()) == counts
    finished = Budget.objects.prefetch_related("phases").get(title=FINISHED_TITLE)
    balloting = Budget.objects.prefetch_related("phases").get(title=BALLOTING_TITLE)
    assert current_phase(finished) == PhaseKind.FINISHED
    assert current_phase(balloting) == PhaseKind.BALLOTING
    results = HeadingResult.objects.filter(heading__group__budget=finished)
    assert results.count() == finished.groups.all()[0].headings.count() + 1
    assert all(r.winner_ids and r.published_at for r in results)
    assert Milestone.objects.filter(
        object_id__in=[w for r in results for w in r.winner_ids]
    ).exists()
    groups = winners_by_community(finished)
    assert groups and all(
        i.status in ("planned", "under_way", "done") for g in groups for i in g["investments"]
    )
    # Every demo ballot keeps the heading's amount.
    for ballot in Ballot.objects.prefetch_related("lines__investment").select_related("heading"):
        assert sum(line.investment.price for line in ballot.lines.all()) <= ballot.heading.amount
    assert client.get(f"/en/budgets/{finished.pk}/execution/").status_code == 200
    heading = results.first().heading
    assert client.get(f"/th/budgets/headings/{heading.pk}/results/").status_code == 200
    assert client.get(f"/th/budgets/headings/{heading.pk}/pabulib.pb").status_code == 200
