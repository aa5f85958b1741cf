"""Calendar arithmetic with the exact semantics of SPEC §1.1."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole calendar months, clamped to the month end.

    2026-01-31 + 1 month = 2026-02-28; 2024-02-29 - 12 months = 2023-02-28.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_days(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


def period_end(start: dt.date, months: int) -> dt.date:
    """Last day of a period of `months` calendar months that starts on `start`.

    start + months - 1 day, except when start's day does not exist `months` later (the 29th of
    February, the 31st): then the last day of that month (2024-02-29 + 36 months -> 2027-02-28).
    """
    end = add_months(start, months)
    if end.day != start.day:  # clamped: the period runs to the end of the clamped month
        return end
    return end - dt.timedelta(days=1)


def within_months_before(day: dt.date, reference: dt.date, months: int) -> bool:
    """`reference - months <= day <= reference`, both ends inclusive."""
    return add_months(reference, -months) <= day <= reference


def parse_iso(text: str) -> dt.date | None:
    """A `YYYY-MM-DD` string as a date, or None if it is not one."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
