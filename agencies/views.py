"""The interagency commission (ВАК): the secretary's agenda, sessions and decisions.

Secretaries work the commissions their agency hosts; coordinators and analysts read every
commission's pages. Which remarks anyone sees stays with remarks.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agencies.forms import AgendaForm, DecisionForm, SessionForm
from agencies.models import Agency, Commission, CommissionDecision, CommissionSession
from remarks import selectors, services
from remarks.listing import page_of
from remarks.models import RemarkEvent
from remarks.permissions import persona_required, secretary_required
from remarks.workflow import Action

commission_reader_required = persona_required(
    lambda p: p.is_secretary or p.is_coordinator or p.is_analyst or p.is_superuser
)


def _commissions_for(user) -> QuerySet[Commission]:
    persona = selectors.persona_of(user)
    if persona.is_coordinator or persona.is_analyst or persona.is_superuser:
        return Commission.objects.select_related("host")
    return Commission.objects.select_related("host").filter(pk__in=persona.commission_ids)


def _session_for(user, pk: int) -> CommissionSession:
    """Fetch and authorise a session in one call: 404 outside the user's commissions."""
    try:
        return CommissionSession.objects.select_related("commission__host").get(
            pk=pk, commission__in=_commissions_for(user)
        )
    except CommissionSession.DoesNotExist:
        raise Http404("No such session.") from None


def _is_secretary_of(user, session: CommissionSession) -> bool:
    return session.commission_id in selectors.persona_of(user).commission_ids


def _scheduled_session():
    """The protocol number of the latest session that has the remark on its agenda."""
    through = CommissionSession.agenda.through
    return Subquery(
        through.objects.filter(remark_id=OuterRef("pk"))
        .order_by("-commissionsession__held_on", "-commissionsession_id")
        .values("commissionsession__protocol_number")[:1]
    )


@commission_reader_required
@require_GET
def commission_agenda(request: HttpRequest) -> HttpResponse:
    commissions = list(_commissions_for(request.user))
    agenda = (
        selectors.remark_list_for(request.user)
        .filter(commission__in=commissions).with_commission()
        .select_related("competent_agency")
        .annotate(scheduled_for=_scheduled_session())
        .order_by("submitted_at", "pk")
    )
    sessions = (
        CommissionSession.objects.filter(commission__in=commissions)
        .select_related("commission")
        .annotate(agenda_count=Count("agenda", distinct=True), decision_count=Count("decisions", distinct=True))
        .order_by("-held_on", "-pk")
    )
    may_hold = [c for c in commissions if c.pk in selectors.persona_of(request.user).commission_ids]
    return render(request, "agencies/agenda.html", {
        "commissions": commissions,
        "page": page_of(request, agenda),
        "sessions": sessions,
        "session_form": SessionForm(commissions=Commission.objects.filter(pk__in=[c.pk for c in may_hold]))
        if may_hold else None,
    })


@secretary_required
@require_POST
def session_new(request: HttpRequest) -> HttpResponse:
    persona = selectors.persona_of(request.user)
    form = SessionForm(request.POST, commissions=Commission.objects.filter(pk__in=persona.commission_ids))
    if form.is_valid():
        try:
            session = services.session_create(actor=request.user, **form.cleaned_data)
        except services.TransitionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Session № %(number)s is created.") % {"number": session.protocol_number})
            return redirect("agencies:session", pk=session.pk)
    else:
        messages.error(request, _("The session was not created: %(errors)s") % {
            "errors": " ".join(str(e) for errors in form.errors.values() for e in errors)
        })
    return redirect("agencies:commission")


def _session_agenda(user, session: CommissionSession) -> QuerySet:
    """The session's agenda as the user may see it, with this session's decisions and the
    reason each remark was escalated, in a fixed number of queries."""
    decisions = CommissionDecision.objects.filter(session=session).select_related(
        "competent_agency", "response", "decided_by"
    )
    escalations = RemarkEvent.objects.filter(action=Action.ESCALATE).order_by("-created_at", "-pk")
    return (
        selectors.remark_list_for(user)
        .filter(pk__in=session.agenda.values("pk"))
        .select_related("competent_agency")
        .prefetch_related(
            Prefetch("commission_decisions", queryset=decisions, to_attr="session_decisions"),
            Prefetch("events", queryset=escalations, to_attr="escalations"),
        )
        .order_by("reference")
    )


