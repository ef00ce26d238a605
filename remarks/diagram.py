"""The workflow table drawn as an inline SVG state diagram, built on the server from
remarks.workflow.TRANSITIONS so the picture can never disagree with the rules.

Only presentation attributes (fill=, stroke=) are used: no style attributes, so the strict
Content-Security-Policy holds. Labels are the translated labels of the active language."""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from remarks import workflow
from remarks.workflow import Status

BOX_W, BOX_H = 190, 40
COL_X = (10, 300, 590)
ROW_GAP = 78
TOP = 20
LEGEND_LINE = 22


def _columns() -> list[list[Status]]:
    """Where a remark starts (no action leads into it), the other open states, the closed ones."""
    targets = {t for tr in workflow.TRANSITIONS.values() for t in tr.targets}
    start = [s for s in Status if s not in targets]
    middle = [s for s in Status if workflow.is_open(s) and s not in start]
    return [start, middle, [s for s in Status if workflow.is_closed(s)]]


def _positions() -> dict[Status, tuple[float, float]]:
    """The centre of each state's box."""
    columns = _columns()
    tallest = max(len(c) for c in columns)
    centres = {}
    for x, column in zip(COL_X, columns, strict=False):
        offset = (tallest - len(column)) * ROW_GAP / 2
        for row, status in enumerate(column):
            centres[status] = (x + BOX_W / 2, TOP + offset + row * ROW_GAP + BOX_H / 2)
    return centres


def _edges() -> list[tuple[int, Status, Status]]:
    """(number of the action, from, to); "the state it came from" becomes one edge per state
    that can lead into the source."""
    edges = []
    for number, transition in enumerate(workflow.TRANSITIONS.values(), start=1):
        if transition.stays:
            continue  # no arrow: the state does not change (the table below lists them)
        for source in sorted(transition.sources, key=list(Status).index):
            for target in transition.targets:
                if target == workflow.RETURN:
                    for back in sorted({s for t in workflow.TRANSITIONS.values() if source in t.targets
                                        for s in t.sources}, key=list(Status).index):
                        edges.append((number, source, Status(back)))
                else:
                    edges.append((number, source, Status(target)))
    return edges


def _border(centre, towards) -> tuple[float, float]:
    """Where the line from a box's centre towards a point leaves the box."""
    (cx, cy), (tx, ty) = centre, towards
    dx, dy = tx - cx, ty - cy
    if dx == dy == 0:
        return cx, cy
    scale = min((BOX_W / 2 + 4) / abs(dx) if dx else math.inf, (BOX_H / 2 + 4) / abs(dy) if dy else math.inf)
    return cx + dx * scale, cy + dy * scale


LABEL_R = 10
# Where along its curve an arrow's number may sit, best first: the middle, then nearer the ends.
LABEL_STEPS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78)


def _free_spot(candidates, taken: list[tuple[float, float]]) -> tuple[float, float] | None:
    """The first candidate point whose number circle overlaps no circle placed before, nor a
    state's box (where it would hide the state's name); None when every one is in the way."""
    boxes = list(_positions().values())

    def clear(point) -> bool:
        x, y = point
        if any(math.hypot(x - tx, y - ty) < 2 * LABEL_R + 3 for tx, ty in taken):
            return False
        return not any(abs(x - bx) < BOX_W / 2 + LABEL_R + 2 and abs(y - by) < BOX_H / 2 + LABEL_R + 2
                       for bx, by in boxes)

    return next((point for point in candidates if clear(point)), None)


