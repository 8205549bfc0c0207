"""The commit journal: what a commit puts in place, written before any of it moves.

A build replays its journal to commit; a build killed while committing is completed by the
next one that finds the journal in a folder it locks (roll forward).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from msgspec import Struct

from kg_build.publish.files import fsync_dir, write_durably
from kg_build.publish.generations import delete_old_generations, generations_of
from kg_build.publish.locks import remove_dead_stagings, try_lock

JOURNAL_NAME = ".kg-publish.json"


class Journal(Struct, frozen=True):
    """What a commit puts in place: staged files → targets, the store's new generation."""

    files: tuple[tuple[str, str], ...]
    folders: tuple[str, ...]
    store: tuple[str, str] | None  # the store's link, the generation's token

    def to_json(self) -> bytes:
        """Return the journal as written to a folder."""
        return json.dumps(
            {"files": self.files, "folders": self.folders, "store": self.store}, sort_keys=True
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Journal:
        """Read a journal as ``to_json`` wrote it."""
        found = json.loads(data)
        store = found["store"]
        return cls(
            files=tuple((str(s), str(t)) for s, t in found["files"]),
            folders=tuple(str(f) for f in found["folders"]),
            store=None if store is None else (str(store[0]), str(store[1])),
        )


def commit_journal(journal: Journal) -> None:
    """Commit: the journal first, so a kill is rolled forward, then everything in place."""
    # A copy in every folder: the next build in any of them finds it.
    for folder in journal.folders:
        write_durably(Path(folder) / JOURNAL_NAME, journal.to_json())
    _replay(journal)
    _remove_journals(journal)


def _replay(journal: Journal) -> None:
    """Put a committed build's outputs in place; doing it twice changes nothing."""
    if journal.store is not None:
        _switch(Path(journal.store[0]), journal.store[1])
    for staged, target in journal.files:
        with contextlib.suppress(FileNotFoundError):  # put in place by an earlier replay
            os.replace(staged, target)
    for folder in journal.folders:
        fsync_dir(Path(folder))


def _remove_journals(journal: Journal) -> None:
    for folder in journal.folders:
        (Path(folder) / JOURNAL_NAME).unlink(missing_ok=True)
        fsync_dir(Path(folder))


def _switch(store: Path, token: str) -> None:
    """Point the store's link at generation ``token`` with one rename."""
    generations = generations_of(store)
    if not (generations / token).is_dir():
        return  # switched and since replaced, or never loaded: keep the link as it is
    if store.is_dir() and not store.is_symlink():
        # A store of before generations becomes one: moved aside, deleted by the next tidy.
        os.replace(store, generations / f"unlinked-{token}")
    link = store.with_name(f".{store.name}.link-{token}")
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    os.symlink(f"{generations.name}/{token}", link)
    os.replace(link, store)


def tidy(folder: Path, held: Sequence[Path] = ()) -> None:
    """Complete a committed build that was interrupted, and remove what failed builds left.

    With ``folder`` among ``held`` (the folder locks the caller holds), also complete an
    interrupted commit and delete old store generations; a journal whose other folders are
    locked by a running build is left to that build. Without, only the staging folders of
    builds that died go, and none while a journal may still need them.
    """
    journal_path = folder / JOURNAL_NAME
    locked = folder in held
    if journal_path.exists() and locked:
        _roll_forward(journal_path, held)
    if journal_path.exists():
        return
    remove_dead_stagings(folder)
    if not locked:
        return
    for link in folder.glob(".*.link-*"):
        link.unlink(missing_ok=True)
    for generations in folder.glob(".*.generations"):
        delete_old_generations(
            generations, folder / generations.name[1:].removesuffix(".generations")
        )


def finish_interrupted(folder: Path) -> None:
    """Complete a build whose commit was interrupted, if no build holds the folder now.

    Readers call it before opening the store, so the files they find beside it are the ones
    of the generation they read.
    """
    if not (folder / JOURNAL_NAME).exists():
        return
    lock = try_lock(folder)
    if lock is not None:
        try:
            _roll_forward(folder / JOURNAL_NAME, [folder])
        finally:
            lock.release()


def _roll_forward(path: Path, held: Sequence[Path]) -> None:
    try:
        journal = Journal.from_json(path.read_bytes())
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        path.unlink(missing_ok=True)  # written durably before any rename: never half a journal
        return
    others = [Path(f) for f in journal.folders if Path(f) not in held]
    locks = [try_lock(f) for f in others]
    try:
        if all(locks):
            _replay(journal)
            _remove_journals(journal)
    finally:
        for lock in locks:
            if lock is not None:
                lock.release()
