from django.urls import path, re_path

from open311 import openapi, views, views_pages

app_name = "open311"
# The format is the suffix (.xml or .json); any other suffix reaches the view, which answers
# the standard's error list in XML.
urlpatterns = [
    path("", views_pages.help_page, name="help"),
    path("keys/", views_pages.keys_page, name="keys"),
    path("keys/<int:pk>/revoke/", views_pages.key_revoke, name="key_revoke"),
    path("v2/", views_pages.help_page, name="root"),
    path("v2/openapi.json", openapi.openapi_json, name="openapi"),
    re_path(r"^v2/discovery(?:\.(?P<fmt>[^/]*))?$", views.discovery, name="discovery"),
    re_path(r"^v2/services(?:\.(?P<fmt>[^/]*))?$", views.services, name="services"),
    re_path(r"^v2/services/(?P<code>[^/]+?)(?:\.(?P<fmt>[^/.]*))?$", views.service_definition, name="service"),
    re_path(r"^v2/requests(?:\.(?P<fmt>[^/]*))?$", views.requests, name="requests"),
    re_path(r"^v2/requests/(?P<reference>[^/]+?)(?:\.(?P<fmt>[^/.]*))?$", views.request_detail, name="request"),
]
