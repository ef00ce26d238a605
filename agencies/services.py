"""Writes of the interagency commission: its sessions and their agendas. Each service is one
transaction; the commission's decisions on remarks are a workflow action
(remarks.services.remark_transition, "commission_decide")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Commission, CommissionDecision, CommissionSession
from remarks.capabilities import has_perm
from remarks.models import Remark
from remarks.services import TransitionError


@transaction.atomic
def session_create(*, commission: Commission, held_on: dt.date, protocol_number: str,
                   actor) -> CommissionSession:
    if not has_perm(actor, "agencies.hold_session", commission):
        raise TransitionError(_("Only the commission's secretary can hold its sessions."))
    if CommissionSession.objects.filter(commission=commission, protocol_number=protocol_number).exists():
        raise TransitionError(_("A session with this protocol number already exists."),
                              field="protocol_number")
    return CommissionSession.objects.create(commission=commission, held_on=held_on,
                                            protocol_number=protocol_number)


@transaction.atomic
def session_agenda_add(*, session: CommissionSession, remarks: Iterable[Remark], actor) -> int:
    """Put escalated remarks of the session's commission on its agenda; returns how many."""
    if not has_perm(actor, "agencies.set_agenda", session):
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
    if not has_perm(actor, "agencies.set_agenda", session):
        raise TransitionError(_("Only the commission's secretary can set its agenda."))
    if CommissionDecision.objects.filter(session=session, remark=remark).exists():
        raise TransitionError(_("The commission has already decided on this remark at this session."))
    session.agenda.remove(remark)
