"""The docs' examples run: every ```console block of README.md and docs/*.md, as a user types it.

Each page runs in a fresh copy of the checkout's data folders (``kg.toml``, ``sources/``,
``ontology/``, ``mappings/``, ``shapes/``, ``tests/cq/``, ``tests/data/family/``), one ``$``
line after another in one working folder (a ``cd`` carries over), with the installed ``kg`` on
the PATH. A line exits 0 unless the block shows ``$ echo $?`` and the code after it, and
prints every line shown under it (``…`` stands for lines left out). A
``kg serve`` line starts the server and waits for it to listen; the page's later lines can ask
it; it is stopped with Ctrl-C (SIGINT) when the page ends. Servers a page names on loopback
stand for real ones: ``127.0.0.1:8000`` and ``8001`` are the page's ``kg serve`` (on free ports),
``127.0.0.1:9999`` a Wikidata query service answering from ``tests/data/wikidata/fixture.ttl``,
and ``127.0.0.1:8890`` a real Virtuoso (Debian's ``virtuoso-opensource-7-bin``). Nothing else
is asked of the network.

A second test holds the docs to the ``kg`` command itself: every command, and every option of
every command, appears in an example that runs.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import click
import pyoxigraph
import pytest

from kg_build.cli import cli
from tests.conftest import ROOT
from tests.servers import free_port, require_or_skip, running_virtuoso, sparql_server

PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
COPIED = ("kg.toml", "sources", "ontology", "mappings", "shapes", "tests/cq", "tests/data/family")
SERVE_PORTS = ("8000", "8001")  # kg serve on the page
WIKIDATA_PORT, VIRTUOSO_PORT = "127.0.0.1:9999", "127.0.0.1:8890"
BIN = Path(sys.executable).parent
TOOLS = ("curl", "gzip")  # commands of the examples that are not kg or the shell's own


@dataclass(slots=True)
class Example:
    """One ``$`` line of a console block: the command, its page and line, the exit it shows."""

    page: Path
    line: int
    command: str
    exit_code: int = 0
    shown: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}: $ {self.command}"


def _examples(page: Path, text: str | None = None) -> list[Example]:
    """Return the ``$`` lines of the page's ```console blocks, joining ``\\`` continuations."""
    lines = (page.read_text(encoding="utf-8") if text is None else text).splitlines()
    found: list[Example] = []
    inside, pending, previous = False, False, ""
    for number, line in enumerate(lines, start=1):
        if line.startswith("```"):
            inside = line == "```console"
        elif inside and pending:
            found[-1].command += " " + line.strip().removesuffix("\\").strip()
            pending = line.endswith("\\")
        elif inside and previous.startswith("$ echo $?") and re.fullmatch(r"\d+", line):
            found[-1].exit_code = int(line)
        elif inside and line.startswith("$ ") and not line.startswith("$ echo $?"):
            found.append(Example(page, number, line[2:].removesuffix("\\").strip()))
            pending = line.endswith("\\")
        elif (
            inside
            and found
            and not previous.startswith("$ echo $?")
            and line[:2] not in ("$ ", "…")
        ):
            found[-1].shown.append(line)  # a line of what the command prints
        previous = line
    return found


def _kg_calls(command: str) -> Iterator[list[str]]:
    """Yield the arguments of each ``kg`` the shell line runs (``a | kg …``, ``x && kg …``)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words: list[str] = []
    for token in [*lexer, ";"]:
        if token in ("|", "||", "&&", ";", "&"):
            while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
                words.pop(0)  # NAME=value before a command sets its environment
            if words and words[0] == "kg":
                yield words[1:]
            words = []
        else:
            words.append(token)


@dataclass
class _Page:
    """A page's working folder and the servers it runs."""

    folder: Path
    ports: dict[str, str] = field(default_factory=dict)
    servers: list[tuple[Example, subprocess.Popen[bytes], Path]] = field(default_factory=list)

    def command(self, example: Example) -> str:
        text = example.command
        for named, real in self.ports.items():
            text = text.replace(named, real)
        return text


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "100"
    return env


def _copy_checkout(folder: Path) -> None:
    for name in COPIED:
        source, target = ROOT / name, folder / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _start_server(page: _Page, example: Example, cwd: Path) -> None:
    log = page.folder.parent / f"serve-{len(page.servers)}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            ["bash", "-c", f"exec {page.command(example)}"],
            cwd=cwd,
            env=_environment(),
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    page.servers.append((example, process, log))
    deadline = time.monotonic() + 60
    while " at http://" not in log.read_text(encoding="utf-8", errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"{example}: did not start: {log.read_text(encoding='utf-8')}")
        time.sleep(0.05)
    _assert_shown(page, example, log.read_text(encoding="utf-8"))


def _stop_servers(page: _Page) -> None:
    for example, process, log in page.servers:
        process.send_signal(signal.SIGINT)  # Ctrl-C, as the page says
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
            pytest.fail(f"{example}: did not stop on Ctrl-C")
        said = log.read_text(encoding="utf-8", errors="replace")
        assert code == 0 and said.endswith("stopped\n"), f"{example}: exit {code}: {said}"


