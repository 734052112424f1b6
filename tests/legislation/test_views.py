import csv
import io
import random

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from legislation.anchoring import section_at
from legislation.models import Annotation, Answer, ProcessProposalSupport
from legislation.views import ANNOTATIONS_PER_PAGE, LEFT_BEHIND_SHOWN
from participation.models import Comment, Notification, Vote
from tests.factories import CitizenFactory, CommentFactory, UserFactory, VoteFactory
from tests.legislation.factories import (
    AnnotationFactory,
    ProcessFactory,
    ProcessProposalFactory,
    QuestionOptionFactory,
    days,
    published,
)

pytestmark = pytest.mark.django_db


def test_list_and_process_page_show_the_timeline_with_the_current_phase(client):
    process = ProcessFactory(title="ร่างข้อบัญญัติชายหาด")
    ProcessFactory(is_published=False, title="ยังไม่เผยแพร่")
    response = client.get(reverse("legislation:list"))
    assert "ร่างข้อบัญญัติชายหาด" in response.text and "ยังไม่เผยแพร่" not in response.text
    response = client.get(process.get_absolute_url())
    assert response.status_code == 200
    html = response.text
    assert 'class="process-timeline"' in html
    current = html.split('aria-current="step"')[1].split("</li>")[0]
    with translation.override("th"):
        assert translation.gettext("Comments on the draft") in current


def test_unpublished_process_is_not_found(client):
    process = ProcessFactory(is_published=False)
    assert client.get(process.get_absolute_url()).status_code == 404
    assert client.get(reverse("legislation:detail", args=[2**64])).status_code == 404


def test_answer_form_during_debate_and_totals_per_class_after(client):
    process = ProcessFactory(debate_starts_on=days(-1), debate_ends_on=days(1))
    option = QuestionOptionFactory(question__process=process, text="เห็นด้วย")
    person = CitizenFactory()
    client.force_login(person)
    page = client.get(process.get_absolute_url()).text
    assert 'name="option"' in page and "answer-totals" not in page
    url = reverse("legislation:answer", args=[process.pk, option.question.pk])
    assert client.post(url, {"option": "junk"}).status_code == 302
    assert client.post(url, {"option": option.pk}).status_code == 302
    assert Answer.objects.get().voter_class == "affected_citizen"
    process.debate_ends_on = days(-1)
    process.debate_starts_on = days(-3)
    process.save()
    page = client.get(process.get_absolute_url()).text
    assert "answer-totals" in page and 'name="option"' not in page


def test_draft_page_renders_toc_shading_and_most_discussed(client):
    version = published()
    a = AnnotationFactory(version=version, quote="ห้ามตั้งแผงลอย", comments_count=3)
    AnnotationFactory(version=version, quote="ตั้งแผงลอยก่อนเวลา")
    response = client.get(reverse("legislation:draft", args=[version.process_id]))
    assert response.status_code == 302
    html = client.get(response.url).text
    assert 'class="draft-toc"' in html and 'href="#section-2"' in html
    assert f'id="at-{a.start}"' in html
    assert "shade-2" in html
    assert 'class="most-discussed"' in html
    assert f'href="#at-{a.start}"' in html


def test_draft_page_queries_do_not_grow_with_annotations(client, django_assert_num_queries):
    version = published()
    user = CitizenFactory()
    client.force_login(user)
    url = version.get_absolute_url()

    def add(n):
        for i in range(n):
            annotation = AnnotationFactory(
                version=version, quote="ห้ามตั้งแผงลอย" if i % 2 else "ข้อ ๓"
            )
            VoteFactory(target=annotation, user=user)

    add(3)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(60)
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.text.count('class="annotation"') == ANNOTATIONS_PER_PAGE  # the first page
    assert response.text.count('<mark class="shade-') >= 2
    assert 'name="value"' not in response.text  # votes are on each annotation's own page


