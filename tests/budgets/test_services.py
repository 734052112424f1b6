"""Ballot rules for each style, built in sealed envelopes; supports, valuation, booths."""

from decimal import Decimal

import pytest
from django.core import mail

from budgets.models import Ballot, Channel, Envelope, Feasibility, Investment, RollEntry
from budgets.services import (
    ballot_line_add,
    ballot_line_move,
    ballot_line_points_set,
    ballot_line_remove,
    ballot_state,
    booth_count_confirm_by,
    booth_paper_ballot_enter,
    booth_roll_mark,
    heading_results_compute,
    investment_create,
    investment_valuate,
    support_add,
    support_withdraw,
)
from participation.models import Notification
from participation.secrecy import unseal
from participation.services import NotAllowed
from tests.budgets.factories import (
    HeadingFactory,
    InvestmentFactory,
    booth_of,
    close,
    heading_in,
    poll_officer,
)
from tests.factories import CensusRecordFactory, CitizenFactory, UserFactory, national_id

pytestmark = pytest.mark.django_db


_serial = iter(range(500_000, 600_000))


def _record(**fields):
    """A census record and the national ID it was made from."""
    nid = national_id(next(_serial))
    return CensusRecordFactory(national_id=nid, **fields), nid


def _projects(heading, *prices):
    return [InvestmentFactory(heading=heading, price=price) for price in prices]


def _entry(user, heading):
    return RollEntry.objects.filter(user=user, heading=heading).first()


def _lines(user, heading):
    """The lines of the person's ballot as its envelope holds them, in ballot order."""
    state = ballot_state(heading, _entry(user, heading))
    return [(line.investment_id, line.points, line.rank) for line in state.lines]


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
        state = ballot_state(heading, _entry(voter, heading))
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
        assert RollEntry.objects.filter(user=voter).count() == 2

    def test_max_projects_and_minimums(self):
        heading = heading_in(
            "balloting", max_projects=2, min_projects=2, min_spent_share=Decimal("0.5")
        )
        a, b, c = _projects(heading, 100_000, 100_000, 100_000)
        voter = CitizenFactory()
        state = ballot_line_add(user=voter, heading=heading, investment_id=a.pk)
        problems = " ".join(state.problems())
        assert "at least 2 projects" in problems and "at least 50%" in problems
        ballot_line_add(user=voter, heading=heading, investment_id=b.pk)
        with pytest.raises(NotAllowed, match="at most 2 projects"):
            ballot_line_add(user=voter, heading=heading, investment_id=c.pk)
        state = ballot_state(heading, _entry(voter, heading))
        assert [p for p in state.problems() if "projects" in p] == []

    def test_no_ballot_outside_the_balloting_phase(self):
        heading = heading_in("reviewing_ballots")
        (a,) = _projects(heading, 10)
        with pytest.raises(NotAllowed, match="not open"):
            ballot_line_add(user=CitizenFactory(), heading=heading, investment_id=a.pk)

    def test_the_roll_names_the_person_and_the_envelope_keeps_the_ballot(self):
        heading = heading_in("balloting", class_weights={"affected_citizen": 2})
        voter = CitizenFactory()
        record, _nid = _record(user=voter, community=voter.residence_community)
        (project,) = _projects(heading, 1)
        state = ballot_line_add(user=voter, heading=heading, investment_id=project.pk)
        entry = state.entry
        assert (entry.user, entry.census_record, entry.channel) == (voter, record, Channel.ONLINE)
        assert entry.community_id == voter.residence_community_id
        assert entry.booth is None and entry.officer is None
        payload = unseal(Envelope.objects.get(pk=entry.pk).sealed, context=f"heading:{heading.pk}")
        assert payload == {
            "class": "affected_citizen",
            "community": voter.residence_community_id,
            "weight": "2.0000",
            "lines": [[project.pk, 1, None]],
        }
        # Nothing is in the box while balloting is open.
        assert not Ballot.objects.exists()

    def test_an_envelope_opened_for_another_heading_does_not_open(self):
        from participation.secrecy import EnvelopeBroken

        heading = heading_in("balloting")
        voter = CitizenFactory()
        state = ballot_line_add(
            user=voter, heading=heading, investment_id=_projects(heading, 1)[0].pk
        )
        with pytest.raises(EnvelopeBroken):
            unseal(Envelope.objects.get(pk=state.entry.pk).sealed, context="heading:0")

    def test_every_envelope_of_a_heading_has_the_same_size(self):
        heading = heading_in("balloting", ballot_style="approval")
        projects = _projects(heading, *[1] * 12)
        small, full = CitizenFactory(), CitizenFactory()
        ballot_line_add(user=small, heading=heading, investment_id=projects[0].pk)
        for project in projects:
            ballot_line_add(user=full, heading=heading, investment_id=project.pk)
        sizes = {len(bytes(e.sealed)) for e in Envelope.objects.all()}
        assert len(sizes) == 1
        # Changing a ballot changes what is inside, never its size.
        before = bytes(Envelope.objects.get(pk=_entry(full, heading).pk).sealed)
        ballot_line_remove(user=full, heading=heading, investment_id=projects[3].pk)
        after = bytes(Envelope.objects.get(pk=_entry(full, heading).pk).sealed)
        assert before != after and len(before) == len(after)

    def test_removing_the_last_project_takes_the_person_off_the_roll(self):
        heading = heading_in("balloting")
        (a,) = _projects(heading, 10)
        voter = CitizenFactory()
        ballot_line_add(user=voter, heading=heading, investment_id=a.pk)
        assert RollEntry.objects.filter(user=voter).exists() and Envelope.objects.exists()
        state = ballot_line_remove(user=voter, heading=heading, investment_id=a.pk)
        assert state.entry is None and state.lines == []
        assert not RollEntry.objects.filter(user=voter).exists()
        assert not Envelope.objects.exists()


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
        assert _lines(voter, heading) == [(a.pk, 3, 1), (c.pk, 2, 2), (b.pk, 1, 3)]
        ballot_line_move(user=voter, heading=heading, investment_id=a.pk, up=True)  # first
        assert _lines(voter, heading)[0] == (a.pk, 3, 1)
        ballot_line_remove(user=voter, heading=heading, investment_id=a.pk)
        assert _lines(voter, heading) == [(c.pk, 3, 1), (b.pk, 2, 2)]


