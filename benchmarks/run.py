"""Benchmark the streamed build on synthetic corpora, beside morph-kgc and raw Oxigraph.

    .venv/bin/python benchmarks/run.py --sizes 10 100 1000 10000 [--baseline REV] [--repeat N]
        [--morph] [--bundled-runs N] [--results FILE]

For each size: a corpus from ``make_corpus.py`` (seed 7), then, each in its own process so
that peak RSS is its own:
- ``kg build --stream`` (parse → extract → map → validate → serialize N-Triples → load into an
  Oxigraph store), with wall and CPU seconds per stage;
- the same build without the store (parse → validate → write N-Triples), the pipeline the
  morph-kgc comparison is about: its triples per second are set against morph-kgc's;
- with ``--morph``: morph-kgc materializing the same ``mappings/rules/*.yaml``, expanded to
  one rule per datatype by ``kg records --rml``, over the records ``kg records`` exports, in
  its own virtual environment (it pins rdflib<7.3);
- a raw pyoxigraph bulk load of the same N-Triples and a dump back to N-Quads: the ceiling;
  each build's triples/s is also given as a share of it.

Before the sizes: the default ``kg build`` of the two bundled articles, end to end, and a bare
``python -c 'import rdflib, pyoxigraph'``, interleaved ``--bundled-runs`` times (9); their
medians give the bundled build's ratio to the bare import. Both are whole processes, timed
from outside (interpreter start-up included). The bytecode caches of each side's ``kg_build``
are written first (``compileall``), as installing a wheel does, so that PYTHONDONTWRITEBYTECODE
does not time compiling the modules.

With ``--baseline REV`` (a commit, e.g. the code before a change), REV is checked out into a
temporary git worktree (``git worktree add --detach``, removed at the end) and run with this
interpreter and ``PYTHONPATH`` set to that worktree, its package data folders linked in as its
``pyproject.toml`` maps them, so it runs REV's code on REV's ontology, rules and shapes (the
figures name the ``kg_build`` each side imported). The bundled build and both builds of every
size are then also timed for REV, just before the same build of this checkout, on the same
articles (REV's ``make_corpus.py`` writes its corpus with its own mappings; a note says if the
articles differ), and a table per size gives before / after wall seconds, triples/s and their
ratio. ``--repeat N`` runs each build of a size below 10,000 articles N times, interleaved, and
keeps the median run (a build of seconds varies by a fifth on a quiet machine). A table gives
the issue's three targets as this run measured them (``targets.py``). Figures print as
Markdown and, with ``--results``, go to that file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script (`python benchmarks/run.py`, as the docs say) its folder, not the checkout,
# is on sys.path: the checkout goes first so that its sibling modules import as the tests
# import them, `benchmarks.…` (hence the imports below the path, E402).
sys.path.insert(0, str(ROOT))
from benchmarks.baseline import (  # noqa: E402
    AFTER,
    Code,
    before_after_table,
    checkout,
    commit,
    compile_bytecode,
    describe,
)
from benchmarks.targets import bundled_lines, share, share_lines, targets_table  # noqa: E402

MORPH_VENV = HERE / ".venv-morph"
MEASURE = """
import resource, runpy, sys, time
sys.argv = {argv!r}
wall, cpu = time.perf_counter(), time.process_time()
code = 0
try:
    runpy.run_module({module!r}, run_name="__main__")
except SystemExit as e:
    code = e.code or 0
usage, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime
print("MEASURE", time.perf_counter() - wall, cpu, max(usage.ru_maxrss, children.ru_maxrss), code, file=sys.stderr)
"""
RAW = """
import pyoxigraph as ox, sys
store = ox.Store()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
ox.serialize(store, output=sys.argv[2], format=ox.RdfFormat.N_QUADS)
print(len(store))
"""

CANONICAL = """
import pyoxigraph as ox, sys
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for t in ox.parse(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES):
        out.write(f"{t.subject} {t.predicate} {t.object}\\n")
