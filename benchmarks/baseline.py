"""Run another revision's ``kg build`` beside this checkout's: a temporary git worktree.

``checkout(rev)`` adds a detached worktree of ``rev`` and yields the ``Code`` that runs it:
this interpreter with ``PYTHONPATH`` and the working directory set to the worktree, so
``import kg_build`` finds the worktree's package before the editable install of this checkout.
The editable install also maps ``kg_build.data.<name>`` to this checkout's data folders
(pyproject.toml's package-dir); the worktree gets the same mapping as symbolic links inside
its ``kg_build/data/``, so the old code reads its own ontology, rules and shapes.
``describe`` asks a process of each side which files it imported, and fails if the baseline's
are not in its worktree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHICH = """
from importlib.resources import files
from pathlib import Path
import kg_build
print(Path(kg_build.__file__).resolve())
print(Path(str(files("kg_build.data.ontology"))).resolve())
"""


@dataclass(frozen=True)
class Code:
    """Which ``kg_build`` a timed process runs: this checkout's, or a worktree's."""

    name: str
    root: Path  # the checkout: its kg_build/, benchmarks/ and data folders
    env: dict[str, str] | None = None  # None: this process's environment

    @property
    def python(self) -> Path:
        """The interpreter: this one, for both sides (the same libraries)."""
        return Path(sys.executable)


AFTER = Code("after", ROOT)


@contextmanager
def checkout(rev: str) -> Iterator[Code]:
    """Yield the ``Code`` of ``rev`` in a temporary worktree; remove the worktree after."""
    folder = Path(tempfile.mkdtemp(prefix="kg-bench-baseline-"))
    tree = folder / "tree"
    git = ["git", "-C", str(ROOT), "worktree"]
    subprocess.run([*git, "add", "--detach", "--quiet", str(tree), rev], check=True)
    try:
        _link_data(tree)
        # Its own cache folder: a baseline that keeps loaded data (kg_build/rdf/cache.py) would
        # otherwise overwrite this checkout's kept copy at every build, and both pay a miss.
        cache = folder / "cache"
        env = {**os.environ, "PYTHONPATH": str(tree), "XDG_CACHE_HOME": str(cache)}
        yield Code("before", tree, env)
    finally:
        subprocess.run([*git, "remove", "--force", str(tree)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def _link_data(tree: Path) -> None:
    """Link each package-dir mapping of the worktree's pyproject.toml into its package."""
    with (tree / "pyproject.toml").open("rb") as handle:
        mapped = tomllib.load(handle)["tool"]["setuptools"].get("package-dir", {})
    for package, folder in mapped.items():
        link = tree.joinpath(*package.split("."))
        if package.startswith("kg_build.") and not link.exists():
            link.symlink_to(os.path.relpath(tree / folder, link.parent), target_is_directory=True)


def commit(rev: str, worktree: bool = False) -> str:
    """Return the short commit of ``rev``; with ``worktree``, `+changes` if ROOT's files differ."""
    git = ["git", "-C", str(ROOT)]
    short = subprocess.run(
        [*git, "rev-parse", "--short", rev], capture_output=True, text=True, check=True
    ).stdout.strip()
    status = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return short + ("+changes" if worktree and status.strip() else "")


def compile_bytecode(code: Code) -> None:
    """Write ``code``'s bytecode caches, as installing a wheel does.

    With PYTHONDONTWRITEBYTECODE set (as in some shells and CI), every process would compile
    kg_build's modules from source: some 0.12 s of each bundled build, measured here.
    """
    subprocess.run(
        [str(code.python), "-m", "compileall", "-q", str(code.root / "kg_build")],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def describe(code: Code) -> str:
    """Return where ``code``'s processes import kg_build and its ontology from.

    Raises RuntimeError if either is outside ``code.root``: the timings would be of other code.
    """
    done = subprocess.run(
        [str(code.python), "-c", WHICH],
        capture_output=True,
        text=True,
        check=True,
        cwd=code.root,
        env=code.env,
    )
    package, ontology = (Path(line) for line in done.stdout.split())
    root = code.root.resolve()
    if not (package.is_relative_to(root) and ontology.is_relative_to(root)):
        raise RuntimeError(f"{code.name}: imports {package} and {ontology}, not from {root}")
    return (
        f"`kg_build` from {package.relative_to(root)}, ontology from {ontology.relative_to(root)}/"
    )


def before_after_table(rows: list[dict[str, object]]) -> list[str]:
    """Render, per size, the baseline's builds beside this checkout's (none without one)."""
    if not any("before" in row for row in rows):
        return []
    lines = [
        "",
        "Before and after, per size (`--baseline`): the baseline's build of each size ran just "
        "before this checkout's same build, on the same articles (same articles: byte for "
        "byte; same N-Triples: the two builds' files with the store byte for byte; same "
        "triples: the same lines in any order). With "
        "`--repeat`, each figure is the median of the row's runs, interleaved. A ratio above "
        "1.00 is slower than before.",
        "",
        "| articles | same articles | same N-Triples | same triples | before wall s "
        "| after wall s "
        "| before triples/s | after triples/s | after ÷ before wall "
        "| N-Triples only: before wall s | N-Triples only: after wall s "
        "| N-Triples only: before triples/s | N-Triples only: after triples/s "
        "| N-Triples only: after ÷ before wall | runs | machine loop s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        old = row["before"]
        assert isinstance(old, dict)
        cells = [
            f"{row['size']}",
            "yes" if old["same_articles"] else "**no**",
            "yes" if old["same_output"] else "no",
            "yes" if old["same_triples"] else "**no**",
        ]
        for key in ("ours", "nt_only"):
            then, now = old[key], row[key]
            assert isinstance(then, dict) and isinstance(now, dict)
            cells += [f"{then['wall']:.2f}", f"{now['wall']:.2f}"]
            cells += [
                f"{then['triples'] / then['wall']:,.0f}",
                f"{now['triples'] / now['wall']:,.0f}",
            ]
            cells.append(f"{now['wall'] / then['wall']:.2f}")
        cells += [f"{row['runs']}", f"{row['loop']:.3f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines
