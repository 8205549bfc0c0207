"""Typed values: times, deficits, dates, local times."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kg_build.extract.values import (
    BadValue,
    Span,
    local_datetime,
    parse_dates,
    parse_day,
    parse_deficit,
    parse_rank,
    parse_time,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("3:42.032", "222.032"),
        ("3:38.08", "218.08"),
        ("3:38.10", "218.10"),
        ("4:28.489", "268.489"),
        ("59.9", "59.9"),
        ("3:52", "232"),
        ("4:12.3", "252.3"),
    ],
)
def test_time_keeps_the_article_precision(text: str, seconds: str) -> None:
    value = parse_time(text)
    assert value == Decimal(seconds) and str(value) == seconds


@pytest.mark.parametrize("text", ["3:4a.1", "42", "", "3:60.00", "-3:42.0", "3:42.032 WR"])
def test_bad_time(text: str) -> None:
    with pytest.raises(BadValue, match=r"is not m:ss\.fff|seconds"):
        parse_time(text)


def test_deficit() -> None:
    assert str(parse_deficit("+1.20")) == "1.20"
    assert str(parse_deficit("1.20")) == "1.20"
    assert str(parse_deficit("+3")) == "3"
    assert str(parse_deficit("+1:02.5")) == "62.5"
    with pytest.raises(BadValue):
        parse_deficit("+x")


@pytest.mark.parametrize(
    ("text", "rank", "place", "tied"),
    [("1", 1, None, False), ("2 (3)", 2, 3, False), ("=5", 5, None, True)],
)
def test_rank(text: str, rank: int, place: int | None, tied: bool) -> None:
    parsed = parse_rank(text)
    assert (parsed.rank, parsed.place, parsed.tied) == (rank, place, tied)


@pytest.mark.parametrize(
    ("text", "first", "last", "days"),
    [
        ("2–4 August 2021", date(2021, 8, 2), date(2021, 8, 4), ()),
        (
            "13 and 15 February 2022",
            date(2022, 2, 13),
            date(2022, 2, 15),
            (date(2022, 2, 13), date(2022, 2, 15)),
        ),
        ("30 July – 2 August 2021", date(2021, 7, 30), date(2021, 8, 2), ()),
        ("15 February 2022", date(2022, 2, 15), date(2022, 2, 15), (date(2022, 2, 15),)),
        # The forms of older and other pages; the year from the title where the field lacks it.
        ("9–10 August", date(1920, 8, 9), date(1920, 8, 10), ()),
        ("3 to 4 August", date(1920, 8, 3), date(1920, 8, 4), ()),
        ("July 17, 1908", date(1908, 7, 17), date(1908, 7, 17), (date(1908, 7, 17),)),
        (
            "15, 17 February 2026",
            date(2026, 2, 15),
            date(2026, 2, 17),
            (date(2026, 2, 15), date(2026, 2, 17)),
        ),
    ],
)
def test_dates(text: str, first: date, last: date, days: tuple[date, ...]) -> None:
    span = parse_dates(text, 1920)
    assert (span.first, span.last, span.days) == (first, last, days)


def test_days_labelled_by_round() -> None:
    span = parse_dates("19 February (quarterfinals) 21 February (semifinals, finals)", 2018)
    assert span.days == (date(2018, 2, 19), date(2018, 2, 21))
    assert span.labels == (
        (date(2018, 2, 19), "quarterfinals"),
        (date(2018, 2, 21), "semifinals, finals"),
    )


@pytest.mark.parametrize(
    "text", ["August 2021", "2–4 Agust 2021", "31 and 32 May 2021", "4–2 August 2021"]
)
def test_bad_dates(text: str) -> None:
    with pytest.raises(BadValue):
        parse_dates(text, 2021)


def test_day_takes_the_year_of_the_event() -> None:
    span = Span(date(2021, 8, 2), date(2021, 8, 4), ())
    assert parse_day("3 August", span, 2021) == date(2021, 8, 3)
    assert parse_day("Friday 3 August 2012", None, None) == date(2012, 8, 3)
    with pytest.raises(BadValue, match="outside the event's dates"):
        parse_day("9 August", span, 2021)


def test_local_datetime_keeps_the_offset() -> None:
    start = local_datetime(date(2021, 8, 2), "17:02", "+09:00")
    assert start.isoformat() == "2021-08-02T17:02:00+09:00"
    assert (
        local_datetime(date(2022, 2, 15), "14:52", "+08:00").isoformat()
        == "2022-02-15T14:52:00+08:00"
    )
    with pytest.raises(BadValue):
        local_datetime(date(2022, 2, 15), "25:00", "+08:00")
    # No curated offset: a local time without one, never a guessed zone.
    assert local_datetime(date(2012, 8, 3), "16:30", "").isoformat() == "2012-08-03T16:30:00"
