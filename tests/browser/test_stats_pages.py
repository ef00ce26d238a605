"""Statistics and transparency pages in a real browser set to Kazakh: the SVG charts are
drawn and visible, without JavaScript of ours, on a desktop and on a phone."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client


@pytest.fixture
def browser_context_args(browser_context_args):
    # Kazakh whatever the shared conftest chooses: the locale and the header it sends.
    return {**browser_context_args, "locale": "kk-KZ",
            "extra_http_headers": {"Accept-Language": "kk-KZ,kk;q=0.9"}}


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", force=True, stdout=io.StringIO())


def _log_in(page, live_server, username: str) -> None:
    """Put a session of the user into the browser (the login form is tested elsewhere)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])


def _assert_charts_drawn(page) -> None:
    assert page.locator("html").get_attribute("lang") == "kk"
    charts = page.locator("svg.chart-svg[role=img]")
    assert charts.count() == 3
    for index in range(3):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        assert chart.is_visible()
        box = chart.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 50
        # Something is drawn: bars or a line.
        assert chart.locator("rect.bar, polyline.line").count() > 0
        assert chart.locator("title").text_content().strip()
    # Each chart has its table beside it.
    assert page.locator(".chart-pair table").count() == 3


def test_transparency_page_draws_its_charts_in_kazakh(page, live_server, demo):
    page.goto(f"{live_server.url}/transparency/")
    _assert_charts_drawn(page)
    total = int(page.locator("#figure-total").inner_text())
    assert 45 <= total <= 50


def test_statistics_page_draws_its_charts_in_kazakh(page, live_server, demo):
    _log_in(page, live_server, "analyst")
    page.goto(f"{live_server.url}/stats/")
    _assert_charts_drawn(page)
    assert page.locator("#table-commissioners tbody tr").count() > 1


def test_statistics_fit_a_phone_screen(page, live_server, demo):
    page.set_viewport_size({"width": 360, "height": 740})
    _log_in(page, live_server, "analyst")
    for path in ("/stats/", "/transparency/"):
        page.goto(f"{live_server.url}{path}")
        _assert_charts_drawn(page)
        for chart in page.locator("svg.chart-svg").all():
            assert chart.bounding_box()["width"] <= 360
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
