from django.urls import path

from commissioners import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
]
