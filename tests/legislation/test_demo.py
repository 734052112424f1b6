import pytest

from legislation.demo import NOISE_TITLE, VENDORS_TITLE, legislation_demo_load
from legislation.models import Annotation, DraftVersion, Phase, Process
from legislation.permissions import current_phase, has_started
from participation.demo import demo_load
from participation.models import Comment

pytestmark = pytest.mark.django_db


def test_demo_loads_once_with_one_process_open_for_comments_and_one_finished(client):
    demo_load()
    made = legislation_demo_load()
    assert made > 10
    counts = (Process.objects.count(), Annotation.objects.count(), Comment.objects.count())
    assert legislation_demo_load() == 0
    assert (Process.objects.count(), Annotation.objects.count(), Comment.objects.count()) == counts

    vendors = Process.objects.get(title=VENDORS_TITLE)
    assert current_phase(vendors) == Phase.COMMENTS
    latest = DraftVersion.objects.filter(process=vendors).order_by("-number").first()
    # Version 2 deleted clause 4 and changed the opening hour: those two annotations stay on
    # version 1; the one on clause 9 moved, as its words are still there.
    assert Annotation.objects.filter(version=latest).count() == 5
    assert Annotation.objects.filter(process=vendors, version__number=1).count() == 2
    assert Annotation.objects.filter(process=vendors, comments_count__gt=0).exists()
    assert Annotation.objects.filter(process=vendors, cached_votes_up__gt=0).exists()
    page = client.get(latest.get_absolute_url())
    assert page.status_code == 200 and "shade-" in page.text

    noise = Process.objects.get(title=NOISE_TITLE)
    assert current_phase(noise) == Phase.RESULT and has_started(noise, Phase.RESULT)
    assert DraftVersion.objects.get(process=noise, is_final=True)
    assert not Annotation.objects.filter(process=noise, response="").exists()
    result = client.get(f"/th/legislation/{noise.pk}/result/")
    assert result.status_code == 200 and "ฉบับสุดท้าย" in result.text
