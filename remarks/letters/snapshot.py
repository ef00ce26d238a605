"""What a receipt and a letter say, fixed when they are issued, and the rendering of letters.

`letter_plan` checks, before anything is issued, that the letter can be written in its
language (the answer's language, the agency's letterhead, the signer's position) and collects
its data; `letter_issue` stores that data with the outgoing number inside the closing
transaction and enqueues the rendering on commit. The worker (`letter_render`) renders the
PDF once from the stored data alone and keeps its bytes and SHA-256; a task that runs twice,
or two workers at once, store one rendering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from agencies.models import Agency, AgencyMembership
from remarks import deadlines
from remarks.actions import TransitionError
from remarks.letters import language as answer_language
from remarks.letters import wording
from remarks.models import Letter, Receipt, Remark, Response

logger = logging.getLogger(__name__)

# Codes read off paper: no 0/O or 1/I/L to confuse.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
# An unrendered letter this old has lost its task: the periodic job enqueues it again.
RENDER_LATE = dt.timedelta(minutes=5)
REQUEUE_BATCH = 500
LANGUAGE_NAMES = {"kk": "Kazakh", "ru": "Russian"}


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _n in range(CODE_LENGTH))


def _names(obj) -> dict[str, str]:
    return {code: getattr(obj, f"name_{code}") for code in ("kk", "ru", "en")}


def person_name(user) -> str:
    profile = getattr(user, "commissioner", None)
    return (profile.full_name if profile else "") or user.get_full_name() or user.get_username()


def _in_languages(codes) -> str:
    return _(" and ").join(str(_(LANGUAGE_NAMES[code])) for code in codes)


# --- receipts ----------------------------------------------------------------------------


def receipt_issue(remark: Remark) -> Receipt:
    """The receipt of a remark being filed, in the filing transaction."""
    body = remark.proposed_agency or Agency.objects.filter(is_ministry=True).order_by("pk").first()
    names = _names(body) if body else {code: "" for code in ("kk", "ru", "en")}
    return Receipt.objects.create(
        remark=remark, reference=remark.reference, submitted_at=remark.submitted_at,
        registered_on=remark.registered_on, due_date=remark.due_date, body_kk=names["kk"], body_ru=names["ru"],
        body_en=names["en"], author_name=person_name(remark.author), code=new_code(), created_at=remark.submitted_at,
    )


def verify_url(**params) -> str:
    return f"{settings.SITE_URL}{reverse('verify')}?{urlencode(params)}"


# --- letters -----------------------------------------------------------------------------


def letter_plan(*, remark: Remark, agency: Agency, signer, text: str, bilingual: bool = False) -> dict:
    """The data of the letter an action is about to issue, or TransitionError (nothing is
    issued, no number taken) when it cannot be written in its language."""
    language = answer_language.letter_language(remark.language, bilingual=bilingual)
    codes = wording.languages_of(language)
    found = answer_language.mismatch(text, language)
    if found == "kk_ru":
        raise TransitionError(_("The answer is in Kazakh and Russian: tick “Bilingual answer” to send it in both."),
                              field="text")
    if found:
        raise TransitionError(
            _("The remark is written in %(expected)s, but the answer is in %(found)s. Answer in %(expected)s, "
              "or tick “Bilingual answer” and write it in both languages.")
            % {"expected": _in_languages(codes), "found": _in_languages(wording.languages_of(found))},
            field="text")
    missing = [code for code in codes if not getattr(agency, f"letterhead_{code}").strip()]
    if missing:
        raise TransitionError(
            _("%(agency)s has no letterhead name in %(languages)s, so its letter cannot be issued: ask the "
              "administrator to add it.") % {"agency": agency, "languages": _in_languages(missing)})
    memberships = list(AgencyMembership.objects.filter(user=signer, agency=agency).order_by("pk"))
    if not memberships:
        raise TransitionError(_("Only staff of %(agency)s can sign its letters.") % {"agency": agency})
    membership = next((m for m in memberships if all(getattr(m, f"position_{c}").strip() for c in codes)), None)
    if membership is None:
        raise TransitionError(
            _("Your position at %(agency)s in %(languages)s is not recorded, and a letter cannot be signed "
              "without it: ask the administrator to add it.") % {"agency": agency, "languages": _in_languages(codes)})
    return {
        "language": language,
        "languages": list(codes),
        "agency": {"code": agency.code, **_names(agency)},
        "letterhead": {code: getattr(agency, f"letterhead_{code}").strip() for code in codes},
        "addressee": person_name(remark.author),
        "reference": remark.reference,
        "title": remark.title,
        "body": text.strip(),
        "signer": {"name": person_name(signer),
                   "position": {code: getattr(membership, f"position_{code}").strip() for code in codes}},
        "dispute": {code: wording.DISPUTE[code] for code in codes},
        "labels": {code: wording.LABELS[code] for code in codes},
        "contributors": _contributors(remark, codes),
    }


def _contributors(remark: Remark, codes) -> dict[str, list[str]]:
    """The co-executing agencies that contributed to the answer, named in each language of the
    letter (their text stays with the staff)."""
    agencies = sorted({c.agency for c in remark.contributions.select_related("agency")}, key=lambda a: a.code)
    if not agencies:
        return {}
    return {code: [getattr(a, f"name_{code}") or a.name_kk for a in agencies] for code in codes}


def letter_issue(*, response: Response, plan: dict, supersedes: Letter | None = None) -> Letter:
    """Store the letter of a response just issued (in its transaction); rendered after commit."""
    code = new_code()
    content = plan | {
        "outgoing_number": response.outgoing_number,
        "date": deadlines.local_date(response.sent_at).isoformat(),
        "code": code,
        "verify_url": verify_url(number=response.outgoing_number, code=code),
        "supersedes": supersedes.outgoing_number if supersedes else "",
    }
    letter = Letter.objects.create(response=response, outgoing_number=response.outgoing_number,
                                   language=plan["language"], content=content, code=code, supersedes=supersedes,
                                   issued_at=response.sent_at)
    # robust: the closing has committed; a queue that cannot take the task now leaves the
    # letter to the periodic job, it must not turn the officer's request into an error.
    transaction.on_commit(lambda: _enqueue_render(letter.pk), robust=True)
    return letter


def _enqueue_render(pk: int) -> None:
    from remarks.tasks import render_letter

    render_letter.enqueue(pk)


def letter_render(pk: int) -> str:
    """Render one letter's PDF from its snapshot and store it, unless it has one already."""
    from remarks.letters.render import letter_pdf

    letter = Letter.objects.filter(pk=pk, pdf_sha256="").only("pk", "content").first()
    if letter is None:
        return "skipped"
    pdf = letter_pdf(letter.content)
    stored = Letter.objects.filter(pk=pk, pdf_sha256="").update(
        pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest(), rendered_at=timezone.now())
    return "rendered" if stored else "skipped"


def letters_requeue(*, now: dt.datetime | None = None, limit: int = REQUEUE_BATCH) -> int:
    """Periodic job: enqueue again the letters whose rendering task went missing."""
    now = now or timezone.now()
    late = Letter.objects.filter(pdf_sha256="", issued_at__lt=now - RENDER_LATE).order_by("issued_at")
    pks = list(late.values_list("pk", flat=True)[:limit])
    for pk in pks:
        _enqueue_render(pk)
    return len(pks)
