"""Poll until something is true, and say clearly what happened instead when it is not.
Why and how: docs/design/sandbox.md."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
POLL_INTERVAL = 0.01


def check(predicate: Callable[[], T | None]) -> T | None:
    """Run a predicate; a lookup that fails (IndexError/KeyError) just means "not yet"."""
    try:
        return predicate()
    except LookupError:
        return None


async def poll(predicate: Callable[[], T | None], timeout: float, describe: Callable[[], str]) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = check(predicate)
        if result:
            return result
        if time.monotonic() >= deadline:
            raise TimeoutError(f"condition not met within {timeout:.1f}s\n{describe()}")
        await asyncio.sleep(POLL_INTERVAL)


def poll_sync(predicate: Callable[[], T | None], timeout: float, describe: Callable[[], str]) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = check(predicate)
        if result:
            return result
        if time.monotonic() >= deadline:
            raise TimeoutError(f"condition not met within {timeout:.1f}s\n{describe()}")
        time.sleep(POLL_INTERVAL)
