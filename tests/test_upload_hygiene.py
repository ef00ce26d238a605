"""Upload hygiene, checked against what the server does, not what the form's widget offers:
crafted multipart posts, content sniffing, photo metadata, storage names and serving headers."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from PIL import Image

from remarks.models import Attachment, DraftUpload, Remark

NEW = reverse("remarks:new")
BOUNDARY = "----hygiene-boundary-7MA4YWxkTrZu0gW"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def alice(client_for, author):
    return client_for(author)


def fields(world, **overrides) -> dict:
    data = {
        "kind": "remark", "title": "Vehicle registration loses the uploaded documents",
        "description": "After the upload the portal shows an empty list.",
        "category": str(world.vehicles.pk), "service": str(world.registration.pk), "language": "ru",
        "submission_token": str(uuid.uuid4()), "confirm": "1",
    }
    data.update(overrides)
    return data


def crafted_multipart(data: dict, files: list[tuple[str, bytes, str]]) -> bytes:
    """A multipart body written by hand, as a script would send it: no widget, no `accept`,
    no client-side size or count checks, any Content-Type the sender likes."""
    parts = []
    for name, value in data.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for filename, content, content_type in files:
        head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n').encode()
        parts.append(head + content + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def post_crafted(client, world, files, **overrides):
    return client.generic("POST", NEW, crafted_multipart(fields(world, **overrides), files),
                          content_type=f"multipart/form-data; boundary={BOUNDARY}")


def errors(response) -> str:
    return " ".join(str(e) for e in response.context["form"].errors.get("attachments", []))


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (12, 12), (0, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    exif[0x0110] = "SecretPhone 12"  # Model
    exif[0x8825] = {1: "N", 2: (51.0, 7.0, 30.0), 3: "E", 4: (71.0, 25.0, 50.0)}  # GPS IFD: Astana
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 200, 30)).save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as check:  # the fixture really carries a location
        assert check.getexif().get_ifd(0x8825)
    return data


def nothing_stored():
    return not Remark.objects.exists() and not Attachment.objects.exists()


def test_a_crafted_post_with_an_eleven_megabyte_file_gets_a_message(alice, world):
    big = b"\x89PNG\r\n\x1a\n" + b"0" * (11 * 1024 * 1024)
    response = post_crafted(alice, world, [("huge.png", big, "image/png")])
    assert response.status_code == 400
    assert "a file may be at most" in errors(response)
    assert nothing_stored() and not DraftUpload.objects.exists()


def test_a_crafted_post_with_six_files_gets_a_message_and_files_nothing(alice, world):
    files = [(f"shot{i}.png", png_bytes(), "image/png") for i in range(6)]
    response = post_crafted(alice, world, files)
    assert response.status_code == 400
    assert "at most 5 files" in errors(response)
    assert nothing_stored()
    # Sending the same form again cannot add more: the five kept files count against the limit.
    token = str(DraftUpload.objects.values_list("token", flat=True).first())
    response = post_crafted(alice, world, files[:3], submission_token=token, title="<b>")
    assert DraftUpload.objects.filter(token=token).count() == 5


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 300
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 300
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(("filename", "content", "content_type"), [
    ("photo.png", PE, "image/png"),
    ("photo.png", ELF, "image/png"),
    ("diagram.png", SVG, "image/png"),
    ("diagram.svg", SVG, "image/svg+xml"),
    ("page.jpg", HTML, "image/jpeg"),
    ("page.png", HTML, "image/png"),
    ("broken.png", b"\x89PNG\r\n\x1a\n" + HTML, "image/png"),  # a PNG signature over markup
], ids=["pe-as-png", "elf-as-png", "svg-as-png", "svg", "html-as-jpg", "html-as-png", "png-header-html"])
def test_content_decides_not_the_name(alice, world, filename, content, content_type):
    response = post_crafted(alice, world, [(filename, content, content_type)])
    assert response.status_code == 400
    assert filename in errors(response)
    assert nothing_stored() and not DraftUpload.objects.exists()


def _file_one(alice, world, filename, content, content_type) -> Attachment:
    response = post_crafted(alice, world, [(filename, content, content_type)])
    assert response.status_code == 302, response.content[:2000]
    return Attachment.objects.get()


def test_gps_and_exif_are_stripped_from_a_photo(alice, world):
    attachment = _file_one(alice, world, "my location.jpg", jpeg_with_gps(), "image/jpeg")
    response = alice.get(reverse("remarks:attachment", args=[attachment.remark.reference, attachment.pk]))
    assert response.status_code == 200
    served = b"".join(response.streaming_content)
    assert b"SecretCameraMaker" not in served and b"SecretPhone" not in served
    assert b"Exif\x00\x00" not in served
    with Image.open(io.BytesIO(served)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert not image.getexif().get_ifd(0x8825)
        assert "exif" not in image.info


def test_files_are_stored_under_random_names_in_media_not_static(alice, world, settings):
    attachment = _file_one(alice, world, "passport-scan-Ivanov.png", png_bytes(), "image/png")
    stored = Path(attachment.file.path).resolve()
    assert stored.is_file()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert not stored.is_relative_to(Path(django_settings.BASE_DIR / "static").resolve())
    for piece in ("passport", "scan", "Ivanov", ".png"):
        assert piece.lower() not in attachment.file.name.lower()
    # The display name is kept for the download, cleaned.
    assert attachment.original_name == "passport-scan-Ivanov.png"


@pytest.mark.parametrize(("filename", "content", "content_type", "disposition"), [
    ("screen.png", png_bytes(), "image/png", "inline"),
    ("letter.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf", "attachment"),
], ids=["image-inline", "pdf-download"])
def test_files_are_served_with_disposition_and_nosniff(alice, world, filename, content, content_type,
                                                       disposition):
    attachment = _file_one(alice, world, filename, content, content_type)
    response = alice.get(reverse("remarks:attachment", args=[attachment.remark.reference, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith(disposition)
    assert filename in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"]
