"""Checks on uploaded evidence: the content decides what a file is, never its name."""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from remarks import terms

ALLOWED = {"image/png": ".png", "image/jpeg": ".jpg", "application/pdf": ".pdf"}

# Pillow refuses (DecompressionBombError) past twice this and warns past it; the warning is
# turned into a refusal below, and the header is checked before that anyway.
Image.MAX_IMAGE_PIXELS = terms.IMAGE_MAX_PIXELS


class ImageTooLarge(Exception):
    pass


@dataclass
class CheckedUpload:
    content: ContentFile
    name: str
    content_type: str
    size: int


def sniff(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def safe_name(name: str, extension: str) -> str:
    """A display name that cannot carry a path, markup or control characters."""
    stem = name.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = unicodedata.normalize("NFKC", stem)
    stem = re.sub(r"[^\w\- ]+", "_", stem, flags=re.UNICODE).strip(" ._") or "file"
    return stem[:80] + extension


def _strip_metadata(data: bytes, content_type: str) -> bytes:
    """Re-encode photos without EXIF, so a commissioner's location never leaks. The size in
    the header is checked before anything is decoded: a few kilobytes of PNG can claim
    9000 × 9000 pixels and take hundreds of megabytes to decode."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageTooLarge from None
    with image:
        width, height = image.size
        if width * height > terms.IMAGE_MAX_PIXELS:
            raise ImageTooLarge
        image.load()
        image = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        if content_type == "image/jpeg":
            image.convert("RGB").save(out, format="JPEG", quality=90)
        else:
            image.save(out, format="PNG")
    return out.getvalue()


def check_upload(upload) -> CheckedUpload:
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        # In bytes: rounded to megabytes, 10 MB and one byte would read "10.0 MB; at most 10.0 MB".
        raise ValidationError(
            _("“%(name)s” is %(size)s bytes; a file may be at most %(limit)s (%(limit_bytes)s bytes).")
            % {
                "name": upload.name,
                "size": number_format(upload.size, force_grouping=True),
                "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
                "limit_bytes": number_format(settings.ATTACHMENT_MAX_BYTES, force_grouping=True),
            },
            code="too_large",
        )
    data = upload.read()
    content_type = sniff(data[:16])
    if content_type is None:
        raise ValidationError(
            _("“%(name)s” is not a PNG, JPEG or PDF file.") % {"name": upload.name}, code="bad_type"
        )
    if content_type.startswith("image/"):
        try:
            data = _strip_metadata(data, content_type)
        except ImageTooLarge:
            raise ValidationError(
                _("“%(name)s” is too large an image: it may have at most %(megapixels)s megapixels.")
                % {"name": upload.name, "megapixels": terms.IMAGE_MAX_PIXELS // 1_000_000},
                code="too_many_pixels",
            ) from None
        except Exception:
            raise ValidationError(
                _("“%(name)s” is not a readable image.") % {"name": upload.name}, code="bad_image"
            ) from None
    name = safe_name(upload.name, ALLOWED[content_type])
    return CheckedUpload(ContentFile(data, name=name), name, content_type, len(data))
