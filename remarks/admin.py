from django.contrib import admin
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from remarks import outbox
from remarks.models import (
    Category,
    Letter,
    Measure,
    OutboxEmail,
    Receipt,
    Remark,
    RemarkEvent,
    Response,
    ResponseTemplate,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "name_ru", "name_en", "position"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["title", "title_ru", "title_en", "agency", "adopted_on"]


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


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["outgoing_number", "language", "issued_at", "pdf_sha256", "supersedes"]
    exclude = ["pdf", "code"]  # the bytes are downloaded from the remark's page; the code is the reader's


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["reference", "registered_on", "body_kk"]
    exclude = ["code"]


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    """The delivery of each e-mail, and the queue's health above the list. Rows change only
    through delivery and the "retry now" action."""

    list_display = ["to", "subject", "state", "attempts", "next_attempt_at", "sent_at", "last_error_start"]
    list_filter = ["state"]
    search_fields = ["to", "subject", "message_id"]
    ordering = ["-created_at", "-pk"]
    actions = ["retry_now"]
    readonly_fields = ["to", "subject", "body", "message_id", "created_at", "state", "next_attempt_at",
                       "lease_until", "requeued_at", "sent_at", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("last error"))
    def last_error_start(self, email: OutboxEmail) -> str:
        return email.last_error[:120]

    @admin.action(description=_("Retry now"), permissions=["change"])
    def retry_now(self, request, queryset):
        count = outbox.outbox_retry(ids=queryset.values_list("pk", flat=True))
        message = ngettext("%(count)d e-mail will be tried again now.",
                           "%(count)d e-mails will be tried again now.", count)
        self.message_user(request, message % {"count": count})

    def changelist_view(self, request, extra_context=None):
        health = outbox.outbox_health()
        if health.oldest_ready_age is None:
            subtitle = _("Ready to send: none. Failed: %(failed)d.") % {"failed": health.failed}
        else:
            subtitle = _("Ready to send: %(ready)d, the oldest waiting for %(age)s. Failed: %(failed)d.") % {
                "ready": health.ready, "age": timesince(timezone.now() - health.oldest_ready_age),
                "failed": health.failed}
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": subtitle})
