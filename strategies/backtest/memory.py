"""Keep freed memory for reuse: the backtest's arrays are reused, not faulted in anew.

A backtest makes hundreds of days x stocks temporaries (40 MB each at 5,400 x 1,000).
glibc serves blocks that large with a fresh `mmap` and returns them on `free`, so every
temporary costs page faults and the kernel zeroing its pages: seconds of system time
per run. With mmap off and no trimming of the heap, a freed block serves the next one.
The memory stays with the process until it exits, which suits a one-shot command
(`desk backtest`, the bench), not a long-lived service: call this only there.

Its arrays also take 4 KB pages, not the 2 MB ones numpy asks for (madvise): on the
desk's virtual machines a fresh huge page cost about 2.2 s of system time per GB
touched against 0.4 s for small pages (the host backs each 2 MB block anew once the
guest has handed it back), with no gain in user time: measured 2026-12-06, 2 GB
touched in a fresh process, and `desk backtest` at 5,400 x 750 (2.2 s system -> 0.8).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import platform
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_TRIM_ABOVE = 2**31 - 1  # bytes free at the heap's top before any is returned (int max)


def reuse_freed_memory() -> bool:
    """Tell glibc's malloc to keep freed blocks for reuse, and numpy to ask for no huge
    pages; False where it is not glibc (malloc is left as it is there)."""
    small_pages()
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name)
    libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    trimmed = libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_ABOVE)
    unmapped = libc.mallopt(_M_MMAP_MAX, 0)
    return bool(trimmed == 1 and unmapped == 1)


def small_pages() -> bool:
    """Stop numpy advising the kernel to back its large arrays with huge pages (the
    setting numpy's NUMPY_MADVISE_HUGEPAGE=0 gives at import); False where this numpy
    has no such switch."""
    switch = getattr(getattr(np, "_core", None), "multiarray", None)
    setter = getattr(switch, "_set_madvise_hugepage", None)
    if setter is None:
        return False
    setter(False)
    return True


@contextmanager
def no_collections() -> Iterator[None]:
    """No garbage collection inside: a backtest's work holds few reference cycles, and
    the collector's passes over its live objects (each day's rows, fills, Decimals) were
    0.25 s of a `desk backtest` at 5,400 x 750 for no memory freed (the same peak).
    The collector is on again after it (in-process callers, the tests, go on)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
