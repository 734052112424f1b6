"""The tally: by the database, per option, class, community and channel, weighted beside plain."""

import datetime

import pytest
from django.utils import timezone

from polls.models import Answer, Ballot, Channel, Option, Question
from polls.selectors import BOOTH_COUNT, poll_tally
from polls.services import (
    ballot_cast,
    booth_ballot_cast,
    booth_totals_enter,
    poll_results_compute,
)
from tests.factories import (
    CensusRecordFactory,
    CitizenFactory,
    CommunityFactory,
    ResidentFactory,
)
from tests.polls.factories import (
    BoothFactory,
    OptionFactory,
    PollFactory,
    QuestionFactory,
    officer,
)

pytestmark = pytest.mark.django_db


def close(poll):
    poll.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    poll.save()


@pytest.fixture
def scene():
    """Two communities; a yes/no question and a pick-two question; weights 2 for citizens."""
    north, south = CommunityFactory(), CommunityFactory()
    poll = PollFactory(weights={"affected_citizen": "2"})
    poll.communities.set([north, south])
    yes_no = QuestionFactory(poll=poll, order=1)
    yes, no = (
        OptionFactory(question=yes_no, title="yes"),
        OptionFactory(question=yes_no, title="no"),
    )
    pick = QuestionFactory(poll=poll, order=2, kind=Question.Kind.MULTIPLE, max_choices=2)
    a, b, c = (OptionFactory(question=pick, title=t) for t in "abc")
    text = QuestionFactory(poll=poll, order=3, kind=Question.Kind.TEXT)
    return locals()


def vote(user, s, answer, picks, text=""):
    ballot_cast(
        user=user,
        poll=s["poll"],
        choices={s["yes_no"].pk: [answer.pk], s["pick"].pk: [o.pk for o in picks]},
        texts={s["text"].pk: text},
    )


def test_tally_counts_weights_classes_communities_channels_and_booth_totals(scene):
    s = scene
    north, south = s["north"], s["south"]
    # North: 3 citizens yes; south: 1 citizen no, 2 residents no.
    for _ in range(3):
        vote(CitizenFactory(residence_community=north), s, s["yes"], [s["a"], s["b"]], "ดี")
    vote(CitizenFactory(residence_community=south), s, s["no"], [s["a"]])
    for _ in range(2):
        vote(ResidentFactory(residence_community=south), s, s["no"], [s["c"]])
    # A booth ballot from the south census, and a hand count of 5 yes / 1 no afterwards.
    person = officer()
    booth = BoothFactory(poll=s["poll"], officers=[person])
    booth_ballot_cast(
        officer=person,
        booth=booth,
        record=CensusRecordFactory(community=south),
        choices={s["yes_no"].pk: [s["no"].pk], s["pick"].pk: [s["b"].pk]},
    )
    close(s["poll"])
    booth_totals_enter(
        officer=person,
        booth=booth,
        paper_ballots=6,
        counts={s["yes"].pk: 5, s["no"].pk: 1},
    )
    # Someone outside the communities in the census does not count as eligible.
    CensusRecordFactory(community=CommunityFactory())
    CensusRecordFactory.create_batch(3, community=north)

    data = poll_tally(s["poll"])

    assert data["ballots"] == 7 and data["voters"] == 7 and data["paper_ballots"] == 6
    # Census of north and south (1 + 3 records) plus the 2 confirmed residents of south.
    assert data["eligible"] == 6
    assert data["turnout_percent"] == pytest.approx(216.7)  # a demo can exceed: hand counts
    # Citizens without a census record (the factory's) still count on the roll of their community.
    assert data["turnout_by_community"] == {
        str(north.pk): {"voters": 3, "eligible": 3, "percent": 100.0},
        str(south.pk): {"voters": 4, "eligible": 3, "percent": 133.3},
    }
    assert data["by_channel"] == {"online": 6, "booth": 1, BOOTH_COUNT: 6}
    assert data["by_class"] == {"affected_citizen": 5, "affected_resident": 2}
    assert data["by_community"] == {str(north.pk): 3, str(south.pk): 4}
    # Weights: citizens 2, residents 1. Ballot weight total = 5 * 2 + 2 * 1.
    assert data["weighted_ballots"] == 12

    yes_no, pick, text = data["questions"]
    yes, no = yes_no["options"]
    assert (yes["votes"], no["votes"]) == (3 + 5, 1 + 2 + 1 + 1)
    assert yes_no["choices"] == 13
    assert yes["percent"] == pytest.approx(61.5) and no["percent"] == pytest.approx(38.5)
    # Weighted: yes = 3 citizens * 2 + 5 booth * 2; no = 1*2 + 2*1 + 1*2 (booth) + 1*2 (count).
    assert (yes["weighted"], no["weighted"]) == (16, 8)
    assert yes["weighted_percent"] == pytest.approx(66.7)
    assert yes["by_class"] == {"affected_citizen": 8}
    assert no["by_class"] == {"affected_citizen": 3, "affected_resident": 2}
    assert yes["by_community"] == {str(north.pk): 3}
    assert no["by_community"] == {str(south.pk): 4}
    assert yes["by_channel"] == {"online": 3, BOOTH_COUNT: 5}
    assert no["by_channel"] == {"online": 3, "booth": 1, BOOTH_COUNT: 1}

    a, b, c = pick["options"]
    assert (a["votes"], b["votes"], c["votes"]) == (4, 4, 2)
    assert pick["choices"] == 10 and a["percent"] == 40.0
    assert text["text_answers"] == 3 and text["options"] == []


