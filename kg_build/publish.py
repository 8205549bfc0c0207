"""Publishing a build all or nothing: its files and its store together, or none of them.

A build holds a lock on every folder it writes to, writes each file under a staging folder
beside its target and loads a new store *generation* beside the old one. Only when every step
succeeded does it commit: it writes a journal naming what to put in place (atomically), then
switches the store's link to the new generation (one rename), renames the files into place,
and removes the journal. Readers open the store through its link and pin the generation they
opened, so they see the previous complete build or the new one, never a mix, and no build
deletes a generation in use. A build killed after the journal was written is completed by the
next one that finds the journal (roll forward); one killed before leaves staging folders and a
half-loaded generation, which the next build removes. Only the generation the link names and
those still pinned survive a build, so the store does not grow across rebuilds.

Layout for ``--store out/store``: ``out/store`` is a symbolic link to
``.store.generations/<id>`` (relative, so the folder can move), each generation has a pin file
``<id>.lock`` beside it, and ``out/.kg-build.lock`` names the build that holds the folder.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import secrets
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from kg_build.errors import BusyError, OutputError, StoreError

LOCK_NAME = ".kg-build.lock"
JOURNAL_NAME = ".kg-publish.json"
STAGING_PREFIX = ".kg-staging-"
_PIN_SUFFIX = ".lock"
_NEW_FILE_MODE = 0o666  # less the umask, as any program's new file


def generations_of(store: Path) -> Path:
    """Return the folder that holds the generations of the store linked at ``store``."""
    return store.parent / f".{store.name}.generations"


# ---------------------------------------------------------------- locks


@dataclass
class FolderLock:
    """An exclusive lock on a folder's builds (``flock`` on its ``.kg-build.lock``).

    The kernel drops the lock when its holder dies, so a killed build never blocks the next.
    """

    folder: Path
    fd: int = -1

    def acquire(self, wait: bool) -> None:
        """Take the lock, or raise BusyError naming its holder (unless ``wait``)."""
        path = self.folder / LOCK_NAME
        if self.folder.exists() and not self.folder.is_dir():
            raise OutputError(_shown(self.folder), None, "is not a folder")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise OutputError(_shown(self.folder), None, f"cannot write ({_reason(e)})") from e
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as e:
            holder = _read_text(self.fd) or "another process"
            self.release()
            raise BusyError(
                _shown(path),
                None,
                f"another kg build is writing here ({holder}); nothing written "
                "(wait for it, or rerun with --wait)",
            ) from e
        os.ftruncate(self.fd, 0)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        os.write(self.fd, f"pid {os.getpid()}, since {stamp}".encode())

    def release(self) -> None:
        """Drop the lock (closing the file drops it)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _try_lock(folder: Path) -> FolderLock | None:
    """Take a folder's lock if it is free; None if it is held or cannot be taken."""
    lock = FolderLock(folder)
    try:
        lock.acquire(wait=False)
    except (BusyError, OutputError):
        return None
    return lock


def _read_text(fd: int) -> str:
    with contextlib.suppress(OSError):
        return os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    return ""


# ---------------------------------------------------------------- readers


@dataclass
class Pin:
    """A reader's hold on one store generation: no build deletes it while the pin is held."""

    directory: Path
    fd: int = -1

    def release(self) -> None:
        """Let builds delete the generation once no one else holds it."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def current_generation(store: Path) -> Path | None:
    """Return the generation folder the store's link names (the folder itself if unlinked)."""
    if store.is_symlink():
        return (store.parent / os.readlink(store)).resolve()
    return store.resolve() if store.is_dir() else None


def pin_generation(store: Path) -> Pin:
    """Pin the generation the store's link names now; raise StoreError if there is none.

    A pin is a shared ``flock`` on the generation's pin file; a build deletes a generation
    only after taking that lock exclusively, so a pinned one stays. A build may switch the
    link between reading it and pinning; then the pin is taken again on the new one.
    """
    finish_interrupted(_absolute(store).parent)
    if not store.is_symlink():  # a store of before generations, or one made by hand
        if not store.is_dir():
            raise StoreError(store.as_posix(), None, "no store here (run kg build first)")
        return Pin(store)
    for _ in range(100):
        generation = current_generation(store)
        if generation is None:
            break
        try:
            fd = os.open(generation.with_name(generation.name + _PIN_SUFFIX), os.O_RDONLY)
        except FileNotFoundError:
            continue  # deleted after the link moved on: read the link again
        fcntl.flock(fd, fcntl.LOCK_SH)
        if generation.is_dir() and current_generation(store) == generation:
            return Pin(generation, fd)
        os.close(fd)
    raise StoreError(store.as_posix(), None, "no store here (run kg build first)")


