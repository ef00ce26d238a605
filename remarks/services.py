"""Writes. Each service is one transaction; the workflow table decides what is allowed."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Agency, AgencyMembership, Commission, CommissionDecision, CommissionSession
from remarks import deadlines, workflow
from remarks.models import (
    Attachment,
    Category,
    Comment,
    DraftUpload,
    Measure,
    Notification,
    OutboxEmail,
    Remark,
    RemarkEvent,
    Response,
    Sequence,
    Support,
)
from remarks.selectors import persona_of, roles_on
from remarks.uploads import CheckedUpload
from remarks.workflow import Action, Outcome, Role, Status

logger = logging.getLogger(__name__)
User = get_user_model()


class TransitionError(Exception):
    """A refused action. `message` is translated and shown to the user as it is; `field`
    names the form field it belongs to, when there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(TransitionError):
    pass


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
    now: dt.datetime | None = None,
    generated: bool = False,
) -> Remark:
    """File a remark. A repeated submission token returns the remark already filed."""
    if submission_token is not None:
        existing = Remark.objects.filter(submission_token=submission_token, author=author).first()
        if existing is not None:
            return existing
    if not persona_of(author).is_commissioner:
        raise TransitionError(_("Only digital commissioners can file remarks."))
    title, description = title.strip(), description.strip()
    if not title or not description:
        raise TransitionError(_("A remark needs a title and a description."))
    now = now or timezone.now()
    registered_on = deadlines.registration_date(now)
    remark = Remark(
        reference=_reference_for(deadlines.local_date(now).year),
        kind=kind,
        language=language,
        title=title,
        description=description,
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
        generated=generated,
    )
    try:
        with transaction.atomic():
            remark.save()
    except IntegrityError:
        # The same form posted twice at the same moment: the other request filed it.
        existing = Remark.objects.filter(submission_token=submission_token, author=author).first()
        if existing is None:
            raise
        return existing
    for upload in attachments:
        _attach(remark, author, upload, now)
    _record(remark, actor=author, action=RemarkEvent.Kind.SUBMIT, from_status="", to_status=Status.SUBMITTED,
            payload={"registered_on": registered_on.isoformat(), "due_date": remark.due_date.isoformat()},
            now=now, notify_author=False)
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


def _required(inputs: dict, name: str, message: str):
    value = inputs.get(name)
    if isinstance(value, str):
        value = value.strip()
    if value in (None, "", [], ()):
        raise TransitionError(message, field=name)
    return value


def _ministry_agency(actor) -> Agency:
    persona = persona_of(actor)
    return Agency.objects.get(pk=min(persona.coordinator_of))


def _signing_agency(actor, remark: Remark, roles: frozenset[Role]) -> Agency:
    """The body that signs the answer: the executing agency when its own staff answer,
    the ministry when a coordinator does."""
    if roles & {Role.OFFICER, Role.HEAD} and remark.agency_id:
        return remark.agency
    return _ministry_agency(actor)


def _check_assignee(assignee, agency: Agency | None):
    if assignee is None:
        return
    if agency is None or not AgencyMembership.objects.filter(
        user=assignee, agency=agency, role__in=[AgencyMembership.Role.OFFICER, AgencyMembership.Role.HEAD]
    ).exists():
        raise TransitionError(_("The assignee must be an officer of the executing agency."), field="assignee")


