"""The jobs the App Home's listeners queue for workers: names and validated payloads.
Why and how: docs/design/home.md."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from jamono.home.ids import Section
from jamono.i18n import Lang
from jamono.queue.models import PersonJob


class HomeJob(PersonJob):
    """Render and publish one person's App Home."""

    user: str = Field(min_length=1, max_length=64)


class SettingsModalJob(PersonJob):
    """Replace the "loading" modal the listener opened (found by `external_id`) with the real one."""

    user: str = Field(min_length=1, max_length=64)
    section: Section
    external_id: str = Field(min_length=1, max_length=255)


class SettingsSaveJob(PersonJob):
    """A validated settings modal. `sealed_secret` is Fernet ciphertext, never the secret itself."""

    user: str = Field(min_length=1, max_length=64)
    section: Section
    changes: dict[str, Any]
    sealed_secret: str | None = None
    lang: Lang = "en"
