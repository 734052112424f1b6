import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from debates.models import Debate
from participation.models import Comment, Vote
from tests.factories import (
    CitizenFactory,
    CommunityFactory,
    DebateFactory,
    StrategicIssueFactory,
    UserFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/en/debates/"


def page_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def titles(response) -> list[str]:
    return re.findall(r'<h2 id="debate-\d+-title"><a href="[^"]+">([^<]+)</a>', page_of(response))


# --- List ----------------------------------------------------------------------------------------


def test_the_list_shows_compact_cards(client):
    community = CommunityFactory(name_en="Nong Mon")
    issue = StrategicIssueFactory(title_en="Clean canals")
    DebateFactory(
        title="Walking street",
        author=UserFactory(display_name="Malee"),
        community=community,
        strategic_issue=issue,
        tags=["market", "ตลาด"],
        cached_votes_up=3,
        cached_votes_down=1,
        comments_count=2,
        is_featured=True,
    )
    page = page_of(client.get(LIST))
    assert "Walking street" in page and "Malee" in page
    assert "Nong Mon" in page and "Clean canals" in page
    assert "3 likes" in page and "1 dislike" in page and "2 comments" in page
    assert ">Featured<" in page
    assert 'href="/en/debates/?tag=market"' in page
    assert 'href="/en/debates/?tag=%E0%B8%95%E0%B8%A5%E0%B8%B2%E0%B8%94"' in page
    # The tag box suggests the tags in use, without JavaScript.
    assert '<datalist id="id_tag_suggestions"><option value="market">' in page


def test_the_list_in_thai_is_the_default(client):
    DebateFactory(title="ถนนคนเดิน")
    response = client.get("/th/debates/")
    assert "ถนนคนเดิน" in page_of(response)


def test_order_tabs_mark_the_current_order(client):
    page = page_of(client.get(LIST + "?order=top"))
    assert re.search(r'<a href="\?order=top"[^>]*aria-current="page"', page)
    assert not re.search(r'<a href="\?order=hot"[^>]*aria-current', page)
    page = page_of(client.get(LIST + "?order=nonsense"))
    assert re.search(r'<a href="\?order=hot"[^>]*aria-current="page"', page)


@pytest.mark.parametrize(
    ("order", "leader"),
    [("hot", "Hot"), ("top", "Top"), ("new", "New"), ("comments", "Talked")],
)
def test_each_order_with_featured_first(client, order, leader):
    DebateFactory(title="Hot", hot_score=10)
    DebateFactory(title="Top", confidence_score=5)
    DebateFactory(title="Talked", comments_count=9)
    DebateFactory(title="Featured one", is_featured=True, hot_score=-5, confidence_score=0)
    DebateFactory(title="New")
    shown = titles(client.get(f"{LIST}?order={order}"))
    assert shown[:2] == ["Featured one", leader]


def test_filters_work_by_get_and_unknown_values_are_ignored(client):
    community = CommunityFactory(code="nong-mon")
    issue = StrategicIssueFactory(slug="canals")
    DebateFactory(title="Tagged", tags=["flooding"])
    DebateFactory(title="Local", community=community)
    DebateFactory(title="On issue", strategic_issue=issue)
    assert titles(client.get(LIST + "?tag=Flooding")) == ["Tagged"]
    assert titles(client.get(LIST + "?community=nong-mon")) == ["Local"]
    assert titles(client.get(LIST + "?strategic_issue=canals&order=new")) == ["On issue"]
    everything = titles(client.get(LIST))
    assert len(everything) == 3
    assert titles(client.get(LIST + "?community=atlantis&strategic_issue=nope")) == everything
    response = client.get(LIST + "?tag=nobody-uses-this")
    assert titles(response) == [] and "No debate matches these filters." in page_of(response)


def test_pagination_keeps_the_filters_and_survives_junk(client):
    for n in range(45):
        DebateFactory(title=f"Debate {n:02d}", tags=["market"])
    first = client.get(LIST + "?tag=market&order=new")
    assert len(titles(first)) == 20
    assert 'href="?tag=market&amp;order=new&amp;page=2" rel="next"' in page_of(first)
    third = client.get(LIST + "?tag=market&order=new&page=3")
    assert titles(third) == [f"Debate {n:02d}" for n in range(4, -1, -1)]
    assert "Page 3 of 3" in page_of(third)
    for junk, expected in [
        ("abc", 1),
        ("0", 3),
        ("-1", 3),
        ("999", 3),
        ("99999999999999999999999", 3),
        ("1.5", 1),
        ("", 1),
    ]:
        response = client.get(LIST + f"?tag=market&page={junk}")
        assert f"Page {expected} of 3" in page_of(response), junk


def test_hidden_debates_and_those_of_blocked_authors_are_absent_and_404(client):
    DebateFactory(title="Shown")
    hidden = DebateFactory(title="Hidden", hidden_at=timezone.now())
    blocked = DebateFactory(title="Blocked", author=UserFactory(blocked_at=timezone.now()))
    assert titles(client.get(LIST)) == ["Shown"]
    for debate in (hidden, blocked):
        assert client.get(f"/en/debates/{debate.pk}/").status_code == 404
    client.force_login(hidden.author)
    assert client.get(f"/en/debates/{hidden.pk}/edit/").status_code == 404
    assert client.get("/en/debates/999999/").status_code == 404
    assert client.get("/en/debates/99999999999999999999999/").status_code == 404


def test_the_signed_in_persons_votes_show_on_the_list(client):
    voter = UserFactory()
    liked, disliked, _untouched = DebateFactory(), DebateFactory(), DebateFactory()
    VoteFactory(target=liked, user=voter, value=1)
    VoteFactory(target=disliked, user=voter, value=-1)
    client.force_login(voter)
    page = page_of(client.get(LIST))
    assert page.count("You like this") == 1 and page.count("You dislike this") == 1


# --- Detail --------------------------------------------------------------------------------------


def test_the_detail_shows_everything(client):
    community = CommunityFactory(name_en="Nong Mon", code="nong-mon")
    issue = StrategicIssueFactory(title_en="Clean canals", slug="canals")
    debate = DebateFactory(
        title="Walking street",
        description='<p>Close it on <a href="https://example.org" rel="nofollow">Sundays</a></p>',
        author=UserFactory(display_name="Malee"),
        community=community,
        strategic_issue=issue,
        tags=["market"],
        is_featured=True,
    )
    page = page_of(client.get(f"/en/debates/{debate.pk}/"))
    assert '<a href="https://example.org" rel="nofollow">Sundays</a>' in page
    assert "Started by Malee" in page and ">Featured<" in page
    assert 'href="/en/debates/?community=nong-mon"' in page
    assert 'href="/en/debates/?strategic_issue=canals"' in page
    assert 'href="/en/debates/?tag=market"' in page
    assert "Likes and dislikes by group" in page
    assert "Sign in to comment" in page
    assert "Edit debate" not in page


def test_the_author_sees_the_edit_link_and_others_can_report(client):
    debate = DebateFactory()
    client.force_login(debate.author)
    page = page_of(client.get(f"/en/debates/{debate.pk}/"))
    assert f'href="/en/debates/{debate.pk}/edit/"' in page
    client.force_login(UserFactory())
    page = page_of(client.get(f"/en/debates/{debate.pk}/"))
    assert "Edit debate" not in page and ">Report<" in page


def test_the_comments_follow_order_and_page_from_the_request(client):
    debate = DebateFactory()
    ct = ContentType.objects.get_for_model(Debate)
    for n in range(3):
        Comment.objects.create(
            content_type=ct, object_id=debate.pk, author=UserFactory(), body=f"comment {n}"
        )
    page = page_of(client.get(f"/en/debates/{debate.pk}/?order=newest&page=junk"))
    assert page.index("comment 2") < page.index("comment 0")
    assert 'href="?order=newest#comments" aria-current="page"' in page


# --- Create and edit -----------------------------------------------------------------------------


def test_anonymous_create_goes_to_sign_in(client):
    response = client.get("/en/debates/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=/en/debates/new/")
    assert client.post("/en/debates/new/", {"title": "Hello there"}).status_code == 302
    assert not Debate.objects.exists()


def valid(**overrides) -> dict:
    return {
        "title": "Walking street on Sundays",
        "description": "Close Bang Saen road on Sundays.",
        "tags": "Market, ตลาด , market",
        "community": "",
        "strategic_issue": "",
        **overrides,
    }


def test_create_a_debate(client):
    community = CommunityFactory()
    issue = StrategicIssueFactory()
    DebateFactory(tags=["suggested-tag"])
    user = UserFactory()
    client.force_login(user)
    form = page_of(client.get("/en/debates/new/"))
    assert 'list="id_tags_suggestions"' in form and '<option value="suggested-tag">' in form
    response = client.post(
        "/en/debates/new/",
        valid(
            description='<p>Hi<script>alert("x")</script></p>',
            community=community.pk,
            strategic_issue=issue.pk,
        ),
    )
    debate = Debate.objects.get(author=user)
    assert response.status_code == 302 and response["Location"] == f"/en/debates/{debate.pk}/"
    assert debate.description == "<p>Hi</p>"
    assert sorted(debate.tags.names()) == ["market", "ตลาด"]
    assert (debate.community, debate.strategic_issue) == (community, issue)
    page = page_of(client.get(response["Location"]))
    assert "Your debate has started." in page and "alert" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "abc"}, "Write a title of at least 4 characters."),
        ({"title": "x" * 81}, "Keep the title to 80 characters or fewer (it has 81)."),
        ({"title": ""}, "Write a title for the debate."),
        ({"description": ""}, "Write a description of the debate."),
        ({"tags": "a, b, c, d, e, f, g"}, "Use at most 6 tags; you wrote 7."),
        ({"tags": "x" * 41}, "Each tag can be at most 40 characters long."),
        ({"description": "<script>alert(1)</script>"}, "empty once unsafe markup is removed"),
        ({"community": "999999"}, "Select a valid choice."),
    ],
)
def test_invalid_debates_are_refused_with_a_message(client, data, message):
    client.force_login(UserFactory())
    response = client.post("/en/debates/new/", valid(**data))
    assert message in page_of(response)
    assert 'class="field-error"' in page_of(response) or 'class="form-errors"' in page_of(response)
    assert not Debate.objects.exists()