@transaction.atomic
def remark_transition(*, remark: Remark, action: str, actor, now: dt.datetime | None = None, **inputs) -> Remark:
    """Take one workflow action. Checks the table, the actor's roles and the guards, then
    changes the remark, writes its history, issues the response and queues notifications,
    all in one transaction. Raises TransitionError and changes nothing when refused."""
    action = Action(action)
    transition = workflow.TRANSITIONS[action]
    now = now or timezone.now()
    today = deadlines.local_date(now)

    # The status the actor saw. If someone else acted first, the row lock makes us wait for
    # them and we see their result: refuse rather than act on a remark that has moved on.
    seen_status = remark.status
    current = Remark.objects.select_for_update().get(pk=remark.pk)
    if current.status != seen_status:
        raise ConflictError(conflict_message(current.status))
    roles = roles_on(actor, current) & transition.roles
    if current.status not in transition.sources:
        raise TransitionError(
            _("“%(action)s” is not possible while the remark is “%(status)s”.")
            % {"action": action.label, "status": Status(current.status).label}
        )
    if not roles:
        raise TransitionError(_("You may not take the action “%(action)s” on this remark.") % {"action": action.label})

    changes: dict = {"updated_at": now}
    payload: dict = {}
    text = (inputs.get("text") or "").strip()
    response: Response | None = None
    target = workflow.target_status(transition, return_to=current.return_status, outcome=inputs.get("outcome"))

    if action == Action.ACCEPT:
        agency = _required(inputs, "agency", _("Choose the executing agency."))
        assignee = inputs.get("assignee")
        _check_assignee(assignee, agency)
        changes.update(agency=agency, assignee=assignee)
        payload.update(agency=agency.code, assignee=assignee.get_full_name() if assignee else "")

    elif action == Action.REASSIGN:
        agency = inputs.get("agency") or current.agency
        assignee = inputs.get("assignee")
        if agency != current.agency and Role.COORDINATOR not in roles:
            raise TransitionError(_("Only a coordinator can route a remark to another agency."), field="agency")
        if agency == current.agency and assignee is None:
            raise TransitionError(_("Choose another agency or an assignee."), field="assignee")
        _check_assignee(assignee, agency)
        changes.update(agency=agency, assignee=assignee)
        payload.update(agency=agency.code, previous_agency=current.agency.code if current.agency else "",
                       assignee=assignee.get_full_name() if assignee else "")

    elif action == Action.REQUEST_INFO:
        _required(inputs, "text", _("Write the question for the author."))
        changes.update(return_status=current.status, paused_on=today)

    elif action == Action.PROVIDE_INFO:
        _required(inputs, "text", _("Write your answer."))
        due = deadlines.resume_after_pause(current.due_date, current.paused_on or today, today)
        changes.update(return_status="", paused_on=None, due_date=due)
        payload.update(due_date=due.isoformat())

    elif action == Action.ESCALATE:
        commission = _required(inputs, "commission", _("Choose the interagency commission."))
        competent = _required(inputs, "competent_agency", _("Name the competent state body."))
        _required(inputs, "text", _("Explain why this belongs to another body's competence."))
        changes.update(commission=commission, competent_agency=competent)
        payload.update(commission=commission.pk, competent_agency=competent.code)

    elif action == Action.COMMISSION_DECIDE:
        session = _required(inputs, "session", _("Choose the commission session."))
        outcome = Outcome(_required(inputs, "outcome", _("Choose the decision.")))
        competent = _required(inputs, "competent_agency", _("Name the competent state body."))
        _required(inputs, "text", _("Write the commission's decision."))
        if session.commission_id != current.commission_id:
            raise TransitionError(_("That session belongs to another commission."), field="session")
        deadline = inputs.get("deadline")
        decision = CommissionDecision.objects.create(
            session=session, remark=current, outcome=outcome, competent_agency=competent, text=text,
            deadline=deadline, decided_by=actor,
        )
        payload.update(session=session.protocol_number, outcome=outcome.value, competent_agency=competent.code)
        if outcome == Outcome.HAND_OVER:
            due = deadline or deadlines.answer_due(today)
            changes.update(agency=competent, assignee=None, due_date=due)
            payload.update(due_date=due.isoformat())

    elif action in (Action.RESOLVE, Action.DECLINE):
        _required(inputs, "text", _("An official response is required: a remark cannot be closed without an answer."))
        measure = inputs.get("measure") if action == Action.RESOLVE else None
        if measure is not None:
            changes.update(measure=measure)
            payload.update(measure=measure.pk)

    elif action == Action.MARK_DUPLICATE:
        original = inputs.get("original")
        chain, node = [], original
        while node is not None and len(chain) < 100:
            chain.append(node.pk)
            node = node.duplicate_of
        error = workflow.duplicate_guard(current.pk, original.pk if original else None, chain)
        if error:
            raise TransitionError(error, field="original")
        changes.update(duplicate_of=original)
        payload.update(original=original.reference)

    elif action == Action.WITHDRAW:
        _required(inputs, "text", _("Say why you withdraw the remark."))

    elif action == Action.REOPEN:
        _required(inputs, "text", _("Say why the answer does not resolve the problem."))
        error = workflow.reopen_window_guard(current.closed_at, now)
        if error:
            raise TransitionError(error)
        due = deadlines.answer_due(today)
        changes.update(due_date=due, reopen_count=current.reopen_count + 1)
        payload.update(due_date=due.isoformat())
        if current.agency_id is None:
            # Answered before it was ever routed (declined at triage, or closed by the
            # commission): "in review" needs a holder, so the dispute goes to the competent
            # body the commission named, else to the body that signed the disputed answer.
            last = current.responses.order_by("-pk").select_related("agency").first()
            agency = current.competent_agency or (last.agency if last else current.proposed_agency)
            changes.update(agency=agency)
            payload.update(agency=agency.code)

    elif action == Action.EXTEND_DEADLINE:
        _required(inputs, "text", _("Give the reason for the extension."))
        new_due = inputs.get("due_date")
        error = workflow.extension_guard(new_due, current.due_date, deadlines.extension_limit(current.registered_on))
        if error:
            raise TransitionError(error, field="due_date")
        changes.update(due_date=new_due)
        payload.update(previous_due_date=current.due_date.isoformat(), due_date=new_due.isoformat())

    if seen_status == Status.NEEDS_INFO and target != Status.NEEDS_INFO:
        # Leaving the pause by any way (answer, withdrawal, duplicate): forget where it was.
        changes.update(return_status="", paused_on=None)
    if target in workflow.CLOSED:
        changes["closed_at"] = now
    elif current.closed_at is not None:
        changes["closed_at"] = None
    changes["status"] = target

    updated = Remark.objects.filter(pk=current.pk, status=seen_status).update(**changes)
    if updated != 1:
        raise ConflictError(_("Someone else has just changed this remark. Check the page again before acting."))
    for name, value in changes.items():
        setattr(current, name, value)
    if action == Action.ACCEPT and inputs.get("co_agencies"):
        co_agencies = [a for a in inputs["co_agencies"] if a.pk != current.agency_id]
        current.co_agencies.set(co_agencies)
        payload.update(co_agencies=sorted(a.code for a in co_agencies))

    if transition.response and target in workflow.CLOSED:
        signer = (
            current.commission.host if action == Action.COMMISSION_DECIDE
            else _signing_agency(actor, current, roles)
        )
        response = response_issue(remark=current, agency=signer, action=action, body=text, signed_by=actor, now=now,
                                  measure=inputs.get("measure"))
        payload.update(outgoing_number=response.outgoing_number)
        if action == Action.COMMISSION_DECIDE:
            CommissionDecision.objects.filter(pk=decision.pk).update(response=response)

    _record(current, actor=actor, action=action, from_status=seen_status, to_status=target, text=text,
            payload=payload, now=now)
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
                  now: dt.datetime | None = None) -> list[Response]:
    """Resolve several remarks by one systemic measure: each gets its own response and
    outgoing number; either all close or none, and a refusal names the remark it stopped at."""
    now = now or timezone.now()
    remarks = list(remarks)
    remarks_bulk_transition(remarks=remarks, action=Action.RESOLVE, actor=actor, now=now, text=response_text,
                            measure=measure)
    return list(Response.objects.filter(measure=measure, sent_at=now, remark__in=[r.pk for r in remarks])
                .order_by("pk"))


