"""Working-day arithmetic for the appeals deadlines (APPC of Kazakhstan, art. 76).

Working days skip Saturdays, Sundays and Kazakhstan's public holidays with their
observed days. The day of filing is not counted; a remark filed on a day off is
registered on the next working day. How many days each term lasts is in remarks.terms.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache

import holidays
from django.utils import timezone

from remarks.terms import ANSWER_WORKING_DAYS, EXTENSION_LIMIT_MONTHS, ROUTING_WORKING_DAYS


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[dt.date]:
    # The calendar is law, not data: caching it per process is safe on any number of nodes.
    return frozenset(holidays.country_holidays("KZ", years=year).keys())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays_of(day.year)


@lru_cache(maxsize=4096)
def next_working_day(day: dt.date) -> dt.date:
    """The day itself when it is a working day, otherwise the first one after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def last_working_day_by(day: dt.date) -> dt.date:
    """The day itself when it is a working day, otherwise the last one before it."""
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


@lru_cache(maxsize=4096)
def add_working_days(start: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `start` (start itself is not counted). Remembered per
    process like the calendar it reads: a bulk load asks it for the same days again and again."""
    day = start
    while count > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`; 0 when end <= start."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def local_date(moment: dt.datetime) -> dt.date:
    """The date in Kazakhstan's time zone (settings.TIME_ZONE; none other is ever activated)."""
    if moment.tzinfo is None:
        raise ValueError("local_date() needs an aware datetime")
    return moment.astimezone(timezone.get_default_timezone()).date()


def registration_date(submitted_at: dt.datetime) -> dt.date:
    return next_working_day(local_date(submitted_at))


def answer_due(registered_on: dt.date) -> dt.date:
    return add_working_days(registered_on, ANSWER_WORKING_DAYS)


def routing_due(registered_on: dt.date) -> dt.date:
    return add_working_days(registered_on, ROUTING_WORKING_DAYS)


def extension_limit(registered_on: dt.date) -> dt.date:
    return add_months(registered_on, EXTENSION_LIMIT_MONTHS)


def resume_after_pause(due: dt.date, paused_on: dt.date, resumed_on: dt.date) -> dt.date:
    """Move a due date by the working days spent waiting for the author's answer."""
    return add_working_days(due, working_days_between(paused_on, resumed_on))
