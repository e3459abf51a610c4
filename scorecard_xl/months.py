"""Months, as every part of the program reads them.

A scorecard is monthly: the reporting month on the command line (`--month 2016-08`), a
target period's start in a template (`from: 2016-06`), and the Month column of an
export (an Excel date, a serial day number, or text such as `2016-08` or `Aug 2016`) all
mean a calendar month, kept as the date of its first day.
"""

from __future__ import annotations

import datetime as dt
import re

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_MONTH_NAMES = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_ISO = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T].*)?")
_NAMED = re.compile(r"([A-Za-z]{3,9})[\s\-]+(\d{4})")


def excel_serial_day(value: float) -> dt.date | None:
    """The day an Excel serial number stands for (a date not formatted as one); only 1950 to
    2099, so a year typed as a plain number (2016) is refused rather than read as July 1905."""
    if 18264 <= value < 73051:
        return (EXCEL_EPOCH + dt.timedelta(days=float(value))).date()
    return None


def month_span(months) -> str:
    """Months, in order, as text: "Aug 2016", or "Mar 2016 to Aug 2016" (first to last)."""
    months = sorted(months)
    if not months:
        return "no month"
    return f"{months[0]:%b %Y}" if len(months) == 1 else f"{months[0]:%b %Y} to {months[-1]:%b %Y}"


def parse_month(value: object, iso_only: bool = False) -> dt.date | None:
    """The month of an Excel date (any day), a serial day number, or text such as 2016-08,
    2016-08-31, Aug 2016 or August 2016; None when it is none of these.

    iso_only: text only as YYYY-MM or YYYY-MM-DD (a template's dates, written by hand once).
    """
    if isinstance(value, (dt.datetime, dt.date)):
        return dt.date(value.year, value.month, 1)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        day = excel_serial_day(value)
        return None if day is None else dt.date(day.year, day.month, 1)
    text = str(value).strip()
    m = _ISO.fullmatch(text)
    if m:
        year, month = int(m[1]), int(m[2])
        if m[3] is not None:
            try:
                dt.date(year, month, int(m[3]))
            except ValueError:
                return None
    elif iso_only:
        return None
    else:
        m = _NAMED.fullmatch(text)
        if not m or m[1][:3].lower() not in _MONTH_NAMES:
            return None
        year, month = int(m[2]), _MONTH_NAMES[m[1][:3].lower()]
    if not 1 <= month <= 12 or not 1900 <= year <= 2999:
        return None
    return dt.date(year, month, 1)


def reporting_month_text(text: str) -> str:
    """A reporting month given as YYYY-MM (the command line's form), checked; ValueError otherwise."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(text).strip()):
        raise ValueError(f"expected a month as YYYY-MM, for example 2016-08 (got {text!r})")
    return str(text).strip()