def _curve(a, b, bend: float):
    """A quadratic curve from box a to box b bent to its right by `bend`, and the points
    along it where its number may sit."""
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy)
    control = (mx - dy / length * bend, my + dx / length * bend)
    start, end = _border(a, control), _border(b, control)
    path = f"M{start[0]:.0f},{start[1]:.0f} Q{control[0]:.0f},{control[1]:.0f} {end[0]:.0f},{end[1]:.0f}"
    spots = [((1 - t) ** 2 * start[0] + 2 * (1 - t) * t * control[0] + t * t * end[0],
              (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * control[1] + t * t * end[1]) for t in LABEL_STEPS]
    return path, spots


def _edge_svg(number: int, a, b, bend: float, taken: list[tuple[float, float]]) -> str:
    if a == b:  # an action that stays in the same state: a loop over the box
        x, y = a[0] + (number % 4 - 1.5) * 30, a[1] - BOX_H / 2
        path = f"M{x - 8:.0f},{y:.0f} C{x - 22:.0f},{y - 34:.0f} {x + 22:.0f},{y - 34:.0f} {x + 8:.0f},{y:.0f}"
        label = (x, y - 30)
    else:
        # Bend every edge to its own right, so A→B and B→A do not lie on each other; bend it
        # further while its number would sit on another number or on a state.
        path, spots = _curve(a, b, bend)
        label = spots[0]
        for extra in range(0, 240, 12):
            curve, candidates = _curve(a, b, bend + extra)
            spot = _free_spot(candidates, taken)
            if spot:
                path, label = curve, spot
                break
    taken.append(label)
    return (
        f'<path d="{path}" fill="none" stroke="#4a5568" stroke-width="1.4" marker-end="url(#wf-arrow)"/>'
        f'<circle cx="{label[0]:.0f}" cy="{label[1]:.0f}" r="{LABEL_R}" fill="#ffffff" stroke="#2b6cb0"/>'
        f'<text x="{label[0]:.0f}" y="{label[1] + 4:.0f}" text-anchor="middle" font-size="12" '
        f'fill="#2b6cb0">{number}</text>'
    )


# The most characters of 13-unit type a legend line holds inside the drawing (8 units each at most).
LEGEND_CHARS = (COL_X[-1] + BOX_W - 40) // 8


def _legend_lines(action: str, who: str) -> list[tuple[str, str]]:
    """An action and who takes it, as (action, who) lines short enough for the drawing's width."""
    lines = [[action, ""]]
    for word in f"({who})".split():
        line = lines[-1]
        if len(line[0]) + len(line[1]) + 1 + len(word) > LEGEND_CHARS:
            lines.append(["", word])
        else:
            line[1] = f"{line[1]} {word}".strip()
    return [(first, second) for first, second in lines]


def workflow_svg() -> SafeString:
    centres = _positions()
    transitions = list(workflow.TRANSITIONS.values())
    height_states = max(y for _x, y in centres.values()) + BOX_H / 2 + 30
    width = COL_X[-1] + BOX_W + 10
    legend = [_legend_lines(str(t.action.label), ", ".join(
        str(role.label) for role in sorted(t.roles, key=list(workflow.Role).index))) for t in transitions]
    height = height_states + 30 + LEGEND_LINE * sum(len(lines) for lines in legend)
    title = escape(_("The workflow of a remark: states and the actions between them"))
    parts = [
        f'<svg class="workflow-diagram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="100%" role="img" aria-labelledby="wf-title"><title id="wf-title">{title}</title>',
        '<defs><marker id="wf-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#4a5568"/></marker></defs>',
    ]
    seen_pairs: dict[tuple, int] = {}
    taken: list[tuple[float, float]] = []
    for number, source, target in _edges():
        pair = (source, target)
        seen_pairs[pair] = seen_pairs.get(pair, 0) + 1
        bend = 18 + 16 * (seen_pairs[pair] - 1)
        parts.append(_edge_svg(number, centres[source], centres[target], bend, taken))
    for status, (cx, cy) in centres.items():
        closed = workflow.is_closed(status)
        parts.append(
            f'<g class="wf-state wf-{"closed" if closed else "open"}">'
            f'<rect x="{cx - BOX_W / 2:.0f}" y="{cy - BOX_H / 2:.0f}" width="{BOX_W}" height="{BOX_H}" rx="8" '
            f'fill="{"#edf2f7" if closed else "#ebf8ff"}" stroke="{"#718096" if closed else "#2b6cb0"}" '
            f'stroke-width="1.5"/>'
            f'<text x="{cx:.0f}" y="{cy + 5:.0f}" text-anchor="middle" font-size="13" fill="#1a202c">'
            f'{escape(status.label)}</text></g>'
        )
    y = height_states + 20
    for number, lines in enumerate(legend, start=1):
        parts.append(
            f'<circle cx="20" cy="{y - 4:.0f}" r="{LABEL_R}" fill="#ffffff" stroke="#2b6cb0"/>'
            f'<text x="20" y="{y:.0f}" text-anchor="middle" font-size="12" fill="#2b6cb0">{number}</text>'
        )
        for action, who in lines:
            parts.append(f'<text x="38" y="{y:.0f}" font-size="13" fill="#1a202c">{escape(action)} '
                         f'<tspan fill="#4a5568">{escape(who)}</tspan></text>')
            y += LEGEND_LINE
    parts.append("</svg>")
    return mark_safe("".join(parts))