"""
MAKE_CORPUS = """
import sys
from pathlib import Path
from benchmarks.make_corpus import make_corpus
make_corpus(int(sys.argv[1]), Path(sys.argv[2]), seed=7)
"""
CQ_TIMES = """
import csv, io, json, sys, time
import pyoxigraph as ox
from kg_build.store.sparql import render_result, store_result
store = ox.Store.read_only(sys.argv[1])
times = {}
for path in sys.argv[2:]:
    text = open(path, encoding="utf-8").read()
    start = time.perf_counter()
    data = render_result(store_result(store, text, path), "csv")
    seconds = time.perf_counter() - start
    times[path] = [seconds, len(list(csv.reader(io.StringIO(data.decode("utf-8"))))) - 1]
print(json.dumps(times))
"""
CQ_DIR = ROOT / "tests" / "cq"
SERVE_SECTION = "<!-- serve-load: written by benchmarks/serve_load.py -->"
FLOOR = """
import json, sys, tempfile, time
import pyoxigraph as ox
S = "https://example.org/floor/"
COLUMNS = " ".join(f"{{ SELECT ?x ?{v} WHERE {{ ?x <{S}{v}> ?{v} }} }}" for v in "lrn")
QUERIES = {
    "three values per row, unsorted": f"SELECT ?l ?r ?n WHERE {{ {COLUMNS} }}",
    "three values per row, sorted": f"SELECT ?l ?r ?n WHERE {{ {COLUMNS} }} ORDER BY (CONCAT('~', ?l)) ?r ?n",
    "one value per row, sorted": f"SELECT ?l WHERE {{ ?x <{S}l> ?l }} ORDER BY (CONCAT('~', ?l))",
}
times = {}
for rows in map(int, sys.argv[1:]):
    folder = tempfile.TemporaryDirectory(prefix="kg-floor-")
    store = ox.Store(folder.name)
    quads = []
    for i in range(rows):
        event, rank = divmod(i, 8)
        node = ox.NamedNode(f"{S}event/{event}/team/{rank}")
        label = ox.Literal(f"Cycling at the {2100 + event} Summer Olympics – Men's team pursuit")
        for name, value in (("l", label), ("r", ox.Literal(str(rank + 1))), ("n", ox.Literal(f"N{rank:02}"))):
            quads.append(ox.Quad(node, ox.NamedNode(S + name), value))
    store.bulk_extend(quads)
    store.optimize()
    for name, text in QUERIES.items():
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            store.query(text).serialize(format=ox.QueryResultsFormat.CSV)
            best = min(best, time.perf_counter() - start)
        times.setdefault(name, {})[rows] = best
    del store
    folder.cleanup()
