"""The ``kg`` command: options, output routing and exit codes; the work is in the stages.

Each module below registers its commands on the group of ``group``. The commands import
the pipeline where they run: `kg query` and `kg --help` then start without rdflib, the model
or the SHACL engines (0.1 s instead of 0.5 s).
"""

from kg_build.cli import build, link, project, query, validate, web
from kg_build.cli.group import EXIT_BAD_INPUT, EXIT_OK, EXIT_SERVICE, EXIT_USAGE, cli
from kg_build.collector import collect_less

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_OK",
    "EXIT_SERVICE",
    "EXIT_USAGE",
    "build",
    "cli",
    "link",
    "main",
    "project",
    "query",
    "validate",
    "web",
]


def main() -> None:
    """Run the ``kg`` console script."""
    collect_less()  # before the command imports its pipeline (kg_build/collector.py)
    cli(prog_name="kg")
