"""No page has a serious or critical accessibility violation: axe-core (vendored, a test tool,
never served by the site) runs in Chromium on every page of the enumerated list
(tests/pages.py) as each persona in Kazakh, and on each of its URLs in Russian and English
(plan() below says why).

The site's Content-Security-Policy forbids scripts it did not serve, so this test alone opens
its pages in a context that bypasses the policy to inject axe. One context per persona, logged
in once; the language is the language cookie, as the site's switcher sets it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.test import Client

from tests import pages

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_VERSION = "4.14.1"
SEVERE = ("serious", "critical")

dataset = pages.dataset_fixture()

RUN_AXE = """async (severe) => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.filter(v => severe.includes(v.impact)).map(v => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ") + " " + n.html.slice(0, 120)),
  }));
}"""

# An empty POST to `action` from the page in the browser, as a form with only the page's own
# CSRF token would send it (the language switcher's form carries one on every page).
POST_EMPTY = """(action) => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = action;
  const token = document.createElement("input");
  token.type = "hidden";
  token.name = "csrfmiddlewaretoken";
  token.value = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  form.append(token);
  document.body.append(form);
  form.submit();
}"""


def context_for(browser, live_server, user):
    context = browser.new_context(bypass_csp=True, locale="kk-KZ", viewport={"width": 1280, "height": 800})
    context.add_init_script(path=str(AXE))  # in every page as it opens, before the site's own
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                              "url": live_server.url}])
    return context


def speak(context, live_server, language: str) -> None:
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])


def visit(tab, live_server, page: pages.Page, url: str) -> None:
    if page.state in (pages.GET, pages.PUBLISHED):
        response = tab.goto(live_server.url + url)
        assert response.status == 200, (str(page), response.status)
        return
    # From a page of the site, for its CSRF token: the POST and where it leads.
    if not tab.url.startswith(live_server.url) or not tab.locator("input[name=csrfmiddlewaretoken]").count():
        tab.goto(f"{live_server.url}/help/workflow/")
    with tab.expect_navigation() as navigation:
        tab.evaluate(POST_EMPTY, url)
    status = navigation.value.status
    expected = (200,) if page.state == pages.AFTER else (200, 400)
    assert status in expected, (str(page), status)
    if page.state == pages.AFTER:
        assert tab.url != live_server.url + url and tab.locator("main [role=status], main .messages").count(), str(page)


def violations(tab) -> list[dict]:
    if not tab.evaluate("typeof axe !== 'undefined'"):
        tab.add_script_tag(path=str(AXE))
    return tab.evaluate(RUN_AXE, list(SEVERE))


def plan() -> list[tuple[str, list[pages.Page]]]:
    """(language, pages) in the order they are visited. Every page of the list in Kazakh, the
    product's language; in Russian and English each URL once (its first persona), since what
    differs between personas is the navigation, which their Kazakh pages show; every form with
    its errors once per language. The HTML validation goes over every page in every language.
    The action marks the notifications read: its pages come last, so that the others show the
    unread count the way a user sees it."""
    every = pages.pages(states=(pages.GET, pages.PUBLISHED))
    errors = pages.one_per_url(pages.pages(states=(pages.ERRORS,)))
    after = pages.pages(states=(pages.AFTER,))
    first = [("kk", every + errors)] + [(language, pages.one_per_url(every) + errors) for language in ("ru", "en")]
    last = [("kk", after)] + [(language, pages.one_per_url(after)) for language in ("ru", "en")]
    return first + last


def test_no_page_has_a_serious_accessibility_violation(browser, live_server, dataset, personas):
    assert f"axe v{AXE_VERSION}" in AXE.read_text(encoding="utf-8")[:200]
    assert [language for language, _ in plan()[:3]] == list(pages.LANGUAGES)
    users = {"anonymous": None, **personas}
    tabs = {}
    found, checked = [], set()
    for language, listed in plan():
        for persona, its_pages in pages.by_persona(listed).items():
            if persona not in tabs:
                tabs[persona] = context_for(browser, live_server, users[persona]).new_page()
            tab = tabs[persona]
            speak(tab.context, live_server, language)
            for page in its_pages:
                visit(tab, live_server, page, page.url(dataset))
                assert tab.locator("html").get_attribute("lang") == language, (
                    f"{page} [{language}]: not a page? (tests/pages.py, ASIDE)")
                checked.add(page)
                for v in violations(tab):
                    for node in v["nodes"]:
                        found.append(f"{page} [{language}]: {v['rule']} ({v['impact']}: {v['help']}) at {node}")
    for tab in tabs.values():
        tab.context.close()
    assert not found, f"{len(found)} serious or critical violations:\n" + "\n".join(found)
    # Every URL in every state of the list was checked, and every page of it in Kazakh.
    assert {(p.name, p.state) for p in checked} == {(p.name, p.state) for p in pages.pages()}
    assert set(pages.pages(states=(pages.GET, pages.PUBLISHED, pages.AFTER))) <= checked


ADD_IMAGE_WITHOUT_TEXT = """() => {
  const img = document.createElement("img");
  img.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
  document.querySelector("main").append(img);
}"""


def test_axe_finds_a_violation_when_there_is_one(browser, live_server, db):
    """The check can fail: an image without alternative text on a real page is reported."""
    tab = context_for(browser, live_server, None).new_page()
    tab.goto(f"{live_server.url}/help/workflow/")
    tab.evaluate(ADD_IMAGE_WITHOUT_TEXT)
    rules = {v["rule"] for v in violations(tab)}
    tab.context.close()
    assert "image-alt" in rules
