from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemarksConfig(AppConfig):
    name = "remarks"
    verbose_name = _("Remarks and suggestions")

    def ready(self):
        from remarks import capabilities  # noqa: F401  (registers the capabilities)