def _annotations(version, n, rng, author):
    """n annotations on random passages of the version, with long comments, in one query."""
    text = version.plain_text
    annotations = []
    for i in range(n):
        start = rng.randrange(0, len(text) - 40)
        end = start + rng.randint(3, 40)
        annotations.append(
            Annotation(
                process=version.process,
                version=version,
                written_on=version,
                author=author,
                quote=text[start:end],
                start=start,
                end=end,
                section=section_at(version.sections, start),
                body=f"ความเห็นที่ {i} " + "ควรปรับปรุงข้อความในส่วนนี้ให้ชัดเจนยิ่งขึ้น" * 20,
                comments_count=rng.randint(0, 5),
            )
        )
    Annotation.objects.bulk_create(annotations)


@pytest.mark.parametrize("signed_in", [False, True])
def test_draft_page_stays_light_as_annotations_grow(client, signed_in):
    """Ten times the annotations: the same queries and hardly more page. The draft's own HTML,
    its shading (bounded in legislation.anchoring) and one page of the list are all it carries."""
    body = "\n\n".join(
        f"## หมวด {n}\n\nข้อ {n} ห้ามตั้งแผงลอยก่อนเวลา ๐๖.๐๐ น. และหลังเวลา ๒๐.๐๐ น. "
        "ผู้ค้าต้องจัดที่ทิ้งขยะแยกประเภทประจำแผง"
        for n in range(1, 21)
    )
    version = published(body=body)
    if signed_in:
        client.force_login(CitizenFactory())
    rng = random.Random(7)
    author = UserFactory()
    url = version.get_absolute_url()
    sizes, queries = [], []
    for n in (30, 270):  # 30, then 300 in all
        _annotations(version, n, rng, author)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert response.text.count('class="annotation"') == ANNOTATIONS_PER_PAGE
        sizes.append(len(response.content))
        queries.append(len(captured))
    assert f'href="{url}?page=2#annotations"' in response.text  # back to the list, not the top
    assert queries[1] == queries[0]
    assert sizes[1] < sizes[0] * 1.5
    assert sizes[1] - len(version.html.encode()) < 60_000


def test_process_page_queries_are_bounded(client, django_assert_max_num_queries):
    process = ProcessFactory(debate_starts_on=days(-1), debate_ends_on=days(1))
    for _n in range(5):
        option = QuestionOptionFactory(question__process=process)
        QuestionOptionFactory(question=option.question)
    for _n in range(10):
        CommentFactory(commentable=process)
    with django_assert_max_num_queries(14):
        assert client.get(process.get_absolute_url()).status_code == 200


def test_section_comment_without_javascript(client):
    version = published()
    client.force_login(CitizenFactory())
    url = reverse("legislation:annotate", args=[version.process_id, version.number])
    page = client.get(version.get_absolute_url()).text
    # One form for every section; the links after the headings come with legislation.js.
    assert page.count('name="section"') == 1 and '<option value="section-2">' in page
    response = client.post(url, {"section": "section-2", "body": "ทั้งหมวดนี้ดีแล้ว"})
    assert response.status_code == 302
    annotation = Annotation.objects.get()
    assert annotation.section == "section-2"
    assert client.post(url, {"section": "nope", "body": "x"}).status_code == 400
    assert client.post(url, {"section": "section-2", "body": ""}).status_code == 400


def test_selected_passage_is_checked_by_the_server(client):
    version = published()
    client.force_login(CitizenFactory())
    url = reverse("legislation:annotate", args=[version.process_id, version.number])
    start = version.plain_text.index("ห้ามตั้งแผงลอย")
    response = client.post(
        url, {"start": start, "end": start + 14, "quote": "ห้ามตั้งแผงลอย", "body": "ดี"}
    )
    assert response.status_code == 302
    bad = client.post(url, {"start": start, "end": start + 14, "quote": "ห้ามตั้งแผงลอX", "body": "ดี"})
    assert bad.status_code == 400
    assert (
        client.post(url, {"start": "x", "end": "-1", "quote": "", "body": "ดี"}).status_code == 400
    )
    assert Annotation.objects.count() == 1


