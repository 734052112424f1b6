import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from polls.models import Ballot, BoothTotal, Envelope, RollEntry
from polls.services import (
    ballot_cast,
    poll_envelopes_open,
    poll_results_compute,
    poll_results_publish,
)
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
    close,
    mark_at_booth,
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
    assert Envelope.objects.count() == 1 and not Ballot.objects.exists()


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
    assert RollEntry.objects.get(user=user).channel == "online"
    poll_envelopes_open(poll=close(poll))
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
    assert "The ballot box: recount it yourself" in body


def test_results_page_reconciles_the_roll_after_the_answers_and_prints_the_hash(
    client, django_assert_max_num_queries
):
    poll = poll_with_questions()
    for index in range(6):
        choices, texts = answers_for(poll, pick=index % 2)
        ballot_cast(user=CitizenFactory(), poll=poll, choices=choices, texts=texts)
    first, second = officer(), officer()
    booth = BoothFactory(poll=poll, officers=[first, second], name="หน่วยตลาดหนองมน")
    mark_at_booth(booth, 3)
    close(poll)
    from polls.services import booth_ballot_enter, booth_confirm

    poll_envelopes_open(poll=poll)
    for index in range(2):
        choices, texts = answers_for(poll, pick=index)
        booth_ballot_enter(officer=first, booth=booth, choices=choices, texts=texts)
    booth_confirm(officer=second, booth=booth)
    result = poll_results_publish(poll=poll)
    url = reverse("polls:results", args=[poll.pk])
    with django_assert_max_num_queries(8):
        response = client.get(url)
    body = response.content.decode()
    # The roll against the ballots, after the answers: online 6 of 6, the booth 2 of 3.
    assert body.index("Votes per option") < body.index("Roll and ballots, reconciled")
    assert "หน่วยตลาดหนองมน" in body and "Does not match" in body
    assert "Yes, by a second officer" in body
    assert result.ballot_box_sha256 in body
    assert reverse("polls:ballots_csv", args=[poll.pk]) in body
    # Small groups: 2 booth ballots are merged with the online ones, and the page says why.
    assert "Groups of fewer than 5 ballots are merged" in body
    # Rendering reads only the stored result: the same queries with many more ballots.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    from polls.models import Ballot as BallotModel

    for _ in range(30):
        BallotModel.objects.create(poll=poll, voter_class="affected_citizen", channel="online")
    poll_results_compute(poll=poll)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)


