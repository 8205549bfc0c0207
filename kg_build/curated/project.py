"""A user's project folder: their articles and curated rows beside the packaged data.

A project folder is a folder holding ``kg.toml`` (``kg init`` writes one); kg run in it builds
its ``sources/*.txt`` into its ``out/``. The ontology, rules, shapes and extraction settings
are the packaged ones unless the folder has its own (``ontology/tp.ttl``, ``shapes/``,
``mappings/extraction.yaml``, ``mappings/rules/``, ``mappings/wikidata.sssom.tsv``); its
curated rows and facts add to the packaged ones (``curated.reference.load_reference``).
An option (``--ontology``, ``--mappings``, ``--shapes``) names what to use instead. This
repository is such a folder: in an editable install its folders are the packaged ones, read
once.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from importlib.resources import files
from pathlib import Path

from msgspec import Struct

from kg_build.curated.tables import CURATED_FILES, requirements
from kg_build.defaults import MAPPINGS, ONTOLOGY, SHAPES, SOURCES, SOURCES_NAME
from kg_build.errors import OutputError, SourceError
from kg_build.messages import display_path
from kg_build.output import written_beside

PROJECT_FILE = "kg.toml"
CURATED = Path("mappings") / "curated"
# The skeleton's files and where kg init writes them (a dot file is not package data).
SKELETON = {
    "kg.toml": PROJECT_FILE,
    "README.md": "README.md",
    "gitignore": ".gitignore",
    "sources/README.md": "sources/README.md",
}


def find_project(folder: Path | None = None) -> Path | None:
    """Return the project folder kg runs in (the working folder, if it holds kg.toml)."""
    folder = Path.cwd() if folder is None else folder
    return folder if (folder / PROJECT_FILE).is_file() else None


class ProjectPaths(Struct, frozen=True):
    """What a command reads: the ontology, mappings and shapes, and the default articles."""

    ontology: Path
    mappings: Path
    shapes: Path
    project: Path | None  # the project's mappings folder, read beside ``mappings``
    sources: tuple[Path, ...]  # empty: the bundled articles


def project_paths(
    ontology: Path,
    mappings: Path,
    shapes: Path,
    sources: tuple[Path, ...] | None,
    given: Collection[str],
    root: Path | None,
) -> ProjectPaths:
    """Resolve what to read: options named in ``given`` win, then the project's own files.

    ``ontology``, ``mappings`` and ``shapes`` are the options' values (the packaged data
    unless given); ``sources`` the articles named (None: the command reads none); ``root``
    the project folder, if kg runs in one.
    """
    if root is None:
        return ProjectPaths(ontology, mappings, shapes, None, sources or ())
    own_mappings = root / "mappings"
    project = None
    if "mappings" not in given and own_mappings.is_dir() and not _same(own_mappings, MAPPINGS):
        project = own_mappings
    return ProjectPaths(
        ontology=_own(root / "ontology" / ONTOLOGY.name, ONTOLOGY, ontology, "ontology" in given),
        mappings=mappings,
        shapes=_own(root / "shapes", SHAPES, shapes, "shapes" in given),
        project=project,
        sources=sources or (() if sources is None else project_sources(root)),
    )


def _own(own: Path, packaged: Path, option: Path, given: bool) -> Path:
    return own if not given and own.exists() and not _same(own, packaged) else option


def _same(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def project_sources(root: Path) -> tuple[Path, ...]:
    """Return the project's articles, sorted; none stands for the bundled ones (this checkout)."""
    folder = root / SOURCES_NAME
    if folder.is_dir() and _same(folder, SOURCES):
        return ()
    found = tuple(sorted(folder.glob("*.txt")))
    if not found:
        raise SourceError(
            display_path(folder),
            None,
            "no articles (*.txt) in the project folder; add one (README.md, 'Adding an article')",
        )
    return found


def init_project(folder: Path, force: bool = False) -> tuple[list[Path], list[Path]]:
    """Write a project folder; return the files written and those already there (kept).

    Refuses a folder that is not empty unless ``force``; never overwrites a file.
    """
    if folder.exists() and not folder.is_dir():
        raise OutputError(folder.as_posix(), None, "is a file (expected a folder to write)")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise OutputError(
            folder.as_posix(),
            None,
            "is not empty; kg init writes a project into a new or empty folder "
            "(--force adds its files there and keeps every file already there)",
        )
    written: list[Path] = []
    kept: list[Path] = []
    for name, data in project_files().items():
        path = folder / name
        (written if _write_new(path, data) else kept).append(path)
    return written, kept


def project_files() -> dict[str, bytes]:
    """Return what kg init writes, by path in the project folder."""
    skeleton = files("kg_build") / "skeleton"
    out = {target: (skeleton / name).read_bytes() for name, target in SKELETON.items()}
    out["README.md"] = _readme(out["README.md"].decode("utf-8")).encode("utf-8")
    for spec in CURATED_FILES.values():
        out[(CURATED / spec.name).as_posix()] = ("\t".join(spec.columns) + "\n").encode("utf-8")
    return out


def _readme(text: str) -> str:
    """Put what each curated file requires (kg_build/curated/tables.py) in the README."""
    for spec in CURATED_FILES.values():
        mark = f"<!-- {spec.name} -->"
        if mark not in text:
            raise ValueError(f"the skeleton README has no place for {spec.name}")
        text = text.replace(mark, f"`{spec.name}`: {requirements(spec)}")
    return text


def _write_new(path: Path, data: bytes) -> bool:
    """Write ``path`` unless it exists (whole or not at all); return whether it was written."""
    tmp = written_beside(path, data)
    try:
        os.link(tmp, path)  # fails if the file is there: it is never replaced
    except FileExistsError:
        return False
    except OSError as e:
        raise OutputError(path.as_posix(), None, f"cannot write ({e.strerror})") from e
    finally:
        tmp.unlink(missing_ok=True)
    return True
