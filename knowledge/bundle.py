"""The runbooks shipped with Jamono (knowledge/bundled/): where they are and how their sources are named."""

from __future__ import annotations

from pathlib import Path

BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"
BUNDLED_PREFIX = "bundled/"
