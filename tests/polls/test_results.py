"""The tally: by the database, per option, class, community and channel, weighted beside plain;
small groups merged before anything is stored; the roll reconciled; the ballot box file."""

import hashlib

import pytest

from participation.disclosure import SMALL_GROUPS
from polls.models import Answer, Ballot, Question
from polls.selectors import BOOTH_COUNT, ballot_box_csv, poll_tally, result_view
from polls.services import (
    ballot_cast,
    booth_ballot_enter,
    booth_confirm,
    booth_totals_enter,
    poll_envelopes_open,
    poll_results_compute,
    poll_results_publish,
)
from tests.factories import CensusRecordFactory, CitizenFactory, CommunityFactory, ResidentFactory
from tests.polls.factories import (
    BoothFactory,
    OptionFactory,
    PollFactory,
    QuestionFactory,
    close,
    mark_at_booth,
    officer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_group(settings):
    """Publish every group, however small, to check the GROUP BYs themselves."""
    settings.RESULTS_MIN_GROUP = 1


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
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person], name="หน่วยเหนือ")
    return locals()


def choices(s, answer, picks):
    return {s["yes_no"].pk: [answer.pk], s["pick"].pk: [o.pk for o in picks]}


def vote(user, s, answer, picks, text=""):
    ballot_cast(
        user=user, poll=s["poll"], choices=choices(s, answer, picks), texts={s["text"].pk: text}
    )


def paper(s, answer, picks, person=None):
    booth_ballot_enter(
        officer=person or s["person"], booth=s["booth"], choices=choices(s, answer, picks)
    )


def test_tally_counts_weights_classes_communities_channels_and_booths(scene, every_group):
    s = scene
    north, south = s["north"], s["south"]
    # North: 3 citizens yes; south: 1 citizen no, 2 residents no.
    for _ in range(3):
        vote(CitizenFactory(residence_community=north), s, s["yes"], [s["a"], s["b"]], "ดี")
    vote(CitizenFactory(residence_community=south), s, s["no"], [s["a"]])
    for _ in range(2):
        vote(ResidentFactory(residence_community=south), s, s["no"], [s["c"]])
    # 7 people of the south census marked at the booth: 1 paper ballot entered, 6 by hand.
    mark_at_booth(s["booth"], 7, community=south)
    close(s["poll"])
    poll_envelopes_open(poll=s["poll"])
    paper(s, s["no"], [s["b"]])
    booth_totals_enter(
        officer=s["person"],
        booth=s["booth"],
        paper_ballots=6,
        counts={s["yes"].pk: 5, s["no"].pk: 1},
    )
    # Someone outside the communities in the census does not count as eligible.
    CensusRecordFactory(community=CommunityFactory())
    CensusRecordFactory.create_batch(3, community=north)

    data = poll_tally(s["poll"])

    assert data["ballots"] == 7 and data["voters"] == 13 and data["paper_ballots"] == 6
    # Census of north and south (3 + 7 records) plus the 2 confirmed residents of south.
    assert data["eligible"] == 12
    # People on the roll, once each: the hand count is not added to them.
    assert data["turnout_percent"] == pytest.approx(108.3)  # citizens without census records
    assert data["turnout_by_community"] == {
        str(north.pk): {"voters": 3, "eligible": 3, "percent": 100.0},
        str(south.pk): {"voters": 10, "eligible": 9, "percent": 111.1},
    }
    assert data["by_channel"] == {"online": 6, "booth": 1, BOOTH_COUNT: 6}
    assert data["by_class"] == {"affected_citizen": 11, "affected_resident": 2}
    # A paper ballot says nothing of its voter's community.
    assert data["by_community"] == {str(north.pk): 3, str(south.pk): 3, "": 1}
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
    assert no["by_community"] == {str(south.pk): 3, "": 1}
    assert yes["by_channel"] == {"online": 3, BOOTH_COUNT: 5}
    assert no["by_channel"] == {"online": 3, "booth": 1, BOOTH_COUNT: 1}

    a, b, c = pick["options"]
    assert (a["votes"], b["votes"], c["votes"]) == (4, 4, 2)
    assert pick["choices"] == 10 and a["percent"] == 40.0
    assert text["text_answers"] == 3 and text["options"] == []

    online, booth = data["reconciliation"]
    assert online == {
        "channel": "online",
        "booth": None,
        "name": "",
        "on_roll": 6,
        "counted": 6,
        "difference": 0,
        "confirmed": None,
    }
    assert (booth["booth"], booth["name"]) == (s["booth"].pk, "หน่วยเหนือ")
    assert (booth["on_roll"], booth["counted"], booth["difference"]) == (7, 7, 0)
    assert booth["confirmed"] is False


def test_reconciliation_flags_a_booth_whose_ballots_fall_short_of_its_roll(scene):
    s = scene
    mark_at_booth(s["booth"], 6, community=s["north"])
    close(s["poll"])
    for _ in range(4):
        paper(s, s["yes"], [s["a"]])
    booth = poll_results_compute(poll=s["poll"]).data["reconciliation"][1]
    assert (booth["on_roll"], booth["counted"], booth["difference"]) == (6, 4, -2)


