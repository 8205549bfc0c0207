"""Project folders: kg init writes one; kg run in it builds its articles with the packaged data.

Each test runs kg as a process in a temporary folder, as a user runs it in theirs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Dataset

from kg_build.curated.reference import load_reference
from kg_build.curated.tables import CURATED_FILES, add_rows, requirements
from kg_build.defaults import MAPPINGS, ONTOLOGY, SHAPES
from kg_build.errors import MappingError
from kg_build.project import find_project, project_paths
from tests.conftest import ROOT
from tests.projects import ARTICLE, FAMILY, STEM, looked_up, run_kg

EVENT = "https://w3id.org/team-pursuit/id/event/2024-cycling-mens-team-pursuit"
INIT_FILES = {
    ".gitignore",
    "README.md",
    "kg.toml",
    "sources/README.md",
    *(f"mappings/curated/{name}" for name in CURATED_FILES),
}


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _project(tmp_path: Path) -> Path:
    assert run_kg(["-q", "init", "proj"], tmp_path).returncode == 0
    return tmp_path / "proj"


def _with_article(project: Path) -> Path:
    """Copy the 2024 cycling article into the project with the rows it needs (none packaged)."""
    shutil.copy(ARTICLE, project / "sources")
    for name, rows in looked_up(STEM).items():
        spec = CURATED_FILES[name]
        lines = ["\t".join(row[c] for c in spec.columns) for row in rows.values()]
        add_rows(project / "mappings" / "curated" / name, lines)
    return project


def test_init_writes_the_headers_a_readme_and_the_marker(tmp_path: Path) -> None:
    done = run_kg(["init", "proj"], tmp_path)
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == "wrote 13 files to proj/; add articles to its sources/ (proj/README.md)\n"
    project = tmp_path / "proj"
    assert _files(project) == INIT_FILES
    for spec in CURATED_FILES.values():
        text = (project / "mappings" / "curated" / spec.name).read_text(encoding="utf-8")
        assert text == "\t".join(spec.columns) + "\n", spec.name
    readme = (project / "README.md").read_text(encoding="utf-8")
    for spec in CURATED_FILES.values():
        assert f"`{spec.name}`: {requirements(spec)}" in readme
    assert "<!--" not in readme
    assert find_project(project) == project


def test_init_refuses_a_folder_that_is_not_empty_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "README.md").write_text("mine\n", encoding="utf-8")
    done = run_kg(["init", "proj"], tmp_path)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "error: proj: is not empty; kg init writes a project into a new or empty folder "
        "(--force adds its files there and keeps every file already there)\n"
    )
    assert _files(tmp_path / "proj") == {"README.md"}
    done = run_kg(["init", "--force", "proj"], tmp_path)
    assert done.returncode == 0
    assert done.stderr.splitlines() == [
        "kept proj/README.md (already there)",
        "wrote 12 files to proj/; add articles to its sources/ (proj/README.md)",
    ]
    assert (tmp_path / "proj" / "README.md").read_text(encoding="utf-8") == "mine\n"
    assert _files(tmp_path / "proj") == INIT_FILES
    (tmp_path / "file").write_text("", encoding="utf-8")
    done = run_kg(["init", "file"], tmp_path)
    assert (done.returncode, done.stderr) == (
        1,
        "error: file: is a file (expected a folder to write)\n",
    )


def test_a_project_builds_its_own_article_with_the_packaged_defaults(tmp_path: Path) -> None:
    project = _with_article(_project(tmp_path))
    done = run_kg(["build", "--no-store", "-o", "graph.nq"], project)
    assert done.returncode == 0, done.stderr
    assert "built " in done.stderr and "from 1 articles" in done.stderr
    dataset = Dataset(default_union=True).parse(project / "graph.nq", format="nquads")
    names = {str(g.identifier) for g in dataset.graphs()}
    assert f"https://w3id.org/team-pursuit/id/article/{STEM}" in names
    assert not any("2020" in n or "2022" in n for n in names), names  # no bundled article
    tp = "https://w3id.org/team-pursuit/ontology#"
    query = f"SELECT ?f WHERE {{ ?a <{tp}sourceFile> ?f }}"
    assert {str(r[0]) for r in dataset.query(query)} == {f"sources/{STEM}.txt"}  # type: ignore[index]
    assert f"<{EVENT}>" in (project / "graph.nq").read_text(encoding="utf-8")


def test_a_project_without_articles_says_so(tmp_path: Path) -> None:
    done = run_kg(["build"], _project(tmp_path))
    assert (done.returncode, done.stderr) == (
        1,
        "error: sources: no articles (*.txt) in the project folder; add one "
        "(README.md, 'Adding an article')\n",
    )


def test_project_rows_add_to_the_packaged_rows(tmp_path: Path) -> None:
    project = tmp_path / "mappings"
    (project / "curated").mkdir(parents=True)
    packaged = (MAPPINGS / "curated" / "nocs.tsv").read_text(encoding="utf-8").splitlines()
    aus = next(line for line in packaged if line.startswith("AUS\t"))
    fra = "FRA\tFrance\t\thttps://example.org/fra\tthe page names France (FRA)"
    (project / "curated" / "nocs.tsv").write_text("\n".join([packaged[0], aus, fra]) + "\n")
    reference = load_reference(MAPPINGS, project)
    assert list(reference.nocs) == sorted({*load_reference(MAPPINGS).nocs, "FRA"})
    assert reference.nocs["FRA"].name == "France"
    assert reference.file("nocs.tsv") == f"{project.as_posix()}/curated/nocs.tsv"


def test_a_key_in_both_with_other_cells_is_one_error_naming_both(tmp_path: Path) -> None:
    project = _with_article(_project(tmp_path))
    packaged = (MAPPINGS / "curated" / "nocs.tsv").read_text(encoding="utf-8").splitlines()
    line = next(n for n, row in enumerate(packaged, 1) if row.startswith("AUS\t"))
    add_rows(
        project / "mappings" / "curated" / "nocs.tsv",
        ["AUS\tAustralia\t\thttps://example.org/aus\tmine"],
    )
    done = run_kg(["build", "--no-store", "-o", "x.ttl"], project)
    at = project / "mappings" / "curated" / "nocs.tsv"
    mine = (
        at.read_text(encoding="utf-8")
        .splitlines()
        .index("AUS\tAustralia\t\thttps://example.org/aus\tmine")
        + 1
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"error: mappings/curated/nocs.tsv:{mine}: the row for code 'AUS' is also at "
        f"{(MAPPINGS / 'curated' / 'nocs.tsv').as_posix()}:{line}, with other cells (source_url "
        "'https://en.wikipedia.org/wiki/Australian_Olympic_Committee' there, "
        "'https://example.org/aus' here; evidence differs too); nocs.tsv has one row per code "
        "in the packaged and the project's rows together: remove one, or make them the same\n"
    )
    assert not (project / "x.ttl").exists()


@pytest.mark.parametrize("same", [True, False], ids=["same", "other"])
def test_a_roster_row_and_a_facts_file_in_both(
    tmp_path: Path, same: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the project's files are shown below it, the packaged in full
    project = tmp_path / "mappings"
    (project / "curated").mkdir(parents=True)
    (project / "facts").mkdir()
    header, first, *_ = (
        (MAPPINGS / "curated" / "rosters.tsv").read_text(encoding="utf-8").splitlines()
    )
    row = first if same else first.replace("\thttps://", "\thttps://example.org/other/", 1)
    (project / "curated" / "rosters.tsv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    facts = sorted((MAPPINGS / "facts").glob("*.yaml"))[0]
    text = facts.read_text(encoding="utf-8")
    (project / "facts" / facts.name).write_text(
        text if same else text + "\n# mine\n", encoding="utf-8"
    )
    if same:
        reference = load_reference(MAPPINGS, project)
        assert reference.rosters == load_reference(MAPPINGS).rosters
        assert reference.facts == load_reference(MAPPINGS).facts
        return
    with pytest.raises(MappingError) as raised:
        load_reference(MAPPINGS, project)
    assert raised.value.path == "mappings/curated/rosters.tsv"
    assert raised.value.line == 2
    assert (
        f"is also at {MAPPINGS.as_posix()}/curated/rosters.tsv:2, with other cells (source_url"
        in raised.value.message
    )
    (project / "curated" / "rosters.tsv").write_text(f"{header}\n{first}\n", encoding="utf-8")
    with pytest.raises(MappingError) as raised:
        load_reference(MAPPINGS, project)
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if ln.startswith("article:"))
    assert (raised.value.path, raised.value.line) == (f"mappings/facts/{facts.name}", line)
    assert raised.value.message == (
        f"the facts of '{facts.stem}' are also in {MAPPINGS.as_posix()}/facts/{facts.name}, with "
        "other content; an article's facts are one file: remove one, or make them the same"
    )


def test_a_project_s_own_settings_and_shapes_replace_the_packaged_ones(tmp_path: Path) -> None:
    project = _with_article(_project(tmp_path))
    (project / "mappings" / "extraction.yaml").write_text("title_pattern: [\n", encoding="utf-8")
    done = run_kg(["build", "--no-store", "-o", "x.ttl"], project)
    assert done.returncode == 1
    assert done.stderr.startswith("error: mappings/extraction.yaml:"), done.stderr
    # An option names what to use instead: the whole packaged mappings folder (no project rows).
    done = run_kg(["check", "--mappings", str(MAPPINGS)], project)
    assert "no rows for event 'cycling-2024-mens-team-pursuit'" in done.stdout
    (project / "mappings" / "extraction.yaml").unlink()
    (project / "shapes").mkdir()
    (project / "shapes" / "broken.ttl").write_text("this is not turtle\n", encoding="utf-8")
    done = run_kg(["build", "--no-store", "-o", "x.ttl"], project)
    assert done.returncode == 1
    assert done.stderr.startswith("error: shapes/broken.ttl:1: "), done.stderr
    done = run_kg(["build", "--no-store", "-o", "x.ttl", "--shapes", str(SHAPES)], project)
    assert done.returncode == 0, done.stderr


def test_this_checkout_is_a_project_folder_of_the_packaged_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    assert find_project() == ROOT
    paths = project_paths(ONTOLOGY, MAPPINGS, SHAPES, (), (), ROOT)
    # Its folders are the packaged ones (an editable install): nothing is read twice.
    assert (paths.ontology, paths.mappings, paths.shapes, paths.project) == (
        ONTOLOGY,
        MAPPINGS,
        SHAPES,
        None,
    )
    assert paths.sources == ()  # the bundled articles
    assert (ROOT / "sources").resolve() == (FAMILY.parent.parent.parent / "sources").resolve()
