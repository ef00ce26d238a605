from django.urls import path

from remarks import views

app_name = "remarks"
urlpatterns = [
    path("", views.remark_list, name="list"),
    path("mine/", views.my_remarks, name="mine"),
    path("new/", views.remark_new, name="new"),
    path("<str:reference>/", views.remark_detail, name="detail"),
    path("<str:reference>/act/<str:action>/", views.remark_act, name="act"),
    path("<str:reference>/comment/", views.remark_comment, name="comment"),
    path("<str:reference>/support/", views.remark_support, name="support"),
    path("<str:reference>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