def published_keys(data) -> dict[str, set]:
    """Every key each split publishes, in the ballots and in any option's votes."""
    keys = {split: set(data[split]) for split in ("by_class", "by_community", "by_channel")}
    for question in data["questions"]:
        for option in question["options"]:
            for split in keys:
                keys[split] |= set(option[split])
    return keys


def test_a_small_group_never_appears_in_the_stored_result(scene, settings):
    """A lone resident among citizens: their class would show how they voted. It is merged,
    in the ballots and in every option's votes, and the totals stay exact."""
    settings.RESULTS_MIN_GROUP = 5
    s = scene
    for _ in range(6):
        vote(CitizenFactory(residence_community=s["north"]), s, s["no"], [s["a"]])
    for _ in range(5):
        vote(CitizenFactory(residence_community=s["south"]), s, s["no"], [s["b"]])
    vote(ResidentFactory(residence_community=s["south"]), s, s["yes"], [s["c"]])
    close(s["poll"])
    data = poll_results_compute(poll=s["poll"]).data
    assert data["min_group"] == 5
    keys = published_keys(data)
    assert "affected_resident" not in keys["by_class"]
    # Merging the lone resident with the citizens leaves one column: the total.
    assert data["by_class"] == {SMALL_GROUPS: 12}
    yes, no = data["questions"][0]["options"]
    assert yes["by_class"] == {SMALL_GROUPS: 1} and no["by_class"] == {SMALL_GROUPS: 11}
    # Communities of 6 and 6 ballots are published; the channel has one group of 12.
    assert data["by_community"] == {str(s["north"].pk): 6, str(s["south"].pk): 6}
    assert data["by_channel"] == {"online": 12}
    sizes = {
        split: {key: n for key, n in data[split].items()}
        for split in ("by_class", "by_community", "by_channel")
    }
    for split, published in keys.items():
        for key in published:
            assert key == SMALL_GROUPS or sizes[split][key] >= 5, (split, key)
    # Totals stay exact.
    assert data["ballots"] == 12 and (yes["votes"], no["votes"]) == (1, 11)


def test_small_groups_merge_into_one_column_that_is_itself_large_enough(scene, settings):
    """Online 10, paper ballots entered 2, counted by hand 3: the two booth groups together
    make a column of 5."""
    settings.RESULTS_MIN_GROUP = 5
    s = scene
    for _ in range(10):
        vote(CitizenFactory(residence_community=s["north"]), s, s["yes"], [s["a"]])
    mark_at_booth(s["booth"], 5, community=s["north"])
    close(s["poll"])
    poll_envelopes_open(poll=s["poll"])
    paper(s, s["no"], [s["b"]])
    paper(s, s["no"], [s["b"]])
    booth_totals_enter(
        officer=s["person"], booth=s["booth"], paper_ballots=3, counts={s["yes"].pk: 3}
    )
    data = poll_results_compute(poll=s["poll"]).data
    assert data["by_channel"] == {"online": 10, SMALL_GROUPS: 5}
    yes, no = data["questions"][0]["options"]
    assert yes["by_channel"] == {"online": 10, SMALL_GROUPS: 3}
    assert no["by_channel"] == {SMALL_GROUPS: 2}
    view = result_view(poll_results_compute(poll=s["poll"]))
    assert view["merged"]
    assert view["channel_labels"][-1] == "Other groups (each under 5 ballots)"
    assert "Groups of fewer than 5 ballots are merged" in view["small_groups_why"]


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
    close(s["poll"])
    poll_envelopes_open(poll=s["poll"])
    with CaptureQueriesContext(connection) as few:
        poll_tally(s["poll"])
    for _ in range(20):
        Ballot.objects.create(poll=s["poll"], voter_class="affected_citizen", channel="online")
    BoothFactory(poll=s["poll"])
    with CaptureQueriesContext(connection) as many:
        data = poll_tally(s["poll"])
    assert data["ballots"] == 23
    assert len(few) == len(many) <= 12


# --- The ballot box file --------------------------------------------------------------------


def test_the_ballot_box_is_a_canonical_file_with_its_hash(scene, every_group):
    s = scene
    vote(CitizenFactory(residence_community=s["north"]), s, s["yes"], [s["a"], s["b"]], "ดี")
    vote(ResidentFactory(residence_community=s["south"]), s, s["no"], [s["c"]])
    close(s["poll"])
    result = poll_results_compute(poll=s["poll"])
    text = result.ballot_box
    assert result.ballot_box_sha256 == hashlib.sha256(text.encode()).hexdigest()
    lines = text.splitlines()
    rows = [line for line in lines if not line.startswith("#")]
    yes, no, a, b, c = (s[k].pk for k in ("yes", "no", "a", "b", "c"))
    assert rows[0] == f"weight,option_{yes},option_{no},option_{a},option_{b},option_{c}"
    # Sorted as text; no class, community, channel or free text.
    assert rows[1:] == ["1.000,0,1,0,0,1", "2.000,1,0,1,1,0"]
    assert "ดี" not in text.replace('"', "")
    assert any(f'option_{yes}: question {s["yes_no"].pk} "' in line for line in lines)
    # The same ballots always give the same bytes, whatever order they lie in.
    assert ballot_box_csv(s["poll"]) == text


