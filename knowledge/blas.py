"""One switch that pins numpy's BLAS to one thread while a block runs (embedding, training, inference)."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from typing import Any

_lock = threading.Lock()
_users = 0
_limiter: Any = None


@functools.cache
def blas_controller() -> Any:
    """threadpoolctl's handle on numpy's BLAS, or None when threadpoolctl is not installed."""
    try:
        import threadpoolctl
    except ImportError:
        return None
    return threadpoolctl.ThreadpoolController()


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Pin BLAS to one thread while the block runs; reference-counted, as the limit is process-wide.

    OpenBLAS threads spin-wait: next to our own threads or any busy process they stall one another
    (7x slower measured on a loaded 2-core machine; 0.1–2 s instead of ~5 ms for one short message),
    while on an idle machine they gain under 10% on these small matrices. Single-threaded sums also
    keep embeddings, hence training, byte-identical. Without threadpoolctl this does nothing.
    """
    global _users, _limiter
    controller = blas_controller()
    if controller is None:
        yield
        return
    with _lock:
        if _users == 0:
            _limiter = controller.limit(limits=1, user_api="blas")
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                _limiter.restore_original_limits()
                _limiter = None
