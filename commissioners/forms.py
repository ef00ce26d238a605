from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from remarks.forms import DayField, IdsChoiceField, NoNulCharField
from remarks.models import Category


class MeetingForm(forms.Form):
    held_on = DayField(label=_("Date of the meeting"))
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=Category.objects.all())
    title = NoNulCharField(label=_("Title"), max_length=255)
    invited_agencies = IdsChoiceField(
        label=_("Invited agencies"), queryset=Agency.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to invite the agencies that hold the sector's open remarks."),
    )


class DecisionsForm(forms.Form):
    decisions = NoNulCharField(
        label=_("Decisions of the meeting"), max_length=20000, required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
