from django.urls import path

from agencies import views

app_name = "agencies"
urlpatterns = [
    path("", views.commission_agenda, name="commission"),
]
