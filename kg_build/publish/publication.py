"""A build's outputs, staged beside their targets until the commit puts them all in place."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from msgspec import Struct, field

from kg_build.errors import OutputError, StoreError
from kg_build.publish.files import (
    absolute_path,
    fsync_dir,
    fsync_file,
    mode_of,
    new_token,
    os_reason,
)
from kg_build.publish.generations import PIN_SUFFIX, generations_of
from kg_build.publish.journal import Journal, commit_journal, tidy
from kg_build.publish.locks import STAGING_PREFIX, FolderLock, Staging


class Publication(Struct):
    """The outputs of one build, staged until ``commit`` puts them all in place.

    Used as a context manager: entering takes the folders' locks, completes or removes what
    an interrupted build left, and prepares the staging folders; leaving without a commit
    removes everything staged.
    """

    files: Sequence[Path]
    store: Path | None = None
    wait: bool = False
    token: str = field(default_factory=lambda: new_token())
    _locks: list[FolderLock] = field(default_factory=list)
    _stagings: list[Staging] = field(default_factory=list)
    _staged: dict[Path, Path] = field(default_factory=dict)
    _committed: bool = False

    def __enter__(self) -> Publication:
        for target in self.files:
            if target.is_dir():
                raise OutputError(
                    target.as_posix(), None, "is a directory (expected a file to write)"
                )
        if self.store is not None and self.store.exists() and not self.store.is_dir():
            raise StoreError(self.store.as_posix(), None, "is not a store folder")
        try:
            if self.is_shared:
                for folder in self.folders:
                    lock = FolderLock(folder)
                    lock.acquire(self.wait)
                    self._locks.append(lock)
            for folder in self.folders:
                tidy(folder, held=self.folders if self.is_shared else ())
            for folder in self.folders:
                self._stagings.append(Staging.create(self._staging(folder)))
        except BaseException:
            self._abandon()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if not self._committed:
            self._abandon()
        for staging in self._stagings:
            staging.remove()
        for lock in reversed(self._locks):
            lock.release()
        self._locks.clear()

    @property
    def is_shared(self) -> bool:
        """Tell whether other builds must wait: a store, or several files to replace at once.

        One file alone needs no lock: its rename is atomic, and two builds writing it leave
        one of them whole. Nor does it leave a lock file in the user's folder.
        """
        return self.store is not None or len(self.files) > 1

    @property
    def folders(self) -> list[Path]:
        """The folders written to, sorted (locks are taken in this order: no deadlock)."""
        folders = {absolute_path(t).parent for t in self.files}
        if self.store is not None:
            folders.add(absolute_path(self.store).parent)
        return sorted(folders)

    def _staging(self, folder: Path) -> Path:
        return folder / f"{STAGING_PREFIX}{self.token}"

    def scratch(self) -> Path:
        """Return a folder for temporary files, removed with the staging (same file system)."""
        return self._staging(self.folders[0])

    def staged(self, target: Path) -> Path:
        """Return where to write ``target`` until the commit (beside it: same file system)."""
        path = absolute_path(target)
        staged = self._staging(path.parent) / path.name
        self._staged[path] = staged
        return staged

    def write(self, target: Path, data: bytes) -> None:
        """Stage ``data`` for ``target``, with the mode an existing file has."""
        staged = self.staged(target)
        try:
            fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode_of(target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        except OSError as e:
            raise OutputError(target.as_posix(), None, f"cannot write ({os_reason(e)})") from e

    def create(self, target: Path) -> Path:
        """Create ``target``'s staged file, empty, with its mode; return its path to fill."""
        self.write(target, b"")
        return self._staged[absolute_path(target)]

    def new_store(self) -> Path:
        """Return the folder of the new store generation (created by whoever loads it)."""
        if self.store is None:
            raise ValueError("this publication has no store")
        return generations_of(absolute_path(self.store)) / self.token

    def commit(self) -> None:
        """Put every staged output in place: the journal first, so a kill is rolled forward."""
        for staged in self._staged.values():
            fsync_file(staged)
        if not self.is_shared:  # one file: one rename, atomic by itself
            for target, staged in self._staged.items():
                os.replace(staged, target)
                fsync_dir(target.parent)
            self._committed = True
            return
        journal = Journal(
            files=tuple((str(s), str(t)) for t, s in sorted(self._staged.items())),
            folders=tuple(str(f) for f in self.folders),
            store=None if self.store is None else (str(absolute_path(self.store)), self.token),
        )
        if self.store is not None:
            generation = self.new_store()
            fsync_file(generation.with_name(generation.name + PIN_SUFFIX), create=True)
        commit_journal(journal)
        self._committed = True
        for folder in self.folders:
            tidy(folder, held=self.folders)

    def _abandon(self) -> None:
        for staging in self._stagings:
            staging.remove()
        if self.store is not None:
            generation = self.new_store()
            shutil.rmtree(generation, ignore_errors=True)
            with contextlib.suppress(OSError):
                generation.with_name(generation.name + PIN_SUFFIX).unlink(missing_ok=True)
