"""Self-hosting settings stay in one place: `.env.example` names every setting NOX reads and every
variable the compose files in deploy/ interpolate."""

from __future__ import annotations

import re
from pathlib import Path

from jamono.platform.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / ".env.example").read_text()
NAMED = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", EXAMPLE, flags=re.M))


def test_every_setting_is_in_env_example():
    names = {
        field.validation_alias if isinstance(field.validation_alias, str) else name.upper()
        for name, field in Settings.model_fields.items()
    }
    assert names - NAMED == set()


def test_every_compose_variable_is_in_env_example():
    compose = "".join(p.read_text() for p in (ROOT / "deploy").glob("compose*.yaml"))
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose)) - {"JAMONO_ENV_FILE"}  # the smoke test's own
    assert used and used - NAMED == set()
