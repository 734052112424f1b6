import pytest

from proposals.selectors import proposal_list
from proposals.services import proposal_create, proposal_publish
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db


def published(title: str, summary: str):
    author = CitizenFactory()
    proposal = proposal_create(author=author, title=title, summary=summary, description="x")
    return proposal_publish(user=author, proposal=proposal)


def test_thai_words_are_found_inside_unspaced_text_and_references_find_their_proposal(client):
    market = published("ปรับปรุงตลาดหนองมนให้มีที่จอดรถ", "ที่จอดรถสำหรับนักท่องเที่ยว")
    beach = published("ไฟส่องสว่างริมหาดบางแสน", "ความปลอดภัยยามค่ำคืน")
    assert list(proposal_list(q="หนองมน")) == [market]
    assert list(proposal_list(q="ปลอดภัย")) == [beach]
    assert list(proposal_list(q=beach.reference.lower())) == [beach]
    assert list(proposal_list(q="ไม่มีคำนี้")) == []
    page = client.get("/th/proposals/", {"q": "จอดรถ"}).content.decode()
    assert market.title in page and beach.title not in page
