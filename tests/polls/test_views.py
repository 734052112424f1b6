import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from polls.models import Ballot, BoothTotal, RollEntry
from polls.services import ballot_cast, poll_results_compute, poll_results_publish
from tests.factories import (
    CensusRecordFactory,
    CitizenFactory,
    CommunityFactory,
    UserFactory,
    national_id,
)
from tests.polls.factories import (
    BoothFactory,
    PollFactory,
    answers_for,
    officer,
    poll_with_questions,
    post_data,
)

pytestmark = pytest.mark.django_db


def closed_poll_with_votes(voters=3, **kwargs):
    poll = poll_with_questions(**kwargs)
    for index in range(voters):
        choices, texts = answers_for(poll, pick=index % 2, text="ดี")
        ballot_cast(user=CitizenFactory(), poll=poll, choices=choices, texts=texts)
    poll.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    poll.save()
    return poll


def test_list_groups_polls_for_the_person(client):
    home = CommunityFactory()
    user = CitizenFactory(residence_community=home)
    mine = PollFactory(title="เปิดให้ฉันลงคะแนน")
    theirs = PollFactory(title="ของชุมชนอื่น", communities=[CommunityFactory()])
    done = closed_poll_with_votes(title="ปิดแล้ว")
    poll_results_publish(poll=done)
    client.force_login(user)
    response = client.get(reverse("polls:list"))
    groups = response.context["groups"]
    assert groups.open_allowed == [mine]
    assert groups.open_refused == [theirs]
    assert groups.closed == [done]
    body = response.content.decode()
    assert body.index(mine.title) < body.index(theirs.title) < body.index(done.title)
    assert "This poll is only for people of the communities it names." in body
    assert reverse("polls:results", args=[done.pk]) in body


def some_polls(user):
    """One of each kind: voted in, refused by community, open to vote, closed and published."""
    voted = poll_with_questions()
    choices, texts = answers_for(voted)
    ballot_cast(user=user, poll=voted, choices=choices, texts=texts)
    PollFactory(communities=[CommunityFactory()])
    PollFactory(voter_classes=["interested"])
    poll_results_publish(poll=closed_poll_with_votes(voters=1))


def test_list_costs_a_fixed_number_of_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = CitizenFactory()
    CensusRecordFactory(user=user, community=user.residence_community)
    client.force_login(user)
    some_polls(user)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("polls:list"))
    for _ in range(4):
        some_polls(user)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("polls:list"))
    assert len(response.context["groups"].closed) == 5
    assert len(few) == len(many) <= 12


def test_detail_shows_the_ballot_and_says_it_is_secret(client, django_assert_max_num_queries):
    poll = poll_with_questions()
    client.force_login(CitizenFactory())
    with django_assert_max_num_queries(14):
        response = client.get(poll.get_absolute_url())
    body = response.content.decode()
    assert "Your ballot is secret" in body
    assert "nothing links them to you" in body
    assert 'name="question_' in body


def test_options_show_their_description_and_image_in_the_ballot(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    poll = poll_with_questions()
    option = poll.questions.first().options.first()
    option.description = "ลานจอดรถใต้ดิน <b>สองชั้น</b>"
    option.image = SimpleUploadedFile("parking.png", b"\x89PNG\r\n", content_type="image/png")
    option.image_alt = 'ภาพวาดลานจอดรถ "สองชั้น"'
    option.save()
    client.force_login(CitizenFactory())
    body = client.get(poll.get_absolute_url()).content.decode()
    assert '<span class="option-description">ลานจอดรถใต้ดิน &lt;b&gt;สองชั้น&lt;/b&gt;</span>' in body
    assert 'class="option-image"' in body
    assert 'alt="ภาพวาดลานจอดรถ &quot;สองชั้น&quot;"' in body


def test_vote_through_the_page(client):
    poll = poll_with_questions()
    user = CitizenFactory()
    client.force_login(user)
    response = client.post(reverse("polls:vote", args=[poll.pk]), post_data(poll), follow=True)
    assert "Your secret ballot has been counted" in response.content.decode()
    assert RollEntry.objects.filter(user=user).count() == 1
    response = client.post(reverse("polls:vote", args=[poll.pk]), post_data(poll), follow=True)
    assert "already voted" in response.content.decode()
    assert Ballot.objects.count() == 1


def test_an_invalid_ballot_is_shown_again_with_errors_not_a_500(client):
    poll = poll_with_questions()
    client.force_login(CitizenFactory())
    data = post_data(poll)
    single = poll.questions.first()
    data[f"question_{single.pk}"] = ["999999"]
    response = client.post(reverse("polls:vote", args=[poll.pk]), data)
    assert response.status_code == 400
    assert not RollEntry.objects.exists()


def test_refused_person_sees_the_reason_and_no_form(client):
    poll = poll_with_questions(voter_classes=["affected_citizen"])
    client.force_login(UserFactory())
    body = client.get(poll.get_absolute_url()).content.decode()
    assert "Only people whose residence is verified" in body
    assert 'name="question_' not in body
    response = client.post(reverse("polls:vote", args=[poll.pk]), post_data(poll), follow=True)
    assert "Only people whose residence is verified" in response.content.decode()
    assert not RollEntry.objects.exists()


def test_an_outsider_declares_interest_then_votes(client):
    poll = poll_with_questions(voter_classes=["interested", "concerned"])
    user = UserFactory()
    client.force_login(user)
    body = client.get(poll.get_absolute_url()).content.decode()
    assert reverse("polls:declare", args=[poll.pk]) in body
    client.post(reverse("polls:declare", args=[poll.pk]), {"voter_class": "concerned"})
    client.post(reverse("polls:vote", args=[poll.pk]), post_data(poll))
    assert RollEntry.objects.get(user=user).voter_class == "concerned"
    assert Ballot.objects.get().voter_class == "concerned"


def test_draft_poll_is_not_found(client):
    poll = PollFactory(opens_at=None, closes_at=None)
    assert client.get(poll.get_absolute_url()).status_code == 404


def test_results_page_shows_svg_chart_and_tables(client, django_assert_max_num_queries):
    poll = closed_poll_with_votes(weights={"affected_citizen": "2"})
    poll_results_publish(poll=poll)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("polls:results", args=[poll.pk]))
    body = response.content.decode()
    assert body.count("<svg") == 2  # one per choice question
    assert 'role="img"' in body and "<title" in body and "<table" in body
    assert "Weighted votes" in body


