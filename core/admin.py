from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.models import PeriodicRun


@admin.register(PeriodicRun)
class PeriodicRunAdmin(admin.ModelAdmin):
    """Which periodic job ran for which period, and the error of one that failed. Deleting a
    row lets the workers run that job again for its period."""

    list_display = ["job", "period", "created_at", "failed"]
    list_filter = ["job"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description=_("failed"))
    def failed(self, run: PeriodicRun) -> bool:
        return bool(run.error)
