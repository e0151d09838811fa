"""Secrets at rest (invariant 5): authenticated encryption with key rotation.
Why and how: docs/design/platform.md."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from jamono.platform.addresses import shared_database
from jamono.platform.settings import SettingsError

if TYPE_CHECKING:
    from jamono.platform.settings import Settings

log = logging.getLogger(__name__)

DEV_KEY_FILE = "secret.key"


class SecretKeyError(ValueError):
    """A configured key is not a Fernet key; the message names its position, never its value."""


class SecretDecryptError(Exception):
    """A ciphertext was tampered with or was encrypted under a key that is no longer configured."""


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def key_id(key: str) -> str:
    """A short, non-reversible fingerprint of a key, safe for logs."""
    return hashlib.sha256(key.encode("ascii")).hexdigest()[:10]


def parse_keys(raw: str) -> list[str]:
    """Comma- or newline-separated keys, newest first; blanks ignored."""
    return [part.strip() for part in raw.replace("\n", ",").split(",") if part.strip()]


class SecretBox:
    """Encrypts with the newest key, decrypts with any; holds keys without ever showing them."""

    __slots__ = ("_fernets", "_primary", "_ids")

    def __init__(self, keys: Sequence[str]) -> None:
        if isinstance(keys, str):  # a bare string would be split into characters
            keys = parse_keys(keys)
        if not keys:
            raise SecretKeyError("no encryption key given (JAMONO_ENCRYPTION_KEYS is empty)")
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.strip().encode("ascii")))
            except (ValueError, TypeError, UnicodeEncodeError):
                raise SecretKeyError(
                    f"encryption key #{position} is not a Fernet key (32 url-safe base64 bytes; "
                    "make one with `jamono keys generate`)"
                ) from None
        self._fernets = MultiFernet(fernets)
        self._primary = fernets[0]
        self._ids = tuple(key_id(k.strip()) for k in keys)

    @property
    def primary_key_id(self) -> str:
        return self._ids[0]

    @property
    def key_ids(self) -> tuple[str, ...]:
        return self._ids

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernets.encrypt(plaintext.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernets.decrypt(bytes(token)).decode("utf-8")
        except InvalidToken:
            raise SecretDecryptError(
                "a stored secret could not be decrypted: it was altered, or the key that encrypted it "
                "is no longer in JAMONO_ENCRYPTION_KEYS"
            ) from None

    def is_current(self, token: bytes) -> bool:
        """Whether the ciphertext is already under the primary key (rotation can skip it)."""
        try:
            self._primary.decrypt(bytes(token))
        except InvalidToken:
            return False
        return True

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt under the primary key (raises SecretDecryptError if no key opens it)."""
        try:
            return self._fernets.rotate(bytes(token))
        except InvalidToken:
            raise SecretDecryptError("a stored secret could not be decrypted with any configured key") from None

    def encrypt_optional(self, plaintext: str | None) -> bytes | None:
        return None if plaintext is None else self.encrypt(plaintext)

    def decrypt_optional(self, token: bytes | None) -> str | None:
        return None if token is None else self.decrypt(token)

    def __repr__(self) -> str:
        return f"SecretBox(keys={len(self._ids)}, primary={self.primary_key_id})"

    def __reduce__(self):  # never pickle keys into a queue or a cache
        raise TypeError("SecretBox cannot be pickled")


def _read_or_create_dev_key(path: Path) -> str:
    """Create the development key once, atomically (web and worker may boot together), mode 0600."""
    from jamono.platform.embedded import private_dir

    private_dir(path.parent, holds_pgdata=True)  # the data dir, shared with pgdata
    if not path.exists():
        fd, tmp = tempfile.mkstemp(prefix=".secret-", dir=path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(generate_key() + "\n")
            with contextlib.suppress(FileExistsError):  # another process won the race: then use theirs
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        log.warning("development key file %s is readable by others (mode %o); tightening to 0600", path, mode)
        path.chmod(0o600)
    return path.read_text(encoding="ascii")


def require_keys_for_shared_database(settings: Settings) -> None:
    if settings.jamono_encryption_keys is None and shared_database(settings.app_database_url or settings.database_url):
        dev_key = Path(settings.data_dir) / DEV_KEY_FILE
        if dev_key.exists():  # secrets are already encrypted under it: a new key alone would lose them
            raise SettingsError(
                f"JAMONO_ENCRYPTION_KEYS: required with a shared database (DATABASE_URL); set it to"
                f" the contents of {dev_key}, the key your secrets are encrypted with (to move off"
                f" it: put a new key first, then `jamono keys rotate`)"
            )
        raise SettingsError(
            "JAMONO_ENCRYPTION_KEYS: required with a shared database (DATABASE_URL), so every"
            " process encrypts and decrypts secrets alike; `jamono keys generate` makes one"
        )


def load_secret_box(settings: Settings) -> SecretBox:
    """Keys from JAMONO_ENCRYPTION_KEYS; without it, a development key kept under the data dir
    (refused when the database is shared with other machines)."""
    require_keys_for_shared_database(settings)
    if settings.jamono_encryption_keys is not None:
        keys = parse_keys(settings.jamono_encryption_keys.get_secret_value())
        box = SecretBox(keys)
        log.info("secrets encrypted under key %s (%d key(s) configured)", box.primary_key_id, len(keys))
        return box
    path = Path(settings.data_dir) / DEV_KEY_FILE
    box = SecretBox(parse_keys(_read_or_create_dev_key(path)))
    log.warning(
        "JAMONO_ENCRYPTION_KEYS is not set: secrets are encrypted with the development key in %s "
        "(key %s). Production must set JAMONO_ENCRYPTION_KEYS.",
        path,
        box.primary_key_id,
    )
    return box
