"""The moderation queue in the admin: what a moderator sees and what the actions do."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from debates.models import Debate
from participation.models import Comment, Flag, ModerationAction
from participation.services import comment_create, flag_add
from tests.factories import CommentFactory, DebateFactory, UserFactory

pytestmark = pytest.mark.django_db

COMMENTS = "/en/admin/participation/comment/"
DEBATES = "/en/admin/debates/debate/"


def staff(role: str, **kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def moderator():
    return staff("moderator")


@pytest.fixture
def moderator_client(moderator):
    client = Client()
    client.force_login(moderator)
    return client


def write(commentable=None, author=None) -> Comment:
    """A comment written through the service, so the page's comment count includes it."""
    return comment_create(
        author=author or UserFactory(), commentable=commentable or DebateFactory(), body="ความเห็น"
    )


def flag(target, times: int = 1) -> None:
    for _ in range(times):
        assert flag_add(user=UserFactory(), target=target)


def listed(client, url, **params) -> list:
    response = client.get(url, params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def act(client, url, action: str, items, **params):
    """Run an admin action on `items` from the changelist; returns the followed response."""
    query = "&".join(f"{k}={v}" for k, v in {"moderation": "all", **params}.items())
    return client.post(
        f"{url}?{query}",
        {"action": action, "index": 0, "_selected_action": [str(item.pk) for item in items]},
        follow=True,
    )


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_queue_opens_on_pending(moderator_client):
    for url in (COMMENTS, DEBATES):
        response = moderator_client.get(url)
        assert response.status_code == 302 and response["Location"].endswith("?moderation=pending")
    # The Thai admin renders the queue too.
    assert moderator_client.get("/th/admin/debates/debate/?moderation=pending").status_code == 200


def test_pending_is_flagged_and_not_yet_reviewed_and_the_other_views_show_the_rest(
    moderator_client, moderator
):
    quiet, flagged, hidden, ignored = (write() for _ in range(4))
    for comment in (flagged, hidden, ignored):
        flag(comment)
    act(moderator_client, COMMENTS, "hide_selected", [hidden])
    act(moderator_client, COMMENTS, "ignore_flags_selected", [ignored])

    assert listed(moderator_client, COMMENTS, moderation="pending") == [flagged]
    assert listed(moderator_client, COMMENTS, moderation="hidden") == [hidden]
    assert listed(moderator_client, COMMENTS, moderation="ignored") == [ignored]
    # Admins see everything, hidden content included, and it is marked.
    assert set(listed(moderator_client, COMMENTS, moderation="all")) == {
        quiet,
        flagged,
        hidden,
        ignored,
    }
    page = moderator_client.get(COMMENTS, {"moderation": "all"}).content.decode()
    assert "Hidden since" in page
    facets = moderator_client.get(COMMENTS, {"moderation": "pending", "_facets": "True"})
    assert "Pending (1)" in facets.content.decode()
    change = moderator_client.get(f"{COMMENTS}{hidden.pk}/change/").content.decode()
    assert "Hidden by a moderator since" in change


def test_the_queue_puts_the_most_flagged_first(moderator_client):
    once, thrice, twice = DebateFactory.create_batch(3)
    flag(once, 1)
    flag(thrice, 3)
    flag(twice, 2)
    assert listed(moderator_client, DEBATES, moderation="pending") == [thrice, twice, once]


def test_hide_then_restore_goes_through_the_services_and_is_logged(moderator_client, moderator):
    author = UserFactory()
    debates = DebateFactory.create_batch(2, author=author)
    kept = DebateFactory()
    for debate in (*debates, kept):
        flag(debate)

    response = act(moderator_client, DEBATES, "hide_selected", debates)
    assert "2 items hidden." in said(response)
    assert list(Debate.objects.visible()) == [kept]
    assert listed(moderator_client, DEBATES, moderation="pending") == [kept]
    hides = ModerationAction.objects.filter(kind=ModerationAction.Kind.HIDE)
    assert hides.count() == 2
    assert {(a.moderator, a.target_user, a.object_id) for a in hides} == {
        (moderator, author, d.pk) for d in debates
    }

    response = act(moderator_client, DEBATES, "restore_selected", [*debates, kept])
    assert "2 items restored." in said(response)  # `kept` was never hidden
    assert Debate.objects.visible().count() == 3
    assert ModerationAction.objects.filter(kind=ModerationAction.Kind.RESTORE).count() == 2


def test_hiding_a_comment_takes_it_out_of_the_debates_comment_count(moderator_client):
    debate = DebateFactory()
    comments = [write(debate) for _ in range(3)]

    act(moderator_client, COMMENTS, "hide_selected", comments[:2])
    debate.refresh_from_db()
    assert debate.comments_count == 1
    assert list(Comment.objects.visible()) == comments[2:]
    act(moderator_client, COMMENTS, "restore_selected", comments)
    debate.refresh_from_db()
    assert debate.comments_count == 3


def test_ignored_flags_leave_the_queue_until_someone_flags_again(moderator_client, moderator):
    debate = DebateFactory()
    flag(debate, 2)
    response = act(moderator_client, DEBATES, "ignore_flags_selected", [debate])
    assert "Flags ignored on 1 item." in said(response)
    assert listed(moderator_client, DEBATES, moderation="pending") == []
    assert listed(moderator_client, DEBATES, moderation="ignored") == [debate]
    assert ModerationAction.objects.get().kind == ModerationAction.Kind.IGNORE_FLAGS

    flag(debate)
    assert listed(moderator_client, DEBATES, moderation="pending") == [debate]


def test_blocking_an_author_hides_all_they_wrote_and_signs_them_out(client, moderator):
    author = UserFactory()
    client.force_login(author)
    assert client.get("/th/me/").status_code == 200
    debates = DebateFactory.create_batch(2, author=author)
    comment = write(author=author)
    other = write(debates[0])
    flag(comment)

    moderator_client = Client()
    moderator_client.force_login(moderator)
    response = act(moderator_client, COMMENTS, "block_authors_selected", [comment])

    assert "1 author blocked; 3 items of theirs hidden." in said(response)
    author.refresh_from_db()
    assert not author.is_active and author.blocked_at is not None
    assert not Debate.objects.visible().filter(author=author).exists()
    assert list(Comment.objects.visible()) == [other]
    block = ModerationAction.objects.get(kind=ModerationAction.Kind.BLOCK)
    assert block.moderator == moderator and block.target_user == author
    response = client.get("/th/me/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_moderator_cannot_block_themselves_or_a_superuser(moderator_client, moderator):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    own = write(author=moderator)
    boss = write(author=superuser)

    response = act(moderator_client, COMMENTS, "block_authors_selected", [own, boss])

    messages = said(response)
    assert f"{moderator.email} was not blocked" in " ".join(messages)
    assert f"{superuser.email} was not blocked" in " ".join(messages)
    assert "0 authors blocked; 0 items of theirs hidden." in messages
    assert Comment.objects.visible().count() == 2
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("url", [COMMENTS, DEBATES, "/en/admin/participation/flag/"])
def test_residents_are_sent_to_the_admin_login(client, url):
    client.force_login(UserFactory())
    response = client.get(url + "?moderation=pending")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_planner_may_not_moderate(client):
    client.force_login(staff("planner"))
    assert client.get(COMMENTS + "?moderation=pending").status_code == 403
    assert client.get(DEBATES + "?moderation=pending").status_code == 403
    assert client.get("/en/admin/participation/moderationaction/").status_code == 403


def test_an_administrator_moderates_too(client):
    client.force_login(staff("administrator"))
    debate = DebateFactory()
    act(client, DEBATES, "hide_selected", [debate])
    assert not Debate.objects.visible().exists()


def test_the_comment_list_shows_what_was_commented(moderator_client):
    debate = DebateFactory()
    comment = CommentFactory(commentable=debate, body="ถนนหน้าตลาดน้ำท่วมทุกปี", is_official=True)
    flag(comment)
    page = moderator_client.get(COMMENTS, {"moderation": "pending"}).content.decode()
    assert f"debate {debate.pk}" in page
    assert f"/en/admin/debates/debate/{debate.pk}/change/" in page
    assert "ถนนหน้าตลาดน้ำท่วมทุกปี" in page
    assert listed(moderator_client, COMMENTS, q=comment.author.email) == [comment]
    assert listed(moderator_client, COMMENTS, q="ตลาดน้ำ") == [comment]


def test_comments_cannot_be_added_edited_or_deleted_in_the_admin(moderator_client):
    comment = CommentFactory(body="ข้อความเดิม")
    assert moderator_client.get(COMMENTS + "add/").status_code == 403
    response = moderator_client.post(f"{COMMENTS}{comment.pk}/change/", {"body": "แก้แล้ว"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "ข้อความเดิม"
    assert moderator_client.post(f"{COMMENTS}{comment.pk}/delete/").status_code == 403


def test_actions_need_the_change_permission(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    comment = CommentFactory()
    response = client.get(COMMENTS, {"moderation": "all"})
    assert response.status_code == 200 and "hide_selected" not in response.content.decode()
    act(client, COMMENTS, "hide_selected", [comment])
    assert Comment.objects.visible().count() == 1


def test_the_comment_queue_costs_the_same_queries_for_3_and_30_rows(moderator_client):
    def queries(rows: int) -> int:
        Comment.objects.all().delete()
        for debate in DebateFactory.create_batch(rows):
            CommentFactory(commentable=debate, flags_count=1)
        with CaptureQueriesContext(connection) as captured:
            assert len(listed(moderator_client, COMMENTS, moderation="pending")) == rows
        return len(captured)

    queries(1)  # warm the content-type cache
    assert queries(3) == queries(30)


def test_the_moderation_log_is_read_only_and_filterable(moderator_client, moderator):
    debate = DebateFactory()
    act(moderator_client, DEBATES, "hide_selected", [debate])
    act(moderator_client, DEBATES, "restore_selected", [debate])
    log = "/en/admin/participation/moderationaction/"

    assert len(listed(moderator_client, log)) == 2
    hides = listed(moderator_client, log, kind__exact="hide")
    assert [a.kind for a in hides] == ["hide"]
    assert len(listed(moderator_client, log, moderator__id__exact=moderator.pk)) == 2
    page = moderator_client.get(log).content.decode()
    assert moderator.email in page and f"debate {debate.pk}" in page

    assert moderator_client.get(log + "add/").status_code == 403
    action = hides[0]
    moderator_client.post(f"{log}{action.pk}/change/", {"summary": "rewritten"})
    action.refresh_from_db()
    assert action.summary == debate.title
    assert moderator_client.post(f"{log}{action.pk}/delete/").status_code == 403


def test_the_flag_list_shows_who_reported_what(moderator_client):
    debate = DebateFactory(title="ขยะล้นถังหน้าวัด")
    reporter = UserFactory()
    flag_add(user=reporter, target=debate)
    flags = "/en/admin/participation/flag/"

    page = moderator_client.get(flags).content.decode()
    assert reporter.email in page and "ขยะล้นถังหน้าวัด" in page
    # The flags count in the queue links to exactly these rows.
    queue = moderator_client.get(DEBATES, {"moderation": "pending"}).content.decode()
    flag_row = Flag.objects.get()
    link = f"?content_type__id__exact={flag_row.content_type_id}&amp;object_id={debate.pk}"
    assert link in queue
    assert listed(
        moderator_client,
        flags,
        content_type__id__exact=flag_row.content_type_id,
        object_id=debate.pk,
    ) == [flag_row]
    assert moderator_client.get(flags + "add/").status_code == 403
    assert moderator_client.post(f"{flags}{flag_row.pk}/delete/").status_code == 403


def test_hiding_a_comment_takes_its_replies_out_of_the_count_with_it(moderator_client):
    # The replies of a hidden comment leave the page with it, so the count must drop by all of them.
    debate = DebateFactory()
    author = UserFactory()
    first = comment_create(author=author, commentable=debate, body="ก")
    reply = comment_create(author=author, commentable=debate, body="ข", parent=first)
    comment_create(author=author, commentable=debate, body="ค", parent=reply)
    other = comment_create(author=author, commentable=debate, body="ง")

    act(moderator_client, COMMENTS, "hide_selected", [first])
    debate.refresh_from_db()
    assert debate.comments_count == 1
    act(moderator_client, COMMENTS, "hide_selected", [other])
    act(moderator_client, COMMENTS, "restore_selected", [first])
    debate.refresh_from_db()
    assert debate.comments_count == 3
