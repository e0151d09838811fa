"""Recorded sleeps and closers for the plugins under test."""

from collections.abc import Callable
from typing import TypeVar

ORGANIZER = "ada@example.com"


T = TypeVar("T")


Closer = Callable[[T], T]


class Sleeps(list[float]):
    """Stands in for time.sleep: remembers the delays so tests can assert on them, instantly."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
