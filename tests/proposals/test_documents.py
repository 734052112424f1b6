import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from proposals.models import Proposal, ProposalDocument
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def post_draft(client, document):
    return client.post(
        "/en/proposals/new/",
        {
            "title": "แผนที่ทางจักรยาน",
            "summary": "เส้นทางจักรยานรอบเมือง",
            "description": "รายละเอียดในเอกสารแนบ",
            "document": document,
        },
    )


def test_a_pdf_is_attached_and_listed(client):
    client.force_login(CitizenFactory())
    response = post_draft(client, SimpleUploadedFile("แผนที่.pdf", PDF, "application/pdf"))
    assert response.status_code == 302
    document = ProposalDocument.objects.get()
    assert document.title == "แผนที่" and document.size == len(PDF)
    page = client.get(response["Location"]).content.decode()
    assert document.file.url in page


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
        SimpleUploadedFile("page.pdf", b"<html><script>x</script>", "application/pdf"),
        SimpleUploadedFile("big.pdf", PDF + b"0" * (5 * 1024 * 1024), "application/pdf"),
    ],
)
def test_files_that_are_not_small_pdfs_are_refused_by_content(client, upload):
    client.force_login(CitizenFactory())
    response = post_draft(client, upload)
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert not Proposal.objects.exists() and not ProposalDocument.objects.exists()
