"""Writes of the paper trail besides issuing: a correcting letter."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from remarks import capabilities, services
from remarks.actions import TransitionError
from remarks.letters import snapshot
from remarks.models import Letter, Remark, RemarkEvent


@transaction.atomic
def letter_correct(*, remark: Remark, letter: Letter, actor, text: str, bilingual: bool = False,
                   now: dt.datetime | None = None) -> Letter:
    """Correct a letter with a mistake: a new response and letter with the agency's next
    outgoing number, which supersedes the old one (the old letter itself never changes)."""
    now = now or timezone.now()
    remark = Remark.objects.select_for_update().select_related("author").get(pk=remark.pk)
    letter = Letter.objects.select_related("response__agency", "response__measure").defer("pdf").get(pk=letter.pk)
    # Only a member of the body that signed it may (letter_plan refuses anyone else).
    if not capabilities.has_perm(actor, "remarks.correct_letter", remark):
        raise TransitionError(_("Only staff of the body that signed the letter can correct it."))
    newer = Letter.objects.filter(supersedes=letter).values_list("outgoing_number", flat=True).first()
    if newer:
        raise TransitionError(_("This letter is already corrected by № %(number)s; correct that one instead.")
                              % {"number": newer})
    text = text.strip()
    if not text:
        raise TransitionError(_("Write the corrected answer."), field="text")
    response = letter.response
    plan = snapshot.letter_plan(remark=remark, agency=response.agency, signer=actor, text=text, bilingual=bilingual)
    corrected = services.response_issue(remark=remark, agency=response.agency, action=response.action, body=text,
                                        signed_by=actor, now=now, measure=response.measure)
    new = snapshot.letter_issue(response=corrected, plan=plan, supersedes=letter)
    services._record(remark, actor=actor, action=RemarkEvent.Kind.CORRECT, text=text, now=now,
                     payload={"outgoing_number": corrected.outgoing_number, "corrects": letter.outgoing_number})
    return new
