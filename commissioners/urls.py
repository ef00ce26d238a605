from django.urls import path

from commissioners import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/decisions/", views.meeting_decisions, name="decisions"),
    path("<int:pk>/print/", views.meeting_print, name="print"),
]