# --- conversation and support --------------------------------------------------------


@transaction.atomic
def comment_add(*, remark: Remark, author, body: str, internal: bool = False) -> Comment:
    body = body.strip()
    if not body:
        raise TransitionError(_("The comment is empty."), field="body")
    persona = persona_of(author)
    if internal and not persona.sees_internal_notes:
        raise TransitionError(_("Only staff can write internal notes."), field="internal")
    now = timezone.now()
    comment = Comment.objects.create(remark=remark, author=author, body=body, internal=internal, created_at=now)
    if not internal:
        _record(remark, actor=author, action=RemarkEvent.Kind.COMMENT, text="", payload={"comment": comment.pk},
                now=now, notify_author=author.pk != remark.author_id)
    return comment


@transaction.atomic
def support_toggle(*, remark: Remark, user) -> bool:
    """Support another commissioner's remark, or take the support back. Returns the new state."""
    if not persona_of(user).is_commissioner:
        raise TransitionError(_("Only digital commissioners can support remarks."))
    if remark.author_id == user.pk:
        raise TransitionError(_("You cannot support your own remark."))
    deleted, _rows = Support.objects.filter(remark=remark, user=user).delete()
    if deleted:
        Remark.objects.filter(pk=remark.pk).update(support_count=F("support_count") - 1)
        return False
    if not remark.is_open:
        raise TransitionError(_("A closed remark cannot be supported."))
    Support.objects.create(remark=remark, user=user)
    Remark.objects.filter(pk=remark.pk).update(support_count=F("support_count") + 1)
    return True


@transaction.atomic
def remark_confirm(*, remark: Remark, user) -> RemarkEvent:
    """The author confirms that the fix works. Not a workflow transition: the remark stays
    resolved; the confirmation is a line of its history (and of the statistics)."""
    current = Remark.objects.select_for_update().get(pk=remark.pk)
    if current.author_id != user.pk:
        raise TransitionError(_("Only the author can confirm the fix."))
    if current.status not in workflow.RESOLVED_STATES:
        raise TransitionError(_("Only a resolved remark can be confirmed."))
    if current.events.filter(action=RemarkEvent.Kind.CONFIRM, created_at__gte=current.closed_at).exists():
        raise TransitionError(_("You have already confirmed the fix."))
    return _record(current, actor=user, action=RemarkEvent.Kind.CONFIRM, now=timezone.now(), notify_author=False)


