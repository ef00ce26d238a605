from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from open311.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """The operator sees every key (never the key itself: only its fingerprint is stored) and
    can revoke one, e.g. when its owner reports it lost; nothing else is changed here."""

    list_display = ["name", "user", "prefix", "read_only", "created_at", "expires_at", "revoked_at", "last_used_at",
                    "last_used_address"]
    list_filter = ["read_only"]
    search_fields = ["name", "prefix", "user__username"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the chosen keys"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, _("%(count)s keys revoked.") % {"count": count})
