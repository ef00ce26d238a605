from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissionersConfig(AppConfig):
    name = "commissioners"
    verbose_name = _("Digital commissioners")