print(json.dumps(times))
"""
FLOOR_ROWS = (10_000, 40_000, 80_000)
ONCE_FROM = 10_000  # --repeat leaves builds of this many articles to one run: minutes each  # the six whole-corpus questions answer 10,000-80,000


def measured(
    python: Path, module: str, argv: list[str], cwd: Path, env: dict[str, str] | None = None
) -> dict[str, float]:
    """Run ``python -m module argv`` in its own process; return wall, CPU, peak RSS (MiB).

    ``wall`` is timed inside the process (from before the module runs), ``process`` from
    outside (interpreter start-up and imports of ``site`` included).
    """
    script = MEASURE.format(argv=[module, *argv], module=module)
    started = time.perf_counter()
    done = subprocess.run(
        [str(python), "-c", script], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    process = time.perf_counter() - started
    line = next((ln for ln in done.stderr.splitlines() if ln.startswith("MEASURE")), None)
    if line is None or line.split()[4] != "0":
        raise RuntimeError(f"{module} failed: {done.stderr[-2000:]}")
    _, wall, cpu, rss, _code = line.split()
    return {"wall": float(wall), "cpu": float(cpu), "rss_mib": int(rss) / 1024, "process": process}


def ours(corpus: Path, work: Path, store: bool = True, code: Code = AFTER) -> dict[str, object]:
    """Time kg build --stream of ``code`` on a corpus; return totals and per-stage seconds.

    With ``store``, the build also loads its output into ``work/store``; without, it only
    writes N-Triples (to ``work/nt-only.nt``). The two bundled articles are ``code``'s, named
    in the graph by their path from ``code.root``, where the build runs.
    """
    timings = work / ("timings.json" if store else "timings-nt-only.json")
    output = ["-o", str(work / "kg.nt"), "--store", str(work / "store")]
    if not store:
        output = ["-o", str(work / "nt-only.nt"), "--no-store"]
    argv = [
        "-q",
        "build",
        str(corpus / "sources"),
        str(code.root / "sources"),
        "--mappings",
        str(corpus / "mappings"),
        "--stream",
        "--format",
        "nt",
        *output,
        "--timings",
        str(timings),
        "--jobs",
        str(os.cpu_count() or 1),
    ]
    totals = measured(code.python, "kg_build", argv, code.root, code.env)
    stages = json.loads(timings.read_text())
    return {**totals, "stages": stages, "triples": stages["lines"]}


def competency_questions(store: Path) -> dict[str, dict[str, float]]:
    """Time each competency question on the store of a build.

    The questions ask about Tokyo 2020 and Beijing 2022, so every build includes the two
    bundled articles beside the synthetic ones. Each question is timed twice: the query with
    its CSV on the open store (best of three), and ``kg query`` end to end in its own process.
    """
    queries = sorted(CQ_DIR.glob("*.rq"))
    runs = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", CQ_TIMES, str(store), *map(str, queries)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        runs.append(json.loads(done.stdout))
    times = {}
    for query in queries:
        argv = ["-q", "query", str(query), "--store", str(store), "--format", "csv"]
        whole = measured(Path(sys.executable), "kg_build", argv, ROOT)
        alone = min(run[str(query)][0] for run in runs)
        rows = runs[0][str(query)][1]
        times[query.stem] = {"query": alone, "kg_query": whole["wall"], "rows": rows}
    return times


def answer_floor(rows: tuple[int, ...]) -> dict[str, dict[str, float]]:
    """Time answers of so many rows from a store that holds them ready-made.

    Each row is one node with the three values an answer row shows (or, last, one string), so
    no query of the real graph that answers those values does less: the time to scan, sort and
    write that many rows in Oxigraph (on disk, optimized, as the build's store).
    """
    done = subprocess.run(
        [sys.executable, "-c", FLOOR, *map(str, rows)],
        capture_output=True,
        text=True,
        check=True,
    )
    floor: dict[str, dict[str, float]] = json.loads(done.stdout)
    return floor


def reference_loop() -> float:
    """Seconds for a fixed pure-Python loop (best of 3): compares this machine's speed across runs.

    Shared machines here vary in speed from day to day (the same build has taken 1.7x as long);
    the figure tells a slower machine from a slower build.
    """
    best = float("inf")
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for i in range(3_000_000):
            total += i * i
        best = min(best, time.perf_counter() - started)
    return best


def bundled(codes: list[Code], runs: int = 9) -> dict[str, dict[str, float]]:
    """Time the default ``kg build`` of the two bundled articles beside a bare import.

    Each of ``runs`` rounds times, one after the other, ``python -c 'import rdflib,
    pyoxigraph'`` and the build of each of ``codes`` (end to end: files and store, in a new
    folder); interleaved, so a machine that slows down slows all alike. Whole processes timed
    from outside; best and median of the rounds: one run swings by a third on this machine.
    """
    times: dict[str, list[dict[str, float]]] = {
        name: [] for name in ["bare", *(c.name for c in codes)]
    }
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import rdflib, pyoxigraph"], check=True)
        times["bare"].append({"process": time.perf_counter() - started, "rss_mib": 0.0})
        for code in codes:
            with tempfile.TemporaryDirectory(prefix="kg-bench-bundled-") as folder:
                argv = ["-q", "build"]
                times[code.name].append(
                    measured(code.python, "kg_build", argv, Path(folder), code.env)
                )
    result = {}
    for name, measures in times.items():
        walls = sorted(t["process"] for t in measures)
        result[name] = {
            "wall": walls[0],
            "median": walls[len(walls) // 2],
            "runs": runs,
            "rss_mib": max(t["rss_mib"] for t in measures),
        }
    return result


def morph(corpus: Path, work: Path) -> dict[str, float] | str:
    """Time morph-kgc materializing the same rules over the exported records."""
    python = MORPH_VENV / "bin" / "python"
    if not python.exists():
        return "not run: create benchmarks/.venv-morph with morph-kgc (see RESULTS.md)"
    records = work / "records.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kg_build",
            "-q",
            "records",
            str(corpus / "sources"),
            str(ROOT / "sources"),
            "--mappings",
            str(corpus / "mappings"),
            "-o",
            str(records),
            "--rml",
            str(work / "rml"),
        ],
        check=True,
        cwd=ROOT,
    )
    # The rules as standard YARRRML (one rule per datatype), generated by `kg records --rml`.
    rules = ",".join(str(p) for p in sorted((work / "rml").glob("*.yaml")))
    (work / "morph.ini").write_text(
        f"[CONFIGURATION]\noutput_file = {work / 'morph.nt'}\nna_values = ,null\n\n[DataSource1]\nmappings = {rules}\n",
        encoding="utf-8",
    )
    try:
        result = measured(python, "morph_kgc", [str(work / "morph.ini")], work)
    except RuntimeError as e:
        return f"failed: {str(e).splitlines()[-1][:200]}"
    with (work / "morph.nt").open("rb") as handle:
        result["triples"] = sum(1 for _ in handle)
    return result


def differences(ours_nt: Path, morph_nt: Path, work: Path) -> dict[str, int]:
    """Count the distinct triples only in ours and only in morph-kgc's output.

    Both files go through one N-Triples writer (pyoxigraph) and an external sort, so memory
    stays flat at 10,000 articles and spelling differences of the same term do not count.
    """
    c_locale = {**os.environ, "LC_ALL": "C"}  # sort and comm must agree on the order
    sorted_files = []
    for path in (ours_nt, morph_nt):
        lines, done = work / f"{path.stem}.lines", work / f"{path.stem}.sorted"
        subprocess.run([sys.executable, "-c", CANONICAL, str(path), str(lines)], check=True)
        subprocess.run(
            ["sort", "-u", "-S", "256M", "-T", str(work), "-o", str(done), str(lines)],
            check=True,
            env=c_locale,
        )
        lines.unlink()
        sorted_files.append(str(done))
    counts = {}
    for name, flag in (("only_ours", "-23"), ("only_morph", "-13")):
        out = subprocess.run(
            ["comm", flag, *sorted_files],
            capture_output=True,
            check=True,
            env=c_locale,
        )
        counts[name] = out.stdout.count(b"\n")
    for name in sorted_files:
        Path(name).unlink()
    return counts


def _digest(path: Path) -> str:
    """Return a file's SHA-256, read in blocks (the 10,000-article output is ~1 GB)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _lines_digest(path: Path) -> tuple[int, int]:
    """Return a file's line count and the sum of its lines' hashes, modulo 2**64.

    Equal for the same lines in any order: a build that took its articles in another order
    (the baseline's, by full path) writes the same triples in other bytes.
    """
    total = count = 0
    with path.open("rb") as handle:
        for line in handle:
            total += int.from_bytes(hashlib.blake2b(line, digest_size=8).digest(), "big")
            count += 1
    return count, total % (1 << 64)


