"""Typed values from article text: race times, deficits, dates and local times.

Times are ``Decimal`` seconds at the article's precision, never floats.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from kg_build.messages import quote

_TIME = re.compile(r"(?:(?P<min>\d{1,2}):)?(?P<sec>\d{1,2}\.\d{1,4})")
_DEFICIT = re.compile(r"\+(?P<sec>\d+\.\d{1,4})")
_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
}
_DASH = r"\s*[–-]\s*"
_RANGE_ONE_MONTH = re.compile(rf"(\d{{1,2}}){_DASH}(\d{{1,2}}) (\w+) (\d{{4}})")
_RANGE_TWO_MONTHS = re.compile(rf"(\d{{1,2}}) (\w+){_DASH}(\d{{1,2}}) (\w+) (\d{{4}})")
_LIST = re.compile(r"((?:\d{1,2}, )*\d{1,2}) and (\d{1,2}) (\w+) (\d{4})")
_SINGLE = re.compile(r"(\d{1,2}) (\w+) (\d{4})")
_DAY_MONTH = re.compile(r"(\d{1,2}) (\w+)")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


class BadValue(ValueError):
    """A cell or phrase is not of the expected form; the caller adds file and line."""


def parse_time(text: str) -> Decimal:
    """Return seconds from ``m:ss.fff`` or ``ss.ff``: ``3:42.032`` → ``Decimal('222.032')``."""
    match = _TIME.fullmatch(text)
    if match is None:
        raise BadValue(f"time {quote(text)} is not m:ss.fff")
    minutes = int(match["min"] or 0)
    seconds = Decimal(match["sec"])
    if seconds >= 60 and match["min"] is not None:
        raise BadValue(f"time {quote(text)} has {seconds} seconds (expected under 60)")
    return minutes * 60 + seconds


def parse_deficit(text: str) -> Decimal:
    """Return seconds from ``+1.20``."""
    match = _DEFICIT.fullmatch(text)
    if match is None:
        raise BadValue(f"deficit {quote(text)} is not +s.ff")
    return Decimal(match["sec"])


def _month(name: str) -> int:
    if name not in _MONTHS:
        raise BadValue(f"{quote(name)} is not an English month name")
    return _MONTHS[name]


def _date(year: str | int, month: str, day: str) -> date:
    try:
        return date(int(year), _month(month), int(day))
    except ValueError as e:
        raise BadValue(f"{quote(f'{day} {month} {year}')} is not a date ({e})") from e


def parse_dates(text: str) -> tuple[date, date, tuple[date, ...]]:
    """Return first day, last day and the days listed one by one (none for a range).

    Forms: ``2–4 August 2021``, ``30 July – 2 August 2021``, ``13 and 15 February 2022``,
    ``15 February 2022``.
    """
    if m := _RANGE_ONE_MONTH.fullmatch(text):
        return _date(m[4], m[3], m[1]), _date(m[4], m[3], m[2]), ()
    if m := _RANGE_TWO_MONTHS.fullmatch(text):
        return _date(m[5], m[2], m[1]), _date(m[5], m[4], m[3]), ()
    if m := _LIST.fullmatch(text):
        days = [*m[1].split(", "), m[2]]
        listed = tuple(_date(m[4], m[3], d) for d in days)
        return min(listed), max(listed), listed
    if m := _SINGLE.fullmatch(text):
        day = _date(m[3], m[2], m[1])
        return day, day, (day,)
    raise BadValue(f"dates {quote(text)} are not of a known form (e.g. '2–4 August 2021')")


def parse_day_month(text: str, first: date, last: date) -> date:
    """Return the date of ``13 February`` within the event's span (which gives the year)."""
    match = _DAY_MONTH.fullmatch(text.strip())
    if match is None:
        raise BadValue(f"date {quote(text)} is not 'day month'")
    for year in sorted({first.year, last.year}):
        day = _date(year, match[2], match[1])
        if first <= day <= last:
            return day
    raise BadValue(f"date {quote(text)} is outside the event's dates {first} to {last}")


def local_datetime(day: date, clock: str, offset: str) -> datetime:
    """Return the local start time with its UTC offset: 17:02 at +09:00."""
    match = _CLOCK.fullmatch(clock.strip())
    if match is None:
        raise BadValue(f"time of day {quote(clock)} is not hh:mm")
    zone = _OFFSET.fullmatch(offset)
    if zone is None:
        raise BadValue(f"UTC offset {quote(offset)} is not +hh:mm")
    sign = -1 if zone[1] == "-" else 1
    delta = timedelta(hours=int(zone[2]), minutes=int(zone[3])) * sign
    try:
        return datetime(
            day.year, day.month, day.day, int(match[1]), int(match[2]), tzinfo=timezone(delta)
        )
    except ValueError as e:
        raise BadValue(f"time of day {quote(clock)} is not a clock time ({e})") from e
