from django.contrib import admin

from commissioners.models import Commissioner, Meeting


@admin.register(Commissioner)
class CommissionerAdmin(admin.ModelAdmin):
    list_display = ["full_name", "region", "background", "active", "appointed_on"]
    list_filter = ["region", "background", "active"]
    search_fields = ["full_name", "user__username"]
    autocomplete_fields = ["user"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["held_on", "title", "sector"]
    filter_horizontal = ["invited_agencies"]
    exclude = ["agenda"]
