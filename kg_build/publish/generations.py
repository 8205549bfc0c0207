"""Store generations: the folder that holds them, the one the store's link names, old ones.

The store ``out/store`` is a symbolic link to ``.store.generations/<id>``; each generation has a
pin file ``<id>.lock`` beside it, which readers hold shared (readers.py).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

PIN_SUFFIX = ".lock"


def generations_of(store: Path) -> Path:
    """Return the folder that holds the generations of the store linked at ``store``."""
    return store.parent / f".{store.name}.generations"


def current_generation(store: Path) -> Path | None:
    """Return the generation folder the store's link names (the folder itself if unlinked)."""
    if store.is_symlink():
        return (store.parent / os.readlink(store)).resolve()
    return store.resolve() if store.is_dir() else None


def delete_old_generations(generations: Path, store: Path) -> None:
    """Delete every generation but the linked one and those a reader has pinned."""
    current = current_generation(store) if store.is_symlink() else None
    for generation in sorted(generations.iterdir()):
        if not generation.is_dir() or generation == current:
            continue
        pin = generation.with_name(generation.name + PIN_SUFFIX)
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
    for pin in generations.glob(f"*{PIN_SUFFIX}"):
        if not pin.with_name(pin.name.removesuffix(PIN_SUFFIX)).exists():
            pin.unlink(missing_ok=True)
