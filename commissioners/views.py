"""The minister's sector meetings with the digital commissioners: each one takes the open
remarks of a sector, grouped by executing agency, and invites the agencies that hold them."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from commissioners.forms import DecisionsForm, MeetingForm
from commissioners.models import Meeting
from remarks import selectors, services
from remarks.permissions import coordinator_required, persona_required

meeting_reader_required = persona_required(
    lambda p: p.is_commissioner or p.is_coordinator or p.is_analyst or bool(p.agency_ids) or p.is_secretary
    or p.is_superuser
)


def _meeting(pk: int) -> Meeting:
    try:
        return Meeting.objects.select_related("sector", "created_by").get(pk=pk)
    except Meeting.DoesNotExist:
        raise Http404("No such meeting.") from None


def _agenda_for(user, meeting: Meeting):
    """The meeting's agenda as this user may see it, ordered for grouping by agency."""
    return (
        selectors.remark_list_for(user)
        .filter(pk__in=meeting.agenda.values("pk"))
        .order_by("agency__code", "reference")
    )


def _meeting_context(user, meeting: Meeting) -> dict:
    return {
        "meeting": meeting,
        "agenda": _agenda_for(user, meeting),
        "invited": meeting.invited_agencies.all(),
    }


@meeting_reader_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = (
        Meeting.objects.select_related("sector")
        .prefetch_related("invited_agencies")
        .annotate(agenda_count=Count("agenda", distinct=True))
    )
    return render(request, "commissioners/meetings.html", {
        "meetings": meetings,
        "may_edit": selectors.persona_of(request.user).is_coordinator or request.user.is_superuser,
    })


@coordinator_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, **form.cleaned_data)
        except services.TransitionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The meeting is prepared with %(count)s open remarks on its agenda.")
                             % {"count": meeting.agenda.count()})
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "commissioners/meeting_new.html", {"form": form}, status=400 if form.is_bound else 200)


@meeting_reader_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(pk)
    context = _meeting_context(request.user, meeting)
    persona = selectors.persona_of(request.user)
    if persona.is_coordinator or persona.is_superuser:
        context["decisions_form"] = DecisionsForm(initial={"decisions": meeting.decisions})
    return render(request, "commissioners/meeting_detail.html", context)


@coordinator_required
@require_POST
def meeting_decisions(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(pk)
    form = DecisionsForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_record_decisions(meeting=meeting, decisions=form.cleaned_data["decisions"],
                                              actor=request.user)
        except services.TransitionError as error:
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
    meeting = _meeting(pk)
    return render(request, "commissioners/meeting_print.html", _meeting_context(request.user, meeting))