def test_anonymous_and_closed_phase_cannot_annotate(client):
    version = published(
        process=ProcessFactory(comments_starts_on=days(-5), comments_ends_on=days(-1))
    )
    url = reverse("legislation:annotate", args=[version.process_id, version.number])
    assert client.post(url, {"section": "section-1", "body": "x"}).status_code == 302
    client.force_login(UserFactory())
    page = client.get(version.get_absolute_url()).text
    assert 'id="annotation-form"' not in page
    assert client.post(url, {"section": "section-1", "body": "x"}).status_code == 400
    assert not Annotation.objects.exists()


def test_annotation_takes_replies_votes_and_flags_through_the_shared_views(client):
    annotation = AnnotationFactory()
    person = CitizenFactory()
    client.force_login(person)
    label = "legislation.annotation"
    client.post(reverse("participation:comment", args=[label, annotation.pk]), {"body": "เห็นด้วย"})
    assert Comment.objects.get().commentable == annotation
    annotation.refresh_from_db()
    assert annotation.comments_count == 1
    client.post(reverse("participation:vote", args=[label, annotation.pk]), {"value": "1"})
    assert (
        Vote.objects.get(
            object_id=annotation.pk, content_type=ContentType.objects.get_for_model(Annotation)
        ).value
        == 1
    )
    page = client.get(annotation.get_absolute_url()).text
    assert "เห็นด้วย" in page


def test_comments_and_replies_are_taken_only_in_their_phase(client):
    """The shared comment views ask the process: open comments in the debate phase, replies to
    annotations while the draft is open for comments."""
    annotation = AnnotationFactory()  # the factory's process: debate over, comments open
    process = annotation.process
    client.force_login(CitizenFactory())
    page = client.get(process.get_absolute_url()).text
    assert 'class="comments-closed"' in page and 'class="comment-form"' not in page
    client.post(
        reverse("participation:comment", args=["legislation.process", process.pk]), {"body": "ช้าไป"}
    )
    assert not Comment.objects.exists()

    label = "legislation.annotation"
    client.post(reverse("participation:comment", args=[label, annotation.pk]), {"body": "ทันเวลา"})
    assert Comment.objects.count() == 1
    process.comments_ends_on = days(-1)
    process.comments_starts_on = days(-5)
    process.save()
    page = client.get(annotation.get_absolute_url()).text
    assert 'class="comments-closed"' in page and 'class="comment-form"' not in page
    assert 'class="comment-reply"' not in page
    response = client.post(
        reverse("participation:comment", args=[label, annotation.pk]), {"body": "ช้าไป"}, follow=True
    )
    assert Comment.objects.count() == 1
    with translation.override("th"):
        reason = translation.gettext("Replies are taken while the draft is open for comments.")
    assert reason in response.text


def test_the_author_of_an_annotation_hears_of_replies(client, django_capture_on_commit_callbacks):
    version = published()
    author = CitizenFactory()
    client.force_login(author)
    start = version.plain_text.index("ห้ามตั้งแผงลอย")
    client.post(
        reverse("legislation:annotate", args=[version.process_id, version.number]),
        {"start": start, "end": start + 14, "quote": "ห้ามตั้งแผงลอย", "body": "ควรเริ่มเช้ากว่านี้"},
    )
    annotation = Annotation.objects.get()
    client.force_login(CitizenFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("participation:comment", args=["legislation.annotation", annotation.pk]),
            {"body": "เห็นด้วยครับ"},
        )
    assert Notification.objects.filter(user=author, comment__body="เห็นด้วยครับ").exists()


def test_hidden_annotation_is_gone_from_the_draft(client):
    annotation = AnnotationFactory(body="ข้อความที่ถูกซ่อน")
    annotation.hidden_at = annotation.created_at
    annotation.save()
    page = client.get(annotation.version.get_absolute_url()).text
    assert "ข้อความที่ถูกซ่อน" not in page
    assert client.get(annotation.get_absolute_url()).status_code == 404


