"""A wheel ships every data file, its kg works from any folder, and no path is the checkout's."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import zipfile
from fnmatch import fnmatch
from importlib.metadata import version
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef

from kg_build.build.records import extract_sources
from kg_build.web.pages import read_source_line
from tests.conftest import CYCLING, ROOT
from tests.projects import ARTICLE, STEM, fill_in, run_kg, split_by_hand

# Where the wheel ships each checkout folder, and which of its files.
SHIPPED = {
    "kg_build/data/ontology": ("ontology", "*"),
    "kg_build/data/mappings": ("mappings", "*"),
    "kg_build/data/shapes": ("shapes", "*"),
    "kg_build/data/sources": ("sources", "*"),
    "kg_build/data/questions": ("tests/cq", "*.rq"),  # the expected answers stay in tests
    "kg_build/web/templates": ("kg_build/web/templates", "*"),
    "kg_build/store/queries": ("kg_build/store/queries", "*"),  # the pages' SPARQL
    "kg_build/web/static": ("kg_build/web/static", "*"),
    "kg_build/skeleton": ("kg_build/skeleton", "*"),  # what kg init writes
}
# What the copy the wheel is built from leaves out: what git ignores, and git itself.
_IGNORED = shutil.ignore_patterns(
    ".git", ".venv*", "dist", "out", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"
)


def _not_copied(folder: str, names: list[str]) -> set[str]:
    """Return what the copy leaves out; build/ only at the top (kg_build/build/ is code)."""
    top_build = {"build"} & set(names) if Path(folder) == ROOT else set()
    return set(_IGNORED(folder, names)) | top_build


TITLE = "= Cycling at the 2020 Summer Olympics – Men's team pursuit ="
GRAPH_FILES = ("team-pursuit.ttl", "team-pursuit.nt")
QUESTION = ROOT / "tests" / "cq" / "02-winning-time.rq"
# Printed by the installed package: where it and its data are, and what the query page reads.
WHERE = """
import kg_build, kg_build.defaults as d, kg_build.web.pages as p
for path in (kg_build.__file__, d.ONTOLOGY, d.MAPPINGS, d.SHAPES, d.SOURCES, d.QUESTIONS):
    print(path)
print(len(p.competency_questions()))
print(p.read_source_line("sources/cycling-2020-mens-team-pursuit.txt", 1))
"""


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stderr}"
    return done.stdout


def _checkout_files(folder: Path, pattern: str) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and (fnmatch(p.name, pattern) or p.name == "__init__.py")
    }


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.replace("\r\n", "\n"))))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel once, from a copy of the checkout (setuptools writes build/ beside it)."""
    assert int(version("setuptools").split(".")[0]) >= 77, (
        "the wheel is built with this environment's setuptools, which must be >= 77: "
        "reinstall the test extras (pip install -e '.[test]')"
    )
    folder = tmp_path_factory.mktemp("wheel")
    tree = folder / "tree"
    shutil.copytree(ROOT, tree, ignore=_not_copied)
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    _run([*pip, "-w", str(folder), str(tree)], folder)
    (built,) = folder.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the wheel into a folder of its own, which PYTHONPATH puts before the checkout."""
    lib = tmp_path_factory.mktemp("installed") / "lib"
    pip = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q"]
    _run([*pip, "--target", str(lib), str(wheel)], wheel.parent)
    return lib


@pytest.fixture(scope="module")
def env(installed: Path) -> dict[str, str]:
    """Run with the installed package first on the path and a fixed build date."""
    return {**os.environ, "PYTHONPATH": str(installed), "SOURCE_DATE_EPOCH": "1700000000"}


@pytest.fixture(scope="module")
def kg(installed: Path) -> list[str]:
    """Return the installed console script."""
    script = installed / "bin" / "kg"
    assert script.is_file()
    return [str(script)]


@pytest.fixture(scope="module")
def work(kg: list[str], env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the bundled articles with the installed kg in an unrelated folder; return it."""
    folder = tmp_path_factory.mktemp("elsewhere")
    assert not folder.is_relative_to(ROOT)
    _run([*kg, "-q", "build"], folder, env)
    return folder


def test_wheel_ships_every_data_file(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for shipped, (checkout, pattern) in SHIPPED.items():
        in_wheel = {n.removeprefix(f"{shipped}/") for n in names if n.startswith(f"{shipped}/")}
        assert in_wheel == _checkout_files(ROOT / checkout, pattern), shipped
    assert "kg_build/data/ontology/tp.ttl" in names
    assert "kg_build/data/mappings/rules/event.yaml" in names
    assert "kg_build/data/sources/cycling-2020-mens-team-pursuit.txt" in names


def test_wheel_ships_every_module(wheel: Path) -> None:
    """Every module of the checkout's kg_build, sub-packages too, is in the wheel.

    The tests below run the installed kg beside the editable checkout, whose import hook can
    supply a module the wheel lacks; this reads the wheel itself.
    """
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "kg_build").rglob("*.py")
        if "__pycache__" not in p.parts and not p.is_relative_to(ROOT / "kg_build" / "data")
    }
    assert "kg_build/extract/results.py" in modules
    assert sorted(modules - names) == []


