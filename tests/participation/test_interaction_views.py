"""The shared interaction views and includes: votes, declarations, comments, flags, follows,
notifications, addressed generically as <app_label.model_name>/<pk>."""

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import InterestDeclaration, VoterClass
from participation.models import Comment, Flag, Follow, Notification, Vote
from participation.selectors import comments_page, notifications_page
from tests.factories import (
    CitizenFactory,
    CommentFactory,
    CommunityFactory,
    DebateFactory,
    NotificationFactory,
    UserFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db

DEBATE = "debates.debate"
COMMENT = "participation.comment"
NEXT = "/th/debates/?order=new"


@pytest.fixture(autouse=True)
def _english():
    # reverse() follows the active language; English URLs give English messages to compare.
    with translation.override("en"):
        yield


def url(name: str, *args) -> str:
    return reverse(f"participation:{name}", args=args)


def said(response) -> list[str]:
    """The messages this response added (earlier unread ones stay in the cookie)."""
    return [str(m) for m in get_messages(response.wsgi_request)._queued_messages]


def signed_in(client, user=None):
    user = user or UserFactory()
    client.force_login(user)
    return user


# --- Addressing, methods, sign-in -------------------------------------------------------------

POST_ONLY = [
    ("vote", True),
    ("comment", True),
    ("flag", True),
    ("follow", True),
    ("unfollow", True),
    ("comment_delete", False),
    ("notifications_read", None),
]


def post_only_url(name, generic, debate, comment):
    if generic is None:
        return url(name)
    if generic:
        return url(name, DEBATE, debate.pk)
    return url(name, comment.pk)


@pytest.mark.parametrize("name, generic", POST_ONLY)
def test_actions_answer_get_with_405(client, name, generic):
    comment = CommentFactory()
    signed_in(client)
    response = client.get(post_only_url(name, generic, comment.commentable, comment))
    assert response.status_code == 405


@pytest.mark.parametrize("name, generic", POST_ONLY)
def test_anonymous_actions_go_to_sign_in_and_come_back_to_the_page(client, name, generic):
    comment = CommentFactory()
    response = client.post(
        post_only_url(name, generic, comment.commentable, comment), {"next": NEXT, "value": "1"}
    )
    assert response.status_code == 302
    login, query = response.url.split("?", 1)
    assert login == reverse("account_login")
    assert parse_qs(query)["next"] == [NEXT]
    assert not Vote.objects.exists() and not Flag.objects.exists()


def test_anonymous_notifications_page_asks_to_sign_in(client):
    response = client.get(url("notifications"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "label",
    [
        "nothing.here",
        "debates",
        "debates.",
        ".debate",
        "debates.debate.extra",
        "accounts.user",  # exists, but not moderated content
        "participation.community",
        "participation.vote",
    ],
)
def test_unknown_or_unmoderated_models_are_404(client, label):
    debate = DebateFactory()
    user = signed_in(client, CitizenFactory())
    for name in ["vote", "flag", "follow", "unfollow", "comment"]:
        assert client.post(url(name, label, debate.pk), {"value": "1"}).status_code == 404
        assert client.post(url(name, label, user.pk), {"value": "1"}).status_code == 404
    assert client.get(url("declare", label, debate.pk)).status_code == 404


def test_hidden_missing_or_absurd_targets_are_404(client):
    hidden = DebateFactory(hidden_at=timezone.now())
    hidden_comment = CommentFactory(hidden_at=timezone.now())
    signed_in(client, CitizenFactory())
    for name in ["vote", "flag", "follow", "unfollow", "comment"]:
        assert client.post(url(name, DEBATE, hidden.pk), {"value": "1"}).status_code == 404
        assert client.post(url(name, DEBATE, 10**6), {"value": "1"}).status_code == 404
        assert client.post(url(name, DEBATE, 10**30), {"value": "1"}).status_code == 404
    assert client.post(url("vote", COMMENT, hidden_comment.pk), {"value": "1"}).status_code == 404
    assert client.post(url("comment_delete", hidden_comment.pk)).status_code == 404
    assert client.post(url("comment_delete", 10**30)).status_code == 404
    assert client.get(url("declare", DEBATE, hidden.pk)).status_code == 404
    assert not Vote.objects.exists() and not Flag.objects.exists()


def test_comments_and_follows_need_content_that_takes_comments(client):
    comment = CommentFactory()
    signed_in(client)
    assert client.post(url("comment", COMMENT, comment.pk), {"body": "x"}).status_code == 404
    assert client.post(url("follow", COMMENT, comment.pk)).status_code == 404


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "/th/\nSet-Cookie: x", ""]
)
def test_unsafe_next_falls_back_to_the_content_page(client, next_url):
    debate = DebateFactory()
    signed_in(client, CitizenFactory())
    response = client.post(url("vote", DEBATE, debate.pk), {"value": "1", "next": next_url})
    assert response.status_code == 302
    assert response.url == debate.get_absolute_url()


