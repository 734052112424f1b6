import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from participation.thai_dates import BE_OFFSET
from proposals.models import Proposal, Support
from tests.factories import (
    CitizenFactory,
    CommentFactory,
    CommunityFactory,
    ProposalFactory,
    StrategicIssueFactory,
    SupportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/en/proposals/"


def page_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def titles(response) -> list[str]:
    return re.findall(r'<h2 id="proposal-\d+-title"><a href="[^"]+">([^<]+)</a>', page_of(response))


def png(size=(4, 4), padding: int = 0) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue() + b"\0" * padding, "image/png")


def valid(**overrides) -> dict:
    return {
        "title": "Shade trees on Long Beach road",
        "summary": "Plant rain trees so people can walk in the shade.",
        "description": "<p>Plant <b>trees</b><script>alert(1)</script></p>",
        "video_url": "",
        "tags": "Trees, ต้นไม้, trees",
        "community": "",
        "strategic_issue": "",
        **overrides,
    }


# --- Create, preview, publish ----------------------------------------------------------------


def test_create_preview_publish_gives_references_in_sequence(client):
    year = timezone.localtime().year + BE_OFFSET
    author = CitizenFactory()
    client.force_login(author)
    for serial in (1, 2):
        response = client.post("/en/proposals/new/", valid(image=png()))
        proposal = Proposal.objects.latest("pk")
        assert response.status_code == 302
        assert response["Location"] == f"/en/proposals/{proposal.pk}/preview/"
        assert proposal.status == "draft" and proposal.description == "<p>Plant <b>trees</b></p>"
        assert sorted(proposal.tags.names()) == ["trees", "ต้นไม้"]
        preview = page_of(client.get(response["Location"]))
        assert "Your draft is saved." in preview
        assert "Shade trees on Long Beach road" in preview and "alert" not in preview
        assert f'action="/en/proposals/{proposal.pk}/publish/"' in preview
        assert f'href="/en/proposals/{proposal.pk}/edit/"' in preview
        # No description given: the image is decorative, not a repeat of the heading.
        assert re.search(r'<img class="proposal-image" src="[^"]+" alt="">', preview)
        response = client.post(f"/en/proposals/{proposal.pk}/publish/")
        reference = f"RK-{year}-{serial:04d}"
        assert response["Location"] == f"/en/proposals/{reference}/"
        page = page_of(client.get(response["Location"]))
        assert f"published with the reference {reference}" in page
    assert client.post(f"/en/proposals/{proposal.pk}/publish/").status_code == 302
    proposal.refresh_from_db()
    assert proposal.reference == f"RK-{year}-0002"


def test_drafts_are_invisible_to_others(client):
    draft = ProposalFactory(status="draft", reference=None, published_at=None, title="Secret")
    for user in (None, UserFactory()):
        if user:
            client.force_login(user)
        assert client.get(f"/en/proposals/{draft.pk}/").status_code == 404
        assert "Secret" not in page_of(client.get(LIST))
    client.force_login(draft.author)
    page = page_of(client.get(f"/en/proposals/{draft.pk}/"))
    assert "only you can see it" in page
    assert "Secret" in page_of(client.get("/en/proposals/mine/"))


def test_reference_lower_case_reference_and_pk_all_work(client):
    proposal = ProposalFactory(title="Canal walk")
    for key in (proposal.reference, proposal.reference.lower(), proposal.pk):
        assert "Canal walk" in page_of(client.get(f"/en/proposals/{key}/"))
    # 5,000 digits: more than int() reads, which once made a 500.
    for key in ("nope", "0", "RK-2500-9999", "9" * 40, "9" * 5000):
        assert client.get(f"/en/proposals/{key}/").status_code == 404


def test_the_author_edits_a_draft_but_not_a_published_proposal(client):
    draft = ProposalFactory(status="draft", reference=None, published_at=None, tags=["old"])
    client.force_login(draft.author)
    form = page_of(client.get(f"/en/proposals/{draft.pk}/edit/"))
    assert 'value="old"' in form
    response = client.post(f"/en/proposals/{draft.pk}/edit/", valid(title="New title"))
    assert response["Location"] == f"/en/proposals/{draft.pk}/preview/"
    draft.refresh_from_db()
    assert draft.title == "New title"
    published = ProposalFactory(author=draft.author)
    response = client.post(f"/en/proposals/{published.pk}/edit/", valid(title="Changed"))
    assert response.status_code == 302
    assert "can no longer be changed" in page_of(client.get(response["Location"]))
    assert client.get(f"/en/proposals/{published.pk}/preview/").status_code == 302


