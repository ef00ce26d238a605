"""Every role's main pages read on a phone (360 px) and a desktop (1280 px) in Kazakh,
Russian and English: nothing wider than the screen (a wide table scrolls in its own box),
no reference, date, number or header word broken over two lines, and on a phone the remark's
status and due date come before its history and comments.

One browser context per language walks all the pages of all the roles, each at both widths:
the demo data once per language, not once per page."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from agencies.models import CommissionSession
from remarks.models import Remark
from remarks.workflow import Status

WIDTHS = (360, 1280)

# Words inside the cells that must stay whole: headers, references, dates, numbers, badges.
# A word cut over two lines has two boxes (a Range's client rects), a whole one has one.
BROKEN_WORDS_JS = """() => {
  const broken = [];
  const cells = document.querySelectorAll(
    "table th, table .ref, table .date, table td.num, table .badge, table time");
  for (const cell of cells) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""

OVERFLOW_JS = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"

# The widest element sticking out of the page, to say what to fix when the page is too wide.
CULPRIT_JS = """() => {
  const width = window.innerWidth;
  let worst = null;
  for (const el of document.querySelectorAll("body *")) {
    const right = el.getBoundingClientRect().right;
    if (right > width + 1 && el.closest(".table-wrap") === null && (!worst || right > worst[1])) {
      worst = [el.tagName.toLowerCase() + "." + el.className + " " + (el.textContent || "").trim().slice(0, 40), right];
    }
  }
  return worst;
}"""

# The charts and the workflow diagram: type smaller than 12 px as rendered, and texts drawn
# over one another (a legend's labels, an arrow's numbers), with 2 px of tolerance.
DRAWINGS_JS = """() => {
  const small = [], overlaps = [];
  for (const svg of document.querySelectorAll("svg.chart-svg, svg.workflow-diagram")) {
    const texts = [...svg.querySelectorAll("text")].filter(t => t.textContent.trim());
    const boxes = texts.map(t => t.getBoundingClientRect());
    texts.forEach((text, i) => {
      const size = parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a;
      if (size < 11.95) small.push(text.textContent.trim().slice(0, 24) + " " + size.toFixed(1) + "px");
      for (let j = 0; j < i; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.left < b.right - 2 && b.left < a.right - 2 && a.top < b.bottom - 2 && b.top < a.bottom - 2) {
          overlaps.push(text.textContent.trim().slice(0, 24) + " / " + texts[j].textContent.trim().slice(0, 24));
        }
      }
    });
  }
  return [small, overlaps];
}"""
DRAWING_PAGES = ("/stats/", "/transparency/", "/help/workflow/")

# On the remark page: top of the status card, of the history and of the comments.
ORDER_JS = """() => [
  document.querySelector(".remark-side dl.meta").getBoundingClientRect().top,
  document.querySelector("ol.timeline").getBoundingClientRect().top,
  document.querySelector("#comments").getBoundingClientRect().top,
]"""


@pytest.fixture
def demo(transactional_db, settings):
    # The pages, not the second factor: staff sign in without it here (tested elsewhere).
    settings.STAFF_2FA_REQUIRED = False
    call_command("seed_demo", force=True, stdout=io.StringIO())


def _session_cookie(live_server, username: str) -> dict:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url}


def _remark_of(**lookup) -> str:
    remark = Remark.objects.filter(**lookup).order_by("-submitted_at").first()
    assert remark is not None, lookup
    return remark.get_absolute_url()


def _pages_by_role() -> dict[str | None, list[str]]:
    """The main pages of each role, from the demo data (None: a visitor)."""
    session = CommissionSession.objects.order_by("-held_on").first()
    common = ["/notifications/", "/transparency/", "/help/workflow/", "/meetings/"]
    return {
        None: ["/", "/public/", "/transparency/", "/help/workflow/", "/accounts/login/"],
        "commissioner": ["/remarks/mine/", "/remarks/new/", "/remarks/",
                         *(remark.get_absolute_url() for remark in
                           Remark.objects.filter(author__username="commissioner").order_by("-submitted_at")[:2]),
                         *common],
        "coordinator": ["/remarks/", "/remarks/?view=all", _remark_of(status=Status.SUBMITTED),
                        _remark_of(status=Status.ESCALATED), "/public/moderation/", *common],
        "officer": ["/remarks/", _remark_of(agency__code="MIA", status=Status.IN_REVIEW),
                    _remark_of(agency__code="MIA", status=Status.RESOLVED), "/notifications/"],
        "secretary": ["/commission/", f"/commission/sessions/{session.pk}/"],
        "analyst": ["/stats/", "/transparency/"],
    }


TABLE_PAGES = ("/remarks/", "/remarks/mine/", "/remarks/?view=all")


def test_main_pages_fit_a_phone_and_keep_words_whole(browser, live_server, demo):
    pages = _pages_by_role()
    problems = []
    for language in ("kk", "ru", "en"):
        problems += _walk(browser, live_server, pages, language)
    assert problems == [], "\n".join(problems)


def _walk(browser, live_server, pages, language) -> list[str]:
    context = browser.new_context(locale={"kk": "kk-KZ", "ru": "ru-RU", "en": "en-US"}[language],
                                  extra_http_headers={"Accept-Language": language})
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page = context.new_page()
    problems = []
    for role, paths in pages.items():
        context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
        if role:
            context.add_cookies([_session_cookie(live_server, role)])
        for path in paths:
            page.set_viewport_size({"width": WIDTHS[0], "height": 740})
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, (role, path, response.status)
            assert page.locator("html").get_attribute("lang") == language
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 740 if width < 800 else 900})
                scroll_width, inner_width = page.evaluate(OVERFLOW_JS)
                if scroll_width > inner_width:
                    problems.append(f"{role} {path} at {width}px: {scroll_width}px wide, "
                                    f"{page.evaluate(CULPRIT_JS)}")
                if path in TABLE_PAGES:
                    assert page.locator("table .ref").count() > 0, (role, path)
                    broken = page.evaluate(BROKEN_WORDS_JS)
                    if broken:
                        problems.append(f"{role} {path} at {width}px: words broken over two lines: {broken[:8]}")
                if path in DRAWING_PAGES:
                    small, overlaps = page.evaluate(DRAWINGS_JS)
                    if small or overlaps:
                        problems.append(f"{role} {path} at {width}px: small type {small[:5]}, "
                                        f"texts over one another {overlaps[:5]}")
                if path.startswith("/remarks/R-"):
                    status, history, comments = page.evaluate(ORDER_JS)
                    if width < 800 and not status < history < comments:
                        problems.append(f"{role} {path} at {width}px: status at {status}, history at {history}")
    context.close()
    return [f"{language}: {problem}" for problem in problems]
