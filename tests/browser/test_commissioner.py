"""A digital commissioner in real Chromium, in Kazakh and in English: log in, file a remark
with a screenshot, find it in My remarks, answer a clarification, confirm a fix, dispute
an answer; and every page fits a 360 px phone. The Kazakh catalogue is not written yet, so
the Kazakh runs check <html lang="kk"> and the flow, found by structure rather than words."""

from __future__ import annotations

import pytest
from PIL import Image

from remarks.models import Remark, RemarkEvent
from remarks.workflow import Status
from tests.conftest import PASSWORD

LANGUAGES = ["kk", "en"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def screenshot(tmp_path):
    path = tmp_path / "screenshot.png"
    Image.new("RGB", (320, 200), (30, 90, 160)).save(path)
    return path


def open_as(browser, live_server, user, language, **context_args):
    """A fresh browser context in `language`, logged in through the login form."""
    headers = {"Accept-Language": language}
    context = browser.new_context(locale="kk-KZ" if language == "kk" else "en-US", extra_http_headers=headers,
                                  **context_args)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/remarks/mine/")
    if language == "en":
        page.click("form.lang button[value=en]")
        page.wait_for_url(f"{live_server.url}/remarks/mine/")
    assert page.locator("html").get_attribute("lang") == language
    return page


@pytest.mark.parametrize("language", LANGUAGES)
def test_commissioner_files_a_remark_with_a_screenshot_and_finds_it(browser, live_server, world, author,
                                                                    screenshot, language):
    page = open_as(browser, live_server, author, language)
    page.goto(f"{live_server.url}/remarks/new/")
    page.fill("input[name=title]", "Police certificate is not issued on the portal")
    page.fill("textarea[name=description]", "The request hangs in the status 'processing' for a week.")
    page.select_option("select[name=category]", str(world.egov.pk))
    page.select_option("select[name=service]", str(world.portal.pk))
    page.fill("input[name=affected_url]", "https://egov.kz/services/P1.01")
    page.set_input_files("input[name=attachments]", str(screenshot))
    page.click("form[action='/remarks/new/'] button[type=submit]")

    remark = Remark.objects.get(author=author)
    page.wait_for_url(f"{live_server.url}{remark.get_absolute_url()}")
    assert page.locator("html").get_attribute("lang") == language
    assert remark.reference in page.locator(".messages").inner_text()
    assert remark.attachments.get().original_name == "screenshot.png"
    if language == "en":
        assert "Your remark is registered as" in page.locator(".messages").inner_text()

    page.goto(f"{live_server.url}/remarks/mine/")
    row = page.locator("tbody tr", has_text=remark.reference)
    assert row.count() == 1
    assert "Police certificate is not issued" in row.inner_text()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_form_with_an_error_keeps_the_text_and_the_screenshot(browser, live_server, world, author,
                                                                screenshot, language):
    page = open_as(browser, live_server, author, language)
    page.goto(f"{live_server.url}/remarks/new/")
    page.fill("textarea[name=description]", "Typed before the mistake")
    page.select_option("select[name=category]", str(world.egov.pk))
    page.fill("input[name=affected_url]", "javascript:alert(1)")
    page.set_input_files("input[name=attachments]", str(screenshot))
    page.click("form[action='/remarks/new/'] button[type=submit]")
    assert page.input_value("textarea[name=description]") == "Typed before the mistake"
    assert page.locator(".kept-uploads").count() == 1
    page.fill("input[name=title]", "Now with a title")
    page.fill("input[name=affected_url]", "https://egov.kz/")
    page.click("form[action='/remarks/new/'] button[type=submit]")
    remark = Remark.objects.get(author=author)
    page.wait_for_url(f"{live_server.url}{remark.get_absolute_url()}")
    assert remark.attachments.get().original_name == "screenshot.png"


@pytest.mark.parametrize("language", LANGUAGES)
def test_commissioner_answers_confirms_and_disputes(browser, live_server, author, remark_in, language):
    waiting = remark_in(Status.NEEDS_INFO, title="Remark awaiting my answer")
    fixed = remark_in(Status.RESOLVED, title="Remark that was fixed")
    disputed = remark_in(Status.RESOLVED, title="Remark with a poor answer")
    page = open_as(browser, live_server, author, language)

    page.goto(f"{live_server.url}{waiting.get_absolute_url()}")
    page.click("#action-provide_info summary")
    page.fill("#action-provide_info textarea", "Chrome 120 on Android 14")
    page.click("#action-provide_info button[type=submit]")
    page.wait_for_url(f"{live_server.url}{waiting.get_absolute_url()}")
    assert Remark.objects.get(pk=waiting.pk).status == Status.IN_REVIEW
    assert "Chrome 120 on Android 14" in page.locator(".timeline").inner_text()

    page.goto(f"{live_server.url}{fixed.get_absolute_url()}")
    page.click(f"form[action='/remarks/{fixed.reference}/confirm/'] button")
    page.wait_for_url(f"{live_server.url}{fixed.get_absolute_url()}")
    assert fixed.events.filter(action=RemarkEvent.Kind.CONFIRM).count() == 1
    assert Remark.objects.get(pk=fixed.pk).status == Status.RESOLVED
    assert page.locator(f"form[action='/remarks/{fixed.reference}/confirm/']").count() == 0

    page.goto(f"{live_server.url}{disputed.get_absolute_url()}")
    page.click("#action-reopen summary")
    page.fill("#action-reopen textarea", "The payment still fails on mobile")
    page.click("#action-reopen button[type=submit]")
    page.wait_for_url(f"{live_server.url}{disputed.get_absolute_url()}")
    assert Remark.objects.get(pk=disputed.pk).status == Status.IN_REVIEW


@pytest.mark.parametrize("language", LANGUAGES)
def test_commissioner_pages_fit_a_360_px_phone(browser, live_server, world, author, other_commissioner,
                                               remark_in, submit, language):
    remark = remark_in(Status.RESOLVED, title="A rather long title " * 8)
    submit("Vehicle registration rejects the card payment", by=other_commissioner)
    page = open_as(browser, live_server, author, language, viewport={"width": 360, "height": 740})
    paths = ["/remarks/mine/", "/remarks/new/", remark.get_absolute_url(), "/notifications/",
             "/notifications/settings/", "/remarks/"]
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide"
    # the form with its errors and the similar remarks
    page.goto(f"{live_server.url}/remarks/new/")
    page.fill("input[name=title]", "Card payment rejected during vehicle registration")
    page.fill("textarea[name=description]", "x")
    page.select_option("select[name=category]", str(world.vehicles.pk))
    page.select_option("select[name=service]", str(world.registration.pk))
    page.click("form[action='/remarks/new/'] button[type=submit]")
    assert page.locator(".similar").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
