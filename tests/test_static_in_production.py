"""Pages with DEBUG off, as production serves them: static files collected by collectstatic
into STATIC_ROOT, named through the manifest of hashed names (a template naming a file that
was not collected is an error page there, never in DEBUG) and served by WhiteNoise."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')


@pytest.fixture
def production_static(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    return settings.STATIC_ROOT


def stylesheets_of(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    urls = STYLESHEET.findall(response.content.decode())
    assert urls, "the page names no stylesheet"
    return urls


def assert_served(client: Client, url: str):
    assert url.startswith("/static/"), url
    # The manifest's hashed name, so a new release never meets a stale cached copy.
    assert re.search(r"\.[0-9a-f]{12}\.css$", url), url
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"].startswith("text/css"), response["Content-Type"]
    assert b"".join(response.streaming_content) if response.streaming else response.content


def test_login_page_and_its_stylesheet_are_served_with_debug_off(production_static, db):
    client = Client()
    for url in stylesheets_of(client.get(reverse("login"))):
        assert_served(client, url)


@pytest.mark.parametrize("persona, path", [("coordinator", "remarks:list"), ("author", "remarks:mine")])
def test_logged_in_page_and_its_stylesheet_are_served_with_debug_off(production_static, request, persona,
                                                                     path, client_for):
    client = client_for(request.getfixturevalue(persona))
    for url in stylesheets_of(client.get(reverse(path))):
        assert_served(client, url)
