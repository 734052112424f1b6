"""The legislation admin: writing and publishing versions, answering, moderating."""

import pytest
from django.contrib.auth.models import Group

from legislation.models import Annotation, DraftVersion
from tests.factories import UserFactory
from tests.legislation.factories import (
    DRAFT,
    AnnotationFactory,
    DraftVersionFactory,
    ProcessFactory,
    published,
)

pytestmark = pytest.mark.django_db

ADMIN = "/en/admin/legislation/"


def staff(role: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_planner_writes_a_version_and_publishes_it_moving_annotations(client):
    first = published()
    kept = AnnotationFactory(version=first, quote="ห้ามตั้งแผงลอย")
    client.force_login(staff("planner"))
    response = client.post(
        f"{ADMIN}draftversion/add/",
        {
            "process": first.process_id,
            "number": first.number + 1,
            "title": "ฉบับปรับปรุง",
            "body": "## ใหม่\n\n" + DRAFT,
            "changelog": "เพิ่มหมวดใหม่",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    second = DraftVersion.objects.get(number=first.number + 1)
    assert second.published_at is None and second.plain_text
    response = client.post(
        f"{ADMIN}draftversion/",
        {"action": "publish_selected", "_selected_action": [second.pk]},
        follow=True,
    )
    assert "1 annotation moved" in response.text
    kept.refresh_from_db()
    assert kept.version_id == second.pk
    # A published text is never edited again.
    page = client.get(f"{ADMIN}draftversion/{second.pk}/change/")
    assert 'name="body"' not in page.text


def test_planner_answers_an_annotation_with_a_reason(client):
    annotation = AnnotationFactory()
    client.force_login(staff("planner"))
    response = client.post(
        f"{ADMIN}annotation/{annotation.pk}/change/",
        {"response": "partly", "response_reason": "ปรับบางส่วน", "_save": "Save"},
    )
    assert response.status_code == 302
    annotation.refresh_from_db()
    assert annotation.response == "partly" and annotation.responded_at is not None
    assert annotation.body.startswith("ความเห็น")  # the person's words stay theirs


def test_moderator_hides_an_annotation_like_a_comment(client):
    annotation = AnnotationFactory()
    client.force_login(staff("moderator"))
    response = client.post(
        f"{ADMIN}annotation/?moderation=all",
        {"action": "hide_selected", "_selected_action": [annotation.pk]},
    )
    assert response.status_code == 302
    assert Annotation.objects.get().is_hidden


def test_administrator_sets_up_a_process(client):
    client.force_login(staff("administrator"))
    assert client.get(f"{ADMIN}process/add/").status_code == 200
    process = ProcessFactory()
    DraftVersionFactory(process=process)
    assert client.get(f"{ADMIN}process/{process.pk}/change/").status_code == 200
    assert client.get(f"{ADMIN}draftversion/").status_code == 200
