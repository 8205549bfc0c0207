"""How often the cyclic garbage collector runs in a ``kg`` process and its build workers.

A build allocates many objects that live until it ends (terms, records, graphs). With
CPython's default threshold (a young collection every 700 new objects) the collector went
over them again and again: 120 young, 11 middle and one full collection in a bundled build,
some 50 ms of its CPU time (measured with ``gc.callbacks``). mypy runs its builds with the
same thresholds for the same reason. Only the command and its workers set them: a program
that imports ``kg_build`` as a library keeps its own.
"""

import gc
import platform

THRESHOLDS = (200_000, 30, 30)


def collect_less() -> None:
    """Let the collector run less often in this process (CPython's; others have their own)."""
    if platform.python_implementation() == "CPython":
        gc.set_threshold(*THRESHOLDS)
