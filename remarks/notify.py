"""Who is told of an event on a remark, and how: the author of every change someone else
made, and the staff whose work the event creates. Each notice is an in-app row and, by the
reader's settings, an e-mail written to the outbox in the same transaction as the event.

Who is told (the actor never is, and nobody outside this table):

| event | staff told |
| --- | --- |
| filed | the ministry's coordinators |
| accepted (routed) | the executing agency's officers and heads, the assignee, the co-executing agencies' staff |
| reassigned | the (new) agency's officers and heads, the assignee |
| clarification answered | whoever asked the question |
| disputed and reopened | the staff of the agency that holds it again |
| escalated | the commission's secretaries |
| commission hand-over | the competent agency's officers and heads |

And of a deadline (deadline_notices_send, hourly): the assignee and the agency's heads, once
when the answer falls due soon and once when it is overdue, per due date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Agency, AgencyMembership
from remarks import bulk, terms
from remarks.models import Notification, RemarkEvent, StaffNotificationSettings
from remarks.outbox import outbox_queue
from remarks.workflow import Action, Outcome

User = get_user_model()
M = AgencyMembership.Role


def _members(agency_ids, roles) -> set[int]:
    if not agency_ids:
        return set()
    return set(bulk.memo(("members", tuple(sorted(agency_ids)), tuple(roles)),
                         lambda: _members_now(agency_ids, roles)))


def _members_now(agency_ids, roles) -> set[int]:
    return set(AgencyMembership.objects.filter(agency_id__in=agency_ids, role__in=roles, user__is_active=True)
               .values_list("user_id", flat=True))


def agency_staff(*agency_ids) -> set[int]:
    return _members([a for a in agency_ids if a], [M.OFFICER, M.HEAD])


def coordinators() -> set[int]:
    return set(AgencyMembership.objects.filter(role=M.COORDINATOR, user__is_active=True, agency__is_ministry=True)
               .values_list("user_id", flat=True))


def _accepted(remark, event) -> set[int]:
    codes = event.payload.get("co_agencies", [])
    co_agencies = list(Agency.objects.filter(code__in=codes).values_list("pk", flat=True)) if codes else []
    return agency_staff(remark.agency_id, *co_agencies) | ({remark.assignee_id} - {None})


def _reassigned(remark, event) -> set[int]:
    return agency_staff(remark.agency_id) | ({remark.assignee_id} - {None})


def _answered(remark, event) -> set[int]:
    asked = (RemarkEvent.objects.filter(remark=remark, action=Action.REQUEST_INFO, pk__lt=event.pk)
             .order_by("-pk").values_list("actor_id", flat=True).first())
    return {asked} - {None}


def _escalated(remark, event) -> set[int]:
    host = remark.commission.host_id if remark.commission_id else None
    return _members([host], [M.SECRETARY])


def _decided(remark, event) -> set[int]:
    return agency_staff(remark.agency_id) if event.payload.get("outcome") == Outcome.HAND_OVER else set()


def _contribution_asked(remark, event) -> set[int]:
    agency = Agency.objects.filter(code=event.payload.get("agency")).values_list("pk", flat=True).first()
    return agency_staff(agency)


def _contributed(remark, event) -> set[int]:
    from remarks.models import ContributionRequest

    askers = set(ContributionRequest.objects.filter(remark=remark, agency__code=event.payload.get("agency"))
                 .values_list("requested_by_id", flat=True))
    return askers | ({remark.assignee_id} - {None}) or agency_staff(remark.agency_id)


def _consented(remark, event) -> set[int]:
    """A consent to publish an answered remark waits for a coordinator's moderation."""
    return coordinators() if remark.responses.exists() else set()


STAFF_TOLD: dict[str, Callable] = {
    RemarkEvent.Kind.SUBMIT: lambda remark, event: coordinators(),
    Action.ACCEPT: _accepted,
    Action.REASSIGN: _reassigned,
    Action.PROVIDE_INFO: _answered,
    Action.REOPEN: lambda remark, event: agency_staff(remark.agency_id),
    Action.ESCALATE: _escalated,
    Action.COMMISSION_DECIDE: _decided,
    Action.REQUEST_CONTRIBUTION: _contribution_asked,
    Action.CONTRIBUTE: _contributed,
    Action.CONSENT_PUBLICATION: _consented,
}


def staff_recipients(remark, event) -> set[int]:
    told = STAFF_TOLD.get(event.action)
    return (told(remark, event) if told else set()) - {event.actor_id, remark.author_id}


# Inside a bulk action (remarks_bulk_transition): the staff's notices of every remark, by user,
# e-mailed as one message at the end instead of one per remark.
@dataclass
class _Batch:
    authors: dict = field(default_factory=dict)  # author id -> their notices
    staff: dict = field(default_factory=dict)  # staff user id -> their notices