# --- Votes and the declaration on the way -----------------------------------------------------


def test_like_then_take_back(client):
    debate = DebateFactory()
    voter = signed_in(client, CitizenFactory())
    response = client.post(url("vote", DEBATE, debate.pk), {"value": "1", "next": NEXT})
    assert response.status_code == 302 and response.url == NEXT
    assert said(response) == ["Your vote has been counted."]
    vote = Vote.objects.get(user=voter)
    assert (vote.value, vote.voter_class) == (1, VoterClass.AFFECTED_CITIZEN)

    response = client.post(url("vote", DEBATE, debate.pk), {"value": "-1", "next": NEXT})
    assert Vote.objects.get(user=voter).value == -1
    response = client.post(url("vote", DEBATE, debate.pk), {"value": "", "next": NEXT})
    assert said(response) == ["Your vote has been taken back."]
    assert not Vote.objects.exists()
    debate.refresh_from_db()
    assert (debate.cached_votes_up, debate.cached_votes_down) == (0, 0)


@pytest.mark.parametrize("data", [{"value": "2"}, {"value": "up"}, {"value": "1.0"}, {}])
def test_a_bad_vote_value_is_refused_with_a_message(client, data):
    debate = DebateFactory()
    signed_in(client, CitizenFactory())
    response = client.post(url("vote", DEBATE, debate.pk), {**data, "next": NEXT})
    assert response.status_code == 302 and response.url == NEXT
    assert said(response) == ["Choose like or dislike."]
    assert not Vote.objects.exists()


def test_a_vote_on_a_comment_returns_to_that_comment(client):
    comment = CommentFactory()
    signed_in(client, CitizenFactory())
    response = client.post(url("vote", COMMENT, comment.pk), {"value": "1", "next": NEXT})
    assert response.url == f"{NEXT}#comment-{comment.pk}"
    response = client.post(url("vote", COMMENT, comment.pk), {"value": "-1"})
    assert response.url == f"{comment.commentable.get_absolute_url()}#comment-{comment.pk}"
    comment.refresh_from_db()
    assert (comment.cached_votes_up, comment.cached_votes_down) == (0, 1)


def test_without_a_class_the_vote_waits_for_a_declaration_then_counts(client):
    debate = DebateFactory(community=CommunityFactory())
    person = signed_in(client)  # not verified: no affected class
    response = client.post(url("vote", DEBATE, debate.pk), {"value": "-1", "next": NEXT})
    assert response.status_code == 302
    path, query = response.url.split("?", 1)
    assert path == url("declare", DEBATE, debate.pk)
    assert parse_qs(query) == {
        "next": [NEXT],
        "vote": ["-1"],
        "vote_target": [f"{DEBATE}:{debate.pk}"],
    }
    assert not Vote.objects.exists()

    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="voter_class"' in html and 'value="interested"' in html
    assert f'action="{response.url.replace("&", "&amp;")}"' in html

    done = client.post(response.url, {"voter_class": "interested"})
    assert done.status_code == 302 and done.url == NEXT
    assert InterestDeclaration.objects.get(user=person).voter_class == VoterClass.INTERESTED
    vote = Vote.objects.get(user=person)
    assert (vote.value, vote.voter_class, vote.object_id) == (-1, "interested", debate.pk)
    assert "Your vote has been counted." in said(done)


