"""docs/querying.md tells the truth: each example question answers with the table under it.

Each example is run as a user would run it: `kg query` on the embedded store a build leaves, on
the built Turtle file (`--data`), and on a real Virtuoso after `kg load` (CI; elsewhere that
test skips, saying why). The answers are compared with the doc's tables cell by cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.servers import Virtuoso, running_virtuoso
from tests.test_store import _csv, _kg, _load, _normalised

DOC = ROOT / "docs" / "querying.md"
EXAMPLE = re.compile(
    r"^## (?P<number>\d+)\. (?P<question>.+?)\n.*?^```sparql\n(?P<query>.*?)^```\n"
    r"(?P<between>.*?)(?P<table>^\|.*?\n)(?=[^|]|\Z)",
    flags=re.MULTILINE | re.DOTALL,
)


@dataclass(frozen=True)
class Example:
    """One question of the doc: its SPARQL and the answer the doc prints."""

    number: int
    question: str
    query: str
    answer: list[list[str]]


def _table(text: str) -> list[list[str]]:
    rows = [line.strip().strip("|").split("|") for line in text.strip().splitlines()]
    cells = [[cell.strip().replace("\\|", "|") for cell in row] for row in rows]
    assert set("".join(cells[1])) <= set("-: "), f"no header rule under {cells[0]}"
    # An empty cell is printed as an empty table cell; backticks only set a value apart.
    return [cells[0]] + [[c.strip("`") for c in row] for row in cells[2:]]


def _examples() -> list[Example]:
    found = [
        Example(int(m["number"]), m["question"], m["query"], _table(m["table"]))
        for m in EXAMPLE.finditer(DOC.read_text(encoding="utf-8"))
    ]
    return found


EXAMPLES = _examples()


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the bundled articles once into a fresh folder, as `kg build` does."""
    folder = tmp_path_factory.mktemp("build")
    code, _, err = _kg("-q", "build", "-o", str(folder / "g.ttl"), "--store", str(folder / "store"))
    assert code == 0, err
    return folder


def test_the_doc_has_ten_numbered_examples() -> None:
    assert [e.number for e in EXAMPLES] == list(range(1, 11))
    for example in EXAMPLES:
        assert len(example.answer) > 1, f"example {example.number} shows no answer row"


def test_examples_use_no_string_surgery_on_our_modelling() -> None:
    """A newcomer's query needs neither STRAFTER on our labels nor COALESCE over our quirks."""
    for example in EXAMPLES:
        assert not re.search(r"STRAFTER|STRBEFORE|COALESCE", example.query, re.IGNORECASE), (
            example.number
        )


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"{e.number:02d}")
def test_example_on_the_embedded_store(example: Example, build: Path) -> None:
    code, out, err = _kg(
        "query", "-e", example.query, "--store", str(build / "store"), "--format", "csv"
    )
    assert code == 0, err
    assert _csv(out) == example.answer


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"{e.number:02d}")
def test_example_on_the_turtle_file(example: Example, build: Path) -> None:
    code, out, err = _kg(
        "query", "-e", example.query, "--data", str(build / "g.ttl"), "--format", "csv"
    )
    assert code == 0, err
    assert _csv(out) == example.answer


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory, build: Path) -> Iterator[Virtuoso]:
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        code, _, err = _load(server)
        assert code == 0, err
        yield server


@pytest.mark.store_http
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"{e.number:02d}")
def test_example_on_virtuoso(example: Example, virtuoso: Virtuoso) -> None:
    code, out, err = _kg(
        "query", "-e", example.query, "--endpoint", virtuoso.sparql, "--format", "csv"
    )
    assert code == 0, err
    assert _normalised(_csv(out)) == _normalised(example.answer)
