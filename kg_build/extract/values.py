"""Typed values from article text: race times, deficits, ranks, dates and local times.

Times are ``Decimal`` seconds at the article's precision, never floats. Each form here is one
that Wikipedia's pages of this family write; anything else is a ``BadValue`` the caller turns
into a diagnostic with the file and line.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from msgspec import Struct

from kg_build.messages import quote

# m:ss.fff, m:ss.f, m:ss (whole seconds, early editions), ss.fff
_TIME = re.compile(r"(?:(?P<min>\d{1,2}):)?(?P<sec>\d{1,2}(?:\.\d{1,4})?)")
_DEFICIT = re.compile(r"\+?(?:(?P<min>\d{1,2}):)?(?P<sec>\d{1,3}(?:\.\d{1,4})?)")
_RANK = re.compile(r"=?(?P<rank>\d{1,3})(?:\s*\((?P<place>\d{1,3})\))?")
_MONTHS = {
    name: number
    for number, name in enumerate(
        (
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
        ),
        start=1,
    )
}
_WEEKDAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
_TOKEN = re.compile(r"\([^)]*\)|\d{1,4}|[A-Za-z]+|[–—-]|,|\S")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})")
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


class BadValue(ValueError):
    """A cell or phrase is not of the expected form; the caller adds file and line."""


def parse_time(text: str) -> Decimal:
    """Return seconds from ``m:ss.fff``, ``m:ss.f``, ``m:ss`` or ``ss.ff``, as written.

    ``3:42.032`` → ``Decimal('222.032')``; ``3:52`` → ``Decimal('232')``.
    """
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise BadValue(f"time {quote(text)} is not m:ss.fff")
    seconds = Decimal(match["sec"])
    if match["min"] is None:
        if "." not in match["sec"]:
            raise BadValue(f"time {quote(text)} is not m:ss.fff")  # a bare number is no time
        return seconds
    if seconds >= 60:
        raise BadValue(f"time {quote(text)} has {seconds} seconds (expected under 60)")
    return int(match["min"]) * 60 + seconds


def parse_deficit(text: str) -> Decimal:
    """Return seconds from ``+1.20``, ``1.20``, ``+3`` or ``+1:02.5``."""
    match = _DEFICIT.fullmatch(text.strip())
    if match is None:
        raise BadValue(f"deficit {quote(text)} is not +s.ff")
    return int(match["min"] or 0) * 60 + Decimal(match["sec"])


class Rank(Struct, frozen=True):
    """A rank cell: the rank, and an overall place in parentheses (``2 (3)``)."""

    rank: int
    place: int | None
    tied: bool  # written ``=5``


def parse_rank(text: str) -> Rank:
    """Return the rank of ``1``, ``=5`` or ``2 (3)``; anything else is a BadValue."""
    match = _RANK.fullmatch(text.strip())
    if match is None:
        raise BadValue(f"rank {quote(text)} is not a whole number")
    place = int(match["place"]) if match["place"] else None
    return Rank(int(match["rank"]), place, text.strip().startswith("="))


# ---------------------------------------------------------------- dates


class Span(Struct, frozen=True):
    """The days of an event: first, last, the days listed one by one (none for a range)."""

    first: date
    last: date
    days: tuple[date, ...]
    labels: tuple[tuple[date, str], ...] = ()  # "19 February (quarterfinals)"


class _Mention(Struct, frozen=True):
    """A date as the text names it: a day, perhaps its month and year, perhaps a label."""

    day: int
    month: int | None
    year: int | None
    label: str | None
    ranged: bool  # a dash or "to" stands between it and the next mention


def parse_dates(text: str, year: int | None = None) -> Span:
    """Return the event's days from the infobox's dates, in every form editors write.

    ``2–4 August 2021``, ``9–10 August`` (the year from ``year``), ``3 to 4 August``,
    ``30 July – 2 August 2021``, ``13 and 15 February 2022``, ``15, 17 February 2026``,
    ``July 17, 1908``, ``19 February (quarterfinals) 21 February (semifinals, finals)``.
    """
    mentions = _mentions(text)
    if not mentions:
        raise BadValue(f"dates {quote(text)} name no day (e.g. '2–4 August 2021')")
    days = [_resolve(m, mentions[i:], year, text) for i, m in enumerate(mentions)]
    if any(b < a for a, b in itertools.pairwise(days)):
        raise BadValue(f"dates {quote(text)} are not in order")
    labels = tuple((d, m.label) for d, m in zip(days, mentions, strict=True) if m.label)
    if len(days) == 2 and mentions[0].ranged and not labels:
        return Span(days[0], days[1], ())
    return Span(days[0], days[-1], tuple(days), labels)


def parse_day(text: str, span: Span | None, year: int | None) -> date:
    """Return the date of ``13 February`` or ``Friday 3 August 2012``: the event gives the year."""
    mentions = _mentions(text)
    if len(mentions) != 1:
        raise BadValue(f"date {quote(text)} is not one day")
    (mention,) = mentions
    if mention.year is not None or span is None:
        return _resolve(mention, mentions, year, text)
    for candidate in sorted({span.first.year, span.last.year}):
        day = _resolve(mention, mentions, candidate, text)
        if span.first <= day <= span.last:
            return day
    raise BadValue(f"date {quote(text)} is outside the event's dates {span.first} to {span.last}")


def _mentions(text: str) -> list[_Mention]:
    """Read the day, month, year and label mentions of a date text, in order."""
    found: list[dict[str, object]] = []
    pending_month: int | None = None  # "July 17, 1908": the month comes first
    for token in _TOKEN.findall(text):
        if token.startswith("("):
            if found:
                found[-1]["label"] = token[1:-1].strip()
        elif token in _MONTHS:
            month = _MONTHS[token]
            if found and found[-1]["month"] is None and pending_month is None:
                for mention in reversed(found):  # "13 and 15 February": both in February
                    if mention["month"] is not None:
                        break
                    mention["month"] = month
            else:
                pending_month = month
        elif token.isdigit() and len(token) == 4:
            for mention in reversed(found):
                if mention["year"] is not None:
                    break
                mention["year"] = int(token)
        elif token.isdigit():
            found.append(
                {
                    "day": int(token),
                    "month": pending_month,
                    "year": None,
                    "label": None,
                    "to": False,
                }
            )
            pending_month = None
        elif token in ("–", "—", "-", "to") and found:
            found[-1]["to"] = True
        elif token in _WEEKDAYS or token in (",", "and", "on", "from", "of"):
            continue
        else:
            raise BadValue(f"date {quote(text)}: {quote(token)} is not part of a date")
    return [
        _Mention(
            int(str(m["day"])),
            m["month"] if isinstance(m["month"], int) else None,
            m["year"] if isinstance(m["year"], int) else None,
            m["label"] if isinstance(m["label"], str) else None,
            bool(m["to"]),
        )
        for m in found
    ]


def _resolve(mention: _Mention, rest: list[_Mention], year: int | None, text: str) -> date:
    """Give a mention the month and year of the first later mention that names them."""
    month = mention.month or next((m.month for m in rest if m.month), None)
    at = mention.year or next((m.year for m in rest if m.year), None) or year
    if month is None:
        raise BadValue(f"date {quote(text)} names no month")
    if at is None:
        raise BadValue(f"date {quote(text)} names no year")
    try:
        return date(at, month, mention.day)
    except ValueError as e:
        raise BadValue(f"date {quote(text)} is not a date ({e})") from e


def local_datetime(day: date, clock: str, offset: str) -> datetime:
    """Return the local start time with its UTC offset (17:02 at +09:00), or none if unknown."""
    match = _CLOCK.fullmatch(clock.strip())
    if match is None:
        raise BadValue(f"time of day {quote(clock)} is not hh:mm")
    zone = None
    if offset:
        parts = _OFFSET.fullmatch(offset)
        if parts is None:
            raise BadValue(f"UTC offset {quote(offset)} is not +hh:mm")
        sign = -1 if parts[1] == "-" else 1
        zone = timezone(timedelta(hours=int(parts[2]), minutes=int(parts[3])) * sign)
    try:
        return datetime(day.year, day.month, day.day, int(match[1]), int(match[2]), tzinfo=zone)
    except ValueError as e:
        raise BadValue(f"time of day {quote(clock)} is not a clock time ({e})") from e
