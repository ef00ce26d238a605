"""The site answers in a real browser."""


def test_health_check_answers_in_the_browser(page, live_server):
    page.goto(f"{live_server.url}/healthz")
    assert "ok" in page.inner_text("body")
