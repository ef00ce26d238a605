"""What /verify/ may tell anyone: for an outgoing number and its code, that the letter exists,
who issued it, when, for which remark, and its SHA-256; for a reference and its receipt code,
the registration date and the body it was registered to. Nothing personal, and a wrong code
is answered exactly like a number that does not exist."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django.utils.translation import get_language

from remarks.converters import is_outgoing_number, is_reference
from remarks.models import Letter, Receipt


@dataclass(frozen=True)
class LetterFound:
    outgoing_number: str
    agency: str
    issued_on: dt.date
    reference: str
    sha256: str  # empty while the PDF is being rendered
    superseded_by: str
    supersedes: str


@dataclass(frozen=True)
class ReceiptFound:
    reference: str
    registered_on: dt.date
    body: str


def _same(code: str, expected: str) -> bool:
    return hmac.compare_digest(code.strip().upper().encode(), expected.encode())


def _name(names: dict, language: str | None = None) -> str:
    language = (language or get_language() or "kk")[:2]
    return names.get(language) or names.get("kk") or names.get("ru") or ""


def lookup(number: str, code: str) -> LetterFound | ReceiptFound | None:
    number = number.strip().upper()
    if is_outgoing_number(number):
        letter = (Letter.objects.filter(outgoing_number=number).select_related("supersedes", "superseded_by")
                  .defer("pdf", "supersedes__pdf", "superseded_by__pdf").first())
        if letter is None or not _same(code, letter.code):
            return None
        superseded_by = getattr(letter, "superseded_by", None)
        return LetterFound(
            outgoing_number=letter.outgoing_number, agency=_name(letter.content["agency"]),
            issued_on=dt.date.fromisoformat(letter.content["date"]), reference=letter.content["reference"],
            sha256=letter.pdf_sha256, superseded_by=superseded_by.outgoing_number if superseded_by else "",
            supersedes=letter.supersedes.outgoing_number if letter.supersedes_id else "")
    if is_reference(number):
        receipt = Receipt.objects.filter(reference=number).first()
        if receipt is None or not _same(code, receipt.code):
            return None
        names = {"kk": receipt.body_kk, "ru": receipt.body_ru, "en": receipt.body_en}
        return ReceiptFound(reference=receipt.reference, registered_on=receipt.registered_on, body=_name(names))
    return None