def test_unpublished_results_are_for_staff_only(client):
    poll = closed_poll_with_votes()
    poll_results_compute(poll=poll)
    url = reverse("polls:results", args=[poll.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("polls:results_csv", args=[poll.pk])).status_code == 404
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert "not published yet" in client.get(url).content.decode()


def test_results_download_as_csv_and_json(client):
    poll = closed_poll_with_votes(voters=4)
    poll_results_publish(poll=poll)
    response = client.get(reverse("polls:results_csv", args=[poll.pk]))
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Question", "Option", "Votes"]
    # 2 options + 3 options; the free-text question has no rows.
    assert len(rows) == 1 + 5
    assert sum(int(r[2]) for r in rows[1:3]) == 4
    # Four classes, three channels, then the communities of the voters (one each here).
    assert len(rows[0]) == 6 + 4 + 3 + 4
    assert all(len(row) == len(rows[0]) for row in rows)
    response = client.get(reverse("polls:results_json", args=[poll.pk]))
    data = json.loads(response.content)
    assert data["ballots"] == 4 and data["poll"]["id"] == poll.pk
    assert set(data["communities"]) == set(data["by_community"])
    assert all(name["th"] for name in data["communities"].values())
    assert response["Content-Type"].startswith("application/json")


# --- Booth pages ----------------------------------------------------------------------------


def test_officer_looks_up_and_records_a_booth_ballot(client):
    poll = poll_with_questions()
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    CensusRecordFactory(national_id=national_id(4242))
    client.force_login(person)
    url = reverse("polls:booth", args=[booth.pk])
    response = client.post(url, {"national_id": national_id(4242)})
    assert "Found in the house register" in response.content.decode()
    data = {"national_id": national_id(4242), "cast": "1", **post_data(poll)}
    response = client.post(url, data, follow=True)
    assert "The paper ballot has been recorded" in response.content.decode()
    assert RollEntry.objects.get().channel == "booth"
    response = client.post(url, {"national_id": national_id(4242)})
    assert "already voted" in response.content.decode()
    response = client.post(url, {"national_id": "123"})
    assert response.status_code == 200 and RollEntry.objects.count() == 1


def test_online_voter_refused_at_the_booth_page(client):
    poll = poll_with_questions()
    user = CitizenFactory()
    CensusRecordFactory(national_id=national_id(77), user=user)
    choices, texts = answers_for(poll)
    ballot_cast(user=user, poll=poll, choices=choices, texts=texts)
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    client.force_login(person)
    response = client.post(
        reverse("polls:booth", args=[booth.pk]), {"national_id": national_id(77)}
    )
    assert "already voted" in response.content.decode()
    assert "Record the paper ballot" not in response.content.decode()


def test_booth_pages_are_for_its_officers(client):
    booth = BoothFactory(officers=[officer()])
    client.force_login(CitizenFactory())
    assert client.get(reverse("polls:booth", args=[booth.pk])).status_code == 403
    assert client.get(reverse("polls:booths")).status_code == 403
    client.force_login(officer())
    assert client.get(reverse("polls:booth", args=[booth.pk])).status_code == 403


def test_officer_enters_booth_totals_after_close(client):
    poll = closed_poll_with_votes(voters=1)
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    client.force_login(person)
    url = reverse("polls:booth_totals", args=[booth.pk])
    form = client.get(url).context["form"]
    data = {"paper_ballots": 7}
    for name, _pk in form.option_fields:
        data[name] = 2
    client.post(url, data)
    assert BoothTotal.objects.count() == 5
    assert client.get(reverse("polls:booths")).status_code == 200


def test_the_home_page_leads_to_the_votes(client):
    response = client.get("/en/")
    assert response.status_code == 200
    assert 'href="/en/polls/"' in response.content.decode()


def test_booth_totals_are_refused_once_published_and_the_booth_page_says_closed(client):
    poll = closed_poll_with_votes(voters=1)
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    client.force_login(person)
    body = client.get(reverse("polls:booth", args=[booth.pk])).content.decode()
    assert "This poll has closed." in body
    assert reverse("polls:booth_totals", args=[booth.pk]) in body
    poll_results_publish(poll=poll)
    url = reverse("polls:booth_totals", args=[booth.pk])
    form = client.get(url).context["form"]
    data = {"paper_ballots": 1, **{name: 1 for name, _pk in form.option_fields}}
    response = client.post(url, data, follow=True)
    assert "can no longer change" in response.content.decode()
    assert not BoothTotal.objects.exists()


def test_a_declaration_without_a_choice_is_shown_again_with_its_error(client):
    poll = poll_with_questions(voter_classes=["interested", "concerned"])
    user = UserFactory()
    client.force_login(user)
    url = reverse("polls:declare", args=[poll.pk])
    for data in ({}, {"voter_class": "affected_citizen"}):
        response = client.post(url, data)
        assert response.status_code == 400
        assert response.context["declaration_form"].errors
        assert 'class="field-error"' in response.content.decode()
    assert not user.interest_declarations.exists()


def test_question_descriptions_are_escaped_and_shown_beside_the_hint(client):
    poll = poll_with_questions()
    for question in poll.questions.all():
        question.description = f"<b>{question.kind}</b> อธิบาย"
        question.save()
    client.force_login(CitizenFactory())
    body = client.get(poll.get_absolute_url()).content.decode()
    assert "<b>" not in body
    for kind in ("single", "multiple", "text"):
        assert f"&lt;b&gt;{kind}&lt;/b&gt; อธิบาย" in body
    assert "Choose up to 2." in body and "Optional. Written in your own words." in body


def test_booth_totals_page_costs_the_same_queries_however_many_questions(
    client, django_assert_max_num_queries
):
    from tests.polls.factories import OptionFactory, QuestionFactory

    poll = closed_poll_with_votes(voters=1)
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    for order in range(10, 16):
        OptionFactory(question=QuestionFactory(poll=poll, order=order))
    client.force_login(person)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("polls:booth_totals", args=[booth.pk]))
    assert len(response.context["form"].option_fields) == 5 + 6


