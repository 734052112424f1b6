"""Successful proposals into later stages: a budget project made by staff, and the links to the
poll or project from the proposal's public page."""

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from budgets.models import Investment, PhaseKind
from budgets.permissions import budget_takes_projects
from budgets.services import investment_from_proposal
from participation.services import NotAllowed
from proposals.models import Proposal
from tests.budgets.factories import (
    BudgetFactory,
    BudgetGroupFactory,
    HeadingFactory,
    heading_in,
    phases_set,
)
from tests.factories import CommunityFactory, ProposalFactory, StrategicIssueFactory, UserFactory
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db

PROPOSALS = "/en/admin/proposals/proposal/?moderation=all"


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; reverse() then gives /en/ paths too."""
    with translation.override("en"):
        yield


def staff(role: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def administrator():
    return staff("administrator")


def successful(**fields) -> Proposal:
    return ProposalFactory(successful_at=timezone.now(), **fields)


# --- The service ---------------------------------------------------------------------------------


def test_a_successful_proposal_becomes_a_project_of_the_heading(administrator):
    heading = heading_in("accepting")
    proposal = successful(
        community=CommunityFactory(),
        strategic_issue=StrategicIssueFactory(),
        description="<p>ทางเดินริมคลอง</p><script>alert(1)</script>",
    )
    investment = investment_from_proposal(proposal=proposal, heading=heading, user=administrator)
    investment.refresh_from_db()
    assert investment.heading == heading
    assert investment.proposal == proposal
    assert investment.title == proposal.title
    assert investment.description == "<p>ทางเดินริมคลอง</p>"
    assert investment.author == proposal.author
    assert investment.community == proposal.community
    assert investment.strategic_issue == proposal.strategic_issue
    # Like any new project: not yet valuated, not on the ballot.
    assert investment.feasibility == "undecided" and not investment.selected_for_ballot
    assert investment.history.get().history_user == administrator
    proposal.refresh_from_db()
    assert proposal.outcome == Proposal.Outcome.INVESTMENT
    assert proposal.investment == investment
    assert proposal.history.first().history_user == administrator


def test_a_proposal_without_a_community_takes_the_heading_s(administrator):
    heading = heading_in("informing")
    heading.community = CommunityFactory()
    heading.save()
    investment = investment_from_proposal(
        proposal=successful(), heading=heading, user=administrator
    )
    assert investment.community == heading.community


def test_a_proposal_that_is_not_successful_is_refused(administrator):
    proposal = ProposalFactory()
    with pytest.raises(NotAllowed, match="Only a successful proposal can become a budget project"):
        investment_from_proposal(
            proposal=proposal, heading=heading_in("accepting"), user=administrator
        )
    assert not Investment.objects.exists()
    proposal.refresh_from_db()
    assert proposal.outcome == Proposal.Outcome.PENDING


def test_a_proposal_becomes_a_project_only_once(administrator):
    heading = heading_in("accepting")
    proposal = successful()
    investment_from_proposal(proposal=proposal, heading=heading, user=administrator)
    for other in (heading, heading_in("accepting")):
        with pytest.raises(NotAllowed, match="already become a budget project"):
            investment_from_proposal(proposal=proposal, heading=other, user=administrator)
    assert Investment.objects.filter(proposal=proposal).count() == 1


def test_the_check_reads_the_locked_row_not_the_caller_s_copy(administrator):
    heading = heading_in("accepting")
    stale = ProposalFactory()  # not successful in this copy...
    Proposal.objects.filter(pk=stale.pk).update(successful_at=timezone.now())
    investment_from_proposal(proposal=stale, heading=heading, user=administrator)
    # ...and a copy read before the first project was made does not make a second one.
    with pytest.raises(NotAllowed, match="already become a budget project"):
        investment_from_proposal(proposal=stale, heading=heading, user=administrator)
    assert Investment.objects.count() == 1


def test_an_outcome_recorded_by_hand_as_a_project_is_refused(administrator):
    proposal = successful(outcome=Proposal.Outcome.INVESTMENT)
    with pytest.raises(NotAllowed, match="already become a budget project"):
        investment_from_proposal(
            proposal=proposal, heading=heading_in("accepting"), user=administrator
        )
    assert not Investment.objects.exists()


def test_a_proposal_that_went_to_a_vote_can_still_become_a_project(administrator):
    proposal = successful(outcome=Proposal.Outcome.POLL)
    investment_from_proposal(proposal=proposal, heading=heading_in("accepting"), user=administrator)
    proposal.refresh_from_db()
    assert proposal.outcome == Proposal.Outcome.INVESTMENT


def test_a_project_that_later_goes_to_a_vote_keeps_its_outcome(administrator):
    from polls.services import poll_from_proposal

    proposal = successful()
    investment_from_proposal(proposal=proposal, heading=heading_in("accepting"), user=administrator)
    poll = poll_from_proposal(proposal=proposal)
    proposal.refresh_from_db()
    assert poll.proposal == proposal
    assert proposal.outcome == Proposal.Outcome.INVESTMENT


@pytest.mark.parametrize("role", ["moderator", "planner"])
def test_staff_who_may_not_write_projects_are_refused(role):
    with pytest.raises(NotAllowed, match="may not turn proposals into budget projects"):
        investment_from_proposal(
            proposal=successful(), heading=heading_in("accepting"), user=staff(role)
        )
    assert not Investment.objects.exists()


@pytest.mark.parametrize(
    ("phase", "takes"),
    [
        (None, True),  # every phase still to come
        (PhaseKind.INFORMING, True),
        (PhaseKind.ACCEPTING, True),
        (PhaseKind.REVIEWING, False),
        (PhaseKind.SELECTING, False),
        (PhaseKind.BALLOTING, False),
        (PhaseKind.FINISHED, False),
        ("after", False),
    ],
)
def test_a_budget_takes_projects_until_its_accepting_phase_ends(phase, takes):
    assert budget_takes_projects(phases_set(BudgetFactory(), phase)) is takes


def test_a_budget_without_phases_takes_projects_and_a_skipped_accepting_phase_does_not_block():
    assert budget_takes_projects(BudgetFactory())
    assert budget_takes_projects(
        phases_set(BudgetFactory(), PhaseKind.INFORMING, skip=["accepting"])
    )
    assert not budget_takes_projects(
        phases_set(BudgetFactory(), PhaseKind.REVIEWING, skip=["accepting"])
    )


def test_a_heading_of_a_budget_past_accepting_is_refused(administrator):
    heading = heading_in("selecting")
    proposal = successful()
    with pytest.raises(NotAllowed, match="no longer takes new projects"):
        investment_from_proposal(proposal=proposal, heading=heading, user=administrator)
    assert not Investment.objects.exists()
    proposal.refresh_from_db()
    assert proposal.outcome == Proposal.Outcome.PENDING


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_staff_turning_one_proposal_at_the_same_instant_make_one_project():
    administrator = staff("administrator")
    heading = heading_in("accepting")
    proposal = successful()
    barrier = threading.Barrier(6)
    made, refused, failed = [], [], []

    def turn():
        barrier.wait()
        try:
            # Each thread has its own active language: English for the messages compared below.
            with translation.override("en"):
                made.append(
                    investment_from_proposal(proposal=proposal, heading=heading, user=administrator)
                )
        except NotAllowed as error:
            refused.append(error.reason)
        except Exception as error:  # pragma: no cover - what the test must not see
            failed.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=turn) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    assert len(made) == 1
    assert refused == ["This proposal has already become a budget project."] * 5
    assert Investment.objects.filter(proposal=proposal).count() == 1


# --- The admin action with its intermediate page -------------------------------------------------


def start(client, *proposals):
    return client.post(
        PROPOSALS,
        {"action": "turn_into_investment", "_selected_action": [p.pk for p in proposals]},
    )


def apply(client, heading, *proposals, follow=True):
    return client.post(
        PROPOSALS,
        {
            "action": "turn_into_investment",
            "_selected_action": [p.pk for p in proposals],
            "heading": heading.pk if heading else "",
            "apply": "Make the projects",
        },
        follow=follow,
    )


def test_the_action_first_asks_for_a_heading_of_a_budget_still_taking_projects(
    client, administrator
):
    client.force_login(administrator)
    accepting = heading_in("accepting", title="Budget accepting")
    informing = heading_in("informing", title="Budget informing")
    unplanned = HeadingFactory(group=BudgetGroupFactory(budget=BudgetFactory(title="No phases")))
    closed = heading_in("balloting", title="Budget balloting")
    proposal = successful()
    not_yet = ProposalFactory()
    response = start(client, proposal, not_yet)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == (
        "admin/proposals/proposal/turn_into_investment.html"
    )
    choices = set(response.context["form"].fields["heading"].queryset)
    assert choices == {accepting, informing, unplanned}
    assert closed not in choices
    body = response.content.decode()
    assert f"Budget accepting · {accepting.group} · {accepting}" in body
    assert "Budget balloting" not in body
    # The page says which of the selection will be refused, and why.
    assert str(proposal) in body and str(not_yet) in body
    assert "Only a successful proposal can become a budget project." in body
    assert body.count('name="_selected_action"') == 2
    assert not Investment.objects.exists()


def test_choosing_the_heading_makes_the_projects_and_reports_the_refused(client, administrator):
    client.force_login(administrator)
    heading = heading_in("accepting")
    first, second = successful(), successful()
    not_yet = ProposalFactory()
    start(client, first, second, not_yet)
    response = apply(client, heading, first, second, not_yet)
    assert response.redirect_chain[-1][1] == 302
    assert response.request["PATH_INFO"] == "/en/admin/proposals/proposal/"
    body = response.content.decode()
    assert f"2 budget projects made in {heading}." in body
    assert f"{not_yet}: Only a successful proposal can become a budget project." in body
    assert set(Investment.objects.values_list("proposal", flat=True)) == {first.pk, second.pk}
    assert set(Investment.objects.values_list("heading", flat=True)) == {heading.pk}
    outcomes = dict(Proposal.objects.values_list("pk", "outcome"))
    assert outcomes == {
        first.pk: Proposal.Outcome.INVESTMENT,
        second.pk: Proposal.Outcome.INVESTMENT,
        not_yet.pk: Proposal.Outcome.PENDING,
    }


def test_a_heading_of_a_closed_budget_is_refused_by_the_form(client, administrator):
    client.force_login(administrator)
    heading_in("accepting")
    closed = heading_in("balloting")
    proposal = successful()
    response = apply(client, closed, proposal, follow=False)
    assert response.status_code == 200
    assert response.context["form"].errors["heading"]
    response = apply(client, None, proposal, follow=False)
    assert response.status_code == 200
    assert response.context["form"].errors["heading"]
    assert not Investment.objects.exists()


def test_without_a_budget_taking_projects_the_action_says_so(client, administrator):
    client.force_login(administrator)
    heading_in("balloting")
    response = start(client, successful())
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "No budget takes projects now" in page


def test_moderators_are_not_offered_the_action_and_cannot_post_it(client):
    client.force_login(staff("moderator"))
    heading = heading_in("accepting")
    proposal = successful()
    assert "turn_into_investment" not in client.get(PROPOSALS).content.decode()
    response = apply(client, heading, proposal)
    assert response.status_code == 200
    assert not Investment.objects.exists()


def test_administrators_are_offered_the_action(client, administrator):
    client.force_login(administrator)
    successful()  # the changelist offers actions only when it lists something
    assert "turn_into_investment" in client.get(PROPOSALS).content.decode()


# --- The proposal's page ------------------------------------------------------------------------


def test_the_page_links_to_the_poll_and_the_project_it_became(client, administrator):
    heading = heading_in("accepting", title="Saensuk budget 2569")
    proposal = successful()
    poll = PollFactory(proposal=proposal, title="Khlong walkway vote")
    investment = investment_from_proposal(proposal=proposal, heading=heading, user=administrator)
    body = client.get(proposal.get_absolute_url()).content.decode()
    assert (
        f'<a href="{poll.get_absolute_url()}">This proposal went to a vote: Khlong walkway vote</a>'
        in body
    )
    assert (
        f'<a href="{investment.get_absolute_url()}">This proposal became a project in '
        "Saensuk budget 2569</a>"
    ) in body
    # And the project page names the proposal it came from.
    project_page = client.get(investment.get_absolute_url()).content.decode()
    assert f'<a href="{proposal.get_absolute_url()}">{proposal.title}</a>' in project_page


def test_the_page_does_not_link_to_a_draft_poll_or_a_hidden_project(client, administrator):
    proposal = successful()
    PollFactory(proposal=proposal, opens_at=None, closes_at=None)
    investment = investment_from_proposal(
        proposal=proposal, heading=heading_in("accepting"), user=administrator
    )
    Investment.objects.filter(pk=investment.pk).update(hidden_at=timezone.now())
    body = client.get(proposal.get_absolute_url()).content.decode()
    assert "went to a vote" not in body
    assert "became a project" not in body
    assert "proposal-next-stages" not in body


def test_a_proposal_that_went_nowhere_shows_no_links(client):
    body = client.get(successful().get_absolute_url()).content.decode()
    assert "proposal-next-stages" not in body


def queries_for(client, url) -> int:
    client.get(url)  # warm per-process caches (content types), the session and tag suggestions
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_page_with_its_links_runs_a_fixed_number_of_queries(client, administrator):
    plain = successful()
    baseline = queries_for(client, plain.get_absolute_url())

    proposal = successful(community=CommunityFactory(), strategic_issue=StrategicIssueFactory())
    url = proposal.get_absolute_url()
    PollFactory(proposal=proposal)
    investment_from_proposal(proposal=proposal, heading=heading_in("accepting"), user=administrator)
    with_links = queries_for(client, url)
    for _ in range(4):
        PollFactory(proposal=proposal)
    assert queries_for(client, url) == with_links
    # The links cost the same two queries whether or not there is anything to link to.
    assert with_links == baseline
    assert client.get(url).content.decode().count("This proposal went to a vote") == 5
