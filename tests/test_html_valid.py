"""Every page of the site is valid HTML: the Nu Html Checker finds no error on any page of the
enumerated list (tests/pages.py: each persona's pages, forms back with their errors, the page
after an action with its message) in Kazakh, Russian and English.

The pages are rendered by the test client into a folder and checked in one run of the checker
(it is a Java program: one start for all the pages). `make test` fetches the checker (VNU_JAR);
without Java or the checker the test is skipped, which REQUIRE_ALL=1 (CI) turns into a failure."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from tests import pages

# Templates are the same on every database: validated once, in the SQLite pass (the Makefile's
# PostgreSQL pass leaves this marker out).
pytestmark = pytest.mark.html_validation

ROOT = Path(__file__).resolve().parent.parent
# Where `make test` puts it: .venv/vnu/<version>/vnu.jar.
VNU_JAR = Path(os.environ.get("VNU_JAR") or next(iter(sorted((ROOT / ".venv" / "vnu").glob("*/vnu.jar"))),
                                                 ROOT / ".venv" / "vnu" / "vnu.jar"))

dataset = pages.dataset_fixture()


def checker() -> list[str]:
    java = shutil.which("java")
    if not java:
        pytest.skip("no Java to run the HTML checker (apt-get install default-jre-headless)")
    if not VNU_JAR.is_file():
        pytest.skip(f"no HTML checker at {VNU_JAR.relative_to(ROOT) if VNU_JAR.is_relative_to(ROOT) else VNU_JAR}"
                    " (make test fetches it)")
    # The checker's HTML schema needs a deeper stack than Java's default.
    return [java, "-Xss8m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]


def client(user, language: str) -> Client:
    result = Client()
    if user is not None:
        result.force_login(user)
    result.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return result


def render(page: pages.Page, url: str, browser: Client) -> str:
    if page.state in (pages.GET, pages.PUBLISHED):
        response = browser.get(url)
        assert response.status_code == 200, (str(page), response.status_code)
    elif page.state == pages.ERRORS:
        response = browser.post(url, {})
        assert response.status_code in (200, 400), (str(page), response.status_code)
    else:
        response = browser.post(url, {}, follow=True)
        assert response.redirect_chain and response.status_code == 200, (str(page), response.status_code)
    assert response["Content-Type"].startswith("text/html"), f"{page}: not a page? (tests/pages.py, ASIDE)"
    return response.content.decode()


def render_all(dataset, personas, folder: Path) -> dict[str, str]:
    """Write every page in every language under `folder`; answer file name -> what it shows."""
    users = {"anonymous": None, **personas}
    written = {}
    # The action marks the notifications read: its pages come last, so that the others show
    # the unread count the way a user sees it.
    first = pages.pages(states=(pages.GET, pages.PUBLISHED, pages.ERRORS))
    last = pages.pages(states=(pages.AFTER,))
    for batch in (first, last):
        for language in pages.LANGUAGES:
            browsers = {}
            for page in batch:
                browser = browsers.get(page.persona) or browsers.setdefault(
                    page.persona, client(users[page.persona], language))
                html = render(page, page.url(dataset), browser)
                assert f'<html lang="{language}"' in html, (str(page), language)
                name = f"{language}--{page.name.replace(':', '-')}--{page.persona}--{page.state}.html"
                (folder / name).write_text(html, encoding="utf-8")
                written[name] = f"{page} [{language}]"
    return written


def errors_of(report: dict, written: dict[str, str]) -> list[str]:
    found = []
    for message in report.get("messages", []):
        if message.get("type") not in ("error", "non-document-error"):
            continue
        name = Path(unquote(urlsplit(message.get("url", "")).path)).name
        where = written.get(name, name)
        line = message.get("lastLine", "?")
        extract = " ".join(message.get("extract", "").split())
        found.append(f"{where}, line {line}: {message.get('message')} [{extract}]")
    return sorted(found)


def test_every_page_is_valid_html(dataset, personas, tmp_path):
    command = checker()
    folder = tmp_path / "pages"
    folder.mkdir()
    written = render_all(dataset, personas, folder)
    assert len(written) == 3 * len(pages.pages())
    run = subprocess.run([*command, str(folder)], capture_output=True, text=True, timeout=600)
    # The JSON report is on standard error; the exit status is 1 when there are errors.
    assert run.stderr.startswith("{"), (run.stdout + run.stderr)[-2000:]
    report = json.loads(run.stderr)
    found = errors_of(report, written)
    assert not found, f"{len(found)} HTML errors:\n" + "\n".join(found)
    assert run.returncode == 0, (run.stdout + run.stderr)[-2000:]


def test_the_checker_reports_an_error_with_its_page(tmp_path):
    """The check can fail: a page with a duplicate id and a stray end tag is reported, by name."""
    command = checker()
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "bad.html").write_text(
        '<!doctype html><html lang="kk"><head><meta charset="utf-8"><title>t</title></head>'
        '<body><p id="x">a</p><p id="x">b</p></div></body></html>', encoding="utf-8")
    (folder / "good.html").write_text(
        '<!doctype html><html lang="kk"><head><meta charset="utf-8"><title>t</title></head>'
        "<body><p>a</p></body></html>", encoding="utf-8")
    run = subprocess.run([*command, str(folder)], capture_output=True, text=True, timeout=120)
    found = errors_of(json.loads(run.stderr), {"bad.html": "the bad page", "good.html": "the good page"})
    assert any("the bad page" in line and "Duplicate ID" in line for line in found), found
    assert any("the bad page" in line and "div" in line for line in found), found
    assert not any("the good page" in line for line in found), found
