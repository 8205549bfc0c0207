"""The streamed build's shared lines: written once, and validated again where they merge."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterator
from typing import IO

from kg_build.build.lines import (
    iri_object,
    is_typing,
    pointed_typing,
    subject_of,
    typing_by_subject,
)
from kg_build.build.shared import Placement
from kg_build.validate import Finding, Validator


class SharedLines:
    """Lines about resources that several articles may describe, and which of them merged.

    Such a line is written the first time only, so memory grows with the shared entities,
    not with the corpus. A subject that gets new lines from a second article has a merged
    description no single article's validation saw: it is validated again at the end, from
    ``side``, a file of what that needs (the shared lines, and the rdf:type, rdfs:label and
    tp:sourceFile lines of all), a tenth of the output.

    With named graphs (``held`` given), a shared line's first statement waits in ``held``
    with the article that made it, until the end shows whether another article stated it
    too: then it goes in the shared graph, else in that article's (``Placement``).
    """

    def __init__(self, side: IO[bytes], placement: Placement, held: IO[bytes] | None) -> None:
        self.side = side
        self.placement = placement
        self.held = held
        self.subjects: set[bytes] = set()
        self.merged: set[bytes] = set()

    def keep(self, lines: list[bytes], mine: tuple[bytes, ...], name: str) -> list[bytes]:
        """Return the lines to write now: the article's own, and shared lines not yet written.

        ``lines`` are sorted (an ArticleGraph's are), so each prefix of ``mine`` holds one
        run of them: those runs are taken whole, and only the rest is looked at line by line.
        """
        kept: list[bytes] = []
        first: set[bytes] = set()
        side: list[bytes] = []
        for start, end, own in _runs(lines, mine):
            if own:
                kept += lines[start:end]
                side += [line for line in lines[start:end] if is_typing(line)]
                continue
            for line in lines[start:end]:
                if not self.placement.first(line):
                    continue
                subject = subject_of(line)
                key = hashlib.blake2b(subject, digest_size=12).digest()
                if key in self.subjects:
                    self.merged.add(subject)
                else:
                    first.add(key)
                side.append(line)
                self.offer(line, name)
                if self.held is None:
                    kept.append(line)
        self.side.write(b"".join(side))  # one write an article: a temporary file's is slow
        self.subjects |= first
        return kept

    def offer(self, line: bytes, name: str) -> None:
        """Hold a line first stated by the article ``name`` (with named graphs only)."""
        if self.held is not None:
            self.held.write(name.encode("utf-8") + b"\n" + line)

    def placed(self) -> Iterator[tuple[str, bytes]]:
        """Yield each held line with the graph it goes in, in the order first stated."""
        if self.held is None:
            return
        self.held.flush()
        self.held.seek(0)
        while name := self.held.readline():
            line = self.held.readline()
            yield self.placement.graph_of(line, name[:-1].decode("utf-8")), line


def _runs(lines: list[bytes], prefixes: tuple[bytes, ...]) -> Iterator[tuple[int, int, bool]]:
    """Split sorted lines into runs: (start, end, whether they start with one of ``prefixes``)."""
    spans = []
    for prefix in prefixes:
        after = prefix[:-1] + bytes([prefix[-1] + 1])  # the first bytes past every such line
        start = bisect.bisect_left(lines, prefix)
        end = bisect.bisect_left(lines, after, start)
        if start < end:
            spans.append((start, end))
    done = 0
    for start, end in sorted(spans):
        start = max(start, done)
        if start < end:
            if done < start:
                yield done, start, False
            yield start, end, True
            done = end
    if done < len(lines):
        yield done, len(lines), False


def check_merged(
    side: IO[bytes], merged: frozenset[bytes], validator: Validator, batch_size: int
) -> list[Finding]:
    """Validate the merged descriptions of shared entities, read back from ``side``.

    Each batch of subjects is validated with every line about them and the rdf:type (for
    sh:class) and tp:sourceFile (for the file:line of a finding) lines of the IRIs those
    lines point to; only violations about the batch's subjects count, since the rest of its
    graph is partial. Batches keep the engine's memory bounded (with pyrudof a batch of 1,000
    events took 460 MB, of 100 events 125 MB) and a batch's time independent of the corpus
    (the SHACL Engine's SPARQL constraints cost somewhat more per subject in a larger graph).
    """
    about: dict[bytes, list[bytes]] = {}
    side.seek(0)
    for line in side:
        subject = subject_of(line)
        if subject in merged:
            about.setdefault(subject, []).append(line)
    targets = {t for lines in about.values() for t in map(iri_object, lines) if t}
    side.seek(0)
    typing = typing_by_subject(side, targets)
    found: list[Finding] = []
    subjects = sorted(merged)
    for start in range(0, len(subjects), batch_size):
        batch = subjects[start : start + batch_size]
        lines = [line for s in batch for line in about.get(s, [])]
        lines += pointed_typing(lines, typing, set(batch))
        focus = {s[1:-1].decode("utf-8") for s in batch}
        findings = validator.ntriples(b"".join(lines), "shared entities")
        # Warnings (stated counts against entries …) need the articles' own lines, absent
        # here; each article's own validation has reported them already.
        found += [f for f in findings if f.focus in focus and f.severity == "Violation"]
    return found