def _median_run(runs: list[dict[str, object]]) -> dict[str, object]:
    """Return the run of median wall time (the lower middle of an even number)."""

    def wall(run: dict[str, object]) -> float:
        seconds = run["wall"]
        assert isinstance(seconds, float)
        return seconds

    return sorted(runs, key=wall)[(len(runs) - 1) // 2]


def _baseline_corpus(code: Code, size: int, work: Path, ours_corpus: Path) -> bool:
    """Write ``code``'s corpus of ``size`` (its make_corpus, its mappings) into ``work/corpus``.

    Return whether its articles, and its two bundled ones, are byte for byte this checkout's.
    """
    subprocess.run(
        [str(code.python), "-c", MAKE_CORPUS, str(size), str(work / "corpus")],
        check=True,
        cwd=code.root,
        env=code.env,
    )
    pairs = (
        (ours_corpus / "sources", work / "corpus" / "sources"),
        (ROOT / "sources", code.root / "sources"),
    )
    for mine, theirs in ((sorted(a.glob("*.txt")), sorted(b.glob("*.txt"))) for a, b in pairs):
        if [p.name for p in mine] != [p.name for p in theirs] or any(
            a.read_bytes() != b.read_bytes() for a, b in zip(mine, theirs, strict=True)
        ):
            return False
    return True


def raw_oxigraph(work: Path) -> dict[str, float]:
    """Time a bare pyoxigraph bulk load and dump of our N-Triples: the practical ceiling."""
    script = work / "raw.py"
    script.write_text(RAW, encoding="utf-8")
    wall, usage = time.perf_counter(), os.times()
    done = subprocess.run(
        [sys.executable, str(script), str(work / "kg.nt"), str(work / "raw.nq")],
        capture_output=True,
        text=True,
        check=True,
    )
    after = os.times()
    cpu = (after.children_user - usage.children_user) + (
        after.children_system - usage.children_system
    )
    return {"wall": time.perf_counter() - wall, "cpu": cpu, "triples": int(done.stdout.strip())}


def run(
    sizes: list[int], with_morph: bool, before: Code | None = None, repeat: int = 1
) -> list[dict[str, object]]:
    """Build and measure every corpus size (and with ``before``, that code's builds too).

    Below ``ONCE_FROM`` articles each build runs ``repeat`` times and its median run is kept.
    """
    from benchmarks.make_corpus import make_corpus

    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"kg-bench-{size}-") as folder:
            work = Path(folder)
            corpus = work / "corpus"
            started = time.perf_counter()
            make_corpus(size, corpus, seed=7)
            made = time.perf_counter() - started
            row: dict[str, object] = {
                "size": size,
                "loop": reference_loop(),
                "corpus_seconds": made,
            }
            old: dict[str, object] = {}
            if before is not None:
                (work / "before").mkdir()
                old["same_articles"] = _baseline_corpus(before, size, work / "before", corpus)
            # Each build of the baseline just before the same build of this checkout.
            runs = row["runs"] = repeat if size < ONCE_FROM else 1
            for key, store in (("ours", True), ("nt_only", False)):
                mine, theirs = [], []
                for _ in range(runs):
                    if before is not None:
                        theirs.append(
                            ours(work / "before" / "corpus", work / "before", store, before)
                        )
                    mine.append(ours(corpus, work, store))
                row[key] = _median_run(mine)
                if before is not None:
                    old[key] = _median_run(theirs)
            if _digest(work / "nt-only.nt") != _digest(work / "kg.nt"):
                raise RuntimeError(f"{size} articles: the two builds wrote different N-Triples")
            (work / "nt-only.nt").unlink()
            if before is not None:
                old["same_output"] = _digest(work / "before" / "kg.nt") == _digest(work / "kg.nt")
                old["same_triples"] = _lines_digest(work / "before" / "kg.nt") == _lines_digest(
                    work / "kg.nt"
                )
                shutil.rmtree(work / "before")  # its store: up to GBs at 10,000 articles
                row["before"] = old
            row["raw"] = raw_oxigraph(work)
            if size == max(sizes):
                row["cq"] = competency_questions(work / "store")
                # A hundredth of the rows below 1,000 articles: the smoke test runs the code.
                scale = 1 if size >= 1000 else 100
                row["floor"] = answer_floor(tuple(n // scale for n in FLOOR_ROWS))
            row["morph"] = morph(corpus, work) if with_morph else "not run (--morph not given)"
            if isinstance(row["morph"], dict):
                row["morph"] |= differences(work / "kg.nt", work / "morph.nt", work)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    return rows


def markdown(
    rows: list[dict[str, object]],
    command: str,
    bundled_build: dict[str, dict[str, float]] | None = None,
    loop_seconds: float | None = None,
    sides: dict[str, str] | None = None,
) -> str:
    """Render the figures as Markdown; ``sides`` names the code of each side ("after", "before")."""
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {date.today().isoformat()}; machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.platform()}",
        f"- Command: `{command}`",
        f"- SHACL engine: {_engine()}",
        *(
            [
                f"- Machine speed: a pure-Python loop of 3 M multiply-adds (`reference_loop`) took {loop_seconds:.3f} s, best of 3"
            ]
            if loop_seconds is not None
            else []
        ),
        *(f"- Code {name}: {text}" for name, text in (sides or {}).items()),
        *bundled_lines(bundled_build),
        *share_lines(rows),
        "",
        "Each corpus is N synthetic articles (`make_corpus.py`: modern ones mixed with the shapes of "
        "the family's real articles, `MIX`) plus the two bundled ones (the competency questions ask "
        "about them). Stage columns are seconds summed over the worker processes (CPU-bound, so "
        "about wall times cores); validate % is the validate stage's CPU seconds over the build's; machine loop is "
        "`reference_loop` just before that size (lower is a faster machine). The N-Triples-only "
        "columns are a second build of the same corpus without the store (parse → validate → "
        "write N-Triples); the comparison with morph-kgc's materialization uses that one. "
        "Only ours / only morph-kgc count the distinct triples one output has and the other lacks.",
        "",
        "| articles | triples | wall s | CPU s | triples/s | peak RSS MiB | parse | extract | map | validate | serialize | load | validate % of CPU s | N-Triples only: wall s | N-Triples only: triples/s | N-Triples only: validate % of CPU s | raw Oxigraph wall s | ÷ raw Oxigraph (triples/s) | N-Triples only ÷ raw Oxigraph (triples/s) | morph-kgc wall s | ours (N-Triples only) ÷ morph-kgc (triples/s) | only ours / only morph-kgc | machine loop s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        o, n, r, m = row["ours"], row["nt_only"], row["raw"], row["morph"]
        assert isinstance(o, dict) and isinstance(n, dict) and isinstance(r, dict)
        stages = o["stages"]["wall"]
        rate = o["triples"] / o["wall"]
        nt_rate = n["triples"] / n["wall"]
        morph_cell, ratio, differ = (
            (
                f"{m['wall']:.2f}",
                f"{nt_rate / (m['triples'] / m['wall']):.2f}",
                f"{m.get('only_ours', '–')} / {m.get('only_morph', '–')}",
            )
            if isinstance(m, dict)
            else (str(m), "–", "–")
        )
        lines.append(
            f"| {row['size']} | {o['triples']} | {o['wall']:.2f} | {o['cpu']:.2f} | {rate:,.0f} | {o['rss_mib']:.0f} | "
            + " | ".join(
                f"{stages[s]:.2f}"
                for s in ("parse", "extract", "map", "validate", "serialize", "load")
            )
            + f" | {_validateshare(o)} | {n['wall']:.2f} | {nt_rate:,.0f} | {_validateshare(n)}"
            + f" | {r['wall']:.2f} | {share(o, r):.2f} | {share(n, r):.2f} | {morph_cell} | {ratio} | {differ} | {row['loop']:.3f} |"
        )
    lines += before_after_table(rows)
    lines += targets_table(rows, bundled_build)
    lines += _cq_table(rows)
    return "\n".join(lines) + "\n"


def _engine() -> str:
    """Name the build's SHACL engine and the versions of the libraries its figures rest on."""
    from kg_build.defaults import DEFAULT_ENGINE

    names = ("shacl", "pyrudof", "pyshacl", "pyoxigraph", "rdflib")
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in names)
    return f"{DEFAULT_ENGINE}, the build's default; versions: {versions}"