def test_a_recount_without_change_keeps_the_hash_and_a_change_records_both(scene):
    s = scene
    for _ in range(3):
        vote(CitizenFactory(residence_community=s["north"]), s, s["yes"], [s["a"]])
    mark_at_booth(s["booth"], 1, community=s["north"])
    close(s["poll"])
    first = poll_results_compute(poll=s["poll"])
    again = poll_results_compute(poll=s["poll"])
    assert again.ballot_box_sha256 == first.ballot_box_sha256
    assert again.ballot_box_history == [] and again.ballot_box_recounts == []
    paper(s, s["no"], [s["b"]])
    changed = poll_results_compute(poll=s["poll"])
    assert changed.pk == first.pk and changed.data["ballots"] == 4
    assert changed.ballot_box_sha256 != first.ballot_box_sha256
    (recount,) = changed.ballot_box_recounts
    assert (recount["before"], recount["after"]) == (
        first.ballot_box_sha256,
        changed.ballot_box_sha256,
    )


def test_a_weight_shared_by_few_ballots_is_left_blank_and_summed_in_a_comment(scene, settings):
    settings.RESULTS_MIN_GROUP = 3
    s = scene
    for _ in range(4):
        vote(CitizenFactory(residence_community=s["north"]), s, s["yes"], [s["a"]])
    vote(ResidentFactory(residence_community=s["south"]), s, s["no"], [s["b"]])
    mark_at_booth(s["booth"], 2, community=s["north"])
    close(s["poll"])
    poll_envelopes_open(poll=s["poll"])
    booth_totals_enter(
        officer=s["person"], booth=s["booth"], paper_ballots=2, counts={s["no"].pk: 2}
    )
    text = poll_results_compute(poll=s["poll"]).ballot_box
    rows = [line for line in text.splitlines() if not line.startswith("#")][1:]
    # Four citizens weigh 2; the lone resident's weight of 1 would single them out: blank, and
    # with it the next smallest group, so that the blank rows are no fewer than 3: all five.
    assert sorted(row.split(",")[0] for row in rows) == [""] * 5
    assert "Together they weigh 9.000." in text
    assert f"option_{s['no'].pk}: 1.000" in text
    assert (
        "Counted by hand at booths, not in the rows: 2 paper ballots, each weighing 2.000" in text
    )


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
                    "Booth",
                    "Question",
                    "Option",
                }, f"{model.__name__}.{field.name} points at {field.related_model}"
            assert not isinstance(field, models.DateField), f"{model.__name__}.{field.name}"
        assert isinstance(model._meta.pk, models.UUIDField)


def test_ballot_keys_are_random_so_their_order_is_not_the_order_of_voting(scene):
    s = scene
    for _ in range(12):
        vote(CitizenFactory(residence_community=s["north"]), s, s["yes"], [s["a"]])
    close(s["poll"])
    poll_envelopes_open(poll=s["poll"])
    keys = list(Ballot.objects.values_list("pk", flat=True))
    assert len(keys) == 12 and all(key.version == 4 for key in keys)
    assert all(answer.version == 4 for answer in Answer.objects.values_list("pk", flat=True))


def test_result_view_gives_each_option_its_share_within_each_class(scene, every_group):
    s = scene
    for _ in range(3):
        vote(CitizenFactory(residence_community=s["north"]), s, s["yes"], [s["a"]])
    vote(CitizenFactory(residence_community=s["north"]), s, s["no"], [s["a"]])
    vote(ResidentFactory(residence_community=s["south"]), s, s["no"], [s["b"]])
    close(s["poll"])
    view = result_view(poll_results_compute(poll=s["poll"]))
    yes, no = view["questions"][0]["options"]
    # Columns: affected citizen, affected resident.
    assert [c["count"] for c in yes["class_cells"]] == [3, 0]
    assert [c["percent"] for c in yes["class_cells"]] == [75.0, 0.0]
    assert [c["percent"] for c in no["class_cells"]] == [25.0, 100.0]
    assert yes["bar_width"] > no["bar_width"] > 0
    assert not view["merged"]


def test_publishing_counts_the_confirmed_booth_and_keeps_the_hash_of_an_unchanged_box(scene):
    s = scene
    second = officer()
    s["booth"].officers.add(second)
    vote(CitizenFactory(residence_community=s["north"]), s, s["yes"], [s["a"]])
    mark_at_booth(s["booth"], 1, community=s["north"])
    close(s["poll"])
    poll_envelopes_open(poll=s["poll"])
    paper(s, s["no"], [s["b"]])
    counted = poll_results_compute(poll=s["poll"])
    booth_confirm(officer=second, booth=s["booth"])
    published = poll_results_publish(poll=s["poll"])
    assert published.ballot_box_sha256 == counted.ballot_box_sha256
    assert published.data["reconciliation"][1]["confirmed"] is True