_batch: ContextVar[_Batch | None] = ContextVar("notify_batch", default=None)


@contextmanager
def batched():
    """Staff get one e-mail listing the notices of a whole bulk action (a head is not sent 200
    e-mails for 200 remarks routed at once); the in-app notices stay one per remark."""
    if _batch.get() is not None:
        yield
        return
    token = _batch.set(_Batch())
    try:
        yield
        pending = _batch.get()
        for author_id, notices in sorted(pending.authors.items()):
            _mail_author_batch(author_id, notices)
        for user_id, notices in sorted(pending.staff.items()):
            _mail_staff([user_id], "staff_digest", {"notices": notices})
    finally:
        _batch.reset(token)


def event_notify(remark, event, *, author: bool) -> None:
    """The notices of one event: the author's (when `author`), then the staff's."""
    if author and event.actor_id != remark.author_id:
        notice = Notification.objects.create(user_id=remark.author_id, remark=remark, event=event,
                                             created_at=event.created_at)
        pending = _batch.get()
        if pending is not None:
            pending.authors.setdefault(remark.author_id, []).append(notice)
        else:
            _mail_author(remark, event)
    staff = staff_recipients(remark, event)
    if not staff:
        return
    notices = Notification.objects.bulk_create([
        Notification(user_id=user_id, remark=remark, event=event, created_at=event.created_at)
        for user_id in sorted(staff)
    ])
    pending = _batch.get()
    if pending is not None:
        for notice in notices:
            pending.staff.setdefault(notice.user_id, []).append(notice)
        return
    _mail_staff(staff, "staff_event", {"remark": remark, "event": event})


def _mail_staff(user_ids, template: str, context: dict) -> None:
    """E-mail a notice at once to the staff who chose so (or chose nothing yet), in their language."""
    chosen = {s.user_id: s for s in StaffNotificationSettings.objects.filter(user_id__in=user_ids)}
    for user in User.objects.filter(pk__in=user_ids).exclude(email="").order_by("pk"):
        preference = chosen.get(user.pk)
        if preference is not None and preference.email != StaffNotificationSettings.Email.IMMEDIATE:
            continue  # a daily digest, or no e-mail at all
        language = preference.language if preference is not None else settings.LANGUAGE_CODE
        _queue_mail(to=user.email, language=language, template=template, context=context)


def _queue_mail(*, to: str, language: str, template: str, context: dict) -> None:
    """remarks/email/<template>_subject.txt and _body.txt, rendered in the reader's language,
    written to the outbox (delivered by the worker after commit)."""
    with translation.override(language):
        full = {"site_url": settings.SITE_URL, "terms": terms, **context}
        subject = render_to_string(f"remarks/email/{template}_subject.txt", full).strip()
        body = render_to_string(f"remarks/email/{template}_body.txt", full)
    outbox_queue(to=to, subject=subject, body=body)


def _author_address(author_id: int) -> tuple[str, str] | None:
    """The author's e-mail address and language, or None when they want no e-mail."""
    author = User.objects.select_related("commissioner").get(pk=author_id)
    profile = getattr(author, "commissioner", None)
    if not author.email or (profile and not profile.email_notifications):
        return None
    return author.email, profile.language if profile else settings.LANGUAGE_CODE


def deadline_told(remark) -> set[int]:
    """Who is told of a remark's deadline: its assignee and the heads of its agency (active)."""
    heads = _members([remark.agency_id], [M.HEAD])
    assignee = set(User.objects.filter(pk=remark.assignee_id, is_active=True).values_list("pk", flat=True)) \
        if remark.assignee_id else set()
    return heads | assignee


def deadline_notices_send(*, today: dt.date | None = None) -> int:
    """One "due soon" notice (terms.DUE_SOON_WORKING_DAYS working days before the due date) and
    one "overdue" notice per remark and due date, in-app and by e-mail as each reader chose.
    Idempotent: the DeadlineNotice key is written with the notices, so a second run (or a
    second node) skips what was told. Run hourly by the worker; returns how many remarks' notices
    were written."""
    from remarks.models import DeadlineNotice, NoticeKind, Remark
    from remarks.querysets import at_risk_q, overdue_q

    today = today or timezone.localdate()
    routed = Remark.objects.filter(agency__isnull=False)
    due = {
        NoticeKind.OVERDUE: routed.filter(overdue_q(today)),
        NoticeKind.DUE_SOON: routed.filter(at_risk_q(today), due_date__gte=today),
    }
    written = 0
    for kind, remarks in due.items():
        told = DeadlineNotice.objects.filter(remark_id=OuterRef("pk"), kind=kind, due_date=OuterRef("due_date"))
        for remark in remarks.exclude(Exists(told)).select_related("agency").order_by("due_date", "pk"):
            try:
                with transaction.atomic():
                    DeadlineNotice.objects.create(remark=remark, kind=kind, due_date=remark.due_date)
                    _deadline_notify(remark, kind)
            except IntegrityError:
                continue  # told already, by a run that got there first
            written += 1
    return written