def test_a_comment_vote_declares_for_the_debate_and_returns_to_the_comment(client):
    comment = CommentFactory()
    debate = comment.commentable
    person = signed_in(client)
    response = client.post(url("vote", COMMENT, comment.pk), {"value": "1", "next": NEXT})
    assert response.url.startswith(url("declare", DEBATE, debate.pk) + "?")
    done = client.post(response.url, {"voter_class": "concerned"})
    assert done.url == f"{NEXT}#comment-{comment.pk}"
    assert Vote.objects.get(user=person).object_id == comment.pk


def test_a_declaration_cannot_be_used_to_vote_on_another_matter(client):
    declared_on, other = DebateFactory(), DebateFactory()
    person = signed_in(client)
    crafted = url("declare", DEBATE, declared_on.pk) + f"?vote=1&vote_target={DEBATE}:{other.pk}"
    response = client.post(crafted, {"voter_class": "interested"})
    assert response.status_code == 302 and response.url == declared_on.get_absolute_url()
    assert InterestDeclaration.objects.filter(user=person, object_id=declared_on.pk).exists()
    assert not Vote.objects.exists()


@pytest.mark.parametrize("target", ["debates.debate:x", "nothing:1", ":", "debates.debate:99999"])
def test_a_broken_pending_vote_is_ignored(client, target):
    debate = DebateFactory()
    signed_in(client)
    declare = url("declare", DEBATE, debate.pk)
    response = client.post(f"{declare}?vote=1&vote_target={target}", {"voter_class": "interested"})
    assert response.status_code == 302
    assert not Vote.objects.exists()


