"""Project folders in tests: kg run as a process, a family article's rows, a user's filling in.

The family corpus (tests/data/family/) stands for what a user looks up: each article's
curated rows, with their sources, are the facts a user would find and write into the
templates kg check writes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kg_build.curated.tables import CURATED_FILES, add_rows
from tests.conftest import ROOT

FAMILY = ROOT / "tests" / "data" / "family"
STEM = "cycling-2024-mens-team-pursuit"
ARTICLE = FAMILY / STEM / f"{STEM}.txt"
CHECKOUT_KG = [sys.executable, "-m", "kg_build"]


def run_kg(
    args: list[str], cwd: Path, kg: list[str] = CHECKOUT_KG, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run kg in ``cwd`` as a process (the checkout's, unless ``kg`` names another)."""
    return subprocess.run(
        [*kg, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def looked_up(stem: str) -> dict[str, dict[tuple[str, ...], dict[str, str]]]:
    """Return the family's sourced rows an article needs, by file and first key."""
    rows: dict[str, dict[tuple[str, ...], dict[str, str]]] = {}
    for tsv in sorted([*FAMILY.glob("curated/*.tsv"), *(FAMILY / stem).glob("curated/*.tsv")]):
        spec = CURATED_FILES[tsv.name]
        for line in tsv.read_text(encoding="utf-8").splitlines()[1:]:
            row = dict(zip(spec.columns, line.split("\t"), strict=True))
            rows.setdefault(tsv.name, {})[tuple(row[c] for c in spec.keys[0])] = row
    return rows


def read_rows(path: Path) -> list[dict[str, str]]:
    """Return a curated file's (or a template's) rows by column."""
    spec = CURATED_FILES[path.name]
    header, *lines = path.read_text(encoding="utf-8").splitlines()
    assert header == "\t".join(spec.columns), path
    return [dict(zip(spec.columns, line.split("\t"), strict=True)) for line in lines]


def fill_in(templates: Path, curated: Path, stem: str) -> int:
    """Do what a user does with the templates: fill in every empty cell, add the rows.

    Each row's empty cells (its source_url and evidence first) come from what the user looked
    up; the rows go into ``curated`` where each file's order puts them. Returns the rows added.
    """
    found = looked_up(stem)
    added = 0
    for template in sorted(templates.glob("*.tsv")):
        spec = CURATED_FILES[template.name]
        rows = []
        for row in read_rows(template):
            assert not row[spec.source], (template, row)  # the sources are the user's
            source = found[template.name][tuple(row[c] for c in spec.keys[0])]
            rows.append("\t".join(row[c] or source[c] for c in spec.columns))
        add_rows(curated / template.name, rows)
        added += len(rows)
    return added


def split_by_hand(curated: Path, stem: str) -> list[str]:
    """Add a roster row for each athlete the project lacks (the cells TODO.md lists)."""
    have = set((curated / "rosters.tsv").read_text(encoding="utf-8").splitlines())
    spec = CURATED_FILES["rosters.tsv"]
    rows = [
        "\t".join(row[c] for c in spec.columns)
        for row in looked_up(stem)["rosters.tsv"].values()
        if "\t".join(row[c] for c in spec.columns) not in have
    ]
    add_rows(curated / "rosters.tsv", rows)
    return rows
