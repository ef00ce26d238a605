from django.urls import path

from remarks import (
    converters,  # noqa: F401  (registers <ref:...>)
    views,
    views_staff,
)
from remarks.letters import views as letters

app_name = "remarks"
urlpatterns = [
    path("", views_staff.remark_list, name="list"),
    path("mine/", views.my_remarks, name="mine"),
    path("new/", views.remark_new, name="new"),
    path("bulk/", views_staff.remark_bulk, name="bulk"),
    path("export/<str:fmt>/", views_staff.remark_export, name="export"),
    path("<ref:reference>/", views.remark_detail, name="detail"),
    path("<ref:reference>/act/<str:action>/", views.remark_act, name="act"),
    path("<ref:reference>/comment/", views.remark_comment, name="comment"),
    path("<ref:reference>/support/", views.remark_support, name="support"),
    path("<ref:reference>/confirm/", views.remark_confirm, name="confirm"),
    path("<ref:reference>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("<ref:reference>/receipt/", letters.receipt_print, name="receipt"),
    path("<ref:reference>/receipt/pdf/", letters.receipt_pdf, name="receipt_pdf"),
    path("<ref:reference>/letters/<outgoing:number>/", letters.letter_download, name="letter"),
    path("<ref:reference>/letters/<outgoing:number>/correct/", letters.letter_correct, name="letter_correct"),
]