# --- pending uploads of a remark form ------------------------------------------------

DRAFT_UPLOAD_LIFETIME = dt.timedelta(days=2)


@transaction.atomic
def draft_uploads_keep(*, user, token: uuid.UUID, uploads: Iterable[CheckedUpload]) -> list[DraftUpload]:
    """Keep the checked files of a form that must be shown again, until the same form is sent."""
    _draft_uploads_purge()
    return [
        DraftUpload.objects.create(token=token, user=user, file=upload.content, name=upload.name,
                                   content_type=upload.content_type, size=upload.size)
        for upload in uploads
    ]


@transaction.atomic
def draft_uploads_drop(*, user, token: uuid.UUID, ids: Iterable[int]) -> None:
    _delete_drafts(DraftUpload.objects.filter(user=user, token=token, pk__in=list(ids)))


def draft_uploads_as_checked(drafts: Iterable[DraftUpload]) -> list[CheckedUpload]:
    """Kept files as uploads for remark_submit (the content was checked when they arrived)."""
    result = []
    for draft in drafts:
        with draft.file.open("rb") as f:
            data = f.read()
        result.append(CheckedUpload(ContentFile(data, name=draft.name), draft.name, draft.content_type, len(data)))
    return result


@transaction.atomic
def draft_uploads_clear(*, user, token: uuid.UUID) -> None:
    _delete_drafts(DraftUpload.objects.filter(user=user, token=token))


def _draft_uploads_purge() -> None:
    _delete_drafts(DraftUpload.objects.filter(created_at__lt=timezone.now() - DRAFT_UPLOAD_LIFETIME))


def _delete_drafts(queryset) -> None:
    files = [(d.file.storage, d.file.name) for d in queryset]
    queryset.delete()

    def remove_files():
        for storage, name in files:
            try:
                storage.delete(name)
            except OSError:  # already gone: nothing to clean
                pass

    transaction.on_commit(remove_files)


# --- a commissioner's settings -------------------------------------------------------


@transaction.atomic
def notification_settings_update(*, user, email_notifications: bool, language: str):
    from commissioners.models import Commissioner

    if language not in dict(settings.LANGUAGES):
        raise TransitionError(_("Choose one of the offered languages."), field="language")
    updated = Commissioner.objects.filter(user=user).update(email_notifications=email_notifications,
                                                            language=language)
    if not updated:
        raise TransitionError(_("Only digital commissioners have notification settings."))


# --- history and notifications -------------------------------------------------------


def _record(remark: Remark, *, actor, action: str, from_status: str = "", to_status: str = "", text: str = "",
            payload: dict | None = None, now: dt.datetime, notify_author: bool = True) -> RemarkEvent:
    event = RemarkEvent.objects.create(
        remark=remark, actor=actor, action=action, from_status=from_status, to_status=to_status, text=text,
        payload=payload or {}, created_at=now,
    )
    if notify_author and actor is not None and actor.pk != remark.author_id:
        _notify_author(remark, event)
    return event


def _notify_author(remark: Remark, event: RemarkEvent) -> None:
    """The in-app notification and the e-mail are rows of this transaction, so nothing is
    lost if the mail server refuses; the e-mail leaves after commit and is retried."""
    Notification.objects.create(user_id=remark.author_id, remark=remark, event=event, created_at=event.created_at)
    author = User.objects.select_related("commissioner").get(pk=remark.author_id)
    profile = getattr(author, "commissioner", None)
    if not author.email or (profile and not profile.email_notifications):
        return
    with translation.override(profile.language if profile else settings.LANGUAGE_CODE):
        context = {"remark": remark, "event": event, "site_url": settings.SITE_URL,
                   "response": remark.responses.filter(outgoing_number=event.payload.get("outgoing_number")).first()}
        subject = render_to_string("remarks/email/event_subject.txt", context).strip()
        body = render_to_string("remarks/email/event_body.txt", context)
    email = OutboxEmail.objects.create(to=author.email, subject=subject[:255], body=body)
    transaction.on_commit(lambda: outbox_send(ids=[email.pk]))


