"""Load `kg serve` on loopback, beside Oxigraph's own server on the same store (the anchor).

    .venv/bin/python benchmarks/serve_load.py --store out/store [--large DIR/store]
        [--oxigraph benchmarks/.venv-oxigraph/bin/oxigraph] [--results benchmarks/RESULTS.md]

For each store and server: the same query (CQ 03 on the bundled store, CQ 05 on a large
one) sent by 1, 4, 16 and 64 clients, each request on a new connection (as curl and most
SPARQL clients send them), first alone and then beside two clients that keep a slow query
running (a three-way cross product that runs into the time limit). A row gives req/s, p50 and
p99 of the simple queries and the errors (a status other than 200, a reset, a time-out).
Every run is bounded: ``--requests`` per row, at most ``--seconds`` each; loopback only.
``--results`` puts the tables into that file in place of an earlier serve section.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OXIGRAPH_VENV = HERE / ".venv-oxigraph"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
QUERIES = {"bundled": "03-final-ranking", "large": "05-australia-cycling"}
START = "<!-- serve-load: written by benchmarks/serve_load.py -->"
END = "<!-- /serve-load -->"
TIMEOUT = 10  # the servers' time limit, seconds
LOAD = os.getloadavg()


@dataclass
class Row:
    """One load run: who served, what mix, how many clients, and what came back."""

    store: str
    server: str
    slow: int
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Answered requests per second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Return a latency percentile in milliseconds (0 with no answers)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def _request(port: int, path: str, deadline: float) -> tuple[int, float]:
    """Send one GET on a new connection; return the status (0 for an error) and seconds."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(deadline):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/csv\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            data = await reader.read()
            writer.close()
    except (OSError, TimeoutError):
        return 0, time.perf_counter() - started
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
    return status, time.perf_counter() - started


async def _load(port: int, query: str, row: Row, requests: int, seconds: float) -> None:
    path = "/sparql?" + urllib.parse.urlencode({"query": query})
    slow_path = "/sparql?" + urllib.parse.urlencode({"query": SLOW})
    left = [requests]
    stop = asyncio.Event()

    async def client() -> None:
        while left[0] > 0 and not stop.is_set():
            left[0] -= 1
            status, took = await _request(port, path, TIMEOUT * 3)
            if status == 200:
                row.latencies.append(took)
            else:
                row.errors += 1

    async def slow_client() -> None:
        while not stop.is_set():
            await _request(port, slow_path, TIMEOUT * 3)

    slow = [asyncio.create_task(slow_client()) for _ in range(row.slow)]
    if slow:
        await asyncio.sleep(1)  # both slow queries are running before the load starts
    started = time.perf_counter()
    clients = [asyncio.create_task(client()) for _ in range(row.concurrency)]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*clients), seconds)
    row.seconds = time.perf_counter() - started
    stop.set()
    for task in [*clients, *slow]:
        task.cancel()
    await asyncio.gather(*clients, *slow, return_exceptions=True)


def rss_mib(pid: int) -> float:
    """Return the resident memory of a process and its children, MiB (Linux /proc)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{current}/status").read_text(encoding="utf-8")
            rss = [line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")]
            total += int(rss[0]) if rss else 0  # a process ending has none
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(p) for p in (task / "children").read_text(encoding="utf-8").split()]
    return total / 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        status, _ = asyncio.run(_request(port, "/sparql?query=ASK%7B%7D", 5))
        if status == 200:
            return
        time.sleep(0.2)
    raise RuntimeError("the server did not answer within 60 s")


@contextlib.contextmanager
def running(
    server: str, store: Path, workers: int, oxigraph: Path | None
) -> Iterator[tuple[int, int]]:
    """Start a server on a free loopback port; yield its port and pid; stop it after."""
    if server == "oxigraph":
        assert oxigraph is not None
        port = _free_port()
        command = [str(oxigraph), "serve-read-only", "--location", str(store)]
        command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
        command += ["--timeout-s", str(TIMEOUT)]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    else:  # kg serve picks a free port itself (--port 0) and names it
        command = [sys.executable, "-m", "kg_build", "serve", "--port", "0", "--store", str(store)]
        command += ["--timeout", str(TIMEOUT), "--workers", str(workers)]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert process.stderr is not None
        line = process.stderr.readline().decode()  # serving … at http://127.0.0.1:PORT/ …
        if " at http://127.0.0.1:" not in line:
            raise RuntimeError(f"kg serve did not start: {line}")
        port = int(line.split(" at http://127.0.0.1:", 1)[1].split("/", 1)[0])
    try:
        _wait_until_up(port, process)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(
    label: str, store: Path, servers: list[str], args: argparse.Namespace
) -> tuple[list[Row], dict[str, tuple[float, float]]]:
    """Run every row for one store; return the rows and each server's RSS before and after."""
    query = (ROOT / "tests" / "cq" / f"{QUERIES[label]}.rq").read_text(encoding="utf-8")
    rows: list[Row] = []
    memory: dict[str, tuple[float, float]] = {}
    for server in servers:
        with running(server, store, args.workers, args.oxigraph) as (port, pid):
            before = rss_mib(pid)
            for slow in (0, 2):
                for concurrency in args.concurrency:
                    row = Row(label, server, slow, concurrency)
                    asyncio.run(_load(port, query, row, args.requests, args.seconds))
                    rows.append(row)
                    print(_row_line(row), flush=True)
            memory[server] = (before, rss_mib(pid))
    return rows, memory


def _row_line(row: Row) -> str:
    return (
        f"| {row.store} | {row.server} | {row.slow} | {row.concurrency} | {len(row.latencies)} "
        f"| {row.rate:,.0f} | {row.percentile(50):.1f} | {row.percentile(99):.1f} | {row.errors} |"
    )


