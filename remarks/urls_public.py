from django.urls import path

from remarks import converters, views_public  # noqa: F401  (converters registers <ref:...>)

app_name = "public"
urlpatterns = [
    path("", views_public.register, name="register"),
    path("moderation/", views_public.moderation, name="moderation"),
    path("<ref:reference>/", views_public.record, name="record"),
]
