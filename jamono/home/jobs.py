"""The jobs the App Home's listeners queue for workers: names and validated payloads.
Why and how: docs/design/home.md."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from jamono.home.ids import Section
from jamono.i18n import Lang


class HomeJob(BaseModel):
    """Render and publish one person's App Home."""

    team_id: str
    enterprise_id: str | None = None
    user: str = Field(min_length=1, max_length=64)


class SettingsModalJob(BaseModel):
    """Replace the "loading" modal the listener opened (found by `external_id`) with the real one."""

    team_id: str
    enterprise_id: str | None = None
    user: str = Field(min_length=1, max_length=64)
    section: Section
    external_id: str = Field(min_length=1, max_length=255)


class SettingsSaveJob(BaseModel):
    """A validated settings modal. `sealed_secret` is Fernet ciphertext, never the secret itself."""

    team_id: str
    enterprise_id: str | None = None
    user: str = Field(min_length=1, max_length=64)
    section: Section
    changes: dict[str, Any]
    sealed_secret: str | None = None
    lang: Lang = "en"
