"""The statistics tables' rows, rendered in Python: a page shows about 750 cells, and a
template loop with a condition and a translated label per cell cost more than its figures."""

from django import template
from django.utils.formats import localize
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def stats_rows(table) -> SafeString:
    """The table's shown rows: the first cell heads its row, each other cell carries its
    column's label (read by narrow screens, responsive-table in the stylesheet). Values are
    localized and escaped as `{{ value }}` would be, each distinct value once."""
    rows = table.rows[:table.limit]
    if not rows:
        return format_html('\n    <tr><td colspan="{}">{}</td></tr>\n  ', len(table.columns),
                           _("No remarks match these filters."))
    labels = [escape(column.label) for column in table.columns[1:]]
    shown: dict = {}

    def cell(value) -> str:
        key = (type(value), value)
        if key not in shown:
            shown[key] = "—" if value is None else escape(localize(value))
        return shown[key]

    return mark_safe("".join(
        f'\n    <tr><th scope="row">{cell(row[0])}</th>'
        + "".join(f'<td class="num" data-label="{label}">{cell(value)}</td>'
                  for label, value in zip(labels, row[1:], strict=True))
        + "</tr>\n  "
        for row in rows))
