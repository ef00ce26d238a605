"""Two rules of the paper trail: the commission decides only in a session held on or after the
day the remark reached it; a fix the author confirmed is no longer disputed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agencies.models import CommissionDecision, CommissionSession
from remarks import selectors, services
from remarks.models import Remark
from remarks.workflow import Action, Outcome, Status


def test_a_decision_in_a_session_held_before_the_escalation_is_refused(world, secretary, remark_in):
    remark = remark_in(Status.ESCALATED)
    earlier = CommissionSession.objects.create(commission=world.commission, protocol_number="0",
                                               held_on=timezone.localdate() - dt.timedelta(days=20))
    earlier.agenda.add(remark)
    with pytest.raises(services.TransitionError) as refused:
        services.remark_transition(remark=remark, action=Action.COMMISSION_DECIDE, actor=secretary,
                                   session=earlier, outcome=Outcome.HAND_OVER, competent_agency=world.mj,
                                   text="Hand over to the Ministry of Justice.")
    assert refused.value.field == "session"
    assert "was held before the remark reached the commission" in refused.value.message
    assert Remark.objects.get(pk=remark.pk).status == Status.ESCALATED
    assert not CommissionDecision.objects.exists()
    # The session of the day of escalation is fine.
    services.remark_transition(remark=remark, action=Action.COMMISSION_DECIDE, actor=secretary,
                               session=world.session, outcome=Outcome.HAND_OVER, competent_agency=world.mj,
                               text="Hand over to the Ministry of Justice.")
    assert Remark.objects.get(pk=remark.pk).status == Status.IN_REVIEW


def test_a_confirmed_fix_is_no_longer_offered_for_dispute_nor_disputed(remark_in, author):
    remark = remark_in(Status.RESOLVED)
    assert Action.REOPEN in {t.action for t in selectors.available_actions(author, remark)}
    services.remark_confirm(remark=remark, user=author)
    remark = Remark.objects.get(pk=remark.pk)
    assert Action.REOPEN not in {t.action for t in selectors.available_actions(author, remark)}
    with pytest.raises(services.TransitionError) as refused:
        services.remark_transition(remark=remark, action=Action.REOPEN, actor=author, text="Broken again")
    assert "can no longer be disputed" in refused.value.message
    assert Remark.objects.get(pk=remark.pk).status == Status.RESOLVED