def test_compare_versions_side_by_side(client):
    first = published()
    published(
        process=first.process, number=first.number + 1, body=first.body.replace("๐๖.๐๐", "๐๕.๓๐")
    )
    response = client.get(reverse("legislation:compare", args=[first.process_id]))
    assert response.status_code == 200
    assert "<del>" in response.text and "<ins>" in response.text
    junk = client.get(reverse("legislation:compare", args=[first.process_id]) + "?from=x&to=999")
    assert junk.status_code == 200


def test_earlier_version_lists_annotations_left_behind(client):
    first = published()
    AnnotationFactory(version=first, quote="ใช้บังคับกับผู้ค้าทุกราย", body="ความเห็นเก่า")
    second = published(
        process=first.process,
        number=first.number + 1,
        body=first.body.replace("ใช้บังคับกับผู้ค้าทุกราย", "ใช้กับบางราย"),
    )
    page = client.get(second.get_absolute_url()).text
    assert 'class="annotations annotations-left-behind"' in page and "ความเห็นเก่า" in page
    assert f'href="{first.get_absolute_url()}#annotations"' not in page  # all of them are shown


def test_many_annotations_left_behind_are_shown_a_few_with_a_link_to_the_rest(client):
    first = published()
    for n in range(LEFT_BEHIND_SHOWN + 2):
        AnnotationFactory(version=first, quote="ใช้บังคับกับผู้ค้าทุกราย", body=f"เก่า {n}")
    second = published(
        process=first.process,
        number=first.number + 1,
        body=first.body.replace("ใช้บังคับกับผู้ค้าทุกราย", "ใช้กับบางราย"),
    )
    page = client.get(second.get_absolute_url()).text
    left = page.split('class="annotations annotations-left-behind"')[1]
    assert left.count('class="annotation"') == LEFT_BEHIND_SHOWN
    assert f'href="{first.get_absolute_url()}#annotations"' in left
    earlier = client.get(first.get_absolute_url()).text
    assert earlier.count('class="annotation"') == LEFT_BEHIND_SHOWN + 2


def test_proposals_page_create_and_support(client):
    process = ProcessFactory(proposals_starts_on=days(-1), proposals_ends_on=days(1))
    other = ProcessProposalFactory(process=process, title="ข้อเสนอของคนอื่น")
    client.force_login(CitizenFactory())
    url = reverse("legislation:proposals", args=[process.pk])
    assert "ข้อเสนอของคนอื่น" in client.get(url).text
    create = reverse("legislation:proposal_create", args=[process.pk])
    assert client.post(create, {"title": "", "body": ""}).status_code == 400
    assert client.post(create, {"title": "ที่จอดรถ", "body": "เพิ่มที่จอด"}).status_code == 302
    support = reverse("legislation:proposal_support", args=[process.pk, other.pk])
    client.post(support)
    other.refresh_from_db()
    assert other.supports_count == 1


def test_result_page_summarises_participation_and_responses(client):
    process = ProcessFactory(result_starts_on=days(-1), result_summary="สรุปผล")
    version = published(process=process, is_final=True)
    AnnotationFactory(
        version=version,
        response="accepted",
        response_reason="ปรับแล้ว",
        voter_class="affected_citizen",
    )
    ProcessProposalFactory(process=process, response="not_accepted", response_reason="นอกอำนาจ")
    html = client.get(reverse("legislation:result", args=[process.pk])).text
    assert "สรุปผล" in html and "ปรับแล้ว" in html and "นอกอำนาจ" in html
    assert version.get_absolute_url() in html


def test_result_page_waits_for_its_phase(client):
    process = ProcessFactory()
    assert client.get(reverse("legislation:result", args=[process.pk])).status_code == 404