def _validateshare(build: dict[str, object]) -> str:
    """Return the validate stage's CPU seconds as a percentage of the build's."""
    stages, cpu = build["stages"], build["cpu"]
    assert isinstance(stages, dict) and isinstance(cpu, float)
    return f"{100 * stages['cpu']['validate'] / cpu:.0f}"


def _cq_table(rows: list[dict[str, object]]) -> list[str]:
    """Render the competency-question timings of the largest store."""
    row = next((r for r in rows if "cq" in r), None)
    if row is None:
        return []
    cq = row["cq"]
    assert isinstance(cq, dict)
    lines = [
        "",
        f"Competency questions (`tests/cq/*.rq`) on the embedded store of the {row['size']:,}-article "
        "build: the query and its CSV in an open store (best of 3, as `kg query` writes it) and "
        "`kg query` end to end "
        "(a new process: Python start, store open, query, CSV out).",
        "",
        "| question | rows | query + CSV s | `kg query` wall s |",
        "|---|---|---|---|",
    ]
    for name, t in cq.items():
        lines.append(f"| {name} | {t['rows']:.0f} | {t['query']:.3f} | {t['kg_query']:.2f} |")
    floor = row.get("floor")
    if isinstance(floor, dict):
        counts = list(next(iter(floor.values())))
        lines += [
            "",
            "The floor under any layout (`answer_floor`): the same number of rows held ready-made, "
            "one node per row with the row's values, scanned, sorted as the questions sort, and "
            "written as CSV in an on-disk Oxigraph store (seconds, best of 3).",
            "",
            "| answer | " + " | ".join(f"{int(n):,} rows" for n in counts) + " |",
            "|---|" + "---|" * len(counts),
        ]
        for name, by_rows in floor.items():
            lines.append(f"| {name} | {' | '.join(f'{by_rows[n]:.3f}' for n in counts)} |")
    return lines


