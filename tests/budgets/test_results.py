"""Results: computed when balloting ends (task) or on demand, shown per class and community."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from budgets import services
from budgets.models import Ballot, BallotLine, Channel, HeadingResult
from budgets.services import heading_results_compute
from budgets.tasks import budget_results_due
from tests.budgets.factories import InvestmentFactory, heading_in, phases_set
from tests.factories import CitizenFactory, CommunityFactory

pytestmark = pytest.mark.django_db


def _ballot(heading, investments, *, voter_class="affected_citizen", community=None):
    ballot = Ballot.objects.create(
        heading=heading,
        user=CitizenFactory(),
        channel=Channel.ONLINE,
        voter_class=voter_class,
        community=community,
    )
    for investment in investments:
        BallotLine.objects.create(ballot=ballot, investment=investment)
    return ballot


def _voted_heading(phase="reviewing_ballots", rule="greedy"):
    heading = heading_in(phase, rule=rule)
    a = InvestmentFactory(heading=heading, title="สวนสาธารณะ", price=600_000)
    b = InvestmentFactory(heading=heading, title="ไฟถนน", price=500_000)
    c = InvestmentFactory(heading=heading, title="ลานกีฬา", price=300_000)
    north, south = CommunityFactory(), CommunityFactory()
    for _ in range(3):
        _ballot(heading, [a, c], community=north)
    for _ in range(2):
        _ballot(heading, [b], voter_class="interested", community=south)
    return heading, a, b, c


def test_the_task_computes_headings_whose_balloting_ended_once():
    heading, a, b, c = _voted_heading()
    open_heading = heading_in("balloting")
    assert budget_results_due.delay().get() == 1
    result = HeadingResult.objects.get(heading=heading)
    # Greedy by votes: a (3) and c (3) fit in 1,000,000; b (2) no longer fits.
    assert set(result.winner_ids) == {a.pk, c.pk}
    assert result.published_at is not None
    assert result.ballots_count == 5
    assert not HeadingResult.objects.filter(heading=open_heading).exists()
    assert budget_results_due() == 0


def test_the_count_waits_a_little_after_balloting_ends():
    heading, *_ = _voted_heading(phase="balloting")
    ends_at = heading.group.budget.phases.get(kind="balloting").ends_at
    assert services.budget_results_due(now=ends_at + timedelta(minutes=1)) == 0
    assert services.budget_results_due(now=ends_at + timedelta(minutes=3)) == 1


def test_nothing_is_due_while_balloting():
    _voted_heading(phase="balloting")
    assert budget_results_due() == 0


def test_the_results_page_shows_every_project_the_other_rule_and_the_splits(client):
    heading, a, b, c = _voted_heading()
    heading_results_compute(heading=heading)
    response = client.get(reverse("budgets:results", args=[heading.pk]))
    assert response.status_code == 200
    rows = {row["investment"].pk: row for row in response.context["rows"]}
    assert rows[a.pk]["won"] and rows[c.pk]["won"] and not rows[b.pk]["won"]
    assert rows[a.pk]["votes"] == 3 and rows[b.pk]["votes"] == 2
    tables = response.context["tables"]
    assert len(tables["by_class"]["columns"]) == 2
    assert len(tables["by_community"]["columns"]) == 2
    html = response.content.decode()
    assert "ไฟถนน" in html


def test_unpublished_results_are_for_staff_only(client, admin_client):
    heading, *_ = _voted_heading()
    heading_results_compute(heading=heading, publish=False)
    assert client.get(reverse("budgets:results", args=[heading.pk])).status_code == 404
    assert admin_client.get(reverse("budgets:results", args=[heading.pk])).status_code == 200


def test_results_page_query_count(client, django_assert_max_num_queries):
    heading, *_ = _voted_heading()
    heading_results_compute(heading=heading)
    for _ in range(5):
        InvestmentFactory(heading=heading)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("budgets:results", args=[heading.pk])).status_code == 200


def test_pabulib_download_for_a_finished_budget(client):
    heading, a, b, c = _voted_heading(phase="finished")
    heading_results_compute(heading=heading)
    response = client.get(reverse("budgets:pabulib", args=[heading.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "META" in text and "PROJECTS" in text and "VOTES" in text
    # The file is counted once per result: a new ballot shows only after a recount.
    _ballot(heading, [b])
    assert client.get(reverse("budgets:pabulib", args=[heading.pk])).content.decode() == text
    heading_results_compute(heading=heading)
    recounted = client.get(reverse("budgets:pabulib", args=[heading.pk])).content.decode()
    assert "num_votes;6" in recounted and "num_votes;5" in text


def test_no_pabulib_download_before_the_end(client):
    heading, *_ = _voted_heading()
    heading_results_compute(heading=heading)
    assert client.get(reverse("budgets:pabulib", args=[heading.pk])).status_code == 404


def test_admin_action_computes_on_demand(admin_client):
    heading, a, b, c = _voted_heading(phase="balloting")
    response = admin_client.post(
        reverse("admin:budgets_heading_changelist"),
        {"action": "compute_results", "_selected_action": [heading.pk]},
    )
    assert response.status_code == 302
    result = HeadingResult.objects.get(heading=heading)
    assert result.published_at is None
    admin_client.post(
        reverse("admin:budgets_heading_changelist"),
        {"action": "publish_results", "_selected_action": [heading.pk]},
    )
    result.refresh_from_db()
    assert result.published_at is not None


def test_phases_skipped_still_end_balloting():
    heading, *_ = _voted_heading()
    phases_set(heading.group.budget, "after", skip=["reviewing_ballots", "finished"])
    assert services.budget_results_due(now=timezone.now() + timedelta(days=1)) == 1


def test_the_results_page_says_how_many_ballots_fell_short_of_the_minimums(client):
    heading, a, b, c = _voted_heading()
    budget = heading.group.budget
    budget.min_projects = 2
    budget.save()
    heading_results_compute(heading=heading)
    result = HeadingResult.objects.get(heading=heading)
    assert result.ballots_count == 3  # the two one-project ballots for b are not counted
    assert result.data["votes"][str(b.pk)] == 0
    page = client.get(reverse("budgets:results", args=[heading.pk])).text
    assert "2 more ballots were left short of the ballot" in page
