"""The statistics tables' rows (remarks/templatetags/stats_tags.py): what a reader of the page
sees in each cell, and what a narrow screen reads beside it."""

import pytest
from django.template import Context, Template
from django.utils import translation

from remarks.stats.tables import Column, Table


def render(table: Table, language: str = "en") -> str:
    with translation.override(language):
        return Template("{% load stats_tags %}{% stats_rows table %}").render(Context({"table": table}))


def league(limit=None) -> Table:
    return Table("agencies", "Executing agencies", [
        Column("name", "Executing agency", numeric=False), Column("received", "Received"),
        Column("median_days", "Median working days to close")],
        rows=[["Ministry <of> Justice", 1234567, None], ["Akimat & Co", 2, 7]], limit=limit)


def test_each_cell_carries_its_own_columns_label():
    html = render(league())
    assert ('<tr><th scope="row">Ministry &lt;of&gt; Justice</th><td class="num" data-label="Received">1234567</td>'
            '<td class="num" data-label="Median working days to close">—</td></tr>') in html
    assert ('<tr><th scope="row">Akimat &amp; Co</th><td class="num" data-label="Received">2</td>'
            '<td class="num" data-label="Median working days to close">7</td></tr>') in html


def test_a_long_table_shows_its_top_rows_only():
    html = render(league(limit=1))
    assert "Ministry &lt;of&gt; Justice" in html and "Akimat" not in html


@pytest.mark.parametrize(("language", "message"), [
    ("en", "No remarks match these filters."),
    ("ru", "Нет замечаний, соответствующих фильтрам."),
    ("kk", "Бұл сүзгілерге сәйкес ескертулер жоқ."),
])
def test_an_empty_table_says_so_in_the_readers_language(language, message):
    table = league()
    table.rows = []
    assert f'<tr><td colspan="3">{message}</td></tr>' in render(table, language)