def test_the_ballot_box_downloads_are_visible_exactly_when_the_results_are(client):
    import hashlib

    poll = closed_poll_with_votes(voters=3)
    csv_url = reverse("polls:ballots_csv", args=[poll.pk])
    json_url = reverse("polls:ballots_json", args=[poll.pk])
    # Not counted: nothing to see.
    assert client.get(csv_url).status_code == 404
    result = poll_results_compute(poll=poll)
    assert client.get(csv_url).status_code == 404
    assert client.get(json_url).status_code == 404
    planner = UserFactory(is_staff=True)
    from django.contrib.auth.models import Group

    planner.groups.add(Group.objects.get(name="planner"))
    client.force_login(planner)
    assert client.get(csv_url).status_code == 200
    client.logout()
    poll_results_publish(poll=poll)
    result.refresh_from_db()
    response = client.get(csv_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert hashlib.sha256(response.content).hexdigest() == result.ballot_box_sha256
    data = json.loads(client.get(json_url).content)
    assert data["sha256_of_csv"] == result.ballot_box_sha256
    assert data["columns"][0] == "weight" and len(data["ballots"]) == 3
    assert all(row[0] == "1.000" for row in data["ballots"])
    assert any("Ruamkit ballot box of poll" in line for line in data["comments"])


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
    # Four ballots are too few to split: one merged column each for class, channel and
    # community, labelled as such.
    merged = "Other groups (each under 5 ballots)"
    assert rows[0][6:] == [merged] * 3
    assert all(len(row) == len(rows[0]) for row in rows)
    assert sum(int(r[6]) for r in rows[1:3]) == 4
    response = client.get(reverse("polls:results_json", args=[poll.pk]))
    data = json.loads(response.content)
    assert data["ballots"] == 4 and data["poll"]["id"] == poll.pk
    assert data["by_community"] == {"~": 4} and data["communities"] == {}
    assert data["small_groups"]["label"] == merged and "merged" in data["small_groups"]["why"]
    assert data["reconciliation"][0]["label"] == "Online"
    assert data["ballot_box_sha256"] == poll.result.ballot_box_sha256
    assert response["Content-Type"].startswith("application/json")


def test_results_csv_names_the_communities_of_large_enough_groups(client, settings):
    settings.RESULTS_MIN_GROUP = 1
    poll = closed_poll_with_votes(voters=2)
    poll_results_publish(poll=poll)
    response = client.get(reverse("polls:results_json", args=[poll.pk]))
    data = json.loads(response.content)
    assert set(data["communities"]) == set(data["by_community"])
    assert all(name["th"] for name in data["communities"].values())


# --- Booth pages ----------------------------------------------------------------------------


def test_officer_looks_up_and_marks_a_voter_on_the_roll_without_any_answers(client):
    poll = poll_with_questions()
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    CensusRecordFactory(national_id=national_id(4242))
    client.force_login(person)
    url = reverse("polls:booth", args=[booth.pk])
    response = client.post(url, {"national_id": national_id(4242)})
    body = response.content.decode()
    assert "Found in the house register" in body
    assert "Mark on the roll as voted here" in body
    # No ballot on this page: the voter marks paper.
    assert 'name="question_' not in body
    response = client.post(url, {"national_id": national_id(4242), "mark": "1"}, follow=True)
    assert "Marked on the roll as voted at this booth" in response.content.decode()
    roll = RollEntry.objects.get()
    assert (roll.channel, roll.booth, roll.officer) == ("booth", booth, person)
    assert not Envelope.objects.exists() and not Ballot.objects.exists()
    response = client.post(url, {"national_id": national_id(4242)})
    assert "already voted" in response.content.decode()
    # Marking again (a second click) is refused with the reason, not a 500.
    response = client.post(url, {"national_id": national_id(4242), "mark": "1"}, follow=True)
    assert "already voted" in response.content.decode()
    response = client.post(url, {"national_id": "123"})
    assert response.status_code == 200 and RollEntry.objects.count() == 1
    response = client.post(url, {"national_id": national_id(999), "mark": "1"})
    assert "Nobody with this national ID" in response.content.decode()


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
    assert "Mark on the roll" not in response.content.decode()


def test_marking_after_the_close_is_refused_on_the_page(client):
    poll = poll_with_questions()
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    CensusRecordFactory(national_id=national_id(4243))
    close(poll)
    client.force_login(person)
    response = client.post(
        reverse("polls:booth", args=[booth.pk]),
        {"national_id": national_id(4243), "mark": "1"},
        follow=True,
    )
    assert "only while the poll is open" in response.content.decode()
    assert not RollEntry.objects.exists()


def test_officers_enter_paper_ballots_then_another_confirms_the_count(client):
    poll = poll_with_questions()
    first, second = officer(), officer()
    booth = BoothFactory(poll=poll, officers=[first, second])
    mark_at_booth(booth, 2)
    client.force_login(first)
    ballots_url = reverse("polls:booth_ballots", args=[booth.pk])
    body = client.get(ballots_url).content.decode()
    assert "Paper ballots are entered after the poll closes." in body
    assert 'name="question_' not in body
    close(poll)
    body = client.get(ballots_url).content.decode()
    assert "Entered so far: 0 of 2" in body and 'name="question_' in body
    for pick in (0, 1):
        response = client.post(ballots_url, post_data(poll, pick=pick), follow=True)
        assert "Paper ballot entered" in response.content.decode()
    response = client.post(ballots_url, post_data(poll), follow=True)
    body = response.content.decode()
    assert "2 people marked on its roll" in body
    assert "no more paper ballots can be entered" in body
    assert Ballot.objects.filter(booth=booth).count() == 2
    # An invalid ballot is shown again with its errors, not a 500.
    data = post_data(poll)
    data[f"question_{poll.questions.first().pk}"] = ["999999"]
    assert client.post(ballots_url, data).status_code == 400

    booth_url = reverse("polls:booth", args=[booth.pk])
    confirm_url = reverse("polls:booth_confirm", args=[booth.pk])
    body = client.get(booth_url).content.decode()
    assert "another officer confirms the count" in body
    response = client.post(confirm_url, follow=True)
    assert "another officer than those who entered it" in response.content.decode()
    client.force_login(second)
    body = client.get(booth_url).content.decode()
    assert "I confirm this booth" in body
    # Nothing on the page tells how anyone voted.
    for option in poll.questions.first().options.all():
        assert option.title not in body
    response = client.post(confirm_url, follow=True)
    assert "You have confirmed this booth" in response.content.decode()
    booth.refresh_from_db()
    assert booth.count_confirmed_by == second


def test_booth_pages_are_for_its_officers(client):
    booth = BoothFactory(officers=[officer()])
    client.force_login(CitizenFactory())
    assert client.get(reverse("polls:booth", args=[booth.pk])).status_code == 403
    assert client.get(reverse("polls:booths")).status_code == 403
    client.force_login(officer())
    assert client.get(reverse("polls:booth", args=[booth.pk])).status_code == 403


def test_officer_enters_booth_totals_after_close(client):
    poll = poll_with_questions()
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    mark_at_booth(booth, 7)
    close(poll)
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
    assert reverse("polls:booth_ballots", args=[booth.pk]) in body
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
    with django_assert_max_num_queries(13):
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