def test_an_inactive_community_cannot_be_chosen(client):
    retired = CommunityFactory(is_active=False)
    client.force_login(UserFactory())
    response = client.post("/en/debates/new/", valid(community=retired.pk))
    assert "Select a valid choice." in page_of(response)


@pytest.fixture
def limit(settings):
    settings.DEBATE_EDIT_VOTE_LIMIT = 2


def test_the_author_edits_under_the_limit(client, limit):
    debate = DebateFactory(title="Old title", cached_votes_up=1, tags=["old"])
    client.force_login(debate.author)
    form = page_of(client.get(f"/en/debates/{debate.pk}/edit/"))
    assert 'value="Old title"' in form and 'value="old"' in form
    response = client.post(f"/en/debates/{debate.pk}/edit/", valid(title="New title"))
    assert response["Location"] == f"/en/debates/{debate.pk}/"
    debate.refresh_from_db()
    assert debate.title == "New title"
    assert "Your changes are saved." in page_of(client.get(response["Location"]))


def test_editing_keeps_a_retired_community(client, limit):
    retired = CommunityFactory(is_active=False)
    debate = DebateFactory(community=retired)
    client.force_login(debate.author)
    response = client.post(f"/en/debates/{debate.pk}/edit/", valid(community=retired.pk))
    assert response.status_code == 302
    debate.refresh_from_db()
    assert debate.community == retired