def markdown(
    rows: list[Row], memory: dict[str, dict[str, tuple[float, float]]], command: str
) -> str:
    """Write the serve section of RESULTS.md: the runs, memory, and the targets."""
    versions = ", ".join(
        f"{name} {_version(name)}"
        for name in ("uvicorn", "uvloop", "starlette", "httptools", "pyoxigraph")
    )
    lines = [
        START,
        "## Serving under load (`kg serve` beside Oxigraph's own server)",
        "",
        f"- Date: {date.today().isoformat()}; machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {versions}",
        f"- Command: `{command}`",
        f"- Load average of the machine (1 min) at the start and the end: {LOAD[0]:.1f}, "
        f"{os.getloadavg()[0]:.1f} (other work shares its cores: a figure is good to about that)",
        f"- Queries: {', '.join(f'{k}: CQ {v}' for k, v in QUERIES.items())}; each request on a new "
        f"connection, `Accept: text/csv`; slow: two more clients each keep `{SLOW}` running "
        f"(it runs into the {TIMEOUT} s time limit, then is sent again)",
        "",
        "| store | server | slow queries | clients | answered | req/s | p50 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|---|---|---|",
        *(_row_line(row) for row in rows),
        "",
        "| store | server | RSS before MiB | RSS after MiB |",
        "|---|---|---|---|",
    ]
    for store, by_server in memory.items():
        for server, (before, after) in by_server.items():
            lines.append(f"| {store} | {server} | {before:.0f} | {after:.0f} |")
    lines += ["", *targets(rows), END]
    return "\n".join(lines) + "\n"


def targets(rows: list[Row]) -> list[str]:
    """Compare the figures with the issue's targets, one line each."""
    found = {(r.store, r.server, r.slow, r.concurrency): r for r in rows}
    lines = ["| target | store | clients | measured | met? |", "|---|---|---|---|---|"]
    for (store, server, slow, clients), row in sorted(found.items()):
        if server != "kg serve":
            continue
        anchor = found.get((store, "oxigraph", slow, clients))
        if anchor is not None and slow == 0:
            rate, p99 = (
                anchor.rate / max(row.rate, 1e-9),
                row.percentile(99) / max(anchor.percentile(99), 1e-9),
            )
            met = "yes" if rate <= 1.5 and p99 <= 1.5 else "no"
            lines.append(
                f"| within 1.5× Oxigraph's req/s and p99 | {store} | {clients} | "
                f"{row.rate:,.0f} vs {anchor.rate:,.0f} req/s, p99 {row.percentile(99):.1f} vs "
                f"{anchor.percentile(99):.1f} ms | {met} |"
            )
        if clients >= 16 and slow == 0:
            ratio = row.percentile(99) / max(row.percentile(50), 1e-9)
            met = "yes" if row.errors == 0 and ratio <= 5 else "no"
            lines.append(
                f"| no errors, p99 ≤ 5× p50 | {store} | {clients} | {row.errors} errors, "
                f"p99/p50 {ratio:.1f} | {met} |"
            )
        alone = found.get((store, server, 0, clients))
        if slow and alone is not None:
            ratio = row.percentile(99) / max(alone.percentile(99), 1e-9)
            met = "yes" if ratio < 3 else "no"
            lines.append(
                f"| two slow queries: p99 < 3× unloaded | {store} | {clients} | "
                f"{row.percentile(99):.1f} vs {alone.percentile(99):.1f} ms ({ratio:.1f}×) | {met} |"
            )
    return lines


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def put_section(results: Path, section: str) -> None:
    """Replace the serve section of ``results`` (or append it), leaving the rest as it is."""
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    if START in text and END in text:
        head, _, rest = text.partition(START)
        text = head + section + rest.partition(END)[2].lstrip("\n")
    else:
        text = text + ("\n" if text and not text.endswith("\n\n") else "") + section
    results.write_text(text, encoding="utf-8")


def main() -> None:
    """Parse the command line, run the loads, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--store", type=Path, default=ROOT / "out" / "store", help="the bundled store"
    )
    parser.add_argument("--large", type=Path, help="a store of a large corpus (CQ 05 on it)")
    parser.add_argument("--requests", type=int, default=500, help="requests per row")
    parser.add_argument("--seconds", type=float, default=60, help="at most this long per row")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument("--workers", type=int, default=0, help="kg serve --workers")
    default_oxigraph = OXIGRAPH_VENV / "bin" / "oxigraph"
    parser.add_argument(
        "--oxigraph",
        default=str(default_oxigraph) if default_oxigraph.exists() else shutil.which("oxigraph"),
        help="Oxigraph's server binary (pip install oxigraph in benchmarks/.venv-oxigraph); "
        "'' runs none",
    )
    parser.add_argument("--results", type=Path, help="put the tables into this Markdown file")
    args = parser.parse_args()
    args.oxigraph = Path(args.oxigraph) if args.oxigraph else None
    servers = ["kg serve", *(["oxigraph"] if args.oxigraph else [])]
    rows: list[Row] = []
    memory: dict[str, dict[str, tuple[float, float]]] = {}
    stores = {"bundled": args.store, **({"large": args.large} if args.large else {})}
    for label, store in stores.items():
        found, memory[label] = measure(label, store, servers, args)
        rows += found
    section = markdown(rows, memory, "python benchmarks/serve_load.py " + " ".join(sys.argv[1:]))
    print(section)
    if args.results:
        put_section(args.results, section)


if __name__ == "__main__":
    main()
