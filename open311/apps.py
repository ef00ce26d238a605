from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "open311"
    verbose_name = _("Open311 API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from open311 import keys  # noqa: F401  (connects the end of a membership to its staff keys)
