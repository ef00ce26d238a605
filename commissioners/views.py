"""The minister's sector meetings with the digital commissioners: each one takes the open
remarks of a sector, grouped by executing agency, and invites the agencies that hold them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from commissioners import selectors, services
from commissioners.forms import DecisionsForm, MeetingForm
from commissioners.models import Meeting
from remarks.capabilities import has_perm
from remarks.permissions import capability_required
from remarks.services import TransitionError

meeting_reader_required = capability_required("commissioners.view_meetings")
coordinator_required = capability_required("commissioners.manage_meetings")


def _may_edit(user) -> bool:
    return has_perm(user, "commissioners.manage_meetings")


def _meeting_context(user, meeting: Meeting) -> dict:
    return {
        "meeting": meeting,
        "agenda": selectors.meeting_agenda(user, meeting),
        "invited": meeting.invited_agencies.all(),
    }


@meeting_reader_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    return render(request, "commissioners/meetings.html", {
        "meetings": selectors.meetings(),
        "may_edit": _may_edit(request.user),
    })


@coordinator_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, **form.cleaned_data)
        except TransitionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The meeting is prepared with %(count)s open remarks on its agenda.")
                             % {"count": meeting.agenda.count()})
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "commissioners/meeting_new.html", {"form": form},
                  status=400 if form.is_bound else 200)


@meeting_reader_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting(pk)
    context = _meeting_context(request.user, meeting)
    if _may_edit(request.user):
        context["decisions_form"] = DecisionsForm(initial={"decisions": meeting.decisions})
    return render(request, "commissioners/meeting_detail.html", context)


@coordinator_required
@require_POST
def meeting_decisions(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting(pk)
    form = DecisionsForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_record_decisions(meeting=meeting, decisions=form.cleaned_data["decisions"],
                                              actor=request.user)
        except TransitionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The decisions of the meeting are recorded."))
        return redirect("meetings:detail", pk=meeting.pk)
    context = _meeting_context(request.user, meeting)
    context["decisions_form"] = form
    return render(request, "commissioners/meeting_detail.html", context, status=400)


@meeting_reader_required
@require_GET
def meeting_print(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting(pk)
    return render(request, "commissioners/meeting_print.html", _meeting_context(request.user, meeting))
