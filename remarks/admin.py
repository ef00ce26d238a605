from django.contrib import admin

from remarks.models import Category, Measure, Remark, RemarkEvent, Response, ResponseTemplate


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "name_ru", "name_en", "position"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["title", "agency", "adopted_on"]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["name_kk", "action", "category"]
    list_filter = ["action", "category"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Remarks change only through the workflow; history and responses never change."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Remark)
class RemarkAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "status", "agency", "due_date"]
    list_filter = ["status", "kind"]
    search_fields = ["reference", "title"]
    list_select_related = ["agency"]


@admin.register(RemarkEvent)
class RemarkEventAdmin(ReadOnlyAdmin):
    list_display = ["remark", "action", "from_status", "to_status", "created_at"]
    list_select_related = ["remark"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["outgoing_number", "remark", "agency", "sent_at"]
    list_select_related = ["remark", "agency"]
