"""Capabilities: every workflow action has its handler and its form; each capability is asked
one way; the row-scoping capability agrees with its queryset; the operator holds none."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from remarks import actions, capabilities, selectors, services
from remarks.forms import action_form
from remarks.models import Remark
from remarks.workflow import TRANSITIONS, Action, Status


@pytest.mark.parametrize("action", list(Action))
def test_every_action_has_a_handler(action):
    assert action in actions.HANDLERS, f"{action} has a table row but no handler in remarks/actions.py"


@pytest.mark.parametrize("action", list(Action))
def test_every_action_has_a_form_built_from_its_inputs(action, db):
    form = action_form(action)
    shown = [spec.name for spec in TRANSITIONS[action].inputs if spec.on_page]
    assert list(form.fields) == shown
    for spec in TRANSITIONS[action].inputs:
        if spec.on_page:
            assert form.fields[spec.name].required == spec.required, spec.name
        if spec.required:
            assert spec.missing, f"{action}: required input {spec.name} has no message"


@pytest.mark.parametrize("action", list(Action))
def test_every_action_has_a_capability(action):
    assert capabilities.perm_for(action) == f"remarks.{action.value}_remark"
    import rules

    assert rules.perm_exists(capabilities.perm_for(action))


def test_a_required_input_missing_from_a_crafted_call_is_refused_with_the_tables_message(remark_in, coordinator):
    remark = remark_in(Status.SUBMITTED)
    with pytest.raises(services.TransitionError) as refused:
        services.remark_transition(remark=remark, action=Action.ESCALATE, actor=coordinator, commission=None,
                                   competent_agency=None, text="x")
    assert refused.value.field == "commission"
    assert refused.value.message == "Choose the interagency commission."
    assert Remark.objects.get(pk=remark.pk).status == Status.SUBMITTED


def test_the_operator_holds_no_workflow_capability(remark_in, operator):
    for status in (Status.SUBMITTED, Status.IN_REVIEW, Status.ESCALATED, Status.RESOLVED):
        remark = remark_in(status)
        # Django's own User.has_perm says yes to a superuser; the capabilities do not.
        assert operator.has_perm(capabilities.perm_for(Action.RESOLVE), remark)
        for action in Action:
            assert not capabilities.has_perm(operator, capabilities.perm_for(action), remark), (action, status)
        assert selectors.available_actions(operator, remark) == []


def test_the_template_tag_asks_the_same_capability(remark_in, officer, other_officer, operator):
    remark = remark_in(Status.IN_REVIEW)
    template = Template('{% load capabilities %}{% has_perm "remarks.resolve_remark" user remark as may %}'
                        '{{ may|yesno:"yes,no" }}')
    assert template.render(Context({"user": officer, "remark": remark})) == "yes"
    assert template.render(Context({"user": other_officer, "remark": remark})) == "no"
    assert template.render(Context({"user": operator, "remark": remark})) == "no"


def test_the_persona_is_read_once_per_user_object(officer, django_assert_num_queries):
    capabilities.persona_of(officer)
    with django_assert_num_queries(0):
        for _ in range(5):
            capabilities.persona_of(officer)


@pytest.fixture
def spread(world, remark_in, submit, coordinator, other_commissioner):
    """Remarks in every state, one co-executed by NIT, one filed by another commissioner."""
    remarks = [remark_in(status) for status in Status]
    co = remark_in(Status.SUBMITTED)
    co = services.remark_transition(remark=co, action=Action.ACCEPT, actor=coordinator, agency=world.mia,
                                    co_agencies=[world.nit])
    remarks += [co, submit(by=other_commissioner, service=world.portal)]
    return remarks


def test_view_capability_holds_exactly_for_the_visible_queryset(spread, personas, operator):
    everyone = dict(personas, operator=operator)
    checked = 0
    for name, user in everyone.items():
        visible = set(selectors.remarks_visible_to(user).values_list("pk", flat=True))
        for remark in spread:
            assert capabilities.has_perm(user, "remarks.view_remark", remark) == (remark.pk in visible), (
                name, remark.reference, remark.status)
            checked += 1
    assert checked == len(everyone) * len(spread)
    # The co-executing agency's officer reads the co-executed remark and not the others of MIA.
    assert capabilities.has_perm(personas["other_officer"], "remarks.view_remark", spread[-2])
    assert not capabilities.has_perm(personas["other_officer"], "remarks.view_remark", spread[1])
