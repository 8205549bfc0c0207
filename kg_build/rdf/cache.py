"""Our data as loaded and checked (the ontology and rules, the shapes), kept between builds.

Reading and checking them with rdflib takes about 0.15 s of each build, the same every time
they have not changed. So the result is kept, pickled, under ``$XDG_CACHE_HOME/team-pursuit-kg``
(else ``~/.cache/team-pursuit-kg``), one file per kind and key, ``<kind>-<the key's first 16
hex digits>.pickle``, with the whole key inside. The key is a SHA-256 of the bytes and paths
of every file read (each also as messages name it, relative to the working folder when it lies
below), the versions of Python, rdflib and pyoxigraph, and the bytes of kg_build's own modules
(an edit of the code is a new key).

Two projects, or the tests and a project, so keep their own files, not each other's: the
``KEEP`` files of a kind used last stay, and older ones are removed when a new one is written
(a file's time is touched when it is used). A file whose key differs, whose payload does not
match its digest, or that cannot be read or unpickled is ignored, and the result made again
and written (to a temporary file, then ``os.replace``, so that a build never reads half a
file). Only results are kept: data with an error is read and refused anew at every build.
``TEAM_PURSUIT_KG_CACHE=off`` turns it off.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

from kg_build.messages import display_path

T = TypeVar("T")
CACHE_NAME = "team-pursuit-kg"
OFF_VARIABLE = "TEAM_PURSUIT_KG_CACHE"
_MAGIC = b"kg-cache 1\n"
_DIGEST = 32  # bytes of a SHA-256
KEEP = 4  # files kept per kind: a few projects or checkouts used in turn


def cache_folder() -> Path:
    """Return the folder of the cache files: ``$XDG_CACHE_HOME`` or ``~/.cache``, then ours."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / CACHE_NAME


def cached(kind: str, inputs: Sequence[Path], extra: str, make: Callable[[], T]) -> T:
    """Return ``make()``, or what it returned before for the same ``inputs`` and ``extra``.

    ``inputs`` are the files and folders (every file below, but ``__pycache__``) that
    ``make`` reads; ``extra`` any other setting its result depends on.
    """
    if os.environ.get(OFF_VARIABLE) == "off":
        return make()
    try:
        key = input_key(kind, inputs, extra)
        path = cache_folder() / f"{kind}-{key[:8].hex()}.pickle"
    except (OSError, RuntimeError):  # a file it cannot read (``make`` says why), no home
        return make()
    found = _read(path, key)
    if found is not None:
        with suppress(OSError):  # used now: the last to be pruned
            os.utime(path)
        kept: T = found[0]  # made by ``make`` for this very key
        return kept
    value = make()
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return value  # what cannot be kept is made at every build, as before
    _write(path, key, payload)
    _prune(path.parent, kind)
    return value


def _prune(folder: Path, kind: str) -> None:
    """Remove all but the ``KEEP`` files of ``kind`` used last; one gone meanwhile is no error."""
    found = []
    for path in folder.glob(f"{kind}-*.pickle"):
        with suppress(OSError):
            found.append((path.stat().st_mtime_ns, path.name, path))
    old = [path for _, _, path in sorted(found, reverse=True)[KEEP:]]
    for path in [*old, folder / f"{kind}.pickle"]:  # and the one file of earlier versions
        with suppress(OSError):
            path.unlink()


def input_key(kind: str, inputs: Sequence[Path], extra: str) -> bytes:
    """Return the SHA-256 of everything a cached result depends on (see the module's text)."""
    digest = hashlib.sha256()
    for part in (kind, extra, sys.version, *_versions()):
        digest.update(part.encode() + b"\0")
    for path in _files(inputs):  # named as its messages name it: relative to the working folder
        _update(digest, path, f"{path.absolute()}\0{display_path(path)}")
    digest.update(_code_digest())
    return digest.digest()


def _update(digest: hashlib._Hash, path: Path, name: str) -> None:
    data = path.read_bytes() if path.is_file() else b"(missing)"
    digest.update(f"{name}\0{len(data)}\0".encode() + data)


def _versions() -> list[str]:
    import pyoxigraph
    import rdflib

    return [f"rdflib {rdflib.__version__}", f"pyoxigraph {pyoxigraph.__version__}"]


def _files(inputs: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in inputs:
        if path.is_dir():
            below = sorted(p for p in path.rglob("*") if p.is_file())
            files += [p for p in below if "__pycache__" not in p.parts]
        else:
            files.append(path)  # a missing file is keyed as missing
    return files


@functools.cache
def _code_digest() -> bytes:
    """Return the SHA-256 of kg_build's modules (read once a process)."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.parent.rglob("*.py")):
        _update(digest, path, str(path))
    return digest.digest()


def _read(path: Path, key: bytes) -> tuple[Any] | None:
    """Return the value kept in ``path`` for ``key`` (in a 1-tuple), or None."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + 2 * _DIGEST
    if not data.startswith(_MAGIC) or data[len(_MAGIC) : len(_MAGIC) + _DIGEST] != key:
        return None
    payload = data[head:]
    if hashlib.sha256(payload).digest() != data[len(_MAGIC) + _DIGEST : head]:
        return None
    try:
        return (pickle.loads(payload),)
    except Exception:  # a payload of another version of a class: made again
        return None


def _write(path: Path, key: bytes, payload: bytes) -> None:
    """Write the file atomically; a cache that cannot be written is no error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(_MAGIC + key + hashlib.sha256(payload).digest() + payload)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        return
