"""Concurrent embedding calls share forward passes and each gets its own rows back."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from knowledge.coalesce import Coalescer


def _slow_rows(texts: list[str]) -> np.ndarray:
    time.sleep(0.05)  # a forward pass: long enough for the others to queue behind it
    return np.array([[float(len(t)), float(sum(map(ord, t)))] for t in texts], dtype=np.float32)


def test_concurrent_callers_share_passes_and_get_their_own_rows():
    coalescer = Coalescer(_slow_rows)
    requests = [[f"text {i}", f"second {i}" * (i % 3 + 1)] for i in range(16)]
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(coalescer, requests))
    for texts, rows in zip(requests, results, strict=True):
        assert np.array_equal(rows, _slow_rows(texts))
    assert coalescer.passes < len(requests) / 2, "the calls were not batched"


def test_a_lone_call_runs_at_once():
    coalescer = Coalescer(_slow_rows)
    started = time.perf_counter()
    assert coalescer(["alone"]).shape == (1, 2)
    assert time.perf_counter() - started < 1.0


def test_a_failed_pass_fails_its_callers_and_the_next_pass_runs():
    calls = {"n": 0}
    gate = threading.Event()

    def flaky(texts: list[str]) -> np.ndarray:
        calls["n"] += 1
        if calls["n"] == 1:
            gate.wait(1)
            raise RuntimeError("model broke")
        return _slow_rows(texts)

    coalescer = Coalescer(flaky)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(coalescer, ["a"])
        time.sleep(0.05)
        second = pool.submit(coalescer, ["b"])
        time.sleep(0.05)
        gate.set()
        with pytest.raises(RuntimeError):
            first.result()
        assert second.result().shape == (1, 2)
