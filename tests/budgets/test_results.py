"""Results: counted when balloting ends (task) or on demand; what the count stores (splits with
small groups merged, reconciliation, turnout, the ballot box file) is all the pages read."""

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from budgets import pabulib, services
from budgets.models import HeadingResult
from budgets.services import ballot_line_add, heading_results_compute, results_publish
from budgets.tasks import budget_results_due
from participation.disclosure import SMALL_GROUPS
from tests.budgets.factories import (
    InvestmentFactory,
    booth_of,
    box_ballot,
    close,
    heading_in,
    phases_set,
    poll_officer,
)
from tests.factories import CensusRecordFactory, CitizenFactory, CommunityFactory, national_id

pytestmark = pytest.mark.django_db


def _ballot(heading, investments, *, voter_class="affected_citizen", **fields):
    return box_ballot(heading, *investments, voter_class=voter_class, **fields)


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


def test_the_count_comes_as_soon_as_balloting_ends():
    heading = heading_in("balloting")
    project = InvestmentFactory(heading=heading)
    ballot_line_add(user=CitizenFactory(), heading=heading, investment_id=project.pk)
    ends_at = heading.group.budget.phases.get(kind="balloting").ends_at
    assert services.budget_results_due(now=ends_at - timedelta(seconds=1)) == 0
    # The share lock, not a delay, keeps the ballots in flight: the count may start at once.
    heading.group.budget.phases.filter(kind="balloting").update(ends_at=timezone.now())
    assert services.budget_results_due() == 1
    assert HeadingResult.objects.get(heading=heading).data["votes"] == {str(project.pk): 1}


def test_nothing_is_due_while_balloting():
    _voted_heading(phase="balloting")
    assert budget_results_due() == 0


def test_the_results_page_shows_every_project_the_other_rule_and_the_splits(client, settings):
    settings.RESULTS_MIN_GROUP = 1
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


def test_the_results_page_reads_only_what_the_count_stored(client, django_assert_max_num_queries):
    heading, *_ = _voted_heading()
    heading_results_compute(heading=heading)
    for _ in range(5):
        InvestmentFactory(heading=heading)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("budgets:results", args=[heading.pk]))
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("budgets:results", args=[heading.pk]))
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "GROUP BY" not in sql
    assert "budgets_ballot" not in sql and "budgets_rollentry" not in sql


def test_the_ballot_box_download_is_the_hashed_file(client):
    heading, a, b, c = _voted_heading(phase="finished")
    heading_results_compute(heading=heading)
    url = reverse("budgets:pabulib", args=[heading.pk])
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "META" in text and "PROJECTS" in text and "VOTES" in text
    result = HeadingResult.objects.get(heading=heading)
    digest = hashlib.sha256(response.content).hexdigest()
    assert digest == result.ballot_box_sha256
    page = client.get(reverse("budgets:results", args=[heading.pk])).text
    assert digest in page and url in page
    # The file is the count's: a new ballot shows only after a recount, which keeps the
    # earlier hash and says so on the page.
    _ballot(heading, [b])
    assert client.get(url).content.decode() == text
    recounted = heading_results_compute(heading=heading)
    again = client.get(url).content.decode()
    assert "num_votes;6" in again and "num_votes;5" in text
    page = client.get(reverse("budgets:results", args=[heading.pk])).text
    assert "Recounts that changed the file" in page
    assert digest in page and recounted.ballot_box_sha256 in page


def test_the_box_is_in_a_canonical_order_with_fresh_voter_ids(settings):
    """The same ballots give the same bytes whatever order they were stored in, and the file
    numbers the ballots 1..n after sorting them by content: no stored id reaches it."""
    texts = []
    for order in ((0, 1, 2, 3), (3, 1, 0, 2)):
        heading = heading_in("finished", ballot_style="approval")
        projects = [InvestmentFactory(heading=heading, price=10) for _ in range(3)]
        choices = [[2], [0, 1], [1, 0, 2], [0]]
        for n in order:
            _ballot(heading, [projects[i] for i in choices[n]])
        result = heading_results_compute(heading=heading)
        ids = {str(p.pk): n for n, p in enumerate(projects)}
        parsed = pabulib.parse(result.ballot_box)
        assert [v.voter_id for v in parsed.votes] == ["1", "2", "3", "4"]
        texts.append([(v.voter_id, [ids[p] for p in v.vote]) for v in parsed.votes])
    assert texts[0] == texts[1] == [("1", [0]), ("2", [0, 1]), ("3", [0, 1, 2]), ("4", [2])]


def test_a_small_weight_group_is_left_blank_in_the_box(settings):
    settings.RESULTS_MIN_GROUP = 3
    heading = heading_in("finished", class_weights={"interested": 0.5, "concerned": 2})
    project = InvestmentFactory(heading=heading, price=10)
    for _ in range(4):
        _ballot(heading, [project])
    for _ in range(3):
        _ballot(heading, [project], voter_class="interested", weight="0.5")
    _ballot(heading, [project], voter_class="concerned", weight=2)
    parsed = pabulib.parse(heading_results_compute(heading=heading).ballot_box)
    weights = sorted(v.fields["weight"] for v in parsed.votes)
    # The lone weight-2 ballot is merged with the next smallest group: both are left blank.
    assert weights == ["", "", "", "", "1", "1", "1", "1"]
    assert "blank where fewer than 3 ballots share a weight" in parsed.meta["comment"]


