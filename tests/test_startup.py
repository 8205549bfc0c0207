"""What a default ``kg build`` leaves out of its start-up (speed: benchmarks/run.py times it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BUILT = """
import sys
from kg_build.cli import main
sys.argv = ["kg", "-q", "build"]
try:
    main()
except SystemExit as e:
    print(e.code)
print(sorted(m for m in sys.modules if m.startswith("rdflib.plugins.sparql")))
print(sorted(m for m in sys.modules if m == "yaml" or m.startswith(("yaml.", "rdflib.plugins.serializers"))))
"""


def test_bundled_build_does_not_build_rdflibs_sparql_grammar(tmp_path: Path) -> None:
    """The default build never imports rdflib's SPARQL parser (~0.1 s to build its grammar).

    It loads only to check a query of the shapes that might be forbidden
    (kg_build/validate/shacl_sparql.py), and the bundled shapes have none.
    """
    done = subprocess.run(
        [sys.executable, "-c", BUILT], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert done.stdout.splitlines()[:2] == ["0", "[]"], done.stderr
    assert (tmp_path / "out" / "team-pursuit.ttl").exists()


def test_a_build_with_its_config_kept_reads_no_yaml_and_writes_with_no_rdflib(
    tmp_path: Path,
) -> None:
    """Once its config is kept, a build imports neither PyYAML nor an rdflib writer.

    The rules, settings and link set come from the cache (rdf/cache.py), and every file is
    written by pyoxigraph or our N-Triples writer, the VoID included.
    """
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", BUILT], capture_output=True, text=True, cwd=tmp_path, env=env
        )
        for _ in range(2)
    ]
    assert [r.returncode for r in runs] == [0, 0], runs[-1].stderr
    first, second = (r.stdout.splitlines() for r in runs)
    assert "'yaml'" in first[2]  # the first build read the rules: the check can fail
    assert second == ["0", "[]", "[]"], runs[1].stderr


PACE = """
import gc, sys
default = gc.get_threshold()
from kg_build.cli import main
imported = gc.get_threshold()
sys.argv = ["kg", "--version"]
try:
    main()
except SystemExit:
    pass
print(imported == default, gc.get_threshold())
from kg_build.build.config import Config
from kg_build.build.workers import _start_worker
gc.set_threshold(700, 10, 10)
_start_worker(Config())
print(gc.get_threshold())
"""


def test_the_command_and_its_workers_collect_less_often() -> None:
    """``kg`` sets the collector's thresholds (kg_build/collector.py); an import does not."""
    from kg_build.collector import THRESHOLDS

    done = subprocess.run(
        [sys.executable, "-c", PACE],
        capture_output=True,
        text=True,
        check=True,
    )
    printed = done.stdout.splitlines()
    assert printed[-2:] == [f"True {THRESHOLDS}", f"{THRESHOLDS}"], done.stderr