def test_export_is_for_planners_and_administrators(client):
    annotation = AnnotationFactory(
        body="=HYPERLINK(1)",
        voter_class="interested",
        cached_votes_up=4,
        response="accepted",
        response_reason="แก้ไขแล้วในฉบับที่ ๒",
    )
    url = f"/en/legislation/{annotation.process_id}/export.csv"
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    planner = UserFactory(is_staff=True)
    planner.groups.add(Group.objects.get(name="planner"))
    client.force_login(planner)
    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Passage"] == annotation.quote
    assert row["Comment"] == "'=HYPERLINK(1)"  # made inert for spreadsheets
    assert row["Author's class"] == "Interested"
    assert row["Likes"] == "4"
    assert row["Response"] == "Accepted" and row["Reason"] == "แก้ไขแล้วในฉบับที่ ๒"
    assert row["Section"] == "หมวด ๒ เวลาค้าขาย"


def test_a_new_annotation_on_a_later_page_of_the_list_is_shown_there(client):
    version = published()
    for _n in range(30):
        AnnotationFactory(version=version, quote="ข้อ ๑")
    client.force_login(CitizenFactory())
    url = reverse("legislation:annotate", args=[version.process_id, version.number])
    start = version.plain_text.index("ข้อ ๓")
    response = client.post(url, {"start": start, "end": start + 5, "quote": "ข้อ ๓", "body": "ท้าย"})
    annotation = Annotation.objects.get(body="ท้าย")
    assert response.url.endswith(f"?page=2#annotation-{annotation.pk}")
    page = client.get(response.url.split("#")[0]).text
    assert f'id="annotation-{annotation.pk}"' in page
    # Its passage is anchored on that page, and its own page links back to both.
    assert f'id="at-{start}"' in page
    own = client.get(annotation.get_absolute_url()).text
    assert f'?page=2#at-{start}"' in own and f'?page=2#annotation-{annotation.pk}"' in own


def test_one_declaration_for_the_process_covers_its_annotations_and_their_replies(client):
    annotation = AnnotationFactory()
    reply = CommentFactory(commentable=annotation)
    person = UserFactory()
    client.force_login(person)
    vote_url = reverse("participation:vote", args=["legislation.annotation", annotation.pk])
    response = client.post(vote_url, {"value": "1"})
    # No class yet: asked how the process (not the single annotation) concerns them.
    declare_url = reverse(
        "participation:declare", args=["legislation.process", annotation.process_id]
    )
    assert response.url.startswith(declare_url)
    client.post(declare_url, {"voter_class": "interested"})
    client.post(vote_url, {"value": "1"})
    client.post(
        reverse("participation:vote", args=["participation.comment", reply.pk]), {"value": "-1"}
    )
    assert sorted(Vote.objects.filter(user=person).values_list("value", "voter_class")) == [
        (-1, "interested"),
        (1, "interested"),
    ]


@pytest.fixture
def thai():
    """reverse() then gives /th/ URLs, whose pages are in Thai, like gettext() here."""
    with translation.override("th"):
        yield


def test_numbers_too_long_to_be_an_id_are_junk_not_errors(client, thai):
    first = published()
    published(process=first.process, number=first.number + 1)
    huge = "9" * 5000  # int() refuses it with ValueError
    compare = reverse("legislation:compare", args=[first.process_id])
    assert client.get(f"{compare}?from={huge}&to={huge}").status_code == 200
    process = ProcessFactory(debate_starts_on=days(-1), debate_ends_on=days(1))
    option = QuestionOptionFactory(question__process=process)
    client.force_login(CitizenFactory())
    url = reverse("legislation:answer", args=[process.pk, option.question.pk])
    response = client.post(url, {"option": huge}, follow=True)
    assert translation.gettext("Choose one of the options.") in response.text
    assert not Answer.objects.exists()


