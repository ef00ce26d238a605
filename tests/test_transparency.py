"""The public transparency page: the same figures as leadership sees, no personal data,
no login, read from the facts on every request (no cache)."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from remarks import services
from remarks.models import Remark
from remarks.workflow import Action, Status
from tests import test_stats
from tests.test_stats import TITLES

# The statistics tests' fixtures, found by pytest under these names (the cache cleared for
# every test, the dataset of 15 remarks).
_clear_cache = test_stats._clear_cache
dataset = test_stats.dataset

PAGE = "/transparency/"
# The page for an anonymous visitor, exact so that an added query shows up: the grouped sums
# of the facts (headline, split, working days, agencies and their holdings, their names, months
# and the open remarks per month) and the lookups of their checkpoints (the headline's in the
# summary checkpoints), nothing else. tests.test_stats pins the logged-in page on small and large data.
PAGE_QUERIES = 16
PEOPLE = ["Alice", "Author", "Bob Other", "Oscar", "Officer", "Nina", "Othagency", "Carol", "Coordinator",
          "Sam Secretary", "Hanna", "Ann Analyst"]


def test_anyone_sees_the_figures_without_logging_in(dataset, client):
    response = client.get(PAGE)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures["total"], figures["resolved"], figures["resolved_share"]) == (15, 7, 47)
    assert (figures["overdue"], figures["on_time_share"], figures["median_days"], figures["p90_days"]) == (
        2, 88, 4, 22)
    assert sum(figures["split"].values()) == 15
    assert [(r["code"], r["received"], r["answered"], r["median_days"]) for r in figures["agencies"]] == [
        ("MIA", 7, 3, 4), ("NIT", 1, 1, 4), ("MDDIAI", 0, 4, 6)]
    assert [(r["label"], r["received"], r["answered"], r["open"]) for r in figures["months"]] == [
        ("2026-06", 15, 7, 7), ("2026-07", 0, 1, 6)]
    html = response.content.decode()
    assert html.count('role="img"') == 3
    assert "Ministry of Internal Affairs" in html


def test_public_figures_match_the_leadership_page(dataset, client, client_for, analyst):
    public = client.get(PAGE).context["figures"]
    internal = client_for(analyst).get("/stats/").context["figures"]
    for key in ("total", "split", "resolved_share", "overdue", "on_time", "median_days", "p90_days",
                "agencies", "months", "reopened"):
        assert public[key] == internal[key], key


def test_public_page_shows_no_personal_data_and_no_remark_texts(dataset, client):
    response = client.get(PAGE)
    html = response.content.decode()
    for name in PEOPLE:
        assert name not in html, name
    for title in TITLES.values():
        assert title not in html, title
    for text in ("Fixed in the release.", "Decision of the commission.", "Which browser?",
                 "The state fee is paid but the portal does not see it."):
        assert text not in html
    assert "commissioners" not in response.context["figures"]
    assert "commissioners" not in response.context["tables"]


def test_a_closure_shows_on_both_pages_in_the_very_next_request(dataset, client, client_for, analyst, officer):
    """No time-based cache: the facts are written with the event, the pages read them."""
    leadership = client_for(analyst)
    pages = {"public": lambda: client.get(PAGE), "stats": lambda: leadership.get("/stats/")}
    before = {name: page().context["figures"] for name, page in pages.items()}
    r10 = Remark.objects.get(pk=dataset["r10"].pk)
    services.remark_transition(remark=r10, action=Action.RESOLVE, actor=officer, text="Fixed today.")
    for name, page in pages.items():
        with CaptureQueriesContext(connection) as queries:
            after = page().context["figures"]
        old = before[name]
        assert (after["resolved"], after["answered"], after["open"], after["overdue"]) == (
            old["resolved"] + 1, old["answered"] + 1, old["open"] - 1, old["overdue"] - 1), name
        if name == "public":
            assert len(queries.captured_queries) == PAGE_QUERIES


def test_each_page_says_when_it_was_computed(dataset, client):
    html = client.get(PAGE).content.decode()
    assert 'id="computed-at">Computed at 15:00 ' in html


def test_each_language_has_its_own_cached_figures(dataset, client):
    kazakh = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    russian = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<html lang="kk">' in kazakh and "Ministry of Internal Affairs (kk)" in kazakh
    assert '<html lang="ru">' in russian and "Ministry of Internal Affairs (ru)" in russian
    assert "Ministry of Internal Affairs (kk)" not in russian


def test_public_tables_export_without_login(dataset, client):
    response = client.get("/transparency/export/split.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Outcome", "Remarks", "% of received"]
    assert sum(int(row[1]) for row in rows[1:]) == 15
    assert client.get("/transparency/export/agencies.xlsx").status_code == 200


@pytest.mark.parametrize("table", ["commissioners", "categories", "services"])
def test_tables_with_names_or_detail_are_not_exported_publicly(dataset, client, table):
    assert client.get(f"/transparency/export/{table}.csv").status_code == 404


def test_empty_installation_shows_zeros(client, world):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.context["figures"]["total"] == 0
    assert '<span class="value" id="figure-total">0</span>' in response.content.decode()


def test_the_public_split_has_a_place_for_every_status(dataset, client):
    figures = client.get(PAGE).context["figures"]
    assert set(figures["split"]) >= {status.value for status in Status if status != Status.RESOLVED}
