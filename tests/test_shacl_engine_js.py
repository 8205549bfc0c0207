"""An independent SHACL engine, the JavaScript shacl-engine, agrees with ours on our shapes.

Issue 18: shacl-engine (npm, with its SPARQL plugin, on Comunica) reported our medal rules
violated on all 29 medals of the bundled graph: it runs one SPARQL constraint per shape (we
had two on tps:MedalAwardShape, three on tps:EventStatedCountsShape) and cannot substitute
``$this`` into GROUP BY. The shapes now use one portable constraint per shape (shapes/README.md),
and this test holds the JavaScript engine to our results (severity, focus node, path, shape,
constraint component) on the bundled graph and on every shape fixture.

Its npm packages (tests/js/package.json, locked by tests/js/package-lock.json) are installed
with ``npm ci`` into a folder of pytest's cache named by the lock's hash, once. Without Node
and npm (``apt-get install nodejs npm``, as .ci/run does) the test skips, saying so; in CI
(CI=true or KG_REQUIRE_STORE=1) it fails instead.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kg_build.build.memory import Built
from kg_build.rdf.rdffile import read_rdf
from kg_build.validate import Finding, Validator, full_iri, load_shapes
from tests.conftest import ROOT
from tests.servers import require_or_skip
from tests.test_engines import VOCAB

JS = ROOT / "tests" / "js"
FILES = ("package.json", "package-lock.json", "validate.mjs")
FIXTURES = sorted((ROOT / "tests" / "data" / "shapes").glob("*.ttl"))
Key = tuple[str, str, str, str, str]


@pytest.fixture(scope="module")
def js_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a folder with shacl-engine installed and our runner, installing it once."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        require_or_skip("node and npm are not installed (apt-get install nodejs npm)")
    assert npm is not None
    lock = hashlib.sha256(b"".join((JS / f).read_bytes() for f in FILES[:2])).hexdigest()[:16]
    cache = getattr(request.config, "cache", None)
    name = f"shacl-engine-js-{lock}"
    folder = cache.mkdir(name) if cache is not None else tmp_path_factory.mktemp(name)
    for file in FILES:
        shutil.copyfile(JS / file, folder / file)
    if not (folder / "node_modules" / "shacl-engine" / "package.json").exists():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if done.returncode != 0:
            require_or_skip(f"npm ci of tests/js failed: {done.stderr.strip()[-300:]}")
    return folder


def _js(folder: Path, files: list[Path]) -> dict[str, Any]:
    done = subprocess.run(
        ["node", str(folder / "validate.mjs"), str(ROOT / "shapes"), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    reports: dict[str, Any] = json.loads(done.stdout)
    return reports


def _theirs(report: dict[str, Any]) -> list[Key]:
    return sorted(
        (
            r["severity"],
            r["focus"].removeprefix("<").removesuffix(">"),
            r["path"] or "",
            r["shape"].removeprefix("<").removesuffix(">"),
            r["component"],
        )
        for r in report["results"]
    )


def _ours(findings: list[Finding]) -> list[Key]:
    return sorted(
        (
            full_iri(f"sh:{f.severity}"),
            f.focus,
            full_iri(f.path) if f.path != "-" else "",
            full_iri(f.shape),
            full_iri(f.component),
        )
        for f in findings
    )


def test_the_js_engine_agrees_on_the_bundled_graph(
    js_engine: Path, built: Built, tmp_path: Path
) -> None:
    data = tmp_path / "bundled.nt"
    data.write_bytes(built.serialize("nt"))
    ours = Validator(load_shapes(ROOT / "shapes", VOCAB)).ntriples(data.read_bytes(), "graph")
    theirs = _theirs(_js(js_engine, [data])[str(data)])
    assert theirs == _ours(ours)
    # Two results, warnings: the cycling article's conflicting competitor counts, and the skating
    # lead's day for the semifinals against their section's.
    assert sorted((k[0].rsplit("#")[-1], k[2].rsplit("#")[-1]) for k in theirs) == [
        ("Warning", "statedCompetitorCount"),
        ("Warning", "statedDate"),
    ]


def test_the_js_engine_agrees_on_every_shape_fixture(js_engine: Path) -> None:
    reports = _js(js_engine, FIXTURES)
    validator = Validator(load_shapes(ROOT / "shapes", VOCAB))
    differ = {}
    for path in FIXTURES:
        ours = _ours(validator.ntriples(read_rdf(path, "turtle").ntriples, path.name))
        theirs = _theirs(reports[str(path)])
        if ours != theirs:
            differ[path.name] = (sorted(set(ours) - set(theirs)), sorted(set(theirs) - set(ours)))
    assert differ == {}
