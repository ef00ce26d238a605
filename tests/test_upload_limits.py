"""Limits of an upload, told precisely and enforced before the work: an image's pixels are
counted in its header, so a tiny PNG that claims 9000 × 9000 pixels is refused without
decoding it (that took some 700 MB); and the size limit shows the bytes, so a file one byte
too big does not read "10.0 MB; at most 10.0 MB"."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from remarks import terms, uploads
from remarks.models import DraftUpload, Remark
from tests.test_upload_hygiene import NEW, alice, errors, fields, png_bytes, post_crafted  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """9000 × 9000 pixels, one bit each, all white: about 10 kB of PNG."""
    out = io.BytesIO()
    Image.new("1", (9000, 9000), 1).save(out, format="PNG", optimize=True)
    return out.getvalue()


def test_the_bomb_is_small_on_the_wire_and_large_in_pixels(bomb):
    assert len(bomb) < 100_000
    assert 9000 * 9000 > terms.IMAGE_MAX_PIXELS


def test_image_over_the_pixel_limit_is_refused_with_the_limit_named(bomb):
    with pytest.raises(ValidationError) as refused:
        uploads.check_upload(SimpleUploadedFile("screen.png", bomb, content_type="image/png"))
    assert refused.value.code == "too_many_pixels"
    assert "“screen.png”" in refused.value.messages[0] and "16 megapixels" in refused.value.messages[0]


# A fresh process, whose peak memory so far is only Django's: in this one, making the bomb
# (and earlier tests) already raised the high-water mark past what decoding would add.
MEASURE = """
import resource, sys, django
django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from remarks import uploads
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    uploads.check_upload(SimpleUploadedFile("screen.png", data, content_type="image/png"))
except ValidationError as error:
    print(error.code, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


def test_image_over_the_pixel_limit_is_refused_before_it_is_decoded(bomb, tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(bomb)
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run([sys.executable, "-c", MEASURE, str(path)], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=120)
    code, grown = result.stdout.split()
    assert code == "too_many_pixels", result.stderr
    grown_bytes = int(grown) * (1 if sys.platform == "darwin" else 1024)
    # Decoding takes a byte a pixel at the least (81 MB here, and 700 MB for the same
    # pixels in colour); reading the header takes nothing to speak of.
    assert grown_bytes < 16 * 1024 * 1024, grown_bytes


def test_image_just_over_the_limit_in_its_header_is_refused():
    out = io.BytesIO()
    Image.new("P", (4001, 4000)).save(out, format="PNG", optimize=True)
    with pytest.raises(ValidationError) as refused:
        uploads.check_upload(SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png"))
    assert refused.value.code == "too_many_pixels"


def test_image_at_the_limit_is_kept():
    out = io.BytesIO()
    Image.new("P", (4000, 4000)).save(out, format="PNG", optimize=True)
    checked = uploads.check_upload(SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png"))
    assert checked.content_type == "image/png"


def test_the_form_refuses_the_bomb_and_keeps_the_good_file(alice, world, bomb):  # noqa: F811
    files = [("bomb.png", bomb, "image/png"), ("ok.png", png_bytes(), "image/png")]
    response = post_crafted(alice, world, files)
    assert response.status_code == 400
    assert "“bomb.png” is too large an image" in errors(response)
    assert not Remark.objects.exists()
    assert [d.name for d in DraftUpload.objects.all()] == ["ok.png"]


def test_one_byte_over_the_size_limit_says_by_how_much(settings):
    settings.ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    big = SimpleUploadedFile("huge.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 - 4),
                             content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        uploads.check_upload(big)
    message = refused.value.messages[0]
    assert "10,485,761 bytes" in message and "10,485,760 bytes" in message, message
