"""The tables of the statistics pages: what the page shows beside its charts and what the
exports write, built from the figures (remarks.stats.figures.compute)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from remarks.stats.figures import SPLIT, percent


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = True


@dataclass
class Table:
    slug: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    # Long tables (every commissioner, every service) show their top rows on the page; the
    # exports carry all of them.
    limit: int | None = None

    @property
    def hidden_rows(self) -> int:
        return max(len(self.rows) - self.limit, 0) if self.limit else 0


NAME = Column("name", _("Name"), numeric=False)
TOP_ROWS = 25


def _rows(records: list[dict], columns: list[Column], *, blank_name=None) -> list[list]:
    rows = []
    for record in records:
        values = [record.get(column.key) for column in columns]
        if blank_name is not None and columns[0].key == "name" and not values[0]:
            values[0] = blank_name
        rows.append(values)
    return rows


def build_tables(figures: dict, *, public: bool) -> dict[str, Table]:
    """The tables of a page, in the order they are shown."""
    total = figures["total"]
    headline_rows = [
        [_("Remarks and suggestions received"), total],
        [_("Remarks"), figures["remarks"]],
        [_("Suggestions"), figures["suggestions"]],
        [_("Resolved"), figures["resolved"]],
        # A bare "% o" reads to xgettext as a format directive, and msgmerge would then mark the
        # translations fuzzy: each such label says it is plain text.
        # xgettext:no-python-format
        [_("Resolved, % of received"), figures["resolved_share"]],
        [_("Still open"), figures["open"]],
        [_("Overdue now"), figures["overdue"]],
        # xgettext:no-python-format
        [_("Overdue, % of open"), figures["overdue_share"]],
        [_("Closed"), figures["closed"]],
        [_("Official answers"), figures["answered"]],
        [_("Answered on time"), figures["on_time"]],
        # xgettext:no-python-format
        [_("Answered on time, % of answers"), figures["on_time_share"]],
        [_("Median working days to close"), figures["median_days"]],
        [_("90th percentile of working days to close"), figures["p90_days"]],
        [_("Reopened after a disputed answer"), figures["reopened"]],
        # xgettext:no-python-format
        [_("Reopened, % of received"), figures["reopened_share"]],
    ]
    tables = {
        "headline": Table("headline", _("Headline figures"),
                          [Column("figure", _("Figure"), numeric=False), Column("value", _("Value"))],
                          headline_rows),
        "split": Table("split", _("What became of every remark"),
                       [Column("outcome", _("Outcome"), numeric=False), Column("count", _("Remarks")),
                        # xgettext:no-python-format
                        Column("share", _("% of received"))],
                       [[bucket.label, figures["split"][bucket.key],
                         percent(figures["split"][bucket.key], total)] for bucket in SPLIT]),
        "agencies": Table("agencies", _("Executing agencies"), [
            Column("name", _("Executing agency"), numeric=False), Column("received", _("Received")),
            Column("answered", _("Official answers")), Column("on_time", _("Answered on time")),
            Column("on_time_share", _("On time, %")),
            Column("median_days", _("Median working days to close")),
            Column("p90_days", _("90th percentile, working days")), Column("open", _("Still open")),
            Column("overdue", _("Overdue now")),
        ]),
        "months": Table("months", _("By month"), [
            Column("label", _("Month"), numeric=False), Column("received", _("Received")),
            Column("answered", _("Official answers")), Column("on_time", _("Answered on time")),
            Column("open", _("Open at the end of the month")),
        ]),
    }
    tables["agencies"].rows = _rows(figures["agencies"], tables["agencies"].columns)
    tables["months"].rows = _rows(figures["months"], tables["months"].columns)
    if not public:
        breakdown = [Column("received", _("Received")), Column("resolved", _("Resolved")),
                     Column("resolved_share", _("Resolved, %")), Column("open", _("Still open")),
                     Column("overdue", _("Overdue now")), Column("closed", _("Closed")),
                     Column("on_time_share", _("On time, %"))]
        tables["categories"] = Table("categories", _("By sector"),
                                     [Column("name", _("Sector"), numeric=False), *breakdown])
        tables["categories"].rows = _rows(figures["categories"], tables["categories"].columns)
        tables["services"] = Table("services", _("By service"),
                                   [Column("name", _("Service"), numeric=False), *breakdown], limit=TOP_ROWS)
        tables["services"].rows = _rows(figures["services"], tables["services"].columns,
                                        blank_name=_("No service given"))
        tables["commissioners"] = Table("commissioners", _("By digital commissioner"), [
            Column("name", _("Digital commissioner"), numeric=False),
            # For one agency, a commissioner's remarks it received (routed to it), as elsewhere.
            Column("filed", _("Received") if figures.get("routed") else _("Filed")),
            Column("resolved", _("Resolved")), Column("resolved_share", _("Resolved, %")),
            Column("supports_received", _("Supports received")),
            Column("supports_given", _("Supported others' remarks")),
        ], limit=TOP_ROWS)
        tables["commissioners"].rows = _rows(figures["commissioners"], tables["commissioners"].columns,
                                             blank_name="—")
        tables["co_executors"] = Table("co_executors", _("Co-executing agencies' contributions"), [
            Column("name", _("Co-executing agency"), numeric=False), Column("asked", _("Contributions asked")),
            Column("given", _("Contributions given")), Column("on_time", _("Given by the date asked")),
            Column("on_time_share", _("On time, %")), Column("waiting", _("Still waiting")),
        ])
        tables["co_executors"].rows = _rows(figures.get("co_executors", []), tables["co_executors"].columns)
    return tables


PUBLIC_TABLES = ("headline", "split", "agencies", "months")
