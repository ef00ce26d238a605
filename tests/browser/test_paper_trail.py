"""The paper trail in real Chromium: a commissioner files a remark and opens its receipt's
print view with print media emulated; an officer answers it in Kazakh; an anonymous visitor
checks the letter's outgoing number and code at /verify/."""

from __future__ import annotations

import pytest

from remarks import services
from remarks.models import Letter, Receipt, Remark
from remarks.workflow import Action, Status
from tests.browser.test_staff_flow import open_as

KK_ANSWER = "Ескертуіңіз қаралды: төлем жүйесі жөнделді, қате енді қайталанбайды."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_file_print_the_receipt_answer_and_verify_the_letter(browser, live_server, world, author, coordinator,
                                                            officer):
    # The commissioner files, and the remark's page shows the receipt.
    page = open_as(browser, live_server, author)
    page.goto(f"{live_server.url}/remarks/new/")
    page.fill("input[name=title]", "Көлікті тіркеу кезінде төлем көрінбейді")
    page.fill("textarea[name=description]", "Мемлекеттік баж төленді, бірақ портал оны көрмейді.")
    page.select_option("select[name=category]", str(world.vehicles.pk))
    page.select_option("select[name=service]", str(world.registration.pk))
    page.click("form[action='/remarks/new/'] button[type=submit]")
    page.wait_for_load_state()
    remark = Remark.objects.get(author=author)
    receipt = Receipt.objects.get(remark=remark)
    assert receipt.code in page.locator(".receipt-card").inner_text()

    # Its print view, as the printer sees it: the receipt, no navigation, no hints.
    page.click(".receipt-card a[href$='/receipt/']")
    page.wait_for_url(f"{live_server.url}/remarks/{remark.reference}/receipt/")
    page.emulate_media(media="print")
    assert page.locator("nav").count() == 0
    assert not page.locator(".print-hint").is_visible()
    printed = page.locator("article.receipt").inner_text()
    assert remark.reference in printed and receipt.code in printed
    assert receipt.registered_on.strftime("%d.%m.%Y") in printed
    assert page.locator("article.receipt img").evaluate("img => img.naturalWidth") > 0  # the QR code
    page.context.close()

    # The officer answers in the remark's language; the worker renders the letter.
    services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator, agency=world.mia,
                               assignee=officer)
    page = open_as(browser, live_server, officer)
    page.goto(f"{live_server.url}{remark.get_absolute_url()}")
    resolve = page.locator("#action-resolve")
    resolve.locator("summary").click()
    resolve.locator("textarea[name=resolve-text]").fill(KK_ANSWER)
    resolve.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{remark.get_absolute_url()}")
    assert Remark.objects.get(pk=remark.pk).status == Status.RESOLVED
    letter = Letter.objects.get(response__remark=remark)
    assert letter.is_rendered
    with page.expect_download() as download:
        page.click(f"a[href$='/letters/{letter.outgoing_number}/']")
    assert download.value.suggested_filename == f"{letter.outgoing_number}.pdf"
    page.context.close()

    # Anyone holding the letter checks its number, and sees no personal data.
    context = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    page.goto(f"{live_server.url}/verify/")
    page.fill("input[name=number]", letter.outgoing_number)
    page.fill("input[name=code]", letter.code)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    result = page.locator(".verify-result").inner_text()
    assert letter.outgoing_number in result and remark.reference in result and letter.pdf_sha256 in result
    assert "Alice" not in result and "Oscar" not in result and remark.title not in result
    context.close()
