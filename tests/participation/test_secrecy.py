"""The shared pieces of the secret ballot: envelopes, the shuffle, small groups, the box file."""

import datetime
from types import SimpleNamespace

import pytest

from participation.disclosure import SMALL_GROUPS, group_map, publishable, regroup
from participation.models import BallotBoxPublished
from participation.secrecy import (
    EnvelopeBroken,
    envelope_size,
    payload_size,
    seal,
    shuffled,
    unseal,
)

BALLOT = {"class": "affected_citizen", "choices": [[3, 11]], "text": "ตลาดหนองมนต้องมีที่จอดรถ"}


def test_an_envelope_opens_only_for_its_matter():
    envelope = seal(BALLOT, context="poll:1", size=envelope_size(payload_size(BALLOT)))
    assert unseal(envelope, context="poll:1") == BALLOT
    with pytest.raises(EnvelopeBroken):
        unseal(envelope, context="poll:2")


def test_the_contents_are_not_readable_in_the_envelope():
    envelope = seal(BALLOT, context="poll:1", size=1024)
    assert "ตลาด".encode() not in envelope and b"affected" not in envelope


def test_every_envelope_of_a_matter_has_the_same_length_whatever_it_holds():
    small, large = {"choices": []}, {"choices": [[n, n] for n in range(40)], "text": "ก" * 300}
    size = envelope_size(payload_size(large))
    assert len(seal(small, context="heading:4", size=size)) == len(
        seal(large, context="heading:4", size=size)
    )
    # Two envelopes of the same ballot differ: equal contents cannot be spotted either.
    assert seal(small, context="heading:4", size=size) != seal(
        small, context="heading:4", size=size
    )


def test_a_ballot_larger_than_the_matters_envelope_is_refused_not_cut():
    with pytest.raises(ValueError):
        seal({"text": "ก" * 400}, context="poll:1", size=envelope_size(100))


def test_an_envelope_sealed_before_the_key_was_rotated_still_opens(settings):
    envelope = seal(BALLOT, context="poll:1", size=1024)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-after-rotation"
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert unseal(envelope, context="poll:1") == BALLOT
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(EnvelopeBroken):
        unseal(envelope, context="poll:1")


def test_a_tampered_envelope_is_reported_not_counted():
    envelope = bytearray(seal(BALLOT, context="poll:1", size=1024))
    envelope[-1] ^= 1
    with pytest.raises(EnvelopeBroken):
        unseal(bytes(envelope), context="poll:1")


def test_shuffled_keeps_every_item_once_and_does_not_keep_the_order():
    items = list(range(200))
    orders = [shuffled(items) for _ in range(3)]
    assert all(sorted(order) == items for order in orders)
    assert all(order != items for order in orders)


def test_groups_smaller_than_the_minimum_are_merged_until_the_merge_is_large_enough():
    sizes = {"a": 1, "b": 10, "c": 2, "d": 7}
    # a and c make 3, too few: d, the smallest group kept, joins them.
    assert group_map(sizes, 5) == {
        "a": SMALL_GROUPS,
        "b": "b",
        "c": SMALL_GROUPS,
        "d": SMALL_GROUPS,
    }
    assert publishable(sizes, 5) == {SMALL_GROUPS: 10, "b": 10}
    assert sum(publishable(sizes, 5).values()) == sum(sizes.values())


@pytest.mark.parametrize(
    ("sizes", "published"),
    [
        ({"a": 6, "b": 5}, {"a": 6, "b": 5}),
        ({"a": 4}, {SMALL_GROUPS: 4}),
        ({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 9}, {SMALL_GROUPS: 5, "f": 9}),
        ({"a": 0, "b": 5}, {"b": 5}),
        ({}, {}),
    ],
)
def test_publishable_groups(sizes, published):
    assert publishable(sizes, 5) == published


def test_the_minimum_comes_from_the_settings(settings):
    settings.RESULTS_MIN_GROUP = 3
    # b alone is too small; a, the smallest group kept, joins it.
    assert publishable({"a": 3, "b": 2, "c": 4}) == {SMALL_GROUPS: 5, "c": 4}


def test_counts_within_groups_follow_the_groups_they_belong_to():
    mapping = group_map({"online": 40, "booth": 3, "booth_count": 3}, 5)
    # One option's votes by channel: the small channels are shown only together.
    assert regroup({"online": 30, "booth": 1, "booth_count": 2}, mapping) == {
        "online": 30,
        SMALL_GROUPS: 3,
    }
    assert regroup({"unknown": 1}, mapping) == {SMALL_GROUPS: 1}


def _box():
    return SimpleNamespace(ballot_box="", ballot_box_sha256="", ballot_box_history=[])


def test_the_ballot_box_keeps_the_hash_of_each_file_a_recount_replaced():
    box = _box()
    first = datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC)
    assert BallotBoxPublished.ballot_box_set(box, "ballot;A\n1;1\n", first) is False
    digest = box.ballot_box_sha256
    assert len(digest) == 64 and box.ballot_box_history == []
    # The same ballots recounted: the same file, nothing to report.
    assert BallotBoxPublished.ballot_box_set(box, "ballot;A\n1;1\n", first) is False
    later = first + datetime.timedelta(hours=5)
    assert BallotBoxPublished.ballot_box_set(box, "ballot;A\n1;1\n2;1\n", later) is True
    assert box.ballot_box_history == [{"sha256": digest, "replaced_at": later.isoformat()}]
    recounts = BallotBoxPublished.ballot_box_recounts.fget(box)
    assert recounts == [{"before": digest, "after": box.ballot_box_sha256, "at": later}]
