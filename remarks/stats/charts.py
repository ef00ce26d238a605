"""Charts as server-rendered SVG: no JavaScript, no inline styles (strict CSP).

Every chart is an `<svg role="img">` labelled by its `<title>` and `<desc>`; the page puts
the same figures in a table beside it for screen readers and for copying. Colours come
from classes in static/css/stats.css. Every text put into the markup is escaped
(`format_html` escapes its arguments)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Drawn narrow: on a 360 px phone the chart is shown at about 300 px, so its type (14 units,
# stats.css) still reads at 12 px or more; on a desktop the stylesheet caps how far it grows.
WIDTH = 340
# What a character of the legend's 14-unit type takes at most, to lay the legend out in rows.
CHAR_WIDTH = 9
LEGEND_ROW = 22


@dataclass(frozen=True)
class Series:
    key: str  # CSS class suffix: series-<key>
    label: str


def _svg(chart_id: str, title: str, description: str, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" viewBox="0 0 {} {}" '
        'width="{}" height="{}" preserveAspectRatio="xMinYMin meet" aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH, height, WIDTH, height, chart_id, chart_id, chart_id, title, chart_id, description, body,
    )


def _empty(chart_id: str, title: str) -> SafeString:
    message = _("No remarks match these filters.")
    body = format_html('<text class="chart-text chart-muted" x="{}" y="40" text-anchor="middle">{}</text>',
                       WIDTH // 2, message)
    return _svg(chart_id, title, message, 64, body)


def _clip(text: str, limit: int = 34) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scale(maximum: int) -> int:
    """A round upper bound for an axis: 1, 2, 5 × 10ⁿ."""
    maximum = max(int(maximum), 1)
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= maximum:
                return step * factor
        step *= 10


def _legend(series: Sequence[Series], y: int) -> tuple[SafeString, int]:
    """The swatches and their labels, in as many rows as the width needs (never one on
    top of another); returns the markup and the height it takes."""
    parts, x, rows = [], 0, 1
    for item in series:
        label = _clip(item.label, (WIDTH - 20) // CHAR_WIDTH)
        width = 20 + CHAR_WIDTH * len(label)
        if x and x + width > WIDTH:
            x, y, rows = 0, y + LEGEND_ROW, rows + 1
        parts.append(format_html(
            '<rect class="series-{}" x="{}" y="{}" width="14" height="14"></rect>'
            '<text class="chart-text" x="{}" y="{}">{}</text>',
            item.key, x, y - 11, x + 20, y, label,
        ))
        x += width + 12
    return mark_safe("".join(parts)), rows * LEGEND_ROW + 8


def bar_chart(*, chart_id: str, title: str, items: Sequence[tuple[str, int, str]]) -> SafeString:
    """Horizontal bars, one per item (label, value, CSS class). The label sits above its bar
    so that long labels stay readable on a phone."""
    if not items or not any(value for _label, value, _cls in items):
        return _empty(chart_id, title)
    top = _scale(max(value for _label, value, _cls in items))
    row, bar_width = 40, WIDTH - 60
    parts = []
    for index, (label, value, css) in enumerate(items):
        y = index * row
        width = round(bar_width * value / top, 1)
        parts.append(format_html(
            '<text class="chart-text" x="0" y="{}">{}</text>'
            '<rect class="bar {}" x="0" y="{}" width="{}" height="14" rx="2"></rect>'
            '<text class="chart-value" x="{}" y="{}">{}</text>',
            y + 14, _clip(label), css, y + 20, max(width, 1), width + 6, y + 32, value,
        ))
    description = "; ".join(f"{label}: {value}" for label, value, _cls in items)
    return _svg(chart_id, title, description, len(items) * row + 4, mark_safe("".join(parts)))


def grouped_bars(*, chart_id: str, title: str, series: Sequence[Series],
                 groups: Sequence[tuple[str, Sequence[int]]]) -> SafeString:
    """Several horizontal bars per group, side by side (e.g. received, closed and overdue per agency)."""
    if not groups or not any(any(values) for _label, values in groups):
        return _empty(chart_id, title)
    top = _scale(max(max(values) for _label, values in groups))
    bar, gap, bar_width = 14, 4, WIDTH - 60
    legend, legend_height = _legend(series, 16)
    group_height = 20 + len(series) * (bar + gap) + 12
    parts = [legend]
    for index, (label, values) in enumerate(groups):
        y = legend_height + index * group_height
        parts.append(format_html('<text class="chart-text" x="0" y="{}">{}</text>', y + 14, _clip(label)))
        for offset, (item, value) in enumerate(zip(series, values, strict=True)):
            by = y + 20 + offset * (bar + gap)
            width = round(bar_width * value / top, 1)
            parts.append(format_html(
                '<rect class="bar series-{}" x="0" y="{}" width="{}" height="{}" rx="2"></rect>'
                '<text class="chart-value chart-small" x="{}" y="{}">{}</text>',
                item.key, by, max(width, 1), bar, width + 6, by + bar - 2, value,
            ))
    description = "; ".join(
        f"{label}: " + ", ".join(f"{item.label} {value}" for item, value in zip(series, values, strict=True))
        for label, values in groups
    )
    height = legend_height + len(groups) * group_height
    return _svg(chart_id, title, description, height, mark_safe("".join(parts)))


def line_chart(*, chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series],
               values: Sequence[Sequence[int]]) -> SafeString:
    """One line per series over the labels (months), with a dot at every point."""
    if not labels:
        return _empty(chart_id, title)
    legend, legend_height = _legend(series, 16)
    plot_h, left, right, bottom = 200, 44, 16, 40
    top_margin = legend_height + 10
    height = top_margin + plot_h + bottom
    plot_w = WIDTH - left - right
    top = _scale(max((max(v) for v in values if v), default=1))
    count = len(labels)

    def x(i: int) -> float:
        return round(left + (plot_w * (i + 0.5) / count), 1)

    def y(v: int) -> float:
        return round(top_margin + plot_h - plot_h * v / top, 1)

    parts = [legend]
    for step in range(5):
        value = top * step // 4
        parts.append(format_html(
            '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
            '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
            left, WIDTH - right, y(value), y(value), left - 6, y(value) + 4, value,
        ))
    # Each axis label takes about 60 units (a month as "06.2026"): at most one per 60.
    every = max(1, -(-count // (plot_w // 60)))
    for i, label in enumerate(labels):
        if (count - 1 - i) % every == 0:  # counted from the latest month, which is always named
            parts.append(format_html('<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                                     x(i), height - bottom + 24, label))
    for item, points in zip(series, values, strict=True):
        coordinates = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(points))
        parts.append(format_html('<polyline class="line series-{}" points="{}"></polyline>',
                                 item.key, coordinates))
        parts.append(format_html_join(
            "", '<circle class="dot series-{}" cx="{}" cy="{}" r="3.5"></circle>',
            ((item.key, x(i), y(v)) for i, v in enumerate(points)),
        ))
    pairs = list(zip(series, values, strict=True))
    description = "; ".join(
        f"{label}: " + ", ".join(f"{item.label} {points[i]}" for item, points in pairs)
        for i, label in enumerate(labels)
    )
    return _svg(chart_id, title, description, height, mark_safe("".join(parts)))