def main() -> None:
    """Parse the command line, run, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[10, 100, 1000, 10000],
        help="synthetic articles per corpus (default 10 100 1000 10000)",
    )
    parser.add_argument(
        "--morph", action="store_true", help="also time morph-kgc (needs benchmarks/.venv-morph)"
    )
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also time the code of git revision REV (e.g. the commit before a change) on the "
        "same articles, from a temporary worktree, each build just before this checkout's; "
        "adds a before/after table",
    )
    parser.add_argument(
        "--bundled-runs",
        type=int,
        default=9,
        metavar="N",
        help="rounds of the bundled build beside the bare import (default 9; medians reported)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help=f"run each build of a size below {ONCE_FROM:,} articles N times, interleaved with "
        "the baseline's, and keep the median run (default 1)",
    )
    parser.add_argument("--results", type=Path, help="write the Markdown table to this file")
    args = parser.parse_args()
    command = "python benchmarks/run.py " + " ".join(sys.argv[1:])
    with ExitStack() as stack:
        sides = {
            "after": f"this checkout, commit {commit('HEAD', worktree=True)}; {describe(AFTER)}"
        }
        codes = [AFTER]
        if args.baseline:
            before = stack.enter_context(checkout(args.baseline))
            sides["before"] = f"`--baseline {args.baseline}`, commit {commit(args.baseline)}; " + (
                f"{describe(before)} of a temporary worktree"
            )
            codes.insert(0, before)
        for code in codes:
            compile_bytecode(code)
        loop = reference_loop()
        first = bundled(codes, args.bundled_runs)
        rows = run(args.sizes, args.morph, codes[0] if args.baseline else None, args.repeat)
    table = markdown(rows, command, first, loop, sides)
    print(table)
    if args.results:
        # The serve section (benchmarks/serve_load.py) is its own run: keep it as it is.
        old = args.results.read_text(encoding="utf-8") if args.results.exists() else ""
        kept = old[old.index(SERVE_SECTION) :] if SERVE_SECTION in old else ""
        args.results.write_text(table + ("\n" + kept if kept else ""), encoding="utf-8")


if __name__ == "__main__":
    main()
