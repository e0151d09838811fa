"""Secrets typed into the settings modals: sealed for the queue hop, then handed to a secret store.
Why and how: docs/design/home.md."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr

from jamono.home.ids import Section
from jamono.platform.db import Connection
from jamono.platform.settings import Settings

# Names under which each section's secret is stored.
SECRET_NAMES: dict[Section, str] = {"jira": "jira_api_token", "google": "google_credentials"}
# `has_…` flag each section keeps in its settings once a secret is stored.
SECRET_FLAGS: dict[Section, str] = {"jira": "has_token", "google": "has_credentials"}
SEALED_TTL_S = 24 * 3600  # longer than any job's max age


class SecretUnavailable(RuntimeError):
    """A sealed secret could not be opened (wrong or rotated-out key, expired, tampered)."""


class SecretSealer:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one Fernet key is needed")
        self._fernet = MultiFernet([Fernet(k.strip().encode()) for k in keys])

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretSealer | None:
        """None when the deployment has no encryption keys (then secrets cannot be accepted)."""
        if settings.jamono_encryption_keys is None:
            return None
        keys = [k for k in settings.jamono_encryption_keys.get_secret_value().split(",") if k.strip()]
        return cls(keys) if keys else None

    def seal(self, secret: SecretStr) -> str:
        return self._fernet.encrypt(secret.get_secret_value().encode()).decode()

    def open(self, sealed: str) -> SecretStr:
        try:
            return SecretStr(self._fernet.decrypt(sealed.encode(), ttl=SEALED_TTL_S).decode())
        except InvalidToken:
            raise SecretUnavailable("the sealed secret cannot be opened") from None


class SecretStore(Protocol):
    """Where integration secrets live, encrypted at rest (implemented outside this package)."""

    def put(self, conn: Connection, workspace_id: UUID, name: str, value: SecretStr) -> None: ...
