"""Files of a publication: paths as the user names them, and writes that survive a crash."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import time
from pathlib import Path

_NEW_FILE_MODE = 0o666  # less the umask, as any program's new file


def shown_path(path: Path) -> str:
    """Name a path as the user would: relative to the current folder when inside it."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def new_token() -> str:
    """Name a build: when, which process, and a random part for two in the same second."""
    return f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"


def absolute_path(path: Path) -> Path:
    """Return an absolute path whose last part is kept as is (a link stays a link)."""
    return Path(os.path.abspath(path))


def mode_of(target: Path) -> int:
    """Return the mode of the file ``target`` replaces, else the usual (0666 less the umask)."""
    with contextlib.suppress(OSError):
        return target.stat().st_mode & 0o7777
    return _NEW_FILE_MODE


def write_durably(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all, and make it last (fsync, then rename)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_file(path: Path, create: bool = False) -> None:
    """Flush a file to disk (creating it empty with ``create``)."""
    fd = os.open(path, os.O_RDONLY | (os.O_CREAT if create else 0), 0o644)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries to disk, so that a rename in it lasts."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def os_reason(error: OSError) -> str:
    """Say why an operating system call failed, in its own words."""
    return error.strerror or errno.errorcode.get(error.errno or 0, str(error))
