"""Staff in real Chromium: the coordinator finds a remark in the queue and accepts and
assigns it from its page, the officer resolves it with a response template, and the
commissioner sees it resolved with its outgoing number."""

from __future__ import annotations

import re

from remarks.models import Remark, Response, ResponseTemplate
from remarks.workflow import Action, Status
from tests.conftest import PASSWORD

OUTGOING_NUMBER = re.compile(r"MIA-\d{4}-\d{5}")


def open_as(browser, live_server, user):
    """A fresh English browser context, logged in through the login form."""
    context = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    if page.locator("html").get_attribute("lang") != "en":
        page.click("form.lang button[value=en]")
        page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    return page


def test_coordinator_routes_officer_resolves_commissioner_sees_the_answer(browser, live_server, world, author,
                                                                          coordinator, officer, submit):
    remark = submit(title="Vehicle registration rejects the paid state fee")
    ResponseTemplate.objects.create(
        action=Action.RESOLVE, name_kk="Түзетілді", name_ru="Исправлено", name_en="Fixed in a release",
        body_kk="Қате түзетілді.", body_ru="Ошибка исправлена.", body_en="The error is fixed.")

    # The coordinator finds it in the queue and accepts it, routed to MIA and assigned.
    page = open_as(browser, live_server, coordinator)
    page.goto(f"{live_server.url}/remarks/?status=submitted")
    page.get_by_role("link", name=remark.reference).click()
    page.wait_for_url(f"{live_server.url}{remark.get_absolute_url()}")
    accept = page.locator("#action-accept")
    accept.locator("summary").click()
    accept.locator("select[name=accept-agency]").select_option(str(world.mia.pk))
    accept.locator("select[name=accept-assignee]").select_option(str(officer.pk))
    accept.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{remark.get_absolute_url()}")
    current = Remark.objects.get(pk=remark.pk)
    assert (current.status, current.agency, current.assignee) == (Status.IN_REVIEW, world.mia, officer)
    page.context.close()

    # The officer sees it in the agency's queue and resolves it, starting from the template.
    page = open_as(browser, live_server, officer)
    page.goto(f"{live_server.url}/remarks/")
    page.get_by_role("link", name=remark.reference).click()
    resolve = page.locator("#action-resolve")
    resolve.locator("summary").click()
    resolve.get_by_role("link", name=re.compile("Fixed in a release")).click()
    resolve = page.locator("#action-resolve")
    text = resolve.locator("textarea[name=resolve-text]")
    assert "The error is fixed." in text.input_value() or "Қате түзетілді." in text.input_value()
    text.fill(text.input_value() + " The fee is now seen within a minute.")
    resolve.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{remark.get_absolute_url()}")
    assert Remark.objects.get(pk=remark.pk).status == Status.RESOLVED
    page.context.close()

    # The commissioner sees it resolved, with its outgoing number.
    number = Response.objects.get(remark=remark).outgoing_number
    assert OUTGOING_NUMBER.fullmatch(number)
    page = open_as(browser, live_server, author)
    page.goto(f"{live_server.url}/remarks/?status=resolved")
    assert remark.reference in page.locator("main").inner_text()
    page.get_by_role("link", name=remark.reference).click()
    body = page.locator("main").inner_text()
    assert "Resolved" in body and number in body and "The fee is now seen within a minute." in body
    page.context.close()
