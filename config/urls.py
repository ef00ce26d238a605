from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from core import twofactor
from remarks import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/2fa/setup/", twofactor.setup, name="twofactor_setup"),
    path("accounts/2fa/verify/", twofactor.verify, name="twofactor_verify"),
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

if settings.BENCH_FLOORS:
    from remarks import views_bench

    urlpatterns += [
        path("bench/floor/", views_bench.floor, name="bench_floor"),
        path("bench/floor-login/", views_bench.floor_login, name="bench_floor_login"),
    ]
