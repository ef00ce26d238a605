"""Attachments are served only through the view that checks the remark is visible."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from remarks import services, uploads
from remarks.workflow import Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"


class Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name, self.size = name, len(data)


def png_bytes(exif=False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (10, 10), (0, 120, 200))
    if exif:
        info = Image.Exif()
        info[0x010F] = "SecretCameraMaker"  # Make
        image.save(out, format="JPEG", exif=info)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def remark_with_files(remark_in, author):
    remark = remark_in(Status.IN_REVIEW)
    image = services.attachment_add(remark=remark, user=author,
                                    upload=uploads.check_upload(Upload(png_bytes(), "screen shot.png")))
    document = services.attachment_add(remark=remark, user=author,
                                       upload=uploads.check_upload(Upload(PDF, "answer.pdf")))
    return remark, image, document


def url(remark, attachment):
    return reverse("remarks:attachment", args=[remark.reference, attachment.pk])


def test_an_image_is_shown_inline_with_safe_headers(client_for, author, remark_with_files):
    remark, image, _document = remark_with_files
    response = client_for(author).get(url(remark, image))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_pdf_is_downloaded_not_shown(client_for, officer, remark_with_files):
    remark, _image, document = remark_with_files
    response = client_for(officer).get(url(remark, document))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="answer.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_remark_page_links_its_attachments(client_for, author, remark_with_files):
    remark, image, document = remark_with_files
    page = client_for(author).get(remark.get_absolute_url()).content.decode()
    assert url(remark, image) in page and url(remark, document) in page


def test_officer_of_another_agency_gets_404_for_an_attachment(client_for, other_officer, remark_with_files):
    remark, image, document = remark_with_files
    nina = client_for(other_officer)
    assert nina.get(url(remark, image)).status_code == 404
    assert nina.get(url(remark, document)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, remark_with_files):
    remark, image, _document = remark_with_files
    response = client.get(url(remark, image))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_attachment_cannot_be_reached_through_another_remark(client_for, author, remark_with_files,
                                                                submit):
    remark, image, _document = remark_with_files
    other = submit("A remark of mine without files")
    url = reverse("remarks:attachment", args=[other.reference, image.pk])
    assert client_for(author).get(url).status_code == 404


def test_the_photo_metadata_is_removed(remark_in):
    checked = uploads.check_upload(Upload(png_bytes(exif=True), "photo.jpg"))
    data = checked.content.read()
    assert checked.content_type == "image/jpeg"
    assert b"SecretCameraMaker" not in data
    assert b"SecretCameraMaker" in png_bytes(exif=True)


def test_a_pdf_named_png_is_stored_as_pdf():
    checked = uploads.check_upload(Upload(PDF, "picture.png"))
    assert checked.content_type == "application/pdf"
    assert checked.name == "picture.pdf"


def test_a_broken_image_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="not a readable image"):
        uploads.check_upload(Upload(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "broken.png"))
