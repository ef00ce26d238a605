"""Reads of the sector meetings. Which remarks of an agenda anyone sees stays with
remarks.selectors: an agenda is a filter of `remark_list_for(user)`."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from commissioners.models import Meeting
from remarks import selectors as remark_selectors
from remarks.models import Remark


def meetings() -> QuerySet[Meeting]:
    """Every meeting, newest first, with its sector, invited agencies and agenda size."""
    return (
        Meeting.objects.select_related("sector")
        .prefetch_related("invited_agencies")
        .annotate(agenda_count=Count("agenda", distinct=True))
    )


def get_meeting(pk: int) -> Meeting:
    """One meeting, or 404. Every reader of meetings reads every meeting; what of its agenda
    they see is `meeting_agenda`."""
    try:
        return Meeting.objects.select_related("sector", "created_by").get(pk=pk)
    except Meeting.DoesNotExist:
        raise Http404("No such meeting.") from None


def meeting_agenda(user, meeting: Meeting) -> QuerySet[Remark]:
    """The meeting's agenda as this user may see it, ordered for grouping by agency."""
    return (
        remark_selectors.remark_list_for(user)
        .filter(pk__in=meeting.agenda.values("pk"))
        .order_by("agency__code", "reference")
    )
