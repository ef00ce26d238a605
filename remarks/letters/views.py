"""The pages of the paper trail: the receipt (print view and PDF), the letters (download and
correction) and the public /verify/."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core import throttle
from core.twofactor import client_ip
from remarks import selectors
from remarks.actions import TransitionError
from remarks.capabilities import has_perm
from remarks.forms import NoNulCharField
from remarks.letters import render as pdfs
from remarks.letters import services as letter_services
from remarks.letters import snapshot, wording
from remarks.letters.verify import lookup
from remarks.models import Letter, Remark

# Lookups at /verify/ per client address: enough for anyone checking their letters, too few
# to guess codes (31^10 of them).
VERIFY_LIMIT = 30
VERIFY_WINDOW = timedelta(minutes=10)


class LetterCorrectForm(forms.Form):
    text = NoNulCharField(label=gettext_lazy("Corrected answer"), max_length=10000,
                          widget=forms.Textarea(attrs={"rows": 5}))
    bilingual = forms.BooleanField(label=gettext_lazy("Bilingual answer (Kazakh and Russian)"), required=False)


def detail_context(user, remark: Remark) -> dict:
    """What the remark page shows of the paper trail: the responses with their letters, the
    receipt, and what this reader may do with them."""
    responses = list(remark.responses.select_related("agency", "signed_by", "letter")
                     .defer("letter__pdf", "letter__content"))
    letters = [getattr(r, "letter", None) for r in responses]
    corrected_by = {letter.supersedes_id: letter for letter in letters if letter and letter.supersedes_id}
    for response, letter in zip(responses, letters, strict=True):
        response.official_letter = letter
        response.corrected_by = corrected_by.get(letter.pk) if letter else None
    return {
        "responses": responses,
        "receipt": getattr(remark, "receipt", None),
        "may_view_receipt": has_perm(user, "remarks.view_receipt", remark),
        "may_download_letter": has_perm(user, "remarks.download_letter", remark),
        "may_correct_letter": has_perm(user, "remarks.correct_letter", remark),
        "may_see_repeat": has_perm(user, "remarks.view_internal_notes"),
        "correct_form": LetterCorrectForm(),
    }


def _receipt_for(request: HttpRequest, reference: str):
    remark = selectors.get_remark_for_user(request.user, reference)
    if not has_perm(request.user, "remarks.view_receipt", remark):
        raise PermissionDenied
    receipt = getattr(remark, "receipt", None)
    if receipt is None:
        raise Http404("No receipt.")
    return remark, receipt


@login_required
@require_GET
def receipt_print(request: HttpRequest, reference: str) -> HttpResponse:
    remark, receipt = _receipt_for(request, reference)
    return render(request, "remarks/receipt.html", {
        "remark": remark, "receipt": receipt, "body": _receipt_body(receipt, request.LANGUAGE_CODE),
        "verify_url": snapshot.verify_url(number=receipt.reference, code=receipt.code),
        "qr": _qr_data_uri(snapshot.verify_url(number=receipt.reference, code=receipt.code)),
    })


def _receipt_body(receipt, language: str) -> str:
    return getattr(receipt, f"body_{language[:2]}", "") or receipt.body_kk


def _qr_data_uri(text: str) -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(pdfs.qr_png(text).getvalue()).decode("ascii")


@login_required
@require_GET
def receipt_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    """The receipt as a PDF in the remark's language(s), drawn from its snapshot."""
    remark, receipt = _receipt_for(request, reference)
    codes = wording.languages_of(remark.language) or ("kk",)
    content = {
        "languages": list(codes), "labels": {c: wording.LABELS[c] for c in codes},
        "reference": receipt.reference, "registered_on": receipt.registered_on.isoformat(),
        "due_date": receipt.due_date.isoformat(), "author": receipt.author_name, "code": receipt.code,
        "submitted_at": timezone.localtime(receipt.submitted_at).strftime("%d.%m.%Y %H:%M"),
        "body": " / ".join(dict.fromkeys(_receipt_body(receipt, c) for c in codes)),
        "verify_url": snapshot.verify_url(number=receipt.reference, code=receipt.code),
    }
    return _pdf_response(pdfs.receipt_pdf(content), f"{receipt.reference}-receipt.pdf")


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _letter_of(remark: Remark, number: str, *, with_pdf: bool = False) -> Letter:
    letters = Letter.objects.filter(response__remark=remark, outgoing_number=number)
    letter = (letters if with_pdf else letters.defer("pdf")).first()
    if letter is None:
        raise Http404("No such letter.")
    return letter


@login_required
@require_GET
def letter_download(request: HttpRequest, reference: str, number: str) -> HttpResponse:
    """The letter's PDF exactly as it was rendered once: the bytes its SHA-256 was taken of."""
    remark = selectors.get_remark_for_user(request.user, reference)
    if not has_perm(request.user, "remarks.download_letter", remark):
        raise PermissionDenied
    letter = _letter_of(remark, number, with_pdf=True)
    if not letter.is_rendered:
        messages.info(request, _("The letter № %(number)s is being prepared; try again in a minute.")
                      % {"number": number})
        return redirect(remark)
    return _pdf_response(bytes(letter.pdf), f"{letter.outgoing_number}.pdf")


@login_required
@require_POST
def letter_correct(request: HttpRequest, reference: str, number: str) -> HttpResponse:
    from remarks.views import _detail_context

    remark = selectors.get_remark_for_user(request.user, reference)
    if not has_perm(request.user, "remarks.correct_letter", remark):
        raise PermissionDenied
    letter = _letter_of(remark, number)
    form = LetterCorrectForm(request.POST)
    if form.is_valid():
        try:
            new = letter_services.letter_correct(remark=remark, letter=letter, actor=request.user,
                                                 **form.cleaned_data)
        except TransitionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The corrected letter № %(new)s supersedes № %(old)s.")
                             % {"new": new.outgoing_number, "old": letter.outgoing_number})
            return redirect(remark)
    context = _detail_context(request, remark)
    context.update(bound_correction=form, open_correction=letter.pk)
    return render(request, "remarks/detail.html", context, status=400)


@never_cache
@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """Public: is this outgoing number (or receipt) real? The same answer for a wrong code as
    for a number that does not exist, and a limit on lookups per address."""
    number, code = request.GET.get("number", "")[:64], request.GET.get("code", "")[:64]
    context = {"number": number, "code": code, "asked": bool(number or code)}
    if context["asked"]:
        key = f"verify:{client_ip(request) or ''}"
        if not throttle.allow(key, limit=VERIFY_LIMIT, window=VERIFY_WINDOW):
            response = render(request, "remarks/verify.html", context | {"throttled": True}, status=429)
            response["Retry-After"] = str(throttle.retry_after(key, limit=VERIFY_LIMIT, window=VERIFY_WINDOW))
            return response
        context["found"] = lookup(number, code)
        context["kind"] = type(context["found"]).__name__
    return render(request, "remarks/verify.html", context)
