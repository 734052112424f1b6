"""Ballot rules for each style, supports, valuation, booth ballots, results."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from accounts.roles import POLL_OFFICER
from budgets.models import Ballot, BallotLine, Channel, Feasibility, Investment
from budgets.services import (
    ballot_line_add,
    ballot_line_move,
    ballot_line_points_set,
    ballot_line_remove,
    ballot_state,
    booth_ballot_record,
    investment_create,
    investment_valuate,
    support_add,
    support_withdraw,
)
from participation.models import Notification
from participation.services import NotAllowed
from tests.budgets.factories import HeadingFactory, InvestmentFactory, heading_in
from tests.factories import CensusRecordFactory, CitizenFactory, UserFactory, national_id

pytestmark = pytest.mark.django_db


_serial = iter(range(500_000, 600_000))


def _record(**fields):
    """A census record and the national ID it was made from."""
    nid = national_id(next(_serial))
    return CensusRecordFactory(national_id=nid, **fields), nid


def _projects(heading, *prices):
    return [InvestmentFactory(heading=heading, price=price) for price in prices]


def _lines(user, heading):
    ballot = Ballot.objects.get(user=user, heading=heading)
    return [(line.investment_id, line.points, line.rank) for line in ballot.lines.order_by("id")]


class TestKnapsack:
    def test_projects_fit_until_the_money_runs_out(self):
        heading = heading_in("balloting")
        a, b, c = _projects(heading, 600_000, 300_000, 200_000)
        voter = CitizenFactory()
        ballot_line_add(user=voter, heading=heading, investment_id=a.pk)
        ballot_line_add(user=voter, heading=heading, investment_id=b.pk)
        with pytest.raises(NotAllowed, match="does not fit.*100,000"):
            ballot_line_add(user=voter, heading=heading, investment_id=c.pk)
        ballot_line_remove(user=voter, heading=heading, investment_id=b.pk)
        ballot_line_add(user=voter, heading=heading, investment_id=c.pk)
        assert sorted(i for i, _p, _r in _lines(voter, heading)) == sorted([a.pk, c.pk])
        state = ballot_state(heading, Ballot.objects.get(user=voter))
        assert state.money_left == 200_000

    def test_a_project_of_another_heading_is_refused_by_name(self):
        heading = heading_in("balloting")
        other = HeadingFactory(group=heading.group, title="ชุมชนบ้านเก่า")
        project = InvestmentFactory(heading=other)
        with pytest.raises(NotAllowed, match="ชุมชนบ้านเก่า"):
            ballot_line_add(user=CitizenFactory(), heading=heading, investment_id=project.pk)

    def test_a_project_not_on_the_ballot_is_refused(self):
        heading = heading_in("balloting")
        project = InvestmentFactory(heading=heading, selected_for_ballot=False)
        with pytest.raises(NotAllowed, match="not on the ballot"):
            ballot_line_add(user=CitizenFactory(), heading=heading, investment_id=project.pk)

    def test_twice_the_same_project_is_refused(self):
        heading = heading_in("balloting")
        (a,) = _projects(heading, 10)
        voter = CitizenFactory()
        ballot_line_add(user=voter, heading=heading, investment_id=a.pk)
        with pytest.raises(NotAllowed, match="already on your ballot"):
            ballot_line_add(user=voter, heading=heading, investment_id=a.pk)

    def test_group_allows_one_heading(self):
        heading = heading_in("balloting")
        other = HeadingFactory(group=heading.group, title="ชุมชนหนองมน")
        (a,) = _projects(heading, 10)
        (b,) = _projects(other, 10)
        voter = CitizenFactory()
        ballot_line_add(user=voter, heading=other, investment_id=b.pk)
        with pytest.raises(NotAllowed, match="already voted in heading ชุมชนหนองมน"):
            ballot_line_add(user=voter, heading=heading, investment_id=a.pk)
        # Emptying the other ballot frees the person to vote here instead.
        ballot_line_remove(user=voter, heading=other, investment_id=b.pk)
        ballot_line_add(user=voter, heading=heading, investment_id=a.pk)

    def test_a_group_may_allow_more_headings(self):
        heading = heading_in("balloting")
        heading.group.max_headings_per_voter = 2
        heading.group.save()
        other = HeadingFactory(group=heading.group)
        voter = CitizenFactory()
        ballot_line_add(user=voter, heading=other, investment_id=_projects(other, 10)[0].pk)
        ballot_line_add(user=voter, heading=heading, investment_id=_projects(heading, 10)[0].pk)
        assert Ballot.objects.filter(user=voter).count() == 2

    def test_max_projects_and_minimums(self):
        heading = heading_in(
            "balloting", max_projects=2, min_projects=2, min_spent_share=Decimal("0.5")
        )
        a, b, c = _projects(heading, 100_000, 100_000, 100_000)
        voter = CitizenFactory()
        ballot_line_add(user=voter, heading=heading, investment_id=a.pk)
        state = ballot_state(heading, Ballot.objects.get(user=voter))
        problems = " ".join(state.problems())
        assert "at least 2 projects" in problems and "at least 50%" in problems
        ballot_line_add(user=voter, heading=heading, investment_id=b.pk)
        with pytest.raises(NotAllowed, match="at most 2 projects"):
            ballot_line_add(user=voter, heading=heading, investment_id=c.pk)
        state = ballot_state(heading, Ballot.objects.get(user=voter))
        assert [p for p in state.problems() if "projects" in p] == []

    def test_no_ballot_outside_the_balloting_phase(self):
        heading = heading_in("reviewing_ballots")
        (a,) = _projects(heading, 10)
        with pytest.raises(NotAllowed, match="not open"):
            ballot_line_add(user=CitizenFactory(), heading=heading, investment_id=a.pk)

    def test_the_ballot_keeps_class_community_census_record_and_weight(self):
        heading = heading_in("balloting", class_weights={"affected_citizen": 2})
        voter = CitizenFactory()
        record, _nid = _record(user=voter, community=voter.residence_community)
        ballot = ballot_line_add(
            user=voter, heading=heading, investment_id=_projects(heading, 1)[0].pk
        )
        ballot.refresh_from_db()
        assert ballot.voter_class == "affected_citizen"
        assert ballot.community_id == voter.residence_community_id
        assert ballot.census_record_id == record.pk
        assert ballot.weight == Decimal(2)
        assert ballot.channel == Channel.ONLINE

    def test_removing_the_last_project_removes_the_ballot(self):
        heading = heading_in("balloting")
        (a,) = _projects(heading, 10)
        voter = CitizenFactory()
        ballot_line_add(user=voter, heading=heading, investment_id=a.pk)
        assert ballot_line_remove(user=voter, heading=heading, investment_id=a.pk) is None
        assert not Ballot.objects.filter(user=voter).exists()


class TestApproval:
    def test_up_to_n_projects_whatever_they_cost(self):
        heading = heading_in("balloting", ballot_style="approval", approval_max_projects=2)
        a, b, c = _projects(heading, 900_000, 900_000, 900_000)
        voter = CitizenFactory()
        ballot_line_add(user=voter, heading=heading, investment_id=a.pk)
        ballot_line_add(user=voter, heading=heading, investment_id=b.pk)
        with pytest.raises(NotAllowed, match="at most 2 projects"):
            ballot_line_add(user=voter, heading=heading, investment_id=c.pk)
        assert [p for _i, p, _r in _lines(voter, heading)] == [1, 1]


class TestCumulative:
    def test_points_within_the_total_and_the_per_project_limit(self):
        heading = heading_in(
            "balloting", ballot_style="cumulative", points_total=10, points_max_per_project=6
        )
        a, b, c = _projects(heading, 900_000, 900_000, 900_000)
        voter = CitizenFactory()
        with pytest.raises(NotAllowed, match="at most 6 points"):
            ballot_line_points_set(user=voter, heading=heading, investment_id=a.pk, points=7)
        ballot_line_points_set(user=voter, heading=heading, investment_id=a.pk, points=6)
        with pytest.raises(NotAllowed, match="only 4 points left"):
            ballot_line_points_set(user=voter, heading=heading, investment_id=b.pk, points=5)
        ballot_line_points_set(user=voter, heading=heading, investment_id=b.pk, points=4)
        # Changing a project's points counts its old points as given back.
        ballot_line_points_set(user=voter, heading=heading, investment_id=a.pk, points=2)
        ballot_line_points_set(user=voter, heading=heading, investment_id=c.pk, points=4)
        assert sorted(p for _i, p, _r in _lines(voter, heading)) == [2, 4, 4]
        ballot_line_points_set(user=voter, heading=heading, investment_id=c.pk, points=0)
        assert len(_lines(voter, heading)) == 2


class TestRanked:
    def test_first_choice_scores_k_then_k_minus_one(self):
        heading = heading_in("balloting", ballot_style="ranked", ranked_length=3)
        a, b, c, d = _projects(heading, 1, 1, 1, 1)
        voter = CitizenFactory()
        for project in (a, b, c):
            ballot_line_add(user=voter, heading=heading, investment_id=project.pk)
        assert _lines(voter, heading) == [(a.pk, 3, 1), (b.pk, 2, 2), (c.pk, 1, 3)]
        with pytest.raises(NotAllowed, match="at most 3 projects"):
            ballot_line_add(user=voter, heading=heading, investment_id=d.pk)
        ballot_line_move(user=voter, heading=heading, investment_id=c.pk, up=True)
        assert _lines(voter, heading) == [(a.pk, 3, 1), (b.pk, 1, 3), (c.pk, 2, 2)]
        ballot_line_remove(user=voter, heading=heading, investment_id=a.pk)
        lines = sorted(_lines(voter, heading), key=lambda line: line[2])
        assert lines == [(c.pk, 3, 1), (b.pk, 2, 2)]


class TestBooth:
    def _officer(self):
        officer = UserFactory(is_staff=True)
        officer.groups.add(Group.objects.get_or_create(name=POLL_OFFICER)[0])
        return officer

    def test_a_booth_ballot_is_refused_after_an_online_one(self):
        heading = heading_in("balloting")
        (a,) = _projects(heading, 10)
        voter = CitizenFactory()
        record, nid = _record(user=voter)
        ballot_line_add(user=voter, heading=heading, investment_id=a.pk)
        with pytest.raises(NotAllowed, match="already voted online"):
            booth_ballot_record(
                officer=self._officer(),
                heading=heading,
                national_id=nid,
                investment_ids=[a.pk],
            )

    def test_online_is_refused_after_a_booth_ballot(self):
        heading = heading_in("balloting")
        a, b = _projects(heading, 10, 10)
        voter = CitizenFactory()
        record, nid = _record(user=voter)
        ballot = booth_ballot_record(
            officer=self._officer(),
            heading=heading,
            national_id=nid,
            investment_ids=[a.pk, b.pk],
        )
        assert ballot.channel == Channel.BOOTH and ballot.lines.count() == 2
        with pytest.raises(NotAllowed, match="on paper"):
            ballot_line_add(user=voter, heading=heading, investment_id=a.pk)

    def test_a_person_without_an_account_votes_once_at_the_booth(self):
        heading = heading_in("balloting")
        (a,) = _projects(heading, 10)
        record, nid = _record()
        booth_ballot_record(
            officer=self._officer(),
            heading=heading,
            national_id=nid,
            investment_ids=[a.pk],
        )
        with pytest.raises(NotAllowed, match="already voted at a booth"):
            booth_ballot_record(
                officer=self._officer(),
                heading=heading,
                national_id=nid,
                investment_ids=[a.pk],
            )

    def test_a_paper_ballot_keeps_the_rules(self):
        heading = heading_in("balloting")
        a, b = _projects(heading, 600_000, 600_000)
        record, nid = _record()
        with pytest.raises(NotAllowed, match="does not fit"):
            booth_ballot_record(
                officer=self._officer(),
                heading=heading,
                national_id=nid,
                investment_ids=[a.pk, b.pk],
            )
        assert not Ballot.objects.exists()

    def test_unknown_national_id(self):
        heading = heading_in("balloting")
        with pytest.raises(NotAllowed, match="house register"):
            booth_ballot_record(
                officer=self._officer(),
                heading=heading,
                national_id=national_id(999_999),
                investment_ids=[],
            )


class TestProjects:
    def test_a_verified_person_proposes_while_accepting(self):
        heading = heading_in("accepting")
        investment = investment_create(
            author=CitizenFactory(),
            heading=heading,
            title="ลานกีฬาชุมชน",
            description="<p>ok</p><script>x</script>",
            estimated_cost=50_000,
        )
        assert investment.description == "<p>ok</p>"
        assert investment.feasibility == Feasibility.UNDECIDED

    def test_unfeasible_tells_the_author_once(self):
        investment = InvestmentFactory(
            heading=HeadingFactory(), feasibility=Feasibility.UNDECIDED, price=None
        )
        staff = UserFactory(is_staff=True, is_superuser=True)
        for _ in range(2):
            investment_valuate(
                user=staff,
                investment=investment,
                feasibility=Feasibility.UNFEASIBLE,
                unfeasibility_reason="ที่ดินเป็นของกรมเจ้าท่า",
            )
        assert len(mail.outbox) == 1
        assert "ที่ดินเป็นของกรมเจ้าท่า" in mail.outbox[0].body
        notice = Notification.objects.get(user=investment.author)
        assert (notice.kind, notice.subject) == (Notification.Kind.UNFEASIBLE, investment)
        investment.refresh_from_db()
        assert not investment.selected_for_ballot

    def test_a_project_valuated_back_to_undecided_leaves_the_ballot(self):
        investment = InvestmentFactory(
            heading=HeadingFactory(), feasibility=Feasibility.FEASIBLE, price=10_000
        )
        assert investment.selected_for_ballot
        staff = UserFactory(is_staff=True, is_superuser=True)
        investment_valuate(
            user=staff, investment=investment, feasibility=Feasibility.UNDECIDED, price=None
        )
        investment.refresh_from_db()
        assert not investment.selected_for_ballot

    def test_unfeasible_needs_a_reason_and_outside_an_agency(self):
        investment = InvestmentFactory(heading=HeadingFactory())
        staff = UserFactory(is_staff=True, is_superuser=True)
        with pytest.raises(NotAllowed, match="why"):
            investment_valuate(
                user=staff, investment=investment, feasibility="unfeasible", unfeasibility_reason=""
            )
        with pytest.raises(NotAllowed, match="agency"):
            investment_valuate(
                user=staff,
                investment=investment,
                feasibility="feasible",
                price=5,
                competence="outside",
                responsible_agency="",
            )

    def test_support_once_in_the_selecting_phase(self):
        investment = InvestmentFactory(heading=heading_in("selecting"))
        voter = CitizenFactory()
        support = support_add(user=voter, investment=investment)
        assert support.voter_class == "affected_citizen"
        with pytest.raises(NotAllowed, match="already support"):
            support_add(user=voter, investment=investment)
        assert Investment.objects.get(pk=investment.pk).supports_count == 1
        support_withdraw(user=voter, investment=investment)
        assert Investment.objects.get(pk=investment.pk).supports_count == 0


def test_ballot_lines_are_unique_in_the_database():
    from django.db import IntegrityError, transaction

    heading = heading_in("balloting")
    (a,) = _projects(heading, 10)
    voter = CitizenFactory()
    ballot = ballot_line_add(user=voter, heading=heading, investment_id=a.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotLine.objects.create(ballot=ballot, investment=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(heading=heading, user=voter)
