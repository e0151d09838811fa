"""Shared helpers for the App Home tests: seeding interactions with explicit timestamps."""

from __future__ import annotations

from typing import Any

import pytest

from jamono.platform.tenancy import WorkspaceContext
from tests.home.factories import NOW, seed  # noqa: F401


@pytest.fixture
def seed_rows(pool):
    def _seed(ws: WorkspaceContext, rows: list[dict[str, Any]]) -> None:
        seed(pool, ws, rows)

    return _seed