# ---------------------------------------------------------------- publishing


@dataclass
class Publication:
    """The outputs of one build, staged until ``commit`` puts them all in place.

    Used as a context manager: entering takes the folders' locks, completes or removes what
    an interrupted build left, and prepares the staging folders; leaving without a commit
    removes everything staged.
    """

    files: Sequence[Path]
    store: Path | None = None
    wait: bool = False
    token: str = field(default_factory=lambda: _new_token())
    _locks: list[FolderLock] = field(default_factory=list)
    _stagings: list[_Staging] = field(default_factory=list)
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
                self._stagings.append(_Staging.create(self._staging(folder)))
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
        folders = {_absolute(t).parent for t in self.files}
        if self.store is not None:
            folders.add(_absolute(self.store).parent)
        return sorted(folders)

    def _staging(self, folder: Path) -> Path:
        return folder / f"{STAGING_PREFIX}{self.token}"

    def scratch(self) -> Path:
        """Return a folder for temporary files, removed with the staging (same file system)."""
        return self._staging(self.folders[0])

    def staged(self, target: Path) -> Path:
        """Return where to write ``target`` until the commit (beside it: same file system)."""
        path = _absolute(target)
        staged = self._staging(path.parent) / path.name
        self._staged[path] = staged
        return staged

    def write(self, target: Path, data: bytes) -> None:
        """Stage ``data`` for ``target``, with the mode an existing file has."""
        staged = self.staged(target)
        try:
            fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _mode_of(target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        except OSError as e:
            raise OutputError(target.as_posix(), None, f"cannot write ({_reason(e)})") from e

    def create(self, target: Path) -> Path:
        """Create ``target``'s staged file, empty, with its mode; return its path to fill."""
        self.write(target, b"")
        return self._staged[_absolute(target)]

    def new_store(self) -> Path:
        """Return the folder of the new store generation (created by whoever loads it)."""
        if self.store is None:
            raise ValueError("this publication has no store")
        return generations_of(_absolute(self.store)) / self.token

    def commit(self) -> None:
        """Put every staged output in place: the journal first, so a kill is rolled forward."""
        for staged in self._staged.values():
            _fsync_file(staged)
        if not self.is_shared:  # one file: one rename, atomic by itself
            for target, staged in self._staged.items():
                os.replace(staged, target)
                _fsync_dir(target.parent)
            self._committed = True
            return
        journal = _Journal(
            files=tuple((str(s), str(t)) for t, s in sorted(self._staged.items())),
            folders=tuple(str(f) for f in self.folders),
            store=None if self.store is None else (str(_absolute(self.store)), self.token),
        )
        if self.store is not None:
            generation = self.new_store()
            _fsync_file(generation.with_name(generation.name + _PIN_SUFFIX), create=True)
        # A copy in every folder: the next build in any of them finds it.
        for folder in self.folders:
            _write_durably(folder / JOURNAL_NAME, journal.to_json())
        _replay(journal)
        _remove_journals(journal)
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
                generation.with_name(generation.name + _PIN_SUFFIX).unlink(missing_ok=True)


@dataclass
class _Staging:
    """A build's staging folder, owned while its lock file is locked.

    The lock file stands beside the folder and is taken before the folder is made, so a
    staging folder whose lock is free (or gone) belongs to a build that died: any build may
    remove it, whatever locks it holds.
    """

    folder: Path
    fd: int = -1

    @classmethod
    def create(cls, folder: Path) -> _Staging:
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(_shown(folder.parent), None, f"cannot write ({_reason(e)})") from e
        fd = os.open(_owner_of(folder), os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        folder.mkdir()
        return cls(folder, fd)

    def remove(self) -> None:
        """Remove the folder (whatever is left in it), then its lock file."""
        if self.fd >= 0:
            shutil.rmtree(self.folder, ignore_errors=True)
            _owner_of(self.folder).unlink(missing_ok=True)
            os.close(self.fd)
            self.fd = -1


def _owner_of(staging: Path) -> Path:
    return staging.with_name(staging.name + ".lock")


def _remove_dead_stagings(folder: Path) -> None:
    """Remove the staging folders of builds that died before their commit."""
    names = {p.name.removesuffix(".lock") for p in folder.glob(f"{STAGING_PREFIX}*")}
    for name in sorted(names):
        staging = folder / name
        try:
            fd = os.open(_owner_of(staging), os.O_RDWR)
        except FileNotFoundError:
            shutil.rmtree(staging, ignore_errors=True)  # its owner had not even locked it
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # a running build's
        shutil.rmtree(staging, ignore_errors=True)
        _owner_of(staging).unlink(missing_ok=True)
        os.close(fd)


@dataclass(frozen=True, slots=True)
class _Journal:
    """What a commit puts in place: staged files → targets, the store's new generation."""

    files: tuple[tuple[str, str], ...]
    folders: tuple[str, ...]
    store: tuple[str, str] | None  # the store's link, the generation's token

    def to_json(self) -> bytes:
        return json.dumps(
            {"files": self.files, "folders": self.folders, "store": self.store}, sort_keys=True
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> _Journal:
        found = json.loads(data)
        store = found["store"]
        return cls(
            files=tuple((str(s), str(t)) for s, t in found["files"]),
            folders=tuple(str(f) for f in found["folders"]),
            store=None if store is None else (str(store[0]), str(store[1])),
        )


def _replay(journal: _Journal) -> None:
    """Put a committed build's outputs in place; doing it twice changes nothing."""
    if journal.store is not None:
        _switch(Path(journal.store[0]), journal.store[1])
    for staged, target in journal.files:
        with contextlib.suppress(FileNotFoundError):  # put in place by an earlier replay
            os.replace(staged, target)
    for folder in journal.folders:
        _fsync_dir(Path(folder))


def _remove_journals(journal: _Journal) -> None:
    for folder in journal.folders:
        (Path(folder) / JOURNAL_NAME).unlink(missing_ok=True)
        _fsync_dir(Path(folder))


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
    _remove_dead_stagings(folder)
    if not locked:
        return
    for link in folder.glob(".*.link-*"):
        link.unlink(missing_ok=True)
    for generations in folder.glob(".*.generations"):
        _delete_old_generations(
            generations, folder / generations.name[1:].removesuffix(".generations")
        )


def finish_interrupted(folder: Path) -> None:
    """Complete a build whose commit was interrupted, if no build holds the folder now.

    Readers call it before opening the store, so the files they find beside it are the ones
    of the generation they read.
    """
    if not (folder / JOURNAL_NAME).exists():
        return
    lock = _try_lock(folder)
    if lock is not None:
        try:
            _roll_forward(folder / JOURNAL_NAME, [folder])
        finally:
            lock.release()


def _roll_forward(path: Path, held: Sequence[Path]) -> None:
    try:
        journal = _Journal.from_json(path.read_bytes())
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        path.unlink(missing_ok=True)  # written durably before any rename: never half a journal
        return
    others = [Path(f) for f in journal.folders if Path(f) not in held]
    locks = [_try_lock(f) for f in others]
    try:
        if all(locks):
            _replay(journal)
            _remove_journals(journal)
    finally:
        for lock in locks:
            if lock is not None:
                lock.release()


def _delete_old_generations(generations: Path, store: Path) -> None:
    """Delete every generation but the linked one and those a reader has pinned."""
    current = current_generation(store) if store.is_symlink() else None
    for generation in sorted(generations.iterdir()):
        if not generation.is_dir() or generation == current:
            continue
        pin = generation.with_name(generation.name + _PIN_SUFFIX)
        try:
            fd = os.open(pin, os.O_RDONLY | os.O_CREAT, 0o644)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # a reader still has it open
        shutil.rmtree(generation, ignore_errors=True)
        pin.unlink(missing_ok=True)
        os.close(fd)
    for pin in generations.glob(f"*{_PIN_SUFFIX}"):
        if not pin.with_name(pin.name.removesuffix(_PIN_SUFFIX)).exists():
            pin.unlink(missing_ok=True)


# ---------------------------------------------------------------- files


def _shown(path: Path) -> str:
    """Name a path as the user would: relative to the current folder when inside it."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def _new_token() -> str:
    """Name a build: when, which process, and a random part for two in the same second."""
    return f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"


def _absolute(path: Path) -> Path:
    """Return an absolute path whose last part is kept as is (a link stays a link)."""
    return Path(os.path.abspath(path))


def _mode_of(target: Path) -> int:
    """Return the mode of the file ``target`` replaces, else the usual (0666 less the umask)."""
    with contextlib.suppress(OSError):
        return target.stat().st_mode & 0o7777
    return _NEW_FILE_MODE


def _write_durably(path: Path, data: bytes) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_file(path: Path, create: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_CREAT if create else 0), 0o644)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _reason(error: OSError) -> str:
    return error.strerror or errno.errorcode.get(error.errno or 0, str(error))
