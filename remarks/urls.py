from django.urls import path

from remarks import views, views_staff

app_name = "remarks"
urlpatterns = [
    path("", views_staff.remark_list, name="list"),
    path("mine/", views.my_remarks, name="mine"),
    path("new/", views.remark_new, name="new"),
    path("bulk/", views_staff.remark_bulk, name="bulk"),
    path("export/<str:fmt>/", views_staff.remark_export, name="export"),
    path("<str:reference>/", views.remark_detail, name="detail"),
    path("<str:reference>/act/<str:action>/", views.remark_act, name="act"),
    path("<str:reference>/comment/", views.remark_comment, name="comment"),
    path("<str:reference>/support/", views.remark_support, name="support"),
    path("<str:reference>/confirm/", views.remark_confirm, name="confirm"),
    path("<str:reference>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