def test_an_empty_declaration_shows_the_form_again_with_the_error(client):
    debate = DebateFactory()
    signed_in(client)
    response = client.post(url("declare", DEBATE, debate.pk), {"voter_class": "affected_citizen"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not InterestDeclaration.objects.exists()


def test_the_declaration_page_shows_the_current_choice(client):
    debate = DebateFactory()
    person = signed_in(client)
    client.post(url("declare", DEBATE, debate.pk), {"voter_class": "concerned"})
    html = client.get(url("declare", DEBATE, debate.pk)).content.decode()
    assert re.search(r'value="concerned"[^>]*checked', html)
    assert InterestDeclaration.objects.filter(user=person).count() == 1


# --- Comments ---------------------------------------------------------------------------------


def test_comment_then_reply(client, django_capture_on_commit_callbacks):
    debate = DebateFactory()
    person = signed_in(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("comment", DEBATE, debate.pk), {"body": "  ดีมาก\nครับ ", "next": NEXT + "#x"}
        )
    comment = Comment.objects.get()
    assert response.url == f"{NEXT}#comment-{comment.pk}"
    assert said(response) == ["Your comment has been published."]
    assert (comment.author, comment.body, comment.is_official) == (person, "ดีมาก\nครับ", False)

    replier = signed_in(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("comment", DEBATE, debate.pk),
            {"body": "เห็นด้วย", "parent": str(comment.pk), "next": NEXT},
        )
    reply = Comment.objects.get(author=replier)
    assert (reply.parent, reply.root, reply.depth) == (comment, comment, 1)
    assert response.url == f"{NEXT}#comment-{reply.pk}"
    assert Notification.objects.get(comment=reply).user == person
    debate.refresh_from_db()
    assert debate.comments_count == 2


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_an_empty_or_too_long_comment_is_refused(client, body):
    debate = DebateFactory()
    signed_in(client)
    response = client.post(url("comment", DEBATE, debate.pk), {"body": body, "next": NEXT})
    assert response.status_code == 302 and response.url == f"{NEXT}#comments"
    assert len(said(response)) == 1
    assert not Comment.objects.exists()


@pytest.mark.parametrize("parent", ["abc", "-1", "0", str(10**30)])
def test_a_junk_parent_is_refused_without_a_500(client, parent):
    debate = DebateFactory()
    signed_in(client)
    response = client.post(
        url("comment", DEBATE, debate.pk), {"body": "ตอบ", "parent": parent, "next": NEXT}
    )
    assert response.status_code == 302
    assert not Comment.objects.exists()


def test_a_reply_to_a_comment_of_another_page_or_a_hidden_one_is_refused(client):
    debate = DebateFactory()
    elsewhere = CommentFactory()
    hidden = CommentFactory(commentable=debate, hidden_at=timezone.now())
    signed_in(client)
    for parent in [elsewhere, hidden]:
        response = client.post(
            url("comment", DEBATE, debate.pk),
            {"body": "ตอบ", "parent": str(parent.pk), "next": NEXT},
        )
        assert response.status_code == 302
        assert said(response) == ["The comment you are replying to is not on this page."]
    assert Comment.objects.count() == 2


def test_only_staff_post_official_answers(client):
    debate = DebateFactory()
    signed_in(client)
    client.post(url("comment", DEBATE, debate.pk), {"body": "ก", "official": "on"})
    signed_in(client, UserFactory(is_staff=True))
    client.post(url("comment", DEBATE, debate.pk), {"body": "ข", "official": "on"})
    assert dict(Comment.objects.values_list("body", "is_official")) == {"ก": False, "ข": True}


def test_the_author_deletes_their_comment_and_nobody_else_can(client):
    comment = CommentFactory()
    signed_in(client)
    response = client.post(url("comment_delete", comment.pk), {"next": NEXT})
    assert response.url == f"{NEXT}#comment-{comment.pk}"
    assert said(response) == ["Only the author can delete this comment."]
    comment.refresh_from_db()
    assert comment.deleted_at is None

    signed_in(client, comment.author)
    response = client.post(url("comment_delete", comment.pk))
    assert response.url == f"{comment.commentable.get_absolute_url()}#comment-{comment.pk}"
    assert said(response) == ["Your comment has been deleted."]
    comment.refresh_from_db()
    assert comment.deleted_at is not None


# --- The reply page -------------------------------------------------------------------------


def reply_url(comment, **query) -> str:
    address = url("comment_reply", comment.pk)
    return f"{address}?{urlencode(query)}" if query else address


def form_fields(html: str) -> dict[str, str]:
    """The named inputs of the reply form, as a browser would post them (textarea left out)."""
    form = html.split('class="comment-reply-form"', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


def test_the_reply_page_shows_the_comment_and_a_form_back_to_the_thread(client):
    debate = DebateFactory(title="ทางเท้าริมคลอง")
    parent = CommentFactory(
        commentable=debate, author=UserFactory(display_name="สมศรี"), body="<b>ไฟ</b> มืด"
    )
    signed_in(client)
    response = client.get(reply_url(parent, next=NEXT))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Reply to สมศรี" in html and "ทางเท้าริมคลอง" in html
    assert "&lt;b&gt;ไฟ&lt;/b&gt; มืด" in html and "<b>ไฟ" not in html
    assert f'action="{url("comment", DEBATE, debate.pk)}"' in html
    fields = form_fields(html)
    assert (fields["parent"], fields["next"]) == (str(parent.pk), NEXT)
    assert "csrfmiddlewaretoken" in fields
    assert f'<textarea id="comment-{parent.pk}-reply" name="body"' in html
    assert 'name="official"' not in html  # staff only
    # Back to the exact comment on the page the person came from.
    assert f'href="{NEXT.replace("&", "&amp;")}#comment-{parent.pk}"' in html


def test_the_reply_page_without_a_safe_next_returns_to_the_commentable(client):
    debate = DebateFactory()
    parent = CommentFactory(commentable=debate)
    signed_in(client)
    for unsafe in [None, "https://evil.example/", "//evil.example/"]:
        query = {"next": unsafe} if unsafe else {}
        fields = form_fields(client.get(reply_url(parent, **query)).content.decode())
        assert fields["next"] == debate.get_absolute_url()


def test_a_reply_posted_from_the_reply_page_lands_on_its_anchor(client):
    debate = DebateFactory()
    parent = CommentFactory(commentable=debate)
    replier = signed_in(client)
    fields = form_fields(client.get(reply_url(parent, next=NEXT)).content.decode())
    response = client.post(url("comment", DEBATE, debate.pk), {**fields, "body": "เห็นด้วยครับ"})
    reply = Comment.objects.get(author=replier)
    assert (reply.parent, reply.depth, reply.body) == (parent, 1, "เห็นด้วยครับ")
    assert response.status_code == 302 and response.url == f"{NEXT}#comment-{reply.pk}"
    assert said(response) == ["Your comment has been published."]


def test_staff_get_the_official_answer_box_on_the_reply_page(client):
    parent = CommentFactory()
    signed_in(client, UserFactory(is_staff=True))
    html = client.get(reply_url(parent)).content.decode()
    assert f'id="comment-{parent.pk}-official" name="official"' in html
    fields = form_fields(html)
    client.post(
        url("comment", DEBATE, parent.object_id), {**fields, "body": "ตอบ", "official": "on"}
    )
    assert Comment.objects.get(parent=parent).is_official


def test_the_form_alone_is_what_comments_js_puts_in_the_thread(client):
    parent = CommentFactory()
    signed_in(client)
    response = client.get(reply_url(parent, next=NEXT, part="form"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<div class="comment-reply-box" id="comment-{parent.pk}-reply')
    assert "<html" not in html and "<h1" not in html
    assert form_fields(html)["next"] == NEXT


def test_anonymous_people_sign_in_first_and_come_back_to_the_reply_page(client):
    parent = CommentFactory()
    address = reply_url(parent, next=NEXT)
    response = client.get(address)
    assert response.status_code == 302
    login, query = response.url.split("?", 1)
    assert login == reverse("account_login")
    assert parse_qs(query)["next"] == [address]


def test_the_reply_page_takes_no_post(client):
    parent = CommentFactory()
    signed_in(client)
    assert client.post(reply_url(parent), {"body": "ตอบ"}).status_code == 405
    assert Comment.objects.count() == 1


def test_hidden_deleted_or_missing_comments_have_no_reply_page(client):
    hidden = CommentFactory(hidden_at=timezone.now())
    deleted = CommentFactory(deleted_at=timezone.now())
    on_hidden_content = CommentFactory(commentable=DebateFactory(hidden_at=timezone.now()))
    signed_in(client)
    for comment in [hidden, deleted, on_hidden_content]:
        assert client.get(reply_url(comment)).status_code == 404
    assert client.get(f"/en/comments/{10**30}/reply/").status_code == 404
    assert client.get("/en/comments/123456/reply/").status_code == 404


def test_closed_comments_show_the_reason_and_no_reply_link_or_form(client):
    from tests.legislation.factories import ProcessFactory, days

    # A process takes comments only during its debate phase, which is over here.
    process = ProcessFactory()
    parent = CommentFactory(commentable=process)
    signed_in(client, CitizenFactory())
    thread = client.get(process.get_absolute_url()).content.decode()
    assert 'class="comments-closed"' in thread and f'id="comment-{parent.pk}"' in thread
    assert url("comment_reply", parent.pk) not in thread and "comments.js" not in thread
    for part in [{}, {"part": "form"}]:
        response = client.get(reply_url(parent, **part))
        html = response.content.decode()
        assert response.status_code == 200
        assert 'class="comments-closed"' in html and "<textarea" not in html

    process.debate_ends_on = days(1)
    process.save()
    thread = client.get(process.get_absolute_url()).content.decode()
    assert url("comment_reply", parent.pk) in thread and "comments.js" in thread
    assert "<textarea" in client.get(reply_url(parent)).content.decode()


def test_the_reply_page_costs_the_same_queries_however_big_the_thread(
    client, django_assert_num_queries
):
    small, big = CommentFactory(), CommentFactory()
    reply = big
    for _ in range(30):
        reply = CommentFactory(parent=reply)
    CommentFactory.create_batch(20, commentable=big.commentable)
    signed_in(client)
    for part in [{}, {"part": "form"}]:
        client.get(reply_url(small, **part))  # warm caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reply_url(small, **part)).status_code == 200
        # Read now: the next request empties the connection's query log that `queries` slices.
        small_count = len(queries)
        for comment in [big, reply]:
            with django_assert_num_queries(small_count):
                assert client.get(reply_url(comment, **part)).status_code == 200


# --- Flags and follows ------------------------------------------------------------------------


def test_flag_once_then_hear_it_was_already_reported(client):
    debate = DebateFactory()
    signed_in(client)
    response = client.post(url("flag", DEBATE, debate.pk), {"next": NEXT})
    assert response.url == NEXT
    assert said(response) == ["Thank you. Moderators will review it."]
    response = client.post(url("flag", DEBATE, debate.pk), {"next": NEXT})
    assert said(response) == ["You have already reported this."]
    debate.refresh_from_db()
    assert debate.flags_count == 1


def test_nobody_reports_their_own_content(client):
    comment = CommentFactory()
    signed_in(client, comment.author)
    response = client.post(url("flag", COMMENT, comment.pk), {"next": NEXT})
    assert said(response) == ["You cannot report what you wrote yourself."]
    assert response.url == f"{NEXT}#comment-{comment.pk}"
    assert not Flag.objects.exists()


def test_follow_and_unfollow(client):
    debate = DebateFactory()
    person = signed_in(client)
    response = client.post(url("follow", DEBATE, debate.pk), {"next": NEXT})
    assert response.url == NEXT and Follow.objects.filter(user=person).count() == 1
    client.post(url("follow", DEBATE, debate.pk), {"next": NEXT})
    assert Follow.objects.filter(user=person).count() == 1
    response = client.post(url("unfollow", DEBATE, debate.pk))
    assert response.url == debate.get_absolute_url()
    assert not Follow.objects.filter(user=person).exists()


# --- Includes ---------------------------------------------------------------------------------


def render_comments(user, debate, **kwargs) -> str:
    request = RequestFactory().get("/th/debates/1/", {"order": "oldest"})
    request.user = user
    context = {
        "commentable": debate,
        "comments": comments_page(commentable=debate, user=user, order="oldest", **kwargs),
    }
    return render_to_string("participation/includes/comments.html", context, request=request)


def test_the_thread_renders_placeholders_hides_hidden_and_escapes(rf):
    debate = DebateFactory(comments_count=4)
    me = UserFactory(display_name="ฉันเอง")
    mine = CommentFactory(
        commentable=debate, author=me, body="<script>x</script> ดู https://saensuk.go.th"
    )
    deleted = CommentFactory(parent=mine, body="ข้อความลับ", deleted_at=timezone.now())
    under_deleted = CommentFactory(parent=deleted, body="ยังอยู่")
    hidden = CommentFactory(parent=mine, body="ถูกซ่อน", hidden_at=timezone.now())
    CommentFactory(parent=hidden, body="ใต้ที่ซ่อน")
    official = CommentFactory(commentable=debate, body="คำตอบ", is_official=True)
    VoteFactory(user=me, target=official, value=1)

    html = render_comments(me, debate)

    assert "This comment was deleted by its author." in html and "ข้อความลับ" not in html
    assert f'id="comment-{under_deleted.pk}"' in html and "ยังอยู่" in html
    assert "ถูกซ่อน" not in html and "ใต้ที่ซ่อน" not in html
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert 'href="https://saensuk.go.th"' in html
    assert "Official answer" in html
    # Nested lists are balanced at any depth.
    assert html.count("<ol") == html.count("</ol>") and html.count("<li") == html.count("</li>")
    # Delete only on one's own comment, Report only on others'.
    mine_block = html.split(f'id="comment-{mine.pk}"')[1].split("</article>")[0]
    official_block = html.split(f'id="comment-{official.pk}"')[1].split("</article>")[0]
    assert url("comment_delete", mine.pk) in mine_block
    assert url("flag", COMMENT, mine.pk) not in mine_block
    assert url("flag", COMMENT, official.pk) in official_block
    assert url("comment_delete", official.pk) not in html
    # The current vote's button is pressed, and pressing it again sends "" to take it back.
    assert re.search(r'value=""[^>]*aria-pressed="true"', official_block)
    # Reply is a link to the reply page; only deleting one's own comment opens in <details>.
    assert "<details" in mine_block and url("comment_reply", mine.pk) in mine_block
    assert 'name="parent"' not in html
    assert url("comment_reply", deleted.pk) not in html  # no replying to a withdrawn comment
    assert 'aria-current="page"' in html and "order=oldest" in html


def test_the_thread_for_anonymous_people_offers_sign_in_not_forms():
    debate = DebateFactory()
    CommentFactory(commentable=debate)
    html = render_comments(AnonymousUser(), debate)
    assert "Sign in to comment" in html and "Sign in to like or dislike" in html
    assert "<textarea" not in html and 'method="post"' not in html


def test_indentation_stops_past_depth_four():
    debate = DebateFactory()
    parent = CommentFactory(commentable=debate)
    for _ in range(7):
        parent = CommentFactory(parent=parent)
    html = render_comments(UserFactory(), debate)
    depths = re.findall(r'class="comment comment-depth-(\d+)"', html)
    assert depths == ["0", "1", "2", "3", "4", "4", "4", "4"]
    assert html.count("<ol") == html.count("</ol>") == 8


def test_comment_pages_keep_the_order(client):
    debate = DebateFactory()
    CommentFactory.create_batch(3, commentable=debate)
    html = render_comments(UserFactory(), debate, per_page=2)
    assert "?order=oldest&amp;page=2#comments" in html


def test_rendering_a_thread_costs_the_same_queries_at_any_size(django_assert_num_queries):
    small, big = DebateFactory(), DebateFactory()
    viewer = UserFactory()
    for debate, threads in [(small, 1), (big, 20)]:
        for _ in range(threads):
            parent = CommentFactory(commentable=debate)
            for _ in range(2):
                parent = CommentFactory(parent=parent)
    render_comments(viewer, small)  # warm the content-type cache
    with CaptureQueriesContext(connection) as queries:
        render_comments(viewer, small)
    small_count = len(queries)
    with django_assert_num_queries(small_count):
        assert render_comments(viewer, big).count('class="comment comment-depth') == 60


def test_a_signed_in_thread_grows_by_a_link_per_comment_not_a_form(django_assert_num_queries):
    """The reply form lives on the reply page: each comment adds a link, the same queries."""
    small, big = DebateFactory(), DebateFactory()
    viewer = UserFactory(is_staff=True)
    CommentFactory(commentable=small)
    CommentFactory.create_batch(20, commentable=big)  # a full page of comments
    render_comments(viewer, small)  # warm the content-type cache
    with CaptureQueriesContext(connection) as queries:
        small_html = render_comments(viewer, small)
    with django_assert_num_queries(len(queries)):
        big_html = render_comments(viewer, big)
    assert big_html.count('class="comment-reply-link"') == 20
    # One textarea, one official box: the new comment's form; none per comment.
    assert big_html.count("<textarea") == 1 and big_html.count('name="official"') == 1
    assert 'name="parent"' not in big_html
    assert big_html.count("comments.js") == 1
    # What a comment adds beyond what an anonymous visitor gets: its like/dislike and report
    # forms (about 950 characters) and the reply link (about 200). The inline reply form that
    # the link replaced weighed about 1,250 on its own, for staff.
    anonymous = AnonymousUser()
    per_comment = (len(big_html) - len(small_html)) / 19
    anonymous_per_comment = (
        len(render_comments(anonymous, big)) - len(render_comments(anonymous, small))
    ) / 19
    assert per_comment - anonymous_per_comment < 1400


def test_vote_split_table(client):
    from participation.selectors import vote_split

    debate = DebateFactory()
    VoteFactory(target=debate, value=1, voter_class=VoterClass.INTERESTED)
    VoteFactory(target=debate, value=-1, voter_class=VoterClass.AFFECTED_CITIZEN)
    html = render_to_string("participation/includes/vote_split.html", {"split": vote_split(debate)})
    assert "<caption>" in html and html.count('scope="row"') == 5  # four classes and the total
    assert html.count('scope="col"') == 3


def test_follow_and_flag_buttons_know_who_is_looking():
    debate = DebateFactory()
    request = RequestFactory().get("/th/debates/1/")
    request.user = debate.author
    html = render_to_string(
        "participation/includes/flag_button.html", {"target": debate}, request=request
    )
    assert "Report" not in html
    request.user = UserFactory()
    html = render_to_string(
        "participation/includes/flag_button.html", {"target": debate}, request=request
    )
    assert url("flag", DEBATE, debate.pk) in html
    html = render_to_string(
        "participation/includes/follow_button.html",
        {"target": debate, "following": True},
        request=request,
    )
    assert url("unfollow", DEBATE, debate.pk) in html


# --- Notifications ----------------------------------------------------------------------------


def test_the_notifications_page_lists_links_and_marks_new(client):
    person = signed_in(client)
    debate = DebateFactory(title="ทางเท้าริมคลอง")
    reply = NotificationFactory(
        user=person,
        kind=Notification.Kind.REPLY,
        comment=CommentFactory(commentable=debate, author=UserFactory(display_name="สมศรี")),
    )
    read = NotificationFactory(user=person, read_at=timezone.now())
    deleted = NotificationFactory(user=person, comment=CommentFactory(deleted_at=timezone.now()))
    NotificationFactory()  # someone else's

    response = client.get(url("notifications"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{debate.get_absolute_url()}#comment-{reply.comment_id}"' in html
    assert "สมศรี replied to you" in html and "ทางเท้าริมคลอง" in html
    assert read.comment.body in html
    assert deleted.comment.body not in html  # withdrawn comments are no longer news
    assert html.count('<span class="badge">new</span>') == 1
    assert "Mark all as read" in html
    # The header shows the unread count with words for screen readers.
    assert re.search(r'nav-badge">1<span class="visually-hidden"> unread', html)
    # Looking does not mark anything read.
    assert Notification.objects.filter(user=person, read_at__isnull=True).count() == 2


def test_mark_all_as_read(client):
    person = signed_in(client)
    NotificationFactory.create_batch(3, user=person)
    other = NotificationFactory()
    response = client.post(url("notifications_read"))
    assert response.status_code == 302 and response.url == url("notifications")
    assert not Notification.objects.filter(user=person, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    html = client.get(url("notifications")).content.decode()
    assert "nav-badge" not in html and "Notifications" in html


def test_notifications_are_paginated_by_twenty(client):
    person = signed_in(client)
    NotificationFactory.create_batch(23, user=person)
    assert len(notifications_page(user=person).object_list) == 20
    html = client.get(url("notifications"), {"page": 2}).content.decode()
    assert html.count('class="notification is-unread"') == 3
    assert client.get(url("notifications"), {"page": "junk"}).status_code == 200


def test_the_notifications_page_costs_the_same_queries_at_any_size(
    client, django_assert_num_queries
):
    small, big = UserFactory(), UserFactory()
    debates = DebateFactory.create_batch(2)
    for n in range(3):
        NotificationFactory(user=small, comment=CommentFactory(commentable=debates[n % 2]))
    for _ in range(25):
        NotificationFactory(user=big, comment=CommentFactory(commentable=DebateFactory()))
    signed_in(client, small)
    client.get(url("notifications"))  # warm caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("notifications")).status_code == 200
    # Read now: the next request empties the connection's query log that `queries` slices.
    small_count = len(queries)
    signed_in(client, big)
    client.get(url("notifications"))
    with django_assert_num_queries(small_count):
        response = client.get(url("notifications"))
    assert response.content.decode().count('class="notification is-unread"') == 20


def test_no_badge_number_without_unread_notifications(client):
    signed_in(client)
    html = client.get(url("notifications")).content.decode()
    assert url("notifications") in html and "nav-badge" not in html


def test_the_digest_links_to_the_notifications_page():
    from django.core import mail

    from participation.notifications import notification_digest_send

    person = UserFactory(language="en")
    NotificationFactory(user=person)
    notification_digest_send(user_id=person.pk)
    assert "/en/notifications/" in mail.outbox[0].body


def test_the_parsed_redirect_keeps_its_query(client):
    # A next with its own query string and fragment comes back whole, with the new anchor.
    debate = DebateFactory()
    signed_in(client)
    response = client.post(
        url("comment", DEBATE, debate.pk), {"body": "ก", "next": "/th/debates/?a=1&b=2#top"}
    )
    parts = urlsplit(response.url)
    assert (parts.path, parts.query) == ("/th/debates/", "a=1&b=2")
    assert parts.fragment == f"comment-{Comment.objects.get().pk}"
