"""One switch that pins numpy's BLAS to one thread while a block runs (embedding, training, inference)."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import glob
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

_SYMBOLS = (
    ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
    ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
    ("openblas_get_num_threads", "openblas_set_num_threads"),
)
Handles = tuple[Callable[[], int], Callable[[int], None]]
_lock = threading.Lock()
_users = 0
_previous = 0


@functools.cache
def blas_controller() -> Any:
    """threadpoolctl's handle on numpy's BLAS, or None when threadpoolctl is not installed."""
    try:
        import threadpoolctl
    except ImportError:
        return None
    return threadpoolctl.ThreadpoolController()


@functools.cache
def _openblas() -> Handles | None:
    """get/set for the thread count of the OpenBLAS numpy loaded, if found (a direct call: cheap)."""
    import numpy as np

    paths: list[str] = []
    with contextlib.suppress(OSError), open("/proc/self/maps", encoding="utf-8") as maps:
        paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line})
    if not paths:
        paths = sorted(glob.glob(os.path.join(os.path.dirname(np.__file__) + ".libs", "*openblas*")))
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for get_name, set_name in _SYMBOLS:
            if hasattr(lib, get_name) and hasattr(lib, set_name):
                get, set_ = getattr(lib, get_name), getattr(lib, set_name)
                get.restype, set_.argtypes = ctypes.c_int, [ctypes.c_int]
                return get, set_
    return None


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Pin OpenBLAS to one thread while the block runs; reference-counted, as the limit is process-wide.

    OpenBLAS threads spin-wait: next to our own threads or any busy process they stall one another
    (7x slower measured on a loaded 2-core machine; 0.1–2 s instead of ~5 ms for one short message),
    while on an idle machine they gain under 10% on these small matrices. Single-threaded sums also
    keep embeddings, hence training, byte-identical. A no-op when numpy does not use OpenBLAS.
    """
    global _users, _previous
    handles = _openblas()
    if handles is None:
        yield
        return
    with _lock:
        if _users == 0:
            _previous = handles[0]()
            if _previous != 1:
                handles[1](1)
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _previous != 1:
                handles[1](_previous)
