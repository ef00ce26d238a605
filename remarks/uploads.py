"""Checks on uploaded evidence: the content decides what a file is, never its name."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ALLOWED = {"image/png": ".png", "image/jpeg": ".jpg", "application/pdf": ".pdf"}


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
    """Re-encode photos without EXIF, so a commissioner's location never leaks."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
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
        raise ValidationError(
            _("“%(name)s” is %(size)s; a file may be at most %(limit)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
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
        except Exception:
            raise ValidationError(
                _("“%(name)s” is not a readable image.") % {"name": upload.name}, code="bad_image"
            ) from None
    name = safe_name(upload.name, ALLOWED[content_type])
    return CheckedUpload(ContentFile(data, name=name), name, content_type, len(data))