class TestBooth:
    """Officers mark the roll during balloting; after it they enter the paper ballots."""

    def test_marking_after_an_online_ballot_is_refused(self):
        heading = heading_in("balloting")
        (a,) = _projects(heading, 10)
        voter = CitizenFactory()
        record, nid = _record(user=voter)
        ballot_line_add(user=voter, heading=heading, investment_id=a.pk)
        booth = booth_of(heading.group.budget)
        with pytest.raises(NotAllowed, match="already voted online"):
            booth_roll_mark(
                officer=booth.officers.get(), booth=booth, heading=heading, national_id=nid
            )

    def test_online_is_refused_after_marking_at_a_booth(self):
        heading = heading_in("balloting")
        (a,) = _projects(heading, 10)
        voter = CitizenFactory()
        record, nid = _record(user=voter)
        booth = booth_of(heading.group.budget)
        officer = booth.officers.get()
        entry = booth_roll_mark(officer=officer, booth=booth, heading=heading, national_id=nid)
        assert (entry.channel, entry.booth, entry.officer) == (Channel.BOOTH, booth, officer)
        assert (entry.user, entry.census_record) == (voter, record)
        with pytest.raises(NotAllowed, match="on paper"):
            ballot_line_add(user=voter, heading=heading, investment_id=a.pk)
        # Marking records no choice: nothing in the box, no envelope.
        assert not Ballot.objects.exists() and not Envelope.objects.exists()

    def test_a_person_without_an_account_is_marked_once(self):
        heading = heading_in("balloting")
        record, nid = _record()
        booth = booth_of(heading.group.budget)
        other = booth_of(heading.group.budget, name="อีกหน่วย")
        booth_roll_mark(officer=booth.officers.get(), booth=booth, heading=heading, national_id=nid)
        with pytest.raises(NotAllowed, match="already voted at a booth"):
            booth_roll_mark(
                officer=other.officers.get(), booth=other, heading=heading, national_id=nid
            )

    def test_marking_keeps_the_group_limit_the_class_and_the_community(self):
        heading = heading_in("balloting")
        other = HeadingFactory(group=heading.group, title="ชุมชนหนองมน")
        booth = booth_of(heading.group.budget)
        officer = booth.officers.get()
        record, nid = _record()
        booth_roll_mark(officer=officer, booth=booth, heading=other, national_id=nid)
        with pytest.raises(NotAllowed, match="already voted in heading ชุมชนหนองมน"):
            booth_roll_mark(officer=officer, booth=booth, heading=heading, national_id=nid)
        community_heading = HeadingFactory(
            group=HeadingFactory(group__budget=heading.group.budget).group,
            community=CitizenFactory().residence_community,
        )
        _other_record, other_nid = _record()
        with pytest.raises(NotAllowed, match="not registered in the community"):
            booth_roll_mark(
                officer=officer, booth=booth, heading=community_heading, national_id=other_nid
            )
        residents_only = heading_in("balloting", voter_classes=["affected_resident"])
        residents_booth = booth_of(residents_only.group.budget, officer)
        with pytest.raises(NotAllowed, match="cannot vote in this budget"):
            booth_roll_mark(
                officer=officer, booth=residents_booth, heading=residents_only, national_id=nid
            )

    def test_unknown_national_id_and_who_may_mark(self):
        heading = heading_in("balloting")
        booth = booth_of(heading.group.budget)
        with pytest.raises(NotAllowed, match="house register"):
            booth_roll_mark(
                officer=booth.officers.get(),
                booth=booth,
                heading=heading,
                national_id=national_id(999_999),
            )
        _record_, nid = _record()
        # A poll officer who does not serve this booth, and a heading of another budget.
        with pytest.raises(NotAllowed, match="officers of this booth"):
            booth_roll_mark(officer=poll_officer(), booth=booth, heading=heading, national_id=nid)
        with pytest.raises(NotAllowed, match="not in the budget of this booth"):
            booth_roll_mark(
                officer=booth.officers.get(),
                booth=booth,
                heading=heading_in("balloting"),
                national_id=nid,
            )
        assert not RollEntry.objects.exists()

    def _marked(self, heading, booth, count):
        for _n in range(count):
            _r, nid = _record()
            booth_roll_mark(
                officer=booth.officers.first(), booth=booth, heading=heading, national_id=nid
            )

    def test_paper_ballots_are_entered_after_balloting_without_identity(self):
        heading = heading_in("balloting", class_weights={"affected_citizen": 2})
        a, b = _projects(heading, 600_000, 300_000)
        booth = booth_of(heading.group.budget)
        officer = booth.officers.get()
        self._marked(heading, booth, 2)
        with pytest.raises(NotAllowed, match="after balloting ends"):
            booth_paper_ballot_enter(
                officer=officer, booth=booth, heading=heading, investment_ids=[a.pk]
            )
        heading = close(heading)
        ballot = booth_paper_ballot_enter(
            officer=officer, booth=booth, heading=heading, investment_ids=[a.pk, b.pk]
        )
        assert (ballot.channel, ballot.booth, ballot.voter_class) == (
            Channel.BOOTH,
            booth,
            "affected_citizen",
        )
        assert ballot.community is None and ballot.weight == 2
        assert sorted(ballot.lines.values_list("investment_id", flat=True)) == [a.pk, b.pk]
        assert list(booth.counted_by.all()) == [officer]
        # The rules of the ballot, line by line, as on the ballot page.
        with pytest.raises(NotAllowed, match="does not fit"):
            booth_paper_ballot_enter(
                officer=officer,
                booth=booth,
                heading=heading,
                investment_ids=[a.pk, b.pk, a.pk]
                + [InvestmentFactory(heading=heading, price=600_000).pk],
            )
        with pytest.raises(NotAllowed, match="at least one project"):
            booth_paper_ballot_enter(
                officer=officer, booth=booth, heading=heading, investment_ids=[]
            )
        booth_paper_ballot_enter(
            officer=officer, booth=booth, heading=heading, investment_ids=[b.pk]
        )
        # Never more ballots than people marked at the booth for the heading.
        with pytest.raises(NotAllowed, match="All 2 people marked"):
            booth_paper_ballot_enter(
                officer=officer, booth=booth, heading=heading, investment_ids=[b.pk]
            )
        assert Ballot.objects.filter(booth=booth).count() == 2

    def test_a_second_officer_confirms_and_a_new_entry_clears_it(self):
        heading = heading_in("balloting")
        (a,) = _projects(heading, 10)
        first, second = poll_officer(), poll_officer()
        booth = booth_of(heading.group.budget, first, second)
        self._marked(heading, booth, 2)
        heading = close(heading)
        with pytest.raises(NotAllowed, match="No paper ballots"):
            booth_count_confirm_by(officer=second, booth=booth)
        booth_paper_ballot_enter(officer=first, booth=booth, heading=heading, investment_ids=[a.pk])
        with pytest.raises(NotAllowed, match="another officer"):
            booth_count_confirm_by(officer=first, booth=booth)
        with pytest.raises(NotAllowed, match="officers of this booth"):
            booth_count_confirm_by(officer=poll_officer(), booth=booth)
        booth = booth_count_confirm_by(officer=second, booth=booth)
        assert booth.count_confirmed and booth.count_confirmed_by == second
        booth_paper_ballot_enter(officer=first, booth=booth, heading=heading, investment_ids=[a.pk])
        booth.refresh_from_db()
        assert not booth.count_confirmed

    def test_a_paper_ballot_short_of_the_minimums_is_kept_but_not_counted(self):
        heading = heading_in("balloting", min_projects=2)
        a, b = _projects(heading, 10, 10)
        booth = booth_of(heading.group.budget)
        self._marked(heading, booth, 2)
        heading = close(heading)
        officer = booth.officers.get()
        booth_paper_ballot_enter(
            officer=officer, booth=booth, heading=heading, investment_ids=[a.pk]
        )
        booth_paper_ballot_enter(
            officer=officer, booth=booth, heading=heading, investment_ids=[a.pk, b.pk]
        )
        result = heading_results_compute(heading=heading, publish=False)
        assert (result.ballots_count, result.data["ballots_not_counted"]) == (1, 1)

    def test_no_paper_ballot_once_the_results_are_published(self):
        heading = heading_in("balloting")
        (a,) = _projects(heading, 10)
        booth = booth_of(heading.group.budget)
        heading = close(heading)
        heading_results_compute(heading=heading)  # nobody marked: published at once
        with pytest.raises(NotAllowed, match="published"):
            booth_paper_ballot_enter(
                officer=booth.officers.get(), booth=booth, heading=heading, investment_ids=[a.pk]
            )