def test_an_unverified_person_sees_the_reason_and_a_verify_link(client):
    client.force_login(UserFactory())
    response = client.get("/en/proposals/new/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Verify your residence to write a proposal." in page
    assert 'href="/en/me/verify/"' in page
    assert client.post("/en/proposals/new/", valid()).status_code == 403
    assert not Proposal.objects.exists()
    proposal = ProposalFactory()
    page = page_of(client.get(proposal.get_absolute_url()))
    assert "Only people verified as citizens or residents" in page
    assert 'href="/en/me/verify/"' in page and "Support this proposal" not in page


def test_anonymous_people_are_sent_to_sign_in(client):
    assert client.get("/en/proposals/new/")["Location"].startswith("/en/accounts/login/")
    proposal = ProposalFactory()
    page = page_of(client.get(proposal.get_absolute_url()))
    assert "Sign in to support proposals." in page
    response = client.post(f"/en/proposals/{proposal.pk}/support/")
    assert response["Location"].startswith("/en/accounts/login/")
    assert not Support.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"summary": "x" * 201}, "Keep the summary to 200 characters or fewer (it has 201)."),
        ({"title": "abc"}, "Write a title of at least 4 characters."),
        ({"video_url": "https://evil.example/watch"}, "Give a https link to a video on YouTube"),
        ({"video_url": "http://youtube.com/watch?v=1"}, "Give a https link to a video on YouTube"),
        ({"video_url": "javascript:alert(1)"}, "Give a https link to a video on YouTube"),
        ({"tags": "a, b, c, d, e, f, g"}, "Use at most 6 tags; you wrote 7."),
        ({"image": SimpleUploadedFile("x.png", b"not an image", "image/png")}, "not an image"),
        ({"image": png(padding=5 * 1024 * 1024 + 1)}, "The image is too large"),
        (
            {"image": png(), "image_alt": "x" * 201},
            "Keep the image description to 200 characters or fewer (it has 201).",
        ),
        ({"description": "<script>alert(1)</script>"}, "Describe the proposal."),
        ({"community": "999999"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_message(client, data, message):
    client.force_login(CitizenFactory())
    response = client.post("/en/proposals/new/", valid(**data))
    assert message in page_of(response)
    assert not Proposal.objects.exists()


def test_the_image_description_is_saved_shown_as_alt_and_kept_when_editing(client):
    author = CitizenFactory()
    client.force_login(author)
    form = page_of(client.get("/en/proposals/new/"))
    assert 'name="image_alt"' in form and "what the picture shows" in form
    alt = 'Rain trees shading a footpath, "before" photo'
    response = client.post("/en/proposals/new/", valid(image=png(), image_alt=f"  {alt}  "))
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.image_alt == alt
    preview = page_of(client.get(response["Location"]))
    assert 'alt="Rain trees shading a footpath, &quot;before&quot; photo"' in preview
    edit = page_of(client.get(f"/en/proposals/{proposal.pk}/edit/"))
    assert 'value="Rain trees shading a footpath, &quot;before&quot; photo"' in edit
    # Editing without a new file keeps the image and takes the new description.
    response = client.post(f"/en/proposals/{proposal.pk}/edit/", valid(image_alt="Old pier"))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.image and proposal.image_alt == "Old pier"
    response = client.post(f"/en/proposals/{proposal.pk}/edit/", valid(image_alt=""))
    proposal.refresh_from_db()
    assert proposal.image_alt == ""
    preview = page_of(client.get(response["Location"]))
    assert re.search(r'<img class="proposal-image" src="[^"]+" alt="">', preview)


def test_good_video_links_are_accepted_and_shown_as_plain_links(client):
    client.force_login(CitizenFactory())
    for url in ("https://youtu.be/abc", "https://www.youtube.com/watch?v=x", "https://vimeo.com/1"):
        response = client.post("/en/proposals/new/", valid(video_url=url))
        assert response.status_code == 302
    proposal = Proposal.objects.latest("pk")
    page = page_of(client.get(f"/en/proposals/{proposal.pk}/preview/"))
    assert 'href="https://vimeo.com/1"' in page and "<iframe" not in page


# --- Supports ------------------------------------------------------------------------------------


def test_support_and_withdraw_through_the_views(client, settings):
    settings.PROPOSAL_SUPPORT_THRESHOLD = "3"
    proposal = ProposalFactory(title="Bus shelter")
    citizen = CitizenFactory()
    client.force_login(citizen)
    page = page_of(client.get(proposal.get_absolute_url()))
    assert "Support this proposal" in page and "0 of 3 supports" in page
    response = client.post(f"/en/proposals/{proposal.reference}/support/")
    assert response["Location"] == proposal.get_absolute_url()
    page = page_of(client.get(response["Location"]))
    assert "your support is counted" in page and "1 of 3 supports" in page
    assert "Withdraw my support" in page and "Supports by voter class" in page
    assert 'max="3" value="1"' in page
    response = client.post(f"/en/proposals/{proposal.reference}/support/")
    assert "You already support this proposal." in page_of(client.get(response["Location"]))
    response = client.post(f"/en/proposals/{proposal.reference}/withdraw/")
    assert "Your support is withdrawn." in page_of(client.get(response["Location"]))
    proposal.refresh_from_db()
    assert proposal.supports_count == 0 and not Support.objects.exists()
    response = client.post(f"/en/proposals/{proposal.reference}/withdraw/")
    assert "You do not support this proposal." in page_of(client.get(response["Location"]))


def test_reaching_the_threshold_marks_the_proposal_successful(client, settings):
    settings.PROPOSAL_SUPPORT_THRESHOLD = "3"
    proposal = ProposalFactory()
    for _ in range(3):
        client.force_login(CitizenFactory())
        client.post(f"/en/proposals/{proposal.pk}/support/")
    proposal.refresh_from_db()
    assert proposal.supports_count == 3 and proposal.successful_at
    assert "Reached its goal" in page_of(client.get(LIST))
    assert titles(client.get(LIST + "?successful=on")) == [proposal.title]


@pytest.mark.parametrize("kind", ["archived", "retired"])
def test_archived_and_retired_proposals_refuse_supports(client, kind):
    if kind == "archived":
        proposal = ProposalFactory(published_at=timezone.now() - timedelta(days=400))
        reason = "This proposal is archived"
    else:
        proposal = ProposalFactory(
            status="retired", retired_reason="duplicate", retired_explanation="See RK-1"
        )
        reason = "Its author has retired this proposal."
    client.force_login(CitizenFactory())
    page = page_of(client.get(proposal.get_absolute_url()))
    assert reason in page and "Support this proposal" not in page
    response = client.post(f"/en/proposals/{proposal.pk}/support/")
    assert reason in page_of(client.get(response["Location"]))
    assert not Support.objects.exists()
    if kind == "retired":
        assert "Duplicate of another proposal" in page and "See RK-1" in page


def test_retire_through_the_form(client):
    proposal = ProposalFactory()
    client.force_login(proposal.author)
    form = page_of(client.get(f"/en/proposals/{proposal.pk}/retire/"))
    assert 'type="radio"' in form
    response = client.post(f"/en/proposals/{proposal.pk}/retire/", {"explanation": "x"})
    assert "Choose why you retire the proposal." in page_of(response)
    response = client.post(
        f"/en/proposals/{proposal.pk}/retire/", {"reason": "done", "explanation": "Built."}
    )
    assert response["Location"] == proposal.get_absolute_url()
    page = page_of(client.get(response["Location"]))
    assert "Your proposal is retired." in page and "Built." in page
    assert proposal.title not in page_of(client.get(LIST))
    client.force_login(UserFactory())
    response = client.get(f"/en/proposals/{ProposalFactory().pk}/retire/")
    assert response.status_code == 302


# --- List ----------------------------------------------------------------------------------------


def test_the_list_shows_cards_with_progress_and_competence(client, settings):
    settings.PROPOSAL_SUPPORT_THRESHOLD = "300"
    ProposalFactory(
        title="Ferry pier",
        community=CommunityFactory(name_en="Nong Mon"),
        strategic_issue=StrategicIssueFactory(title_en="Clean canals"),
        competence="outside",
        responsible_agency="Chonburi Province",
        supports_count=120,
        tags=["pier"],
    )
    page = page_of(client.get(LIST))
    assert "Ferry pier" in page and "Nong Mon" in page and "Clean canals" in page
    assert "Outside municipal authority — responsible: Chonburi Province" in page
    assert "120 of 300 supports" in page and '<progress id="progress-' in page
    assert 'href="/en/proposals/?tag=pier"' in page


def test_orders_and_filters_through_the_list(client):
    ago = timezone.now() - timedelta(days=1)
    hot = ProposalFactory(title="Hot one", hot_score=10, published_at=ago)
    supported = ProposalFactory(title="Supported one", supports_count=10, published_at=ago)
    new = ProposalFactory(title="New one", competence="within")
    old = ProposalFactory(title="Old one", published_at=timezone.now() - timedelta(days=400))
    assert titles(client.get(LIST))[0] == hot.title
    assert titles(client.get(LIST + "?order=supported"))[0] == supported.title
    assert titles(client.get(LIST + "?order=new"))[0] == new.title
    page = page_of(client.get(LIST + "?order=archived"))
    assert titles(client.get(LIST + "?order=archived")) == [old.title] and "Archived" in page
    assert titles(client.get(LIST + "?order=junk"))[0] == hot.title
    assert titles(client.get(LIST + "?competence=within")) == [new.title]
    assert len(titles(client.get(LIST + "?competence=junk&community=junk&tag="))) == 3


def test_pagination_survives_junk(client):
    ProposalFactory.create_batch(21)
    assert len(titles(client.get(LIST))) == 20
    for junk in ("abc", "-1", "0", "99999", "1.5", "9" * 50):
        assert len(titles(client.get(f"{LIST}?page={junk}"))) in (1, 20)


# --- Query counts --------------------------------------------------------------------------------


def queries_for(client, url) -> int:
    client.get(url)  # warm per-process caches (content types), the session and tag suggestions
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def proposals_with_everything(count: int, supporter) -> list[Proposal]:
    made = []
    for n in range(count):
        proposal = ProposalFactory(
            community=CommunityFactory(),
            strategic_issue=StrategicIssueFactory(),
            tags=[f"tag{n}", f"shared{n % 3}", "all"],
            competence="outside" if n % 2 else "",
            responsible_agency="Chonburi Province" if n % 2 else "",
        )
        SupportFactory(proposal=proposal, user=supporter)
        made.append(proposal)
    return made


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, signed_in):
    supporter = CitizenFactory()
    if signed_in:
        client.force_login(supporter)
    proposals_with_everything(2, supporter)
    small = queries_for(client, LIST)
    proposals_with_everything(25, supporter)
    with django_assert_num_queries(small):
        response = client.get(LIST)
    assert len(titles(response)) == 20
    with django_assert_num_queries(small):
        client.get(LIST + "?page=2&order=supported&tag=all")


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_detail_runs_a_fixed_number_of_queries(client, django_assert_num_queries, signed_in):
    viewer = CitizenFactory()
    if signed_in:
        client.force_login(viewer)
    proposal = ProposalFactory(
        community=CommunityFactory(), strategic_issue=StrategicIssueFactory()
    )
    url = proposal.get_absolute_url()
    SupportFactory(proposal=proposal)
    CommentFactory(commentable=proposal)
    small = queries_for(client, url)
    proposal.tags.set(["a", "b", "c", "d", "e", "f"])
    for _ in range(8):
        SupportFactory(proposal=proposal, user=CitizenFactory())
    SupportFactory(proposal=proposal, user=viewer)
    for _ in range(25):
        parent = CommentFactory(commentable=proposal)
        CommentFactory(parent=parent)
    Proposal.objects.filter(pk=proposal.pk).update(comments_count=51)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert page_of(response).count('class="comment-text"') >= 20
