from django.urls import path

from agencies import views
from remarks import converters  # noqa: F401  (registers <ref:...>)

app_name = "agencies"
urlpatterns = [
    path("", views.commission_agenda, name="commission"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/agenda/", views.session_print_agenda, name="session_agenda"),
    path("sessions/<int:pk>/agenda/add/", views.session_agenda_add, name="session_agenda_add"),
    path("sessions/<int:pk>/agenda/<ref:reference>/remove/", views.session_agenda_remove,
         name="session_agenda_remove"),
    path("sessions/<int:pk>/protocol/", views.session_print_protocol, name="session_protocol"),
    path("sessions/<int:pk>/decide/<ref:reference>/", views.session_decide, name="session_decide"),
]
