"""The lexical spaces of the XSD datatypes an engine may fail to check (XML Schema 1.1 Part 2).

SHACL's ``sh:datatype`` fails an ill-typed literal (§4.1.1): ``"2021-08-32"^^xsd:date`` is
not an xsd:date. The engines check the lexical forms of some datatypes and not of others
(``kg_build/validate/limits.py`` says which); where the engine in use does not, the gate checks the
data's literals of those datatypes here, strictly: no whitespace, the ranges of the derived
integers, days that exist (29 February only in a leap year).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable

XSD = "http://www.w3.org/2001/XMLSchema#"

_ZONE = r"(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?"
_YEAR = r"-?(?:[1-9]\d{3,}|0\d{3})"
_TIME = r"(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?|24:00:00(?:\.0+)?)"
_DATE = re.compile(rf"(?P<year>{_YEAR})-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12]\d|3[01])")
_FORMS = {
    "boolean": re.compile(r"true|false|1|0"),
    "decimal": re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"),
    "integer": re.compile(r"[+-]?\d+"),
    "double": re.compile(r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|INF)|NaN"),
    "date": re.compile(rf"{_DATE.pattern}{_ZONE}"),
    "dateTime": re.compile(rf"{_DATE.pattern}T{_TIME}{_ZONE}"),
    "time": re.compile(rf"{_TIME}{_ZONE}"),
    "gYear": re.compile(rf"{_YEAR}{_ZONE}"),
    "gYearMonth": re.compile(rf"{_YEAR}-(?:0[1-9]|1[0-2]){_ZONE}"),
}
_FORMS["float"] = _FORMS["double"]
# The integers derived from xsd:integer, with their bounds (None: unbounded).
_INTEGERS: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}


def _integer(low: int | None, high: int | None) -> Callable[[str], bool]:
    def valid(text: str) -> bool:
        if not _FORMS["integer"].fullmatch(text):
            return False
        number = int(text)
        return (low is None or number >= low) and (high is None or number <= high)

    return valid


def _with_real_day(form: re.Pattern[str]) -> Callable[[str], bool]:
    def valid(text: str) -> bool:
        if not form.fullmatch(text):
            return False
        date = _DATE.match(text)
        assert date is not None
        # XSD 1.1 counts a year 0000 (1 BCE): the Gregorian rule holds for every year number.
        leap = calendar.isleap(int(date["year"]))
        days = 29 if int(date["month"]) == 2 and leap else _DAYS[int(date["month"])]
        return int(date["day"]) <= days

    return valid


_DAYS = dict(enumerate([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]))


def _form(form: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda text: form.fullmatch(text) is not None


VALIDATORS: dict[str, Callable[[str], bool]] = {
    **{XSD + name: _integer(*bounds) for name, bounds in _INTEGERS.items()},
    **{XSD + name: _form(_FORMS[name]) for name in ("boolean", "decimal", "double", "float")},
    **{XSD + name: _form(_FORMS[name]) for name in ("time", "gYear", "gYearMonth")},
    XSD + "date": _with_real_day(_FORMS["date"]),
    XSD + "dateTime": _with_real_day(_FORMS["dateTime"]),
}


def is_valid(lexical: str, datatype: str) -> bool:
    """Return whether ``lexical`` is in the lexical space of ``datatype`` (one of VALIDATORS)."""
    return bool(VALIDATORS[datatype](lexical))
