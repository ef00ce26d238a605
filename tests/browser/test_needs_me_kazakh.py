"""In Kazakh, in real Chromium: the coordinator opens the queue on what needs them (no query
string), routes a new remark from it to MIA with an assignee; the officer then finds it in
their own default queue and has a notification of it."""

from __future__ import annotations

from remarks.models import Notification, Remark
from remarks.workflow import Status
from tests.conftest import PASSWORD


def open_in_kazakh(browser, live_server, user):
    context = browser.new_context(locale="kk-KZ", extra_http_headers={"Accept-Language": "kk"})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "kk"
    return page


def test_coordinator_routes_from_needs_me_and_the_officer_finds_it_in_theirs(browser, live_server, world,
                                                                             coordinator, officer, submit,
                                                                             remark_in):
    remark = submit(title="Емханаға онлайн жазылу жұмыс істемейді")
    routed_already = remark_in(Status.IN_REVIEW, title="Бұрын жіберілген ескерту")

    page = open_in_kazakh(browser, live_server, coordinator)
    page.goto(f"{live_server.url}/remarks/")
    queue = page.locator("main table").inner_text()
    assert remark.reference in queue and routed_already.reference not in queue  # needs me: to route
    assert page.locator(".tabs a[aria-current=page]").get_attribute("href") == "?view=mine"
    assert page.locator("#queue-search").is_visible()  # outside the collapsed filters
    page.locator(f"input[name=remarks][value={remark.reference}]").check()
    act = page.locator("#bulk-form details")
    act.locator("summary").click()
    act.locator("select[name=agency]").select_option(str(world.mia.pk))
    act.locator("select[name=assignee]").select_option(str(officer.pk))
    act.locator("button[value=accept]").click()
    page.wait_for_load_state()
    current = Remark.objects.get(pk=remark.pk)
    assert (current.status, current.agency, current.assignee) == (Status.IN_REVIEW, world.mia, officer)
    page.goto(f"{live_server.url}/remarks/")
    assert remark.reference not in page.locator("main").inner_text()  # routed: no longer needs them
    page.context.close()

    page = open_in_kazakh(browser, live_server, officer)
    page.goto(f"{live_server.url}/remarks/")
    assert remark.reference in page.locator("main table").inner_text()  # assigned to them
    assert Notification.objects.filter(user=officer, remark=remark, read_at__isnull=True).exists()
    page.goto(f"{live_server.url}/notifications/")
    assert remark.reference in page.locator("main").inner_text()
    page.get_by_role("link", name=remark.reference).first.click()
    page.wait_for_url(f"{live_server.url}{remark.get_absolute_url()}")
    assert remark.title in page.locator("main").inner_text()
    page.context.close()
