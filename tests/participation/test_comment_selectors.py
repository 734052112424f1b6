"""Reads of the shared core: comment threads, vote splits, a person's votes and follows."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import VoterClass
from participation.models import Comment
from participation.selectors import (
    commentables_of,
    comments_page,
    is_following,
    user_vote_values,
    vote_split,
)
from tests.factories import (
    CommentFactory,
    DebateFactory,
    FollowFactory,
    UserFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db


def thread(debate, top_level: int, replies_each: int = 1, depth: int = 2) -> list[Comment]:
    """`top_level` threads, each with `replies_each` chains of replies `depth` deep."""
    comments = []
    for _ in range(top_level):
        root = CommentFactory(commentable=debate)
        comments.append(root)
        for _ in range(replies_each):
            parent = root
            for _ in range(depth):
                parent = CommentFactory(parent=parent)
                comments.append(parent)
    return comments


def render_nodes(page) -> list[tuple[int, int, bool, int]]:
    return [(n.comment.pk, n.depth, n.has_replies, len(n.closes)) for n in page.nodes]


def test_threads_come_with_their_replies_nested_in_reading_order():
    debate = DebateFactory()
    first = CommentFactory(commentable=debate)
    reply = CommentFactory(parent=first)
    reply_to_reply = CommentFactory(parent=reply)
    second_reply = CommentFactory(parent=first)
    second = CommentFactory(commentable=debate)
    CommentFactory()  # on another debate

    page = comments_page(commentable=debate, user=AnonymousUser(), order="oldest")

    assert page.top_level == [first, second]
    assert page.children == {first.pk: [reply, second_reply], reply.pk: [reply_to_reply]}
    assert reply_to_reply.root_id == first.pk and reply_to_reply.depth == 2
    # (pk, depth, opens a reply list, reply lists closed after it)
    assert render_nodes(page) == [
        (first.pk, 0, True, 0),
        (reply.pk, 1, True, 0),
        (reply_to_reply.pk, 2, False, 1),
        (second_reply.pk, 1, False, 1),
        (second.pk, 0, False, 0),
    ]


def test_the_last_thread_closes_every_list_it_opened():
    debate = DebateFactory()
    root = CommentFactory(commentable=debate)
    deepest = root
    for _ in range(6):
        deepest = CommentFactory(parent=deepest)
    nodes = comments_page(commentable=debate, user=AnonymousUser()).nodes
    assert [n.indent for n in nodes] == [0, 1, 2, 3, 4, 4, 4]
    assert len(nodes[-1].closes) == 6
    assert comments_page(commentable=DebateFactory(), user=AnonymousUser()).nodes == []


@pytest.mark.parametrize(
    "order, expected",
    [("newest", ["c", "b", "a"]), ("oldest", ["a", "b", "c"]), ("most_voted", ["b", "c", "a"])],
)
def test_orders(order, expected):
    debate = DebateFactory()
    now = timezone.now()
    for n, (body, score) in enumerate([("a", 0.0), ("b", 5.0), ("c", 1.0)]):
        comment = CommentFactory(commentable=debate, body=body, confidence_score=score)
        Comment.objects.filter(pk=comment.pk).update(created_at=now + timedelta(minutes=n))
    page = comments_page(commentable=debate, user=AnonymousUser(), order=order)
    assert [c.body for c in page.top_level] == expected


def test_replies_follow_the_order_of_the_page():
    debate = DebateFactory()
    root = CommentFactory(commentable=debate)
    low = CommentFactory(parent=root, confidence_score=0.5)
    high = CommentFactory(parent=root, confidence_score=3.0)
    assert comments_page(commentable=debate, user=AnonymousUser()).children[root.pk] == [
        high,
        low,
    ]
    assert comments_page(commentable=debate, user=AnonymousUser(), order="oldest").children[
        root.pk
    ] == [low, high]


def test_unknown_order_and_page_fall_back_instead_of_failing():
    debate = DebateFactory()
    CommentFactory.create_batch(3, commentable=debate)
    page = comments_page(commentable=debate, user=AnonymousUser(), order="drop table", page="x")
    assert page.order == "most_voted" and page.page.number == 1
    page = comments_page(commentable=debate, user=AnonymousUser(), page=99, per_page=2)
    assert page.page.number == 2


def test_pages_hold_top_level_comments_only():
    debate = DebateFactory()
    roots = thread(debate, top_level=5, replies_each=2, depth=1)[::3]
    page = comments_page(commentable=debate, user=AnonymousUser(), order="oldest", per_page=2)
    assert page.page.paginator.count == 5
    assert page.top_level == roots[:2]
    second = comments_page(
        commentable=debate, user=AnonymousUser(), order="oldest", page=2, per_page=2
    )
    assert second.top_level == roots[2:4]
    assert set(second.children) == {roots[2].pk, roots[3].pk}


def test_hidden_comments_and_their_replies_stay_out_deleted_ones_stay_in():
    debate = DebateFactory()
    root = CommentFactory(commentable=debate)
    hidden = CommentFactory(parent=root, hidden_at=timezone.now())
    CommentFactory(parent=hidden)
    deleted = CommentFactory(parent=root, deleted_at=timezone.now())
    under_deleted = CommentFactory(parent=deleted)
    CommentFactory(commentable=debate, hidden_at=timezone.now())

    page = comments_page(commentable=debate, user=AnonymousUser())
    shown = [n.comment.pk for n in page.nodes]
    assert shown == [root.pk, deleted.pk, under_deleted.pk]
    assert page.page.paginator.count == 1


def test_user_votes_cover_every_comment_on_the_page():
    debate = DebateFactory()
    root = CommentFactory(commentable=debate)
    reply = CommentFactory(parent=root)
    voter = UserFactory()
    VoteFactory(user=voter, target=root, value=1)
    VoteFactory(user=voter, target=reply, value=-1)
    VoteFactory(target=reply, value=1)  # someone else's
    page = comments_page(commentable=debate, user=voter)
    assert page.user_votes == {root.pk: 1, reply.pk: -1}
    assert [n.user_vote for n in page.nodes] == [1, -1]
    assert comments_page(commentable=debate, user=AnonymousUser()).user_votes == {}


def test_query_count_does_not_grow_with_comments_or_depth():
    small, big = DebateFactory(), DebateFactory()
    voter = UserFactory()
    thread(small, top_level=1, replies_each=1, depth=2)  # 3 comments
    big_comments = thread(big, top_level=20, replies_each=1, depth=2)  # 60 comments
    VoteFactory(user=voter, target=big_comments[5])

    def load(debate):
        page = comments_page(commentable=debate, user=voter)
        return [(n.comment.author.public_name, n.user_vote) for n in page.nodes]

    load(small)  # content types are cached after the first use
    with CaptureQueriesContext(connection) as small_queries:
        assert len(load(small)) == 3
    with CaptureQueriesContext(connection) as big_queries:
        assert len(load(big)) == 60
    assert len(small_queries) == len(big_queries) == 4  # count, page, replies, votes


def test_vote_split_counts_per_class_in_one_query(django_assert_num_queries):
    debate = DebateFactory()
    for voter_class, value, times in [
        (VoterClass.AFFECTED_CITIZEN, 1, 3),
        (VoterClass.AFFECTED_CITIZEN, -1, 1),
        (VoterClass.INTERESTED, -1, 2),
        (VoterClass.CONCERNED, 1, 1),
    ]:
        for _ in range(times):
            VoteFactory(target=debate, value=value, voter_class=voter_class)
    VoteFactory(target=DebateFactory(), value=1, voter_class=VoterClass.AFFECTED_RESIDENT)

    with django_assert_num_queries(1):
        split = vote_split(debate)

    assert split["total"] == {"up": 4, "down": 3}
    assert [(r["voter_class"], r["up"], r["down"]) for r in split["by_class"]] == [
        ("affected_citizen", 3, 1),
        ("affected_resident", 0, 0),
        ("interested", 0, 2),
        ("concerned", 1, 0),
    ]
    assert str(split["by_class"][0]["label"]) == str(VoterClass.AFFECTED_CITIZEN.label)


def test_vote_split_adds_an_unclassified_row_only_when_needed():
    debate = DebateFactory()
    assert len(vote_split(debate)["by_class"]) == 4
    assert vote_split(debate)["total"] == {"up": 0, "down": 0}
    VoteFactory(target=debate, value=1, voter_class="")
    VoteFactory(target=debate, value=-1, voter_class=VoterClass.INTERESTED)
    split = vote_split(debate)
    assert split["by_class"][-1]["voter_class"] == "" and split["by_class"][-1]["up"] == 1
    assert split["total"] == {"up": 1, "down": 1}


def test_user_vote_values_in_one_query(django_assert_num_queries):
    debates = DebateFactory.create_batch(3)
    voter = UserFactory()
    VoteFactory(user=voter, target=debates[0], value=1)
    VoteFactory(user=voter, target=debates[2], value=-1)
    VoteFactory(target=debates[1], value=1)
    with django_assert_num_queries(1):
        values = user_vote_values(voter, debates)
    assert values == {debates[0].pk: 1, debates[2].pk: -1}
    with django_assert_num_queries(0):
        assert user_vote_values(AnonymousUser(), debates) == {}
        assert user_vote_values(voter, []) == {}


def test_is_following():
    debate = DebateFactory()
    person = UserFactory()
    assert not is_following(person, debate)
    FollowFactory(user=person, target=debate)
    assert is_following(person, debate)
    assert not is_following(UserFactory(), debate)
    assert not is_following(AnonymousUser(), debate)


def test_commentables_of_fetches_each_kind_once_and_drops_hidden(django_assert_num_queries):
    shown, hidden = DebateFactory(), DebateFactory(hidden_at=timezone.now())
    comments = [
        CommentFactory(commentable=shown),
        CommentFactory(commentable=shown),
        CommentFactory(commentable=hidden),
    ]
    with django_assert_num_queries(1):
        found = commentables_of(comments)
    assert found == {comments[0].pk: shown, comments[1].pk: shown, comments[2].pk: None}
