"""Readers: the store generation a reader opens is pinned, so that no build deletes it."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from msgspec import Struct

from kg_build.errors import StoreError
from kg_build.publish.files import absolute_path
from kg_build.publish.generations import PIN_SUFFIX, current_generation
from kg_build.publish.journal import finish_interrupted


class Pin(Struct):
    """A reader's hold on one store generation: no build deletes it while the pin is held."""

    directory: Path
    fd: int = -1

    def release(self) -> None:
        """Let builds delete the generation once no one else holds it."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def pin_generation(store: Path) -> Pin:
    """Pin the generation the store's link names now; raise StoreError if there is none.

    A pin is a shared ``flock`` on the generation's pin file; a build deletes a generation
    only after taking that lock exclusively, so a pinned one stays. A build may switch the
    link between reading it and pinning; then the pin is taken again on the new one.
    """
    finish_interrupted(absolute_path(store).parent)
    if not store.is_symlink():  # a store of before generations, or one made by hand
        if not store.is_dir():
            raise StoreError(store.as_posix(), None, "no store here (run kg build first)")
        return Pin(store)
    for _ in range(100):
        generation = current_generation(store)
        if generation is None:
            break
        try:
            fd = os.open(generation.with_name(generation.name + PIN_SUFFIX), os.O_RDONLY)
        except FileNotFoundError:
            continue  # deleted after the link moved on: read the link again
        fcntl.flock(fd, fcntl.LOCK_SH)
        if generation.is_dir() and current_generation(store) == generation:
            return Pin(generation, fd)
        os.close(fd)
    raise StoreError(store.as_posix(), None, "no store here (run kg build first)")
