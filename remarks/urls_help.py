from django.urls import path

from remarks import views

app_name = "help"
urlpatterns = [
    path("workflow/", views.workflow_help, name="workflow"),
]
