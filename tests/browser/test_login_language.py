"""The demo commissioner comes in by the public home, logs in in Kazakh, lands on their remarks, and switches
to English."""

from django.core.management import call_command
from django.test import override_settings

DEMO_PASSWORD = "browser-demo-password-2026"


@override_settings(SEED_DEMO_PASSWORD=DEMO_PASSWORD)
def test_commissioner_logs_in_in_kazakh_and_switches_to_english(page, live_server, transactional_db):
    call_command("seed_demo", force=True, verbosity=0)
    # A visitor lands on the public home, in Kazakh, and follows its login link.
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "kk"
    page.locator("main a[href='/accounts/login/']").first.click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "kk"

    page.fill("input[name=username]", "commissioner")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(f"{live_server.url}/remarks/mine/")
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.locator("table tbody tr").count() >= 1
    assert page.get_by_text("R-20", exact=False).first.is_visible()

    page.locator("form.lang button[value=en]").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/remarks/mine/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="My remarks").is_visible()
