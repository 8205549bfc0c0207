"""Atomic writes of any output file, or stdout."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from kg_build.defaults import STDOUT
from kg_build.errors import OutputError

_NEW_FILE_MODE = 0o644


def write_output(data: bytes, target: str) -> None:
    """Write ``data`` to stdout (``-``) or atomically to the file ``target``."""
    if target == STDOUT:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_atomic(Path(target), data)


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``.

    A reader never sees a half-written file, and a failure leaves an old file untouched.
    """
    if path.is_dir():
        raise OutputError(path.as_posix(), None, "is a directory (expected a file to write)")
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else _NEW_FILE_MODE
    tmp = written_beside(path, data, mode)
    try:
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise OutputError(path.as_posix(), None, f"cannot write ({e.strerror})") from e


def written_beside(path: Path, data: bytes, mode: int = _NEW_FILE_MODE) -> Path:
    """Write ``data`` to a new temporary file beside ``path`` and return it, for a rename.

    On the same file system as ``path``, so that a rename or link puts it in place at once.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise OutputError(path.as_posix(), None, f"cannot write ({e.strerror})") from e
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(path.as_posix(), None, f"cannot write ({e.strerror})") from e
    return Path(tmp)