def _run(page: _Page, example: Example, cwd: Path) -> Path:
    """Run one example in ``cwd``; return the folder it leaves the shell in."""
    where = page.folder.parent / "pwd"
    script = f'{page.command(example)}\nstatus=$?\npwd > "{where}"\nexit $status\n'
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )
    output = done.stdout.decode(errors="replace")[-2000:] + done.stderr.decode(errors="replace")
    assert done.returncode == example.exit_code, f"{example}: exit {done.returncode}\n{output}"
    _assert_shown(page, example, done.stdout.decode() + done.stderr.decode())
    return Path(where.read_text(encoding="utf-8").strip())


def _assert_shown(page: _Page, example: Example, printed: str) -> None:
    lines = printed.splitlines()
    for shown in example.shown:
        for named, real in page.ports.items():
            shown = shown.replace(named, real)
        assert shown in lines, f"{example}: does not print {shown!r}\n{printed}"


def _servers_named(stack: ExitStack, page: _Page, examples: list[Example], tmp: Path) -> None:
    text = "\n".join(e.command for e in examples)
    for tool in TOOLS:  # besides kg, what the examples call (.ci/run installs them)
        if re.search(rf"(^|[|;&]\s*){tool} ", text, re.M) and shutil.which(tool) is None:
            require_or_skip(f"the examples call {tool}, which is not installed")
    for port in SERVE_PORTS:
        if f":{port}" in text or f"--port {port}" in text:
            real = str(free_port())
            page.ports[f"127.0.0.1:{port}"] = f"127.0.0.1:{real}"
            page.ports[f"--port {port}"] = f"--port {real}"
    if WIKIDATA_PORT in text:
        store = pyoxigraph.Store()
        fixture = ROOT / "tests" / "data" / "wikidata" / "fixture.ttl"
        store.load(path=str(fixture), format=pyoxigraph.RdfFormat.TURTLE)
        url, _ = stack.enter_context(sparql_server(store))
        page.ports[WIKIDATA_PORT] = url.removeprefix("http://").removesuffix("/sparql")
    if VIRTUOSO_PORT in text:
        folder = tmp / "virtuoso"
        folder.mkdir()
        virtuoso = stack.enter_context(running_virtuoso(folder))
        page.ports[VIRTUOSO_PORT] = virtuoso.http.removeprefix("http://")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_the_examples_of_a_page_run(page: Path, tmp_path: Path) -> None:
    examples = _examples(page)
    if not examples:
        return  # a page without a console block has nothing to run
    folder = tmp_path / "team-pursuit-kg"
    _copy_checkout(folder)
    state = _Page(folder)
    cwd = folder
    with ExitStack() as stack:
        _servers_named(stack, state, examples, tmp_path)
        try:
            for example in examples:
                if ["serve"] in [call[:1] for call in _kg_calls(example.command)]:
                    _start_server(state, example, cwd)
                else:
                    cwd = _run(state, example, cwd)
        finally:
            _stop_servers(state)


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


def _command_of(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def _used(examples: list[Example]) -> dict[tuple[str, ...], set[str]]:
    """Return, per command path, the options its examples give (global ones under ())."""
    used: dict[tuple[str, ...], set[str]] = {}
    for example in examples:
        for args in _kg_calls(example.command):
            path: tuple[str, ...] = ()
            for arg in args:
                option = arg.split("=", 1)[0]
                if option.startswith("-") and option != "-":
                    used.setdefault(path, set()).add(option)
                    continue
                command = _command_of(path)
                if isinstance(command, click.Group) and arg in command.commands:
                    path = (*path, arg)
            used.setdefault(path, set())
    return used


def test_every_command_and_option_has_an_example() -> None:
    used = _used([e for page in PAGES for e in _examples(page)])
    missing = [
        "kg " + "/".join(opts)
        for opts in [*(p.opts for p in cli.params), ["-h", "--help"]]
        if not set(opts) & used.get((), set())
    ]
    for path in _commands(cli):
        if path not in used:
            missing.append(f"kg {' '.join(path)}")
            continue
        for param in _command_of(path).params:
            if isinstance(param, click.Option) and not set(param.opts) & used[path]:
                missing.append(f"kg {' '.join(path)} {'/'.join(param.opts)}")
    assert missing == [], f"no example runs these (add one to a ```console block): {missing}"


def test_examples_are_read_as_written() -> None:
    text = "```console\n$ kg build \\\n    --strict\n…\nbuilt\n$ kg validate x.ttl\n$ echo $?\n1\n```\n"
    found = _examples(ROOT / "docs" / "example.md", text)
    assert [(e.line, e.command, e.exit_code, e.shown) for e in found] == [
        (2, "kg build --strict", 0, ["built"]),
        (6, "kg validate x.ttl", 1, []),
    ]
    assert list(_kg_calls("cat a.txt | kg parse - && K=v kg -q build -o x.ttl; echo kg")) == [
        ["parse", "-"],
        ["-q", "build", "-o", "x.ttl"],
    ]
