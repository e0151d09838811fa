"""Concurrent embedding calls share forward passes.
Why and how: docs/design/knowledge.md."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np


class _Request:
    __slots__ = ("texts", "ready", "result", "error")

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.ready = threading.Event()
        self.result: np.ndarray | None = None
        self.error: BaseException | None = None


class Coalescer:
    """Calls `run(texts) -> (len(texts), dim) array` for the texts of all concurrent callers."""

    def __init__(self, run: Callable[[list[str]], np.ndarray], *, max_texts: int = 64) -> None:
        self._run = run
        self._max = max_texts
        self._lock = threading.Lock()
        self._pending: list[_Request] = []
        self._busy = False
        self.passes = 0  # forward passes run (tests and benchmarks read it)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        request = _Request(list(texts))
        with self._lock:
            self._pending.append(request)
            lead = not self._busy
            self._busy = True
        if not lead:
            request.ready.wait()
            lead = request.result is None and request.error is None  # promoted: next in line
        if lead:
            self._lead()
        if request.error is not None:
            raise request.error
        assert request.result is not None
        return request.result

    def _lead(self) -> None:
        with self._lock:
            batch: list[_Request] = []
            count = 0
            while self._pending and (not batch or count + len(self._pending[0].texts) <= self._max):
                batch.append(self._pending.pop(0))
                count += len(batch[-1].texts)
        try:
            vectors = self._run([t for r in batch for t in r.texts])
            self.passes += 1
            start = 0
            for r in batch:
                r.result = vectors[start : start + len(r.texts)]
                start += len(r.texts)
        except BaseException as exc:  # every caller of this pass gets the error, as if alone
            for r in batch:
                r.error = exc
        finally:
            with self._lock:
                nxt = self._pending[0] if self._pending else None
                if nxt is None:
                    self._busy = False
            for r in batch:
                r.ready.set()
            if nxt is not None:
                nxt.ready.set()  # it leads the next pass
