"""The interagency commission (ВАК): the secretary's agenda, sessions and decisions.

Secretaries work the commissions their agency hosts; coordinators and analysts read every
commission's pages. The reads are agencies.selectors, the writes agencies.services; which
remarks anyone sees stays with remarks.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agencies import selectors, services
from agencies.forms import AgendaForm, DecisionForm, SessionForm
from agencies.models import Agency, CommissionSession
from remarks import selectors as remark_selectors
from remarks import services as remark_services
from remarks.confirmations import closing_number
from remarks.listing import page_of
from remarks.permissions import capability_required
from remarks.workflow import Action

commission_reader_required = capability_required("agencies.view_commission")
secretary_required = capability_required("agencies.hold_any_session")


@commission_reader_required
@require_GET
def commission_agenda(request: HttpRequest) -> HttpResponse:
    commissions = list(selectors.commissions_for(request.user))
    may_hold = [c for c in commissions if c.pk in selectors.held_commission_ids(request.user)]
    return render(request, "agencies/agenda.html", {
        "commissions": commissions,
        "page": page_of(request, selectors.escalated_remarks(request.user, commissions)),
        "sessions": selectors.sessions_of(commissions),
        "session_form": SessionForm(commissions=selectors.held_commissions(request.user, among=may_hold))
        if may_hold else None,
    })


@secretary_required
@require_POST
def session_new(request: HttpRequest) -> HttpResponse:
    form = SessionForm(request.POST, commissions=selectors.held_commissions(request.user))
    if form.is_valid():
        try:
            session = services.session_create(actor=request.user, **form.cleaned_data)
        except remark_services.TransitionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request,
                             _("Session № %(number)s is created.") % {"number": session.protocol_number})
            return redirect("agencies:session", pk=session.pk)
    else:
        messages.error(request, _("The session was not created: %(errors)s") % {
            "errors": " ".join(str(e) for errors in form.errors.values() for e in errors)
        })
    return redirect("agencies:commission")


def _session_context(request: HttpRequest, session: CommissionSession, bound: dict | None = None) -> dict:
    agenda = list(selectors.session_agenda(request.user, session))
    secretary = selectors.is_secretary_of(request.user, session)
    if secretary:
        agencies = list(Agency.objects.all())
        for remark in agenda:
            if any(t.action == Action.COMMISSION_DECIDE
                   for t in remark_selectors.available_actions(request.user, remark)):
                remark.decision_form = ((bound or {}).get(remark.pk)
                                        or DecisionForm(agencies=agencies, remark=remark))
    candidates = selectors.agenda_candidates(request.user, session)
    return {
        "session": session,
        "agenda": agenda,
        "is_secretary": secretary,
        "agenda_form": AgendaForm(candidates=candidates) if secretary and candidates.exists() else None,
    }


@commission_reader_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, pk)
    return render(request, "agencies/session.html", _session_context(request, session))


@secretary_required
@require_POST
def session_agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, pk)
    form = AgendaForm(request.POST, candidates=selectors.commission_remarks(request.user, session))
    if form.is_valid():
        try:
            added = services.session_agenda_add(session=session, remarks=form.cleaned_data["remarks"],
                                                actor=request.user)
        except remark_services.TransitionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Put on the agenda: %(count)s.") % {"count": added})
    else:
        messages.error(request, _("Choose at least one escalated remark."))
    return redirect("agencies:session", pk=session.pk)


@secretary_required
@require_POST
def session_agenda_remove(request: HttpRequest, pk: int, reference: str) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, pk)
    remark = remark_selectors.get_remark_for_user(request.user, reference)
    try:
        services.session_agenda_remove(session=session, remark=remark, actor=request.user)
    except remark_services.TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request,
                         _("%(reference)s is taken off the agenda.") % {"reference": remark.reference})
    return redirect("agencies:session", pk=session.pk)


@secretary_required
@require_POST
def session_decide(request: HttpRequest, pk: int, reference: str) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, pk)
    remark = remark_selectors.get_remark_for_user(request.user, reference, act=True)
    if not session.agenda.filter(pk=remark.pk).exists():
        messages.error(request, _("Put the remark on the session's agenda before recording a decision."))
        return redirect("agencies:session", pk=session.pk)
    form = DecisionForm(request.POST, agencies=list(Agency.objects.all()), remark=remark)
    if form.is_valid():
        try:
            decided = remark_services.remark_transition(remark=remark, action=Action.COMMISSION_DECIDE,
                                                        actor=request.user, session=session, **form.cleaned_data)
        except remark_services.ConflictError as error:
            messages.error(request, error.message)
            return redirect("agencies:session", pk=session.pk)
        except remark_services.TransitionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            number = closing_number(decided, Action.COMMISSION_DECIDE)
            if number:
                text = _("The decision on %(reference)s is recorded. Official response № %(number)s is issued.")
            else:
                text = _("The decision on %(reference)s is recorded.")
            messages.success(request, text % {"reference": remark.reference, "number": number})
            return redirect("agencies:session", pk=session.pk)
    messages.error(request, _("The decision on %(reference)s is not recorded: correct the form below.")
                   % {"reference": remark.reference})
    context = _session_context(request, session, bound={remark.pk: form})
    context["open_remark"] = remark.pk
    return render(request, "agencies/session.html", context, status=400)


@commission_reader_required
@require_GET
def session_print_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, pk)
    return render(request, "agencies/print_agenda.html", {
        "session": session, "agenda": selectors.session_agenda(request.user, session),
    })


@commission_reader_required
@require_GET
def session_print_protocol(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.get_session_for_user(request.user, pk)
    decisions, agenda_count = selectors.protocol_of(request.user, session)
    return render(request, "agencies/print_protocol.html", {
        "session": session, "decisions": decisions, "agenda_count": agenda_count,
    })
