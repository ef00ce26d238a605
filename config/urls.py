from django.contrib import admin
from django.urls import include, path

from core import password_reset, redirects, twofactor
from remarks import views, views_public
from remarks.letters import views as letters

urlpatterns = [
    path("", views_public.home, name="home"),
    path("public/", include("remarks.urls_public")),
    path("privacy/", views_public.privacy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("verify/", letters.verify, name="verify"),
    path("accounts/2fa/setup/", twofactor.setup, name="twofactor_setup"),
    path("accounts/2fa/verify/", twofactor.verify, name="twofactor_verify"),
    path("accounts/login/", redirects.LoginView.as_view(), name="login"),
    path("accounts/password_reset/", password_reset.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", redirects.set_language, name="set_language"),
    path("remarks/", include("remarks.urls")),
    path("notifications/", include("remarks.urls_notifications")),
    path("commission/", include("agencies.urls")),
    path("meetings/", include("commissioners.urls")),
    path("", include("remarks.stats.urls")),
    path("help/", include("remarks.urls_help")),
    path("open311/", include("open311.urls")),
    path("admin/", admin.site.urls),
]
handler500 = "config.views.server_error"
