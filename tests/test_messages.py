"""Quotes in messages: one line, cut short saying how long; URLs without their passwords."""

from __future__ import annotations

import pytest

from kg_build.messages import quote, redact


@pytest.mark.parametrize(
    ("text", "limit", "shown"),
    [
        ("3:4a.1", 80, "'3:4a.1'"),
        ("Men's", 80, "'Men's'"),
        ("a\rb\x0cc\u2028d", 80, "'a\\rb\\x0cc\\u2028d'"),
        ("x" * 80, 80, "'" + "x" * 80 + "'"),
        ("x" * 81, 80, "'" + "x" * 80 + "…' (81 characters)"),
        ("é" * 1_048_576, 3, "'ééé…' (1,048,576 characters)"),
    ],
    ids=["short", "apostrophe", "control", "at-limit", "over", "huge"],
)
def test_quote(text: str, limit: int, shown: str) -> None:
    assert quote(text, limit) == shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("http://u:secret@host/sparql", "http://u:***@host/sparql"),
        (
            "error: https://dba:p@ss:word@127.0.0.1:8890/x?graph=http://g/1: HTTP 401",
            "error: https://dba:***@127.0.0.1:8890/x?graph=http://g/1: HTTP 401",
        ),
        (
            "PUT http://u:@h/data and http://v:two@h2/",
            "PUT http://u:***@h/data and http://v:***@h2/",
        ),
        (
            "http://user@host/ and http://host:8890/x@y",
            "http://user@host/ and http://host:8890/x@y",
        ),
        ("http://u:***@host/", "http://u:***@host/"),
    ],
    ids=["plain", "at-in-password", "two-urls", "no-password", "again"],
)
def test_redact(text: str, shown: str) -> None:
    assert redact(text) == shown