def _session_context(request: HttpRequest, session: CommissionSession, bound: dict | None = None) -> dict:
    agenda = list(_session_agenda(request.user, session))
    secretary = _is_secretary_of(request.user, session)
    if secretary:
        agencies = list(Agency.objects.all())
        for remark in agenda:
            if any(t.action == Action.COMMISSION_DECIDE for t in selectors.available_actions(request.user, remark)):
                remark.decision_form = (bound or {}).get(remark.pk) or DecisionForm(agencies=agencies, remark=remark)
    candidates = (
        selectors.remarks_visible_to(request.user)
        .filter(commission_id=session.commission_id).with_commission()
        .exclude(pk__in=session.agenda.values("pk"))
        .order_by("reference")
    )
    return {
        "session": session,
        "agenda": agenda,
        "is_secretary": secretary,
        "agenda_form": AgendaForm(candidates=candidates) if secretary and candidates.exists() else None,
    }


@commission_reader_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request.user, pk)
    return render(request, "agencies/session.html", _session_context(request, session))


@secretary_required
@require_POST
def session_agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request.user, pk)
    candidates = selectors.remarks_visible_to(request.user).filter(commission_id=session.commission_id)
    form = AgendaForm(request.POST, candidates=candidates)
    if form.is_valid():
        try:
            added = services.session_agenda_add(session=session, remarks=form.cleaned_data["remarks"],
                                                actor=request.user)
        except services.TransitionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Put on the agenda: %(count)s.") % {"count": added})
    else:
        messages.error(request, _("Choose at least one escalated remark."))
    return redirect("agencies:session", pk=session.pk)


@secretary_required
@require_POST
def session_agenda_remove(request: HttpRequest, pk: int, reference: str) -> HttpResponse:
    session = _session_for(request.user, pk)
    remark = selectors.get_remark_for_user(request.user, reference)
    try:
        services.session_agenda_remove(session=session, remark=remark, actor=request.user)
    except services.TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(reference)s is taken off the agenda.") % {"reference": remark.reference})
    return redirect("agencies:session", pk=session.pk)


@secretary_required
@require_POST
def session_decide(request: HttpRequest, pk: int, reference: str) -> HttpResponse:
    session = _session_for(request.user, pk)
    remark = selectors.get_remark_for_user(request.user, reference, act=True)
    if not session.agenda.filter(pk=remark.pk).exists():
        messages.error(request, _("Put the remark on the session's agenda before recording a decision."))
        return redirect("agencies:session", pk=session.pk)
    form = DecisionForm(request.POST, agencies=list(Agency.objects.all()), remark=remark)
    if form.is_valid():
        try:
            services.remark_transition(remark=remark, action=Action.COMMISSION_DECIDE, actor=request.user,
                                       session=session, **form.cleaned_data)
        except services.ConflictError as error:
            messages.error(request, error.message)
            return redirect("agencies:session", pk=session.pk)
        except services.TransitionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The decision on %(reference)s is recorded.") % {"reference": remark.reference})
            return redirect("agencies:session", pk=session.pk)
    messages.error(request, _("The decision on %(reference)s is not recorded: correct the form below.")
                   % {"reference": remark.reference})
    context = _session_context(request, session, bound={remark.pk: form})
    context["open_remark"] = remark.pk
    return render(request, "agencies/session.html", context, status=400)


@commission_reader_required
@require_GET
def session_print_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request.user, pk)
    return render(request, "agencies/print_agenda.html", {
        "session": session, "agenda": _session_agenda(request.user, session),
    })


@commission_reader_required
@require_GET
def session_print_protocol(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request.user, pk)
    visible = selectors.remarks_visible_to(request.user).filter(pk__in=session.agenda.values("pk"))
    decisions = (
        CommissionDecision.objects.filter(session=session, remark__in=visible)
        .select_related("remark", "competent_agency", "response__agency")
        .order_by("remark__reference", "created_at")
    )
    return render(request, "agencies/print_protocol.html", {
        "session": session, "decisions": decisions, "agenda_count": visible.count(),
    })
