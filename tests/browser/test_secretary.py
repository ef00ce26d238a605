"""The commission's secretary in a real browser: log in, open the session, record a decision."""

from __future__ import annotations

import pytest

from agencies import services as agencies_services
from remarks.models import Remark, Response
from remarks.workflow import Status
from tests.conftest import PASSWORD


@pytest.fixture
def browser_context_args(browser_context_args):
    # This test reads the English labels; Kazakh pages are covered elsewhere.
    return {**browser_context_args, "locale": "en-US"}


def test_secretary_records_a_closing_decision_from_the_browser(page, live_server, world, secretary,
                                                               remark_in):
    remark = remark_in(Status.ESCALATED, title="Driving licence cannot be renewed abroad")
    agencies_services.session_agenda_add(session=world.session, remarks=[remark], actor=secretary)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(secretary.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/commission/")
    assert remark.reference in page.content()

    page.get_by_role("link", name="№ 1").click()
    card = page.locator(f"#remark-{remark.pk}")
    card.get_by_text("Record the commission's decision").click()
    card.get_by_label("Resolved by the commission's decision").check()
    card.get_by_label("Decision text").fill(
        "The commission asks MJ to change the rules; the remark is resolved.")
    card.get_by_role("button", name="Record the decision").click()

    page.wait_for_url(f"{live_server.url}/commission/sessions/{world.session.pk}/")
    assert "is recorded" in page.locator(".messages").inner_text()
    response = Response.objects.get(remark=remark)
    assert response.outgoing_number in page.locator(f"#remark-{remark.pk}").inner_text()
    assert Remark.objects.get(pk=remark.pk).status == Status.RESOLVED
