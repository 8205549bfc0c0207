"""Locks: a folder's build lock, and the staging folder each build owns while it runs."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from pathlib import Path

from msgspec import Struct

from kg_build.errors import BusyError, OutputError
from kg_build.publish.files import os_reason, shown_path

LOCK_NAME = ".kg-build.lock"
STAGING_PREFIX = ".kg-staging-"


class FolderLock(Struct):
    """An exclusive lock on a folder's builds (``flock`` on its ``.kg-build.lock``).

    The kernel drops the lock when its holder dies, so a killed build never blocks the next.
    """

    folder: Path
    fd: int = -1

    def acquire(self, wait: bool) -> None:
        """Take the lock, or raise BusyError naming its holder (unless ``wait``)."""
        path = self.folder / LOCK_NAME
        if self.folder.exists() and not self.folder.is_dir():
            raise OutputError(shown_path(self.folder), None, "is not a folder")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise OutputError(
                shown_path(self.folder), None, f"cannot write ({os_reason(e)})"
            ) from e
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as e:
            holder = _read_text(self.fd) or "another process"
            self.release()
            raise BusyError(
                shown_path(path),
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


def try_lock(folder: Path) -> FolderLock | None:
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


class Staging(Struct):
    """A build's staging folder, owned while its lock file is locked.

    The lock file stands beside the folder and is taken before the folder is made, so a
    staging folder whose lock is free (or gone) belongs to a build that died: any build may
    remove it, whatever locks it holds.
    """

    folder: Path
    fd: int = -1

    @classmethod
    def create(cls, folder: Path) -> Staging:
        """Lock the folder's lock file, then make the folder."""
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(
                shown_path(folder.parent), None, f"cannot write ({os_reason(e)})"
            ) from e
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


def remove_dead_stagings(folder: Path) -> None:
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