def test_unweighted_poll_says_so_and_empty_poll_has_zero_shares():
    poll = PollFactory()
    question = QuestionFactory(poll=poll)
    OptionFactory(question=question)
    data = poll_tally(poll)
    assert data["weighted"] is False
    assert data["ballots"] == 0
    assert data["questions"][0]["options"][0]["percent"] == 0.0


def test_interested_only_poll_has_no_eligible_population():
    assert poll_tally(PollFactory(voter_classes=["interested"]))["eligible"] is None


def test_tally_is_done_by_the_database_in_a_fixed_number_of_queries(scene):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    s = scene
    for _ in range(3):
        vote(CitizenFactory(residence_community=s["north"]), s, s["yes"], [s["a"]])
    with CaptureQueriesContext(connection) as few:
        poll_tally(s["poll"])
    for _ in range(20):
        vote(CitizenFactory(residence_community=s["south"]), s, s["no"], [s["b"], s["c"]])
    with CaptureQueriesContext(connection) as many:
        poll_tally(s["poll"])
    assert len(few) == len(many) <= 20


def test_stored_result_can_be_recomputed(scene):
    s = scene
    vote(CitizenFactory(residence_community=s["north"]), s, s["yes"], [s["a"]])
    first = poll_results_compute(poll=s["poll"])
    vote(CitizenFactory(residence_community=s["north"]), s, s["yes"], [s["a"]])
    second = poll_results_compute(poll=s["poll"])
    assert first.pk == second.pk and second.data["ballots"] == 2


# --- Secrecy --------------------------------------------------------------------------------


def test_answers_and_ballots_hold_nothing_that_leads_to_a_person():
    from django.db import models

    for model in (Ballot, Answer):
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey):
                assert field.related_model.__name__ in {
                    "Poll",
                    "Community",
                    "Ballot",
                    "Question",
                    "Option",
                }, f"{model.__name__}.{field.name} points at {field.related_model}"
            assert not isinstance(field, models.DateField), f"{model.__name__}.{field.name}"
        assert isinstance(model._meta.pk, models.UUIDField)


def test_ballot_keys_are_random_so_their_order_is_not_the_order_of_voting(scene):
    s = scene
    for _ in range(12):
        vote(CitizenFactory(residence_community=s["north"]), s, s["yes"], [s["a"]])
    keys = list(Ballot.objects.values_list("pk", flat=True))
    assert len(keys) == 12 and all(key.version == 4 for key in keys)
    assert all(answer.version == 4 for answer in Answer.objects.values_list("pk", flat=True))


def test_booth_votes_of_people_without_accounts_are_affected_citizens():
    poll = PollFactory()
    question = QuestionFactory(poll=poll)
    option = OptionFactory(question=question)
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    record = CensusRecordFactory()
    booth_ballot_cast(
        officer=person, booth=booth, record=record, choices={question.pk: [option.pk]}
    )
    ballot = Ballot.objects.get()
    assert ballot.channel == Channel.BOOTH and ballot.voter_class == "affected_citizen"
    assert ballot.community_id == record.community_id
    assert Option.objects.count() == 1


def test_result_view_gives_each_option_its_share_within_each_class(scene):
    from polls.selectors import result_view

    s = scene
    for _ in range(3):
        vote(CitizenFactory(residence_community=s["north"]), s, s["yes"], [s["a"]])
    vote(CitizenFactory(residence_community=s["north"]), s, s["no"], [s["a"]])
    vote(ResidentFactory(residence_community=s["south"]), s, s["no"], [s["b"]])
    view = result_view(poll_results_compute(poll=s["poll"]))
    yes, no = view["questions"][0]["options"]
    # Columns: affected citizen, affected resident.
    assert [c["count"] for c in yes["class_cells"]] == [3, 0]
    assert [c["percent"] for c in yes["class_cells"]] == [75.0, 0.0]
    assert [c["percent"] for c in no["class_cells"]] == [25.0, 100.0]
    assert yes["bar_width"] > no["bar_width"] > 0
