"""The co-executors' part, as workflow actions that change no status: the lead agency asks a
co-executing agency for its contribution by a date, and that agency's staff add it (staff-only;
the official response names the agencies that contributed)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from remarks import capabilities, deadlines
from remarks.actions import Step, TransitionError, handles
from remarks.workflow import Action


@handles(Action.REQUEST_CONTRIBUTION)
def request_contribution(step: Step) -> None:
    from remarks.models import ContributionRequest

    agency, due = step.inputs["co_agency"], step.inputs["due_date"]
    if agency.pk not in capabilities.co_agency_ids(step.remark):
        raise TransitionError(_("Only a co-executing agency of this remark can be asked."), field="co_agency")
    if due < step.today:
        raise TransitionError(_("The contribution cannot be due before today."), field="due_date")
    if due > step.remark.due_date:
        raise TransitionError(_("The contribution must be due by the answer's due date (%(date)s).")
                              % {"date": step.remark.due_date.strftime("%d.%m.%Y")}, field="due_date")
    if not deadlines.is_working_day(due):
        raise TransitionError(_("The contribution's due date must be a working day."), field="due_date")
    step.notify_author = False
    step.payload.update(agency=agency.code, due_date=due.isoformat())
    step.after.append(lambda remark: ContributionRequest.objects.create(
        remark=remark, agency=agency, requested_by=step.actor, requested_at=step.now, due_date=due, text=step.text))


def contributing_agency(actor, remark):
    """The co-executing agency the actor contributes for (the first, when they work several)."""
    from agencies.models import Agency

    ids = sorted(capabilities.co_agency_ids(remark) & capabilities.persona_of(actor).agency_ids)
    return Agency.objects.get(pk=ids[0]) if ids else None


@handles(Action.CONTRIBUTE)
def contribute(step: Step) -> None:
    from remarks.models import Contribution, ContributionRequest

    agency = contributing_agency(step.actor, step.remark)
    if agency is None:
        raise TransitionError(_("Only a co-executing agency can contribute."))
    step.notify_author = False
    step.payload.update(agency=agency.code)

    def save(remark) -> None:
        Contribution.objects.create(remark=remark, agency=agency, author=step.actor, body=step.text,
                                    created_at=step.now)
        ContributionRequest.objects.filter(remark=remark, agency=agency, contributed_at__isnull=True).update(
            contributed_at=step.now)

    step.after.append(save)
