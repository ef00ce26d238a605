"""Writes. Each service is one transaction; the workflow table decides what is allowed."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Agency
from remarks import actions, bulk, capabilities, deadlines, notify, repeats, workflow
from remarks.actions import ConflictError, TransitionError
from remarks.letters import snapshot
from remarks.models import (
    Attachment,
    Category,
    Comment,
    Measure,
    Notification,
    OutboxEmail,
    Publication,
    Remark,
    RemarkEvent,
    Response,
    Sequence,
    Support,
    SupportWithdrawal,
)
from remarks.outbox import outbox_queue
from remarks.querysets import search_text
from remarks.stats import facts
from remarks.uploads import CheckedUpload
from remarks.workflow import Action, Status

logger = logging.getLogger(__name__)
User = get_user_model()


def conflict_message(current_status: str) -> str:
    return _("Someone else has just changed this remark (it is now “%(status)s”). "
             "Check the page again before acting.") % {"status": Status(current_status).label}


# --- numbering -----------------------------------------------------------------------


def sequence_next(*, series: str, year: int) -> int:
    """The next number of a series in a year, gap-free: the counter row is locked until the
    surrounding transaction ends, and rolls back with it."""
    Sequence.objects.bulk_create([Sequence(series=series, year=year)], ignore_conflicts=True)
    counter = Sequence.objects.select_for_update().get(series=series, year=year)
    counter.last_value += 1
    Sequence.objects.filter(pk=counter.pk).update(last_value=counter.last_value)
    return counter.last_value


def _reference_for(year: int) -> str:
    return f"R-{year}-{sequence_next(series='R', year=year):05d}"


# --- filing --------------------------------------------------------------------------


@transaction.atomic
def remark_submit(
    *,
    author,
    kind: str,
    title: str,
    description: str,
    category: Category,
    service=None,
    affected_url: str = "",
    language: str = "kk",
    attachments: Iterable[CheckedUpload] = (),
    submission_token: uuid.UUID | None = None,
    publication_consent: bool = False,
    now: dt.datetime | None = None,
) -> Remark:
    """File a remark. A repeated submission token returns the remark already filed.
    `publication_consent` is the author's consent to the public register, given at filing
    (later, the consent is the workflow action of its own)."""
    if submission_token is not None:
        existing = Remark.objects.filter(submission_token=submission_token, author=author).first()
        if existing is not None:
            return existing
    if not capabilities.has_perm(author, "remarks.file_remark"):
        raise TransitionError(_("Only digital commissioners can file remarks."))
    title, description = title.strip(), description.strip()
    if not title or not description:
        raise TransitionError(_("A remark needs a title and a description."))
    now = now or timezone.now()
    registered_on = deadlines.registration_date(now)
    remark = Remark(
        kind=kind,
        language=language,
        title=title,
        description=description,
        search_text=search_text(title, description),
        affected_url=affected_url,
        category=category,
        service=service,
        proposed_agency=service.owner if service else None,
        author=author,
        status=Status.SUBMITTED,
        submitted_at=now,
        updated_at=now,
        registered_on=registered_on,
        routing_due=deadlines.routing_due(registered_on),
        due_date=deadlines.answer_due(registered_on),
        submission_token=submission_token,
        repeat_of=repeats.repeat_of(author=author, service=service, title=title, description=description, now=now),
    )
    try:
        with transaction.atomic():
            # The number is taken inside the savepoint: a double submit that loses the race
            # gives its number back, so references stay gap-free.
            remark.reference = _reference_for(deadlines.local_date(now).year)
            remark.save()
    except IntegrityError:
        # The same form posted twice at the same moment: the other request filed it.
        existing = Remark.objects.filter(submission_token=submission_token, author=author).first()
        if existing is None:
            raise
        return existing
    snapshot.receipt_issue(remark)
    for upload in attachments:
        _attach(remark, author, upload, now)
    payload = {"registered_on": registered_on.isoformat(), "due_date": remark.due_date.isoformat()}
    if publication_consent:
        Publication.objects.create(remark=remark, consent=True, consent_at=now)
        payload["publication_consent"] = True
    _record(remark, actor=author, action=RemarkEvent.Kind.SUBMIT, from_status="", to_status=Status.SUBMITTED,
            payload=payload, now=now, notify_author=False)
    return remark


def _attach(remark: Remark, user, upload: CheckedUpload, now: dt.datetime) -> Attachment:
    return Attachment.objects.create(
        remark=remark, uploaded_by=user, file=upload.content, original_name=upload.name,
        content_type=upload.content_type, size=upload.size, created_at=now,
    )


@transaction.atomic
def attachment_add(*, remark: Remark, user, upload: CheckedUpload) -> Attachment:
    if remark.attachments.count() >= settings.ATTACHMENT_MAX_COUNT:
        raise TransitionError(
            _("A remark can have at most %(count)s files.") % {"count": settings.ATTACHMENT_MAX_COUNT},
            field="attachments",
        )
    now = timezone.now()
    attachment = _attach(remark, user, upload, now)
    _record(remark, actor=user, action=RemarkEvent.Kind.ATTACH, payload={"name": upload.name}, now=now,
            notify_author=False)
    return attachment


# --- the workflow --------------------------------------------------------------------


@transaction.atomic
def remark_transition(*, remark: Remark, action: str, actor, now: dt.datetime | None = None, **inputs) -> Remark:
    """Take one workflow action: look up its row, check the actor's capability, lock the
    remark, run the action's handler, record the event, issue the response and queue the
    notifications, all in one transaction. Raises TransitionError and changes nothing when
    refused."""
    action = Action(action)
    transition = workflow.TRANSITIONS[action]
    now = now or timezone.now()

    # The status the actor saw. If someone else acted first, the row lock makes us wait for
    # them and we see their result: refuse rather than act on a remark that has moved on.
    seen_status = remark.status
    current = Remark.objects.select_for_update().get(pk=remark.pk)
    if actions.moved_on(seen_status, current):
        raise ConflictError(conflict_message(current.status))
    roles = actions.check(transition, current, actor=actor, inputs=inputs, now=now)

    target = workflow.target_status(transition, current=current.status, return_to=current.return_status,
                                    outcome=inputs.get("outcome"))
    step = actions.Step(remark=current, actor=actor, roles=roles, inputs=inputs, now=now, target=target,
                        transition_action=action)
    actions.HANDLERS[action](step)
    changes = step.changes | actions.leaving_changes(step)

    updated = Remark.objects.filter(pk=current.pk, status=seen_status).update(**changes)
    if updated != 1:
        raise ConflictError(_("Someone else has just changed this remark. Check the page again before acting."))
    for name, value in changes.items():
        setattr(current, name, value)
    for after in step.after:
        after(current)

    if actions.issues_response(transition, target):
        response = response_issue(remark=current, agency=step.signer, action=action, body=step.text,
                                  signed_by=actor, now=now, measure=inputs.get("measure"))
        step.payload.update(outgoing_number=response.outgoing_number)
        for then in step.with_response:
            then(response)

    _record(current, actor=actor, action=action, from_status=seen_status,
            to_status="" if transition.stays else target, text=step.text, payload=step.payload, now=now,
            notify_author=step.notify_author)
    return current


def response_issue(*, remark: Remark, agency: Agency, action: str, body: str, signed_by, now: dt.datetime,
                   measure: Measure | None = None) -> Response:
    """Issue an official response with the agency's next outgoing number for the year.
    Must run inside the closing transaction so the number and the closing stand or fall together."""
    if not body.strip():
        raise TransitionError(_("An official response is required: a remark cannot be closed without an answer."),
                              field="text")
    year = deadlines.local_date(now).year
    number = sequence_next(series=agency.code, year=year)
    return Response.objects.create(
        remark=remark, agency=agency, outgoing_number=f"{agency.code}-{year}-{number:05d}", year=year,
        sequence=number, action=action, body=body.strip(), signed_by=signed_by, sent_at=now, measure=measure,
    )


@transaction.atomic
def measure_apply(*, measure: Measure, remarks: Iterable[Remark], actor, response_text: str,
                  now: dt.datetime | None = None, bilingual: bool = False) -> list[Response]:
    """Resolve several remarks by one systemic measure: each gets its own response and
    outgoing number; either all close or none, and a refusal names the remark it stopped at."""
    now = now or timezone.now()
    remarks = list(remarks)
    remarks_bulk_transition(remarks=remarks, action=Action.RESOLVE, actor=actor, now=now, text=response_text,
                            measure=measure, bilingual=bilingual)
    return list(Response.objects.filter(measure=measure, sent_at=now, remark__in=[r.pk for r in remarks])
                .order_by("pk"))


# --- conversation and support --------------------------------------------------------


@transaction.atomic
def comment_add(*, remark: Remark, author, body: str, internal: bool = False) -> Comment:
    body = body.strip()
    if not body:
        raise TransitionError(_("The comment is empty."), field="body")
    if internal and not capabilities.has_perm(author, "remarks.write_internal_note"):
        raise TransitionError(_("Only staff can write internal notes."), field="internal")
    now = timezone.now()
    comment = Comment.objects.create(remark=remark, author=author, body=body, internal=internal, created_at=now)
    if not internal:
        _record(remark, actor=author, action=RemarkEvent.Kind.COMMENT, text="", payload={"comment": comment.pk},
                now=now, notify_author=author.pk != remark.author_id)
    return comment


@transaction.atomic
def support_toggle(*, remark: Remark, user, now: dt.datetime | None = None) -> bool:
    """Support another commissioner's remark, or take the support back (kept as a withdrawal,
    for the statistics). Returns the new state."""
    if not capabilities.has_perm(user, "remarks.file_remark"):
        raise TransitionError(_("Only digital commissioners can support remarks."))
    if not capabilities.has_perm(user, "remarks.support_remark", remark):
        raise TransitionError(_("You cannot support your own remark."))
    now = now or timezone.now()
    given = Support.objects.filter(remark=remark, user=user).values_list("pk", "created_at", "agency_id").first()
    if given is not None:
        # Deleted by its key: of two requests (a double click) taking it back, one deletes it.
        if Support.objects.filter(pk=given[0]).delete()[0]:
            SupportWithdrawal.objects.create(remark=remark, user=user, given_at=given[1], withdrawn_at=now,
                                             agency_id=given[2])
            Remark.objects.filter(pk=remark.pk).update(support_count=F("support_count") - 1)
            facts.record_support(remark, user.pk, given[2], -1, now)
        return False
    if not remark.is_open:
        raise TransitionError(_("A closed remark cannot be supported."))
    # The holder as committed now: the support keeps it (the facts and a rebuild read it there).
    holder = Remark.objects.filter(pk=remark.pk).values_list("agency_id", flat=True).get()
    try:
        with transaction.atomic():
            Support.objects.create(remark=remark, user=user, created_at=now, agency_id=holder)
    except IntegrityError:
        return True  # the same person's other request gave it a moment ago
    Remark.objects.filter(pk=remark.pk).update(support_count=F("support_count") + 1)
    facts.record_support(remark, user.pk, holder, 1, now)
    return True


@transaction.atomic
def remark_confirm(*, remark: Remark, user) -> RemarkEvent:
    """The author confirms that the fix works. Not a workflow transition: the remark stays
    resolved; the confirmation is a line of its history (and of the statistics)."""
    current = Remark.objects.select_for_update().get(pk=remark.pk)
    if not capabilities.has_perm(user, "remarks.confirm_remark", current):
        if current.author_id != user.pk:
            raise TransitionError(_("Only the author can confirm the fix."))
        raise TransitionError(_("Only a resolved remark can be confirmed."))
    if current.events.filter(action=RemarkEvent.Kind.CONFIRM, created_at__gte=current.closed_at).exists():
        raise TransitionError(_("You have already confirmed the fix."))
    return _record(current, actor=user, action=RemarkEvent.Kind.CONFIRM, now=timezone.now(), notify_author=False)


# --- history and notifications -------------------------------------------------------


def _record(remark: Remark, *, actor, action: str, from_status: str = "", to_status: str = "", text: str = "",
            payload: dict | None = None, now: dt.datetime, notify_author: bool = True) -> RemarkEvent:
    event = RemarkEvent.objects.create(
        remark=remark, actor=actor, action=action, from_status=from_status, to_status=to_status, text=text,
        payload=payload or {}, created_at=now,
    )
    # The statistics' facts of this event, in this transaction (remarks.stats.facts).
    facts.record(event, remark)
    notify.event_notify(remark, event, author=notify_author and actor is not None)
    return event


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# --- bulk work of the queue ------------------------------------------------------------


def _refused(remark: Remark, error: TransitionError) -> TransitionError:
    return TransitionError(_("%(reference)s: %(reason)s") % {"reference": remark.reference, "reason": error.message},
                           field=error.field)


@transaction.atomic
def remarks_bulk_transition(*, remarks: Iterable[Remark], action: str, actor, now: dt.datetime | None = None,
                            **inputs) -> int:
    """Take one workflow action on several remarks, each checked by remark_transition: all
    change or none does, and a refusal names the remark it stopped at."""
    count = 0
    with bulk.scope(), notify.batched():
        for remark in remarks:
            try:
                remark_transition(remark=remark, action=action, actor=actor, now=now, **inputs)
            except TransitionError as error:
                raise _refused(remark, error) from error
            count += 1
    return count


# --- the overdue digest for agency heads ---------------------------------------------


@transaction.atomic
def overdue_digest_queue(*, today: dt.date | None = None) -> list[OutboxEmail]:
    """Write the morning digests (remarks.selectors.overdue_digest_for: each agency head the
    agency's overdue, due-soon and orphaned remarks, led or co-executed; each coordinator the
    remarks to route past their date), in the reader's language. Rows of the outbox, delivered
    by the worker after commit and retried when the mail server refuses."""
    from remarks.selectors import overdue_digest_for

    today = today or timezone.localdate()
    emails = []
    for digest in overdue_digest_for(today=today):
        with translation.override(digest.language):
            context = {"digest": digest, "site_url": settings.SITE_URL}
            subject = render_to_string("remarks/email/overdue_digest_subject.txt", context).strip()
            body = render_to_string("remarks/email/overdue_digest_body.txt", context)
        emails.append(outbox_queue(to=digest.reader.email, subject=subject, body=body))
    return emails
