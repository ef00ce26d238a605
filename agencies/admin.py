from django.contrib import admin

from agencies.models import Agency, AgencyMembership, Commission, CommissionSession, Service


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "short_kk", "short_ru", "short_en", "name_kk", "name_ru", "kind", "is_ministry"]
    list_filter = ["kind"]
    search_fields = ["code", "short_kk", "short_ru", "short_en", "name_kk", "name_ru", "name_en"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "owner", "channel", "category", "active"]
    list_filter = ["channel", "active", "owner"]
    search_fields = ["code", "name_kk", "name_ru", "name_en"]


@admin.register(AgencyMembership)
class AgencyMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "position_kk", "position_ru"]
    list_filter = ["role", "agency"]
    search_fields = ["user__username", "user__last_name"]
    autocomplete_fields = ["user"]


@admin.register(Commission)
class CommissionAdmin(admin.ModelAdmin):
    list_display = ["name_kk", "host"]


@admin.register(CommissionSession)
class CommissionSessionAdmin(admin.ModelAdmin):
    list_display = ["commission", "protocol_number", "held_on"]
    exclude = ["agenda"]
