"""Reads of the interagency commission, and who may read them.

Secretaries work the commissions their agency hosts; coordinators and analysts read every
commission. Which remarks anyone sees stays with remarks.selectors: every agenda here is a
filter of `remark_list_for(user)` or `remarks_visible_to(user)`."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404

from agencies.models import Commission, CommissionDecision, CommissionSession
from remarks import capabilities
from remarks import selectors as remark_selectors
from remarks.models import Remark, RemarkEvent
from remarks.workflow import Action


def commissions_for(user) -> QuerySet[Commission]:
    """The commissions whose pages this user reads."""
    commissions = Commission.objects.select_related("host")
    scope = capabilities.commissions_scope(user)
    return commissions if scope is None else commissions.filter(scope)


def held_commission_ids(user) -> frozenset[int]:
    """The commissions whose sessions this user holds, as their secretary (no query: the
    persona knows them)."""
    return capabilities.held_commission_ids(user)


def held_commissions(user, among=None) -> QuerySet[Commission]:
    """The commissions the user holds, as a queryset (for a form's choices); `among`
    narrows them to the given ones."""
    ids = held_commission_ids(user)
    if among is not None:
        ids = [c.pk for c in among if c.pk in ids]
    return Commission.objects.filter(pk__in=ids)


def is_secretary_of(user, session: CommissionSession) -> bool:
    return capabilities.has_perm(user, "agencies.hold_session", session)


def get_session_for_user(user, pk: int) -> CommissionSession:
    """Fetch and authorise a session in one call: 404 outside the user's commissions."""
    try:
        return CommissionSession.objects.select_related("commission__host").get(
            pk=pk, commission__in=commissions_for(user)
        )
    except CommissionSession.DoesNotExist:
        raise Http404("No such session.") from None


def _scheduled_session():
    """The protocol number of the latest session that has the remark on its agenda."""
    through = CommissionSession.agenda.through
    return Subquery(
        through.objects.filter(remark_id=OuterRef("pk"))
        .order_by("-commissionsession__held_on", "-commissionsession_id")
        .values("commissionsession__protocol_number")[:1]
    )


def escalated_remarks(user, commissions) -> QuerySet[Remark]:
    """The remarks these commissions hold, as the user may see them, each with the session
    it is scheduled for, oldest first."""
    return (
        remark_selectors.remark_list_for(user)
        .filter(commission__in=commissions).with_commission()
        .select_related("competent_agency")
        .annotate(scheduled_for=_scheduled_session())
        .order_by("submitted_at", "pk")
    )


def sessions_of(commissions) -> QuerySet[CommissionSession]:
    """The sessions of these commissions, newest first, with the size of agenda and decisions."""
    return (
        CommissionSession.objects.filter(commission__in=commissions)
        .select_related("commission")
        .annotate(agenda_count=Count("agenda", distinct=True),
                  decision_count=Count("decisions", distinct=True))
        .order_by("-held_on", "-pk")
    )


def session_agenda(user, session: CommissionSession) -> QuerySet[Remark]:
    """The session's agenda as the user may see it, with this session's decisions and the
    reason each remark was escalated, in a fixed number of queries."""
    decisions = CommissionDecision.objects.filter(session=session).select_related(
        "competent_agency", "response", "decided_by"
    )
    escalations = RemarkEvent.objects.filter(action=Action.ESCALATE).order_by("-created_at", "-pk")
    return (
        remark_selectors.remark_list_for(user)
        .filter(pk__in=session.agenda.values("pk"))
        .select_related("competent_agency")
        .prefetch_related(
            Prefetch("commission_decisions", queryset=decisions, to_attr="session_decisions"),
            Prefetch("events", queryset=escalations, to_attr="escalations"),
        )
        .order_by("reference")
    )


def agenda_candidates(user, session: CommissionSession) -> QuerySet[Remark]:
    """Remarks of the session's commission the user sees that could still go on its agenda."""
    return (
        remark_selectors.remarks_visible_to(user)
        .filter(commission_id=session.commission_id).with_commission()
        .exclude(pk__in=session.agenda.values("pk"))
        .order_by("reference")
    )


def commission_remarks(user, session: CommissionSession) -> QuerySet[Remark]:
    """Remarks of the session's commission the user sees (what an agenda form accepts)."""
    return remark_selectors.remarks_visible_to(user).filter(commission_id=session.commission_id)


def protocol_of(user, session: CommissionSession) -> tuple[QuerySet[CommissionDecision], int]:
    """The decisions of the session on the remarks the user sees, and how many such remarks
    were on its agenda: the printed protocol."""
    visible = remark_selectors.remarks_visible_to(user).filter(pk__in=session.agenda.values("pk"))
    decisions = (
        CommissionDecision.objects.filter(session=session, remark__in=visible)
        .select_related("remark", "competent_agency", "response__agency")
        .order_by("remark__reference", "created_at")
    )
    return decisions, visible.count()
