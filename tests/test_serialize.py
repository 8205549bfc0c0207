"""Deterministic JSON and atomic writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg_build.errors import OutputError
from kg_build.output import write_atomic
from kg_build.parse.article import parse_article
from kg_build.rdf.serialize import articles_to_json
from tests.conftest import ROOT, SOURCES


def _kg(args: list[str], seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-m", "kg_build", *args],
        capture_output=True,
        check=True,
        cwd=ROOT,
        env=env,
    )
    return done.stdout


def test_parse_is_byte_identical_across_hash_seeds() -> None:
    files = [p.relative_to(ROOT).as_posix() for p in SOURCES]
    first = _kg(["parse", *files], "1")
    assert first == _kg(["parse", *files], "4242")
    assert json.loads(first)["articles"][1]["path"] == files[1]


def test_records_json_is_byte_identical_across_hash_seeds() -> None:
    first = _kg(["records"], "3")
    assert first == _kg(["records"], "31337")
    assert set(json.loads(first)) >= {"events", "results", "claims", "statements_iri"}


def test_json_keeps_unicode_and_ends_with_newline() -> None:
    data = articles_to_json([parse_article(p) for p in SOURCES])
    assert data.endswith(b"}\n")
    assert "Engebråten".encode() in data


def test_write_atomic_replaces_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_bytes(b"old")
    target.chmod(0o600)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_write_atomic_unwritable_folder(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root writes through folder permissions, so use a path under a regular file instead.
        blocker = tmp_path / "file"
        blocker.write_text("")
        target = blocker / "out.json"
    else:
        target = tmp_path / "ro" / "out.json"
        target.parent.mkdir()
        target.parent.chmod(0o500)
    with pytest.raises(OutputError) as caught:
        write_atomic(target, b"data")
    assert str(caught.value).startswith(f"{target.as_posix()}: cannot write (")
