"""Typed values: times, deficits, dates, local times."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kg_build.values import (
    BadValue,
    local_datetime,
    parse_dates,
    parse_day_month,
    parse_deficit,
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
    ],
)
def test_time_keeps_the_article_precision(text: str, seconds: str) -> None:
    value = parse_time(text)
    assert value == Decimal(seconds) and str(value) == seconds


@pytest.mark.parametrize("text", ["3:4a.1", "3:42", "", "3:60.00", "-3:42.0", "3:42.032 WR"])
def test_bad_time(text: str) -> None:
    with pytest.raises(BadValue, match=r"is not m:ss\.fff|seconds"):
        parse_time(text)


def test_deficit() -> None:
    assert str(parse_deficit("+1.20")) == "1.20"
    with pytest.raises(BadValue):
        parse_deficit("1.20")


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
    ],
)
def test_dates(text: str, first: date, last: date, days: tuple[date, ...]) -> None:
    assert parse_dates(text) == (first, last, days)


@pytest.mark.parametrize("text", ["August 2021", "2–4 Agust 2021", "31 and 32 May 2021"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(BadValue):
        parse_dates(text)


def test_day_month_takes_the_year_of_the_event() -> None:
    assert parse_day_month("3 August", date(2021, 8, 2), date(2021, 8, 4)) == date(2021, 8, 3)
    with pytest.raises(BadValue, match="outside the event's dates"):
        parse_day_month("9 August", date(2021, 8, 2), date(2021, 8, 4))


def test_local_datetime_keeps_the_offset() -> None:
    start = local_datetime(date(2021, 8, 2), "17:02", "+09:00")
    assert start.isoformat() == "2021-08-02T17:02:00+09:00"
    assert (
        local_datetime(date(2022, 2, 15), "14:52", "+08:00").isoformat()
        == "2022-02-15T14:52:00+08:00"
    )
    with pytest.raises(BadValue):
        local_datetime(date(2022, 2, 15), "25:00", "+08:00")
