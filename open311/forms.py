from django import forms
from django.utils.translation import gettext_lazy as _

from remarks.forms import NoNulCharField


class ApiKeyForm(forms.Form):
    name = NoNulCharField(label=_("Name of the key"), max_length=100,
                          help_text=_("What the key is for, e.g. “regional portal” or “my script”."))
