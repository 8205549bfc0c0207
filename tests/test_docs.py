"""The README and docs/ tell the truth: the two commands, the commands, exit codes, diagnostics.

The docs' examples themselves run in tests/test_doc_examples.py.
"""

from __future__ import annotations

import re
import subprocess

from rdflib import Graph

from kg_build.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_SERVICE, EXIT_USAGE, cli
from kg_build.diagram import class_diagram
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"
COMMANDS = (DOCS / "commands.md").read_text(encoding="utf-8")


def _sh_blocks() -> list[str]:
    return re.findall(r"^```sh\n(.*?)\n```$", README, flags=re.MULTILINE | re.DOTALL)


def test_readme_opens_with_the_two_commands() -> None:
    build, test = _sh_blocks()[:2]
    assert README.index("```sh") < 200, "the commands must be in the README's first lines"
    assert build.startswith("python3 -m venv .venv && ") and build.endswith("kg build")
    assert test.startswith("python3 -m venv .venv && ") and test.endswith("-m pytest")
    assert "\n" not in build + test


def test_ci_runs_the_readme_test_command() -> None:
    done = subprocess.run(
        ["bash", ".ci/run", "--print-command"], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout == _sh_blocks()[1] + "\n"


def test_readme_build_command_works() -> None:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", _sh_blocks()[0]],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert (
        "from 2 articles with 2 SHACL warnings (a build stops on violations only); "
        "wrote out/team-pursuit.ttl, out/team-pursuit.nt" in done.stderr
    )
    for name in ("team-pursuit.ttl", "team-pursuit.nt"):
        assert len(Graph().parse(ROOT / "out" / name)) > 3000


def test_readme_is_short_and_links_every_page_of_the_docs() -> None:
    words = len(re.sub(r"```.*?```", "", README, flags=re.DOTALL).split())
    assert words <= 1_300, f"the README has {words} words; move the detail to docs/"
    for page in sorted(DOCS.glob("*.md")):
        assert f"](docs/{page.name})" in README, page.name


def test_every_command_is_documented_with_help() -> None:
    assert cli.commands, "no commands registered"
    for name, command in cli.commands.items():
        assert f"`kg {name}" in README, name  # the README's table of commands
        assert f"| `kg {name}" in COMMANDS, name  # docs/commands.md's, with every option
        assert command.help and "Example:" in command.help, name


def test_exit_codes_are_documented() -> None:
    for code in (EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE, EXIT_SERVICE):
        assert re.search(rf"^\| {code} \| \w", COMMANDS, flags=re.MULTILINE), code


def test_docs_list_every_diagnostic_code_with_its_level() -> None:
    from kg_build.diagnostics import CODES

    diagnostics = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    for code, (level, meaning) in CODES.items():
        assert f"| `{code}` | {level.value} | {meaning} |" in diagnostics, code


def test_the_class_diagram_of_the_docs_is_the_ontology_s() -> None:
    drawn = class_diagram(ROOT / "ontology" / "tp.ttl")
    assert (DOCS / "class-diagram.svg").read_bytes() == drawn, (
        "docs/class-diagram.svg is out of date: write class_diagram(ontology/tp.ttl) to it"
    )
