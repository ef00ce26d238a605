from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.choices import Outcome
from agencies.models import Agency, Commission
from remarks import terms
from remarks.forms import DayField, IdsChoiceField, NoNulCharField


class SessionForm(forms.Form):
    commission = forms.ModelChoiceField(label=_("Interagency commission"), queryset=Commission.objects.none())
    held_on = DayField(label=_("Date of the session"))
    protocol_number = NoNulCharField(label=_("Protocol number"), max_length=32)

    def __init__(self, *args, commissions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commission"].queryset = commissions
        if len(commissions) == 1:
            self.fields["commission"].initial = commissions[0].pk


class AgendaForm(forms.Form):
    remarks = IdsChoiceField(
        label=_("Escalated remarks to put on the agenda"), queryset=None, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remarks"].queryset = candidates


class DecisionForm(forms.Form):
    """The commission's decision on one remark. Agencies come as a list read once per page, so
    a session with many remarks renders its forms without a query per form; the decision text
    is checked by the service, which explains what is missing."""

    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices, widget=forms.RadioSelect,
                                initial=Outcome.HAND_OVER)
    competent_agency = forms.TypedChoiceField(label=_("Competent agency"), coerce=int)
    deadline = DayField(label=_("Deadline for the competent agency"), required=False)
    text = NoNulCharField(
        label=_("Decision text (the official response when it closes the remark)"), required=False,
        max_length=10000, widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, agencies: list[Agency], remark=None, **kwargs):
        if remark is not None:
            kwargs.setdefault("auto_id", f"id_{remark.pk}_%s")
            kwargs.setdefault("initial", {"competent_agency": remark.competent_agency_id})
        super().__init__(*args, **kwargs)
        self._agencies = {agency.pk: agency for agency in agencies}
        self.fields["deadline"].help_text = _(
            "For a hand-over; without a date, %(days)s working days from today."
        ) % {"days": terms.ANSWER_WORKING_DAYS}
        self.fields["competent_agency"].choices = [(a.pk, str(a)) for a in agencies]

    def clean_competent_agency(self) -> Agency:
        return self._agencies[self.cleaned_data["competent_agency"]]

    def clean_deadline(self) -> dt.date | None:
        deadline = self.cleaned_data["deadline"]
        if deadline is not None and deadline <= timezone.localdate():
            raise ValidationError(_("The deadline must be a date after today."))
        return deadline