def outbox_send(*, ids: list[int] | None = None, limit: int = 500) -> tuple[int, int]:
    """Send waiting e-mails; returns (sent, failed). Safe to run from several nodes at once."""
    sent = failed = 0
    pending = OutboxEmail.objects.filter(sent_at__isnull=True)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    for pk in list(pending.order_by("created_at").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            email = OutboxEmail.objects.select_for_update(skip_locked=True).filter(pk=pk, sent_at__isnull=True).first()
            if email is None:
                continue
            try:
                send_mail(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to])
            except Exception as exc:  # any failure of the mail server: keep it for the next try
                logger.warning("outbox e-mail %s not sent: %s", email.pk, exc)
                OutboxEmail.objects.filter(pk=pk).update(attempts=F("attempts") + 1, last_error=str(exc)[:2000])
                failed += 1
            else:
                OutboxEmail.objects.filter(pk=pk).update(attempts=F("attempts") + 1, sent_at=timezone.now(),
                                                         last_error="")
                sent += 1
    return sent, failed


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# --- the interagency commission ------------------------------------------------------


@transaction.atomic
def session_create(*, commission: Commission, held_on: dt.date, protocol_number: str, actor) -> CommissionSession:
    if commission.pk not in persona_of(actor).commission_ids:
        raise TransitionError(_("Only the commission's secretary can hold its sessions."))
    if CommissionSession.objects.filter(commission=commission, protocol_number=protocol_number).exists():
        raise TransitionError(_("A session with this protocol number already exists."), field="protocol_number")
    return CommissionSession.objects.create(commission=commission, held_on=held_on, protocol_number=protocol_number)


@transaction.atomic
def session_agenda_add(*, session: CommissionSession, remarks: Iterable[Remark], actor) -> int:
    """Put escalated remarks of the session's commission on its agenda; returns how many."""
    if session.commission_id not in persona_of(actor).commission_ids:
        raise TransitionError(_("Only the commission's secretary can set its agenda."))
    ids = list(
        Remark.objects.filter(
            pk__in=[r.pk for r in remarks], commission_id=session.commission_id
        ).with_commission().values_list("pk", flat=True)
    )
    if not ids:
        raise TransitionError(_("Choose remarks escalated to this commission."), field="remarks")
    session.agenda.add(*ids)
    return len(ids)


@transaction.atomic
def session_agenda_remove(*, session: CommissionSession, remark: Remark, actor) -> None:
    if session.commission_id not in persona_of(actor).commission_ids:
        raise TransitionError(_("Only the commission's secretary can set its agenda."))
    if CommissionDecision.objects.filter(session=session, remark=remark).exists():
        raise TransitionError(_("The commission has already decided on this remark at this session."))
    session.agenda.remove(remark)


# --- sector meetings -----------------------------------------------------------------


def _require_coordinator(actor) -> None:
    persona = persona_of(actor)
    if not (persona.is_coordinator or persona.is_superuser):
        raise TransitionError(_("Only coordinators of the ministry can prepare sector meetings."))


@transaction.atomic
def meeting_create(*, sector: Category, held_on: dt.date, title: str, actor,
                   invited_agencies: Iterable[Agency] | None = None):
    """A meeting on one sector. Its agenda is a snapshot of the sector's open remarks at
    creation; the invited agencies default to the agencies holding them."""
    from commissioners.models import Meeting

    _require_coordinator(actor)
    title = title.strip()
    if not title:
        raise TransitionError(_("Give the meeting a title."), field="title")
    agenda = list(Remark.objects.open().filter(category=sector).values_list("pk", "agency_id"))
    meeting = Meeting.objects.create(held_on=held_on, sector=sector, title=title, created_by=actor)
    meeting.agenda.set([pk for pk, _agency in agenda])
    invited = list(invited_agencies or [])
    meeting.invited_agencies.set(invited or sorted({agency for _pk, agency in agenda if agency is not None}))
    return meeting


@transaction.atomic
def meeting_record_decisions(*, meeting, decisions: str, actor):
    _require_coordinator(actor)
    meeting.decisions = decisions.strip()
    type(meeting).objects.filter(pk=meeting.pk).update(decisions=meeting.decisions)
    return meeting


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
    """Write one e-mail per agency head listing the agency's overdue remarks and those due
    within the next working days, in the head's language. Rows of the outbox: sent by
    outbox_send after commit and retried by send_outbox when the mail server refuses."""
    from remarks.selectors import overdue_digest_for

    today = today or timezone.localdate()
    emails = []
    for digest in overdue_digest_for(today=today):
        with translation.override(digest.language):
            context = {"digest": digest, "site_url": settings.SITE_URL}
            subject = render_to_string("remarks/email/overdue_digest_subject.txt", context).strip()
            body = render_to_string("remarks/email/overdue_digest_body.txt", context)
        emails.append(OutboxEmail.objects.create(to=digest.head.email, subject=subject[:255], body=body))
    return emails