def test_no_declaration_on_a_poll_for_affected_people_only(client):
    poll = poll_with_questions(voter_classes=["affected_citizen", "affected_resident"])
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("polls:declare", args=[poll.pk]), {"voter_class": "interested"}, follow=True
    )
    assert "not among the classes this poll admits" in response.content.decode()
    assert not user.interest_declarations.exists()


def test_staff_describe_an_option_image_in_the_question_admin(admin_client):
    poll = poll_with_questions(opens_at=None, closes_at=None)
    question = poll.questions.get(order=1)
    options = list(question.options.all())
    url = reverse("admin:polls_question_change", args=[question.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="options-0-image_alt"' in page and "what the picture shows" in page
    data = {
        "poll": poll.pk,
        "order": question.order,
        "title": question.title,
        "description": "",
        "kind": question.kind,
        "max_choices": question.max_choices or "",
        "options-TOTAL_FORMS": str(len(options)),
        "options-INITIAL_FORMS": str(len(options)),
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
    }
    for index, option in enumerate(options):
        data |= {
            f"options-{index}-id": option.pk,
            f"options-{index}-question": question.pk,
            f"options-{index}-order": option.order,
            f"options-{index}-title": option.title,
            f"options-{index}-description": "",
            f"options-{index}-image_alt": "",
        }
    data["options-0-image_alt"] = "x" * 201
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "at most 200 characters (it has 201)" in response.content.decode()
    data["options-0-image_alt"] = "ลานจอดรถใต้ดินสองชั้น"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    options[0].refresh_from_db()
    assert options[0].image_alt == "ลานจอดรถใต้ดินสองชั้น"