def contribution_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind a co-executing agency's staff once of a contribution asked of it and not given,
    terms.DUE_SOON_WORKING_DAYS working days before its date (at once when asked later than
    that). Idempotent: each request is claimed by a conditional update of `reminded_on`."""
    from remarks import deadlines
    from remarks.models import ContributionRequest, NoticeKind

    today = today or timezone.localdate()
    horizon = deadlines.add_working_days(today, terms.DUE_SOON_WORKING_DAYS)
    from remarks.workflow import TRANSITIONS, Action

    pending = ContributionRequest.objects.filter(
        contributed_at__isnull=True, reminded_on__isnull=True, due_date__lte=horizon,
        remark__status__in=sorted(TRANSITIONS[Action.CONTRIBUTE].sources))  # while it can still be given
    written = 0
    for request in pending.select_related("remark", "agency").order_by("due_date", "pk"):
        with transaction.atomic():
            if not ContributionRequest.objects.filter(pk=request.pk, reminded_on__isnull=True).update(
                    reminded_on=today):
                continue  # reminded already, by a run that got there first
            readers = agency_staff(request.agency_id)
            Notification.objects.bulk_create([
                Notification(user_id=user_id, remark=request.remark, kind=NoticeKind.CONTRIBUTION_DUE,
                             due_date=request.due_date, created_at=timezone.now())
                for user_id in sorted(readers)])
            _mail_staff(readers, "staff_deadline", {"remark": request.remark, "kind": NoticeKind.CONTRIBUTION_DUE,
                                                    "due_date": request.due_date})
        written += 1
    return written


def _deadline_notify(remark, kind) -> None:
    readers = deadline_told(remark)
    now = timezone.now()
    Notification.objects.bulk_create([
        Notification(user_id=user_id, remark=remark, kind=kind, due_date=remark.due_date, created_at=now)
        for user_id in sorted(readers)
    ])
    _mail_staff(readers, "staff_deadline", {"remark": remark, "kind": kind, "due_date": remark.due_date})


def _mail_author(remark, event) -> None:
    address = _author_address(remark.author_id)
    if address is None:
        return
    response = remark.responses.filter(outgoing_number=event.payload.get("outgoing_number")).first()
    _queue_mail(to=address[0], language=address[1], template="event",
                context={"remark": remark, "event": event, "response": response})


def _mail_author_batch(author_id: int, notices: list) -> None:
    """One e-mail to an author for a whole bulk action on their remarks (each remark's page and
    letter carry its answer); a single notice is the ordinary e-mail."""
    if len(notices) == 1:
        _mail_author(notices[0].remark, notices[0].event)
        return
    address = _author_address(author_id)
    if address is not None:
        _queue_mail(to=address[0], language=address[1], template="author_batch", context={"notices": notices})


@transaction.atomic
def staff_settings_update(*, user, email: str, language: str) -> StaffNotificationSettings:
    """A member of staff chooses how they are e-mailed their notices, and in which language."""
    from remarks.actions import TransitionError

    if email not in StaffNotificationSettings.Email.values:
        raise TransitionError(_("Choose one of the offered ways."), field="email")
    if language not in dict(settings.LANGUAGES):
        raise TransitionError(_("Choose one of the offered languages."), field="language")
    chosen, _created = StaffNotificationSettings.objects.update_or_create(
        user=user, defaults={"email": email, "language": language})
    return chosen


def daily_digest_send(*, now: dt.datetime | None = None) -> int:
    """One e-mail to each member of staff who chose a daily digest, listing the notices since
    the last one; returns how many were written. Run once a day by the worker."""
    now = now or timezone.now()
    written = 0
    for chosen in StaffNotificationSettings.objects.filter(email=StaffNotificationSettings.Email.DAILY) \
            .select_related("user").exclude(user__email=""):
        with transaction.atomic():
            notices = Notification.objects.filter(user_id=chosen.user_id, created_at__lte=now)
            if chosen.digested_until is not None:
                notices = notices.filter(created_at__gt=chosen.digested_until)
            notices = list(notices.select_related("remark", "event__actor__commissioner").order_by("created_at", "pk"))
            if notices:
                _queue_mail(to=chosen.user.email, language=chosen.language, template="staff_digest",
                            context={"notices": notices})
                written += 1
            StaffNotificationSettings.objects.filter(pk=chosen.pk).update(digested_until=now)
    return written
