"""The debate admin: the moderation queue plus featuring, filing and tags."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models.signals import pre_save
from django.test.utils import CaptureQueriesContext

from debates.models import Debate
from participation.services import flag_add
from tests.factories import CommunityFactory, DebateFactory, StrategicIssueFactory, UserFactory

pytestmark = pytest.mark.django_db

DEBATES = "/en/admin/debates/debate/"


@pytest.fixture
def moderator_client(client):
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(Group.objects.get(name="moderator"))
    client.force_login(moderator)
    return client


def listed(client, **params) -> list:
    response = client.get(DEBATES, params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_featuring_from_the_list_writes_only_the_featured_flag(moderator_client):
    debate = DebateFactory()
    flag_add(user=UserFactory(), target=debate)

    def flagged_meanwhile(sender, instance, **kwargs):
        # Someone flags the debate between the admin reading the row and writing it back.
        pre_save.disconnect(flagged_meanwhile, sender=Debate)
        flag_add(user=UserFactory(), target=instance)

    pre_save.connect(flagged_meanwhile, sender=Debate)
    try:
        response = moderator_client.post(
            f"{DEBATES}?moderation=pending",
            {
                "form-TOTAL_FORMS": "1",
                "form-INITIAL_FORMS": "1",
                "form-MIN_NUM_FORMS": "0",
                "form-MAX_NUM_FORMS": "1000",
                "form-0-id": str(debate.pk),
                "form-0-is_featured": "on",
                "_save": "Save",
            },
        )
    finally:
        pre_save.disconnect(flagged_meanwhile, sender=Debate)
    assert response.status_code == 302
    debate.refresh_from_db()
    assert debate.is_featured and debate.flags_count == 2


def test_filters_search_and_tags(moderator_client):
    community = CommunityFactory()
    issue = StrategicIssueFactory()
    filed = DebateFactory(title="ทางเท้าริมคลอง", community=community, strategic_issue=issue)
    filed.tags.add("ถนน", "น้ำท่วม")
    featured = DebateFactory(title="ไฟส่องสว่างซอย 5", is_featured=True)
    DebateFactory(title="อื่น ๆ")

    assert listed(moderator_client, moderation="all", community__id__exact=community.pk) == [filed]
    assert listed(moderator_client, moderation="all", strategic_issue__id__exact=issue.pk) == [
        filed
    ]
    assert listed(moderator_client, moderation="all", is_featured__exact=1) == [featured]
    assert listed(moderator_client, moderation="all", q="ริมคลอง") == [filed]
    page = moderator_client.get(DEBATES, {"moderation": "all"}).content.decode()
    assert "ถนน, น้ำท่วม" in page and community.name_en in page


def test_the_change_form_files_and_features_but_keeps_the_authors_text(moderator_client):
    debate = DebateFactory(title="ต้นไม้ล้มขวางถนน", description="<p>ข้อความเดิม</p>")
    community = CommunityFactory()
    response = moderator_client.post(
        f"{DEBATES}{debate.pk}/change/",
        {
            "title": "แก้ชื่อ",
            "description": "<script>x</script>",
            "community": community.pk,
            "tags": "ต้นไม้",
            "is_featured": "on",
        },
    )
    assert response.status_code == 302
    debate.refresh_from_db()
    assert debate.title == "ต้นไม้ล้มขวางถนน" and debate.description == "<p>ข้อความเดิม</p>"
    assert debate.community == community and debate.is_featured
    assert list(debate.tags.names()) == ["ต้นไม้"]
    assert moderator_client.get(DEBATES + "add/").status_code == 403


def test_history_is_shown_but_cannot_be_reverted(moderator_client):
    debate = DebateFactory()
    version = debate.history.get()
    history = f"{DEBATES}{debate.pk}/history/"
    assert moderator_client.get(history).status_code == 200
    assert moderator_client.get(f"{history}{version.history_id}/").status_code == 200
    response = moderator_client.post(f"{history}{version.history_id}/", {"title": "old"})
    assert response.status_code == 403


def test_the_debate_queue_costs_the_same_queries_for_3_and_30_rows(moderator_client):
    community = CommunityFactory()
    issue = StrategicIssueFactory()

    def queries(rows: int) -> int:
        Debate.objects.all().delete()
        for debate in DebateFactory.create_batch(
            rows, flags_count=1, community=community, strategic_issue=issue
        ):
            debate.tags.add("ถนน")
        with CaptureQueriesContext(connection) as captured:
            assert len(listed(moderator_client, moderation="pending")) == rows
        return len(captured)

    queries(1)  # warm the content-type cache
    assert queries(3) == queries(30)
