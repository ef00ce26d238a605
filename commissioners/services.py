"""Writes of the commissioners app: the minister's sector meetings and a commissioner's own
settings. Each service is one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency
from commissioners.models import Commissioner, Meeting
from remarks.capabilities import has_perm
from remarks.models import Category, Remark
from remarks.services import TransitionError

# --- sector meetings -----------------------------------------------------------------


def _require_coordinator(actor) -> None:
    if not has_perm(actor, "commissioners.manage_meetings"):
        raise TransitionError(_("Only coordinators of the ministry can prepare sector meetings."))


@transaction.atomic
def meeting_create(*, sector: Category, held_on: dt.date, title: str, actor,
                   invited_agencies: Iterable[Agency] | None = None) -> Meeting:
    """A meeting on one sector. Its agenda is a snapshot of the sector's open remarks at
    creation; the invited agencies default to the agencies holding them."""
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
def meeting_record_decisions(*, meeting: Meeting, decisions: str, actor) -> Meeting:
    _require_coordinator(actor)
    meeting.decisions = decisions.strip()
    Meeting.objects.filter(pk=meeting.pk).update(decisions=meeting.decisions)
    return meeting


# --- a commissioner's settings -------------------------------------------------------


@transaction.atomic
def notification_settings_update(*, user, email_notifications: bool, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise TransitionError(_("Choose one of the offered languages."), field="language")
    updated = Commissioner.objects.filter(user=user).update(email_notifications=email_notifications,
                                                            language=language)
    if not updated:
        raise TransitionError(_("Only digital commissioners have notification settings."))