def test_a_passage_or_section_the_page_filled_in_wrongly_is_explained(client, thai):
    version = published()
    client.force_login(CitizenFactory())
    url = reverse("legislation:annotate", args=[version.process_id, version.number])
    passage = translation.gettext("Select a passage of the draft, at most a section long.")
    section = translation.gettext("There is no such section in this version of the draft.")
    too_long = {"start": 0, "end": 4001, "quote": "ก" * 4001, "body": "ยาวเกินไป"}
    for posted in (too_long, {"body": "ไม่มีช่วงข้อความ"}):
        response = client.post(url, posted)
        assert response.status_code == 400
        assert passage in response.text
        assert posted["body"] in response.text  # what they wrote is kept
    response = client.post(url, {"section": "x" * 41, "body": "ทั้งหมวด"})
    assert response.status_code == 400 and section in response.text
    assert not Annotation.objects.exists()


def test_signing_in_to_propose_does_not_lead_to_a_post_only_url(client):
    process = ProcessFactory(proposals_starts_on=days(-1), proposals_ends_on=days(1))
    create = reverse("legislation:proposal_create", args=[process.pk])
    response = client.post(create, {"title": "ที่จอดรถ", "body": "เพิ่มที่จอด"})
    assert response.status_code == 302 and reverse("account_login") in response.url
    assert "proposals/new" not in response.url
    assert client.get(create).status_code == 405


def test_a_refused_proposal_still_shows_what_the_person_supports(client):
    process = ProcessFactory(proposals_starts_on=days(-1), proposals_ends_on=days(1))
    other = ProcessProposalFactory(process=process)
    client.force_login(CitizenFactory())
    support = reverse("legislation:proposal_support", args=[process.pk, other.pk])
    client.post(support)
    create = reverse("legislation:proposal_create", args=[process.pk])
    response = client.post(create, {"title": "", "body": ""})
    assert response.status_code == 400
    assert support not in response.text  # no second "Support" button


def test_a_section_comment_sent_back_keeps_what_was_written(client):
    version = published()
    client.force_login(CitizenFactory())
    url = reverse("legislation:annotate", args=[version.process_id, version.number])
    # A browser's maxlength counts a line break as one character but sends two (CR LF).
    body = "<ยาว>\r\n" * 1000
    response = client.post(url, {"section": "section-2", "body": body})
    assert response.status_code == 400
    assert "&lt;ยาว&gt;\r\n&lt;ยาว&gt;" in response.text
    assert '<option value="section-2" selected>' in response.text
    assert not Annotation.objects.exists()


def test_list_proposals_and_result_pages_queries_do_not_grow(client, django_assert_max_num_queries):
    person = CitizenFactory()
    client.force_login(person)
    process = ProcessFactory(
        proposals_starts_on=days(-1), proposals_ends_on=days(1), result_starts_on=days(-1)
    )
    version = published(process=process)
    urls = [
        reverse("legislation:list"),
        reverse("legislation:proposals", args=[process.pk]),
        reverse("legislation:result", args=[process.pk]),
    ]

    def add(n):
        for _n in range(n):
            ProcessFactory()
            proposal = ProcessProposalFactory(process=process)
            ProcessProposalSupport.objects.create(proposal=proposal, user=person)
            CommentFactory(commentable=AnnotationFactory(version=version))

    add(2)
    few = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        few.append(len(queries))
    add(15)
    for url, n in zip(urls, few, strict=True):
        with django_assert_max_num_queries(n):
            assert client.get(url).status_code == 200


def test_a_vote_on_an_annotation_can_be_taken_back_after_the_comments_phase(client):
    annotation = AnnotationFactory()
    person = CitizenFactory()
    client.force_login(person)
    url = reverse("participation:vote", args=["legislation.annotation", annotation.pk])
    client.post(url, {"value": "1"})
    process = annotation.process
    process.comments_starts_on, process.comments_ends_on = days(-5), days(-1)
    process.save()
    client.post(url, {"value": ""})
    assert not Vote.objects.filter(user=person).exists()