class TestClose:
    """The count opens the envelopes into the box, once, in one transaction."""

    def test_the_count_is_refused_while_balloting_is_open(self):
        heading = heading_in("balloting")
        voter = CitizenFactory()
        ballot_line_add(user=voter, heading=heading, investment_id=_projects(heading, 1)[0].pk)
        with pytest.raises(NotAllowed, match="stay sealed"):
            heading_results_compute(heading=heading)
        assert Envelope.objects.count() == 1 and not Ballot.objects.exists()

    def test_the_envelopes_go_into_the_box_without_their_people(self):
        heading = heading_in("balloting", class_weights={"interested": 0.5})
        a, b = _projects(heading, 10, 20)
        citizen, resident = CitizenFactory(), CitizenFactory()
        ballot_line_add(user=citizen, heading=heading, investment_id=a.pk)
        ballot_line_add(user=resident, heading=heading, investment_id=a.pk)
        ballot_line_add(user=resident, heading=heading, investment_id=b.pk)
        heading = close(heading)
        result = heading_results_compute(heading=heading)
        assert not Envelope.objects.exists()
        assert RollEntry.objects.filter(heading=heading).count() == 2  # the roll stays
        ballots = list(Ballot.objects.filter(heading=heading).prefetch_related("lines"))
        assert sorted(len(b.lines.all()) for b in ballots) == [1, 2]
        assert {b.community_id for b in ballots} == {
            citizen.residence_community_id,
            resident.residence_community_id,
        }
        assert {(b.channel, b.voter_class, b.weight) for b in ballots} == {
            (Channel.ONLINE, "affected_citizen", Decimal(1))
        }
        assert result.data["votes"] == {str(a.pk): 2, str(b.pk): 1}
        # Counting again opens nothing twice.
        heading_results_compute(heading=heading)
        assert Ballot.objects.filter(heading=heading).count() == 2

    def test_an_envelope_that_does_not_open_stops_the_count(self):
        from participation.secrecy import EnvelopeBroken

        heading = heading_in("balloting")
        voter = CitizenFactory()
        ballot_line_add(user=voter, heading=heading, investment_id=_projects(heading, 1)[0].pk)
        other = CitizenFactory()
        ballot_line_add(user=other, heading=heading, investment_id=_projects(heading, 1)[0].pk)
        Envelope.objects.filter(roll_entry__user=other).update(sealed=b"\x01" + bytes(300))
        heading = close(heading)
        with pytest.raises(EnvelopeBroken):
            heading_results_compute(heading=heading)
        # Nothing was opened or lost: the transaction rolled back.
        assert Envelope.objects.count() == 2 and not Ballot.objects.exists()


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


def test_one_roll_entry_per_person_and_heading_in_the_database():
    from django.db import IntegrityError, transaction

    from budgets.models import BallotLine

    heading = heading_in("balloting")
    (a,) = _projects(heading, 10)
    voter = CitizenFactory()
    record, _nid = _record(user=voter)
    ballot_line_add(user=voter, heading=heading, investment_id=a.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        RollEntry.objects.create(heading=heading, user=voter, channel=Channel.ONLINE)
    with pytest.raises(IntegrityError), transaction.atomic():
        RollEntry.objects.create(heading=heading, census_record=record, channel=Channel.ONLINE)
    with pytest.raises(IntegrityError), transaction.atomic():
        RollEntry.objects.create(heading=heading, channel=Channel.ONLINE)  # names no one
    with pytest.raises(IntegrityError), transaction.atomic():
        RollEntry.objects.create(heading=heading, user=CitizenFactory(), channel=Channel.BOOTH)
    ballot = Ballot.objects.create(heading=heading)
    BallotLine.objects.create(ballot=ballot, investment=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotLine.objects.create(ballot=ballot, investment=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(heading=heading, channel=Channel.BOOTH)  # a paper ballot, no booth