def test_small_groups_are_merged_in_the_splits(client, settings):
    settings.RESULTS_MIN_GROUP = 5
    heading = heading_in("finished")
    a, b = InvestmentFactory(heading=heading, price=10), InvestmentFactory(heading=heading)
    north, south = CommunityFactory(), CommunityFactory()
    for _n in range(6):
        _ballot(heading, [a], community=north)
    for _n in range(5):
        _ballot(heading, [a, b], voter_class="affected_resident", community=north)
    for _n in range(2):
        _ballot(heading, [b], voter_class="interested", community=south)
    _ballot(heading, [b], voter_class="concerned", community=south)
    result = heading_results_compute(heading=heading)
    by_class = result.data["splits"]["by_class"]
    # 1 concerned + 2 interested are too few: they take in the next smallest group (5).
    assert [(c["key"], c["ballots"]) for c in by_class["columns"]] == [
        ("affected_citizen", 6),
        (SMALL_GROUPS, 8),
    ]
    assert by_class["votes"][str(a.pk)] == [6, 5] and by_class["votes"][str(b.pk)] == [0, 8]
    by_community = result.data["splits"]["by_community"]
    # South's 3 alone would show through (total minus north): north joins the merged column.
    assert [(c["key"], c["ballots"]) for c in by_community["columns"]] == [(SMALL_GROUPS, 14)]
    assert by_community["votes"][str(a.pk)] == [11]
    page = client.get(reverse("budgets:results", args=[heading.pk])).text
    assert "Other groups (each under 5 ballots)" in page
    assert "are merged into one column" in page
    assert result.data["votes"] == {str(a.pk): 11, str(b.pk): 8}  # totals stay exact


def _marked(heading, booth, count, start=0):
    from budgets.services import booth_roll_mark

    for n in range(count):
        nid = national_id(790_000 + start + n)
        CensusRecordFactory(national_id=nid)
        booth_roll_mark(
            officer=booth.officers.first(), booth=booth, heading=heading, national_id=nid
        )


def test_reconciliation_and_publishing_wait_for_the_booths(client):
    from budgets.services import booth_count_confirm_by, booth_paper_ballot_enter

    heading = heading_in("balloting")
    heading.population = 10
    heading.save()
    project = InvestmentFactory(heading=heading)
    for _ in range(3):
        ballot_line_add(user=CitizenFactory(), heading=heading, investment_id=project.pk)
    first, second = poll_officer(), poll_officer()
    booth = booth_of(heading.group.budget, first, second)
    _marked(heading, booth, 2)
    heading = close(heading)
    # The count at the close: not published, the booth has people marked and no confirmation.
    result = heading_results_compute(heading=heading)
    assert result.published_at is None
    assert result.data["reconciliation"] == [
        {"channel": "online", "on_roll": 3, "counted": 3},
        {"channel": "booth", "booth": booth.pk, "name": booth.name, "on_roll": 2, "counted": 0},
    ]
    assert result.data["participation"]["people"] == 5
    published, refused = results_publish(queryset=HeadingResult.objects.filter(pk=result.pk))
    assert published == 0 and "no second officer has confirmed" in refused[0]
    booth_paper_ballot_enter(
        officer=first, booth=booth, heading=heading, investment_ids=[project.pk]
    )
    booth_count_confirm_by(officer=second, booth=booth)
    # Confirmed, but the result predates the paper ballot: count again first.
    published, refused = results_publish(queryset=HeadingResult.objects.filter(pk=result.pk))
    assert published == 0 and "Count again" in refused[0]
    result = heading_results_compute(heading=heading)
    assert result.published_at is not None  # the recount publishes: nothing stands in the way
    page = client.get(reverse("budgets:results", args=[heading.pk]))
    rows = page.context["reconciliation"]
    assert [(r["on_roll"], r["counted"], r["difference"], r["confirmed"]) for r in rows] == [
        (3, 3, 0, None),
        (2, 1, -1, True),
    ]
    assert "Does not match" in page.text and "5 people voted" in page.text
    assert "50.0% of the population" in page.text


def test_admin_action_computes_on_demand(admin_client):
    heading, a, b, c = _voted_heading(phase="balloting")
    response = admin_client.post(
        reverse("admin:budgets_heading_changelist"),
        {"action": "compute_results", "_selected_action": [heading.pk]},
        follow=True,
    )
    assert "stay sealed" in " ".join(str(m) for m in response.context["messages"])
    assert not HeadingResult.objects.filter(heading=heading).exists()
    close(heading)
    admin_client.post(
        reverse("admin:budgets_heading_changelist"),
        {"action": "compute_results", "_selected_action": [heading.pk]},
    )
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