def test_edit_is_refused_at_the_limit_and_for_others(client, limit):
    debate = DebateFactory(title="Old title", cached_votes_up=1, cached_votes_down=1)
    client.force_login(debate.author)
    response = client.post(f"/en/debates/{debate.pk}/edit/", valid(title="New title"))
    assert response["Location"] == f"/en/debates/{debate.pk}/"
    page = page_of(client.get(response["Location"]))
    assert "no longer be edited" in page and "Edit debate" not in page

    other = DebateFactory(title="Theirs")
    for method in (client.get, client.post):
        response = method(f"/en/debates/{other.pk}/edit/")
        assert response.status_code == 302
    page = page_of(client.get(f"/en/debates/{other.pk}/"))
    assert "Only the author can edit this debate." in page
    debate.refresh_from_db()
    other.refresh_from_db()
    assert (debate.title, other.title) == ("Old title", "Theirs")


# --- Query counts --------------------------------------------------------------------------------


def queries_for(client, url) -> int:
    client.get(url)  # warm per-process caches (content types) and the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def debates_with_everything(count: int, voter) -> list[Debate]:
    made = []
    for n in range(count):
        debate = DebateFactory(
            community=CommunityFactory(),
            strategic_issue=StrategicIssueFactory(),
            tags=[f"tag{n}", f"shared{n % 3}", "all"],
            is_featured=n % 5 == 0,
        )
        VoteFactory(target=debate, user=voter, value=1 if n % 2 else -1)
        made.append(debate)
    return made


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, signed_in):
    voter = CitizenFactory()
    if signed_in:
        client.force_login(voter)
    debates_with_everything(2, voter)
    small = queries_for(client, LIST)
    debates_with_everything(25, voter)
    with django_assert_num_queries(small):
        response = client.get(LIST)
    assert len(titles(response)) == 20
    with django_assert_num_queries(small):
        client.get(LIST + "?page=2&order=top&tag=all")


def comments_on(debate: Debate, count: int, voter) -> None:
    ct = ContentType.objects.get_for_model(Debate)
    comment_ct = ContentType.objects.get_for_model(Comment)
    parent = None
    for n in range(count):
        # Every third comment starts a thread; the others reply, down to several levels.
        starts = n % 3 == 0
        comment = Comment.objects.create(
            content_type=ct,
            object_id=debate.pk,
            author=UserFactory(),
            body=f"comment {n}",
            parent=None if starts else parent,
            root=None if starts else (parent.root or parent),
            depth=0 if starts else parent.depth + 1,
        )
        Vote.objects.create(
            user=voter, content_type=comment_ct, object_id=comment.pk, value=1 if n % 2 else -1
        )
        parent = comment
    Debate.objects.filter(pk=debate.pk).update(comments_count=count)


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_detail_runs_a_fixed_number_of_queries(client, django_assert_num_queries, signed_in):
    voter = CitizenFactory()
    if signed_in:
        client.force_login(voter)
    debate = DebateFactory(community=CommunityFactory(), strategic_issue=StrategicIssueFactory())
    url = f"/en/debates/{debate.pk}/"
    comments_on(debate, 2, voter)
    small = queries_for(client, url)
    debate.tags.set(["a", "b", "c", "d", "e", "f"])
    for voter_ in CitizenFactory.create_batch(5):
        VoteFactory(target=debate, user=voter_, voter_class="affected_citizen")
    VoteFactory(target=debate, user=voter, value=1)
    comments_on(debate, 30, voter)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert page_of(response).count('class="comment-text"') >= 20