def test_installed_kg_reads_its_own_data(
    installed: Path, env: dict[str, str], tmp_path: Path
) -> None:
    lines = _run([sys.executable, "-c", WHERE], tmp_path, env).splitlines()
    assert all(Path(p).is_relative_to(installed) for p in lines[:6]), lines
    assert lines[6:] == [
        str(len(list((ROOT / "tests" / "cq").glob("*.rq")))),
        TITLE,
    ]


def test_installed_build_equals_the_checkout_build(work: Path, tmp_path: Path) -> None:
    for name in GRAPH_FILES:
        fmt = "turtle" if name.endswith(".ttl") else "nt"
        checkout = [sys.executable, "-m", "kg_build", "-q", "build", "--no-store"]
        _run([*checkout, "--format", fmt, "-o", str(tmp_path / name)], ROOT)
        assert (work / "out" / name).read_bytes() == (tmp_path / name).read_bytes(), name
    assert (work / "out" / "void.ttl").is_file()
    assert (work / "out" / "store").is_dir()


def test_installed_kg_queries_the_store_it_built(
    work: Path, kg: list[str], env: dict[str, str]
) -> None:
    out = _run([*kg, "query", str(QUESTION), "--format", "csv"], work, env)
    with QUESTION.with_suffix(".csv").open(encoding="utf-8", newline="") as handle:
        assert _csv(out) == list(csv.reader(handle))


def test_installed_kg_validates_its_output(work: Path, kg: list[str], env: dict[str, str]) -> None:
    # The bundled graph's two SHACL results are warnings (the cycling article's two counts, the
    # skating lead's semifinal day): a build accepts them; kg validate, following SHACL, only
    # with --allow-warnings.
    for options, code, last in [
        ([], 1, "out/team-pursuit.ttl: 2 SHACL warnings and no violations"),
        (["--allow-warnings"], 0, "out/team-pursuit.ttl: conforms with --allow-warnings"),
    ]:
        done = subprocess.run(
            [*kg, "validate", "out/team-pursuit.ttl", *options],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert (done.returncode, done.stdout) == (code, "")
        assert done.stderr.splitlines()[-1].removeprefix("error: ").startswith(last)


def _graph_files(paths: list[Path]) -> list[str]:
    extractions, _ = extract_sources(paths)
    return [e.article.file for e in extractions]


def test_an_article_is_named_below_the_working_folder_else_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = tmp_path / "project" / "articles" / CYCLING.name
    article.parent.mkdir(parents=True)
    shutil.copy(CYCLING, article)
    monkeypatch.chdir(tmp_path / "project")
    bundled = f"sources/{CYCLING.name}"
    assert _graph_files([article, CYCLING]) == [f"articles/{CYCLING.name}", bundled]
    monkeypatch.chdir(tmp_path)
    assert _graph_files([article, CYCLING]) == [f"project/articles/{CYCLING.name}", bundled]
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert _graph_files([article, CYCLING]) == [CYCLING.name, bundled]


def test_source_lines_are_read_below_the_working_folder_or_bundled_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "project" / "articles").mkdir(parents=True)
    (tmp_path / "project" / "articles" / "a.txt").write_text("first\nsecond\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "project")
    assert read_source_line("articles/a.txt", 2) == "second"
    assert read_source_line(f"sources/{CYCLING.name}", 1) == TITLE
    for leaving in ("../secret.txt", str(tmp_path / "secret.txt"), "sources/../pyproject.toml"):
        assert read_source_line(leaving, 1) is None, leaving


def test_adding_an_article_from_an_installed_kg(
    kg: list[str], env: dict[str, str], tmp_path: Path
) -> None:
    # kg init → add an article → kg check --template → fill in the sources → kg build, with
    # the installed package in a fresh folder: what docs/adding-an-article.md walks
    # through. The user's look-ups are the family article's curated rows (tests/projects.py).
    assert not tmp_path.is_relative_to(ROOT)
    assert run_kg(["init", "proj"], tmp_path, kg, env).returncode == 0
    project = tmp_path / "proj"
    shutil.copy(ARTICLE, project / "sources")
    curated = project / "mappings" / "curated"
    done = run_kg(["check", "--template", "templates"], project, kg, env)
    assert done.returncode == 1, done.stderr
    assert "missing: sources/cycling-2024-mens-team-pursuit.txt:6: " in done.stdout  # the venue
    assert fill_in(project / "templates", curated, STEM) == 15
    split_by_hand(curated, STEM)  # the athletes cells templates/TODO.md lists
    done = run_kg(["check", "--template", "more"], project, kg, env)
    assert done.returncode == 1, done.stderr
    assert fill_in(project / "more", curated, STEM) == 3  # the NOCs of the athletes added
    done = run_kg(["check"], project, kg, env)
    assert done.returncode == 0, done.stdout + done.stderr
    done = run_kg(["build"], project, kg, env)
    assert done.returncode == 0, done.stderr
    assert "from 1 articles; wrote out/team-pursuit.ttl, out/team-pursuit.nt" in done.stderr
    graph = Graph().parse(project / "out" / "team-pursuit.nt")
    event = URIRef("https://w3id.org/team-pursuit/id/event/2024-cycling-mens-team-pursuit")
    assert (event, RDF.type, URIRef("https://w3id.org/team-pursuit/ontology#Event")) in graph
    assert (project / "out" / "store").is_dir()
