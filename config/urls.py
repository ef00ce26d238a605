from django.contrib import admin
from django.urls import include, path

from remarks import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("remarks/", include("remarks.urls")),
    path("notifications/", include("remarks.urls_notifications")),
    path("commission/", include("agencies.urls")),
    path("meetings/", include("commissioners.urls")),
    path("", include("remarks.urls_stats")),
    path("help/", include("remarks.urls_help")),
    path("admin/", admin.site.urls),
]
handler500 = "config.views.server_error"
