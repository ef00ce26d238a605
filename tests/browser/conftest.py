"""Playwright in the system Chromium (Debian's /usr/bin/chromium, or $CHROMIUM).

Playwright's own browser download is not possible on a closed network, so the tests launch
the distribution's Chromium. Every test in this folder is marked `browser`: `make test` runs
them in their own pass (`pytest -m browser`) and leaves them out of the others.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    """Playwright's sync API leaves an asyncio loop running in the test thread, so Django
    refuses the ORM calls of the tests, of live_server and of the test database's setup and
    teardown ("You cannot call this from an async context") unless this variable is set.

    Set here, for the session of a run that reaches a browser test, rather than when this
    file is imported: every run collects this folder, and the variable must not leak into
    the other tests (manage.py check --deploy in a subprocess rejects it: async.E001)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def chromium_path() -> str:
    return os.environ.get("CHROMIUM") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = list(browser_type_launch_args.get("args") or [])
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "headless": browser_type_launch_args.get("headless", True),
        "args": args + [arg for arg in CHROMIUM_ARGS if arg not in args],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "kk-KZ", "viewport": {"width": 1280, "height": 800}}


def pytest_collection_modifyitems(config, items):
    """Mark the tests of this folder `browser` and run them after all others, so that a
    plain `pytest` sets DJANGO_ALLOW_ASYNC_UNSAFE (above) only once the rest has run."""
    browser_items = []
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            browser_items.append(item)
    if browser_items:
        chosen = set(map(id, browser_items))
        items[:] = [item for item in items if id(item) not in chosen] + browser_items
