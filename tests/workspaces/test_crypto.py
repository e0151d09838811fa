"""Secrets at rest: authenticated encryption, tamper detection, key rotation, the development key."""

from __future__ import annotations

import logging
import pickle
import stat

import pytest

from jamono.platform.crypto import SecretBox, SecretDecryptError, SecretKeyError, generate_key, load_secret_box
from jamono.platform.settings import load_settings

TOKEN = "xoxb-1234-5678-secretsecret"


def test_round_trip_and_ciphertext_hides_the_plaintext():
    box = SecretBox([generate_key()])
    sealed = box.encrypt(TOKEN)
    assert TOKEN.encode() not in sealed and sealed.startswith(b"gAAAAA")
    assert box.decrypt(sealed) == TOKEN
    assert box.encrypt(TOKEN) != sealed  # fresh IV every time: equal secrets do not look equal


def test_tampering_is_detected():
    box = SecretBox([generate_key()])
    sealed = bytearray(box.encrypt(TOKEN))
    sealed[40] ^= 0x01
    with pytest.raises(SecretDecryptError):
        box.decrypt(bytes(sealed))
    with pytest.raises(SecretDecryptError):
        SecretBox([generate_key()]).decrypt(box.encrypt(TOKEN))  # another key


def test_rotation_newest_key_first():
    old, new = generate_key(), generate_key()
    sealed_old = SecretBox([old]).encrypt(TOKEN)
    both = SecretBox([new, old])
    assert both.decrypt(sealed_old) == TOKEN  # readers keep working during rotation
    assert not both.is_current(sealed_old)
    rotated = both.rotate(sealed_old)
    assert both.is_current(rotated)
    assert SecretBox([new]).decrypt(rotated) == TOKEN
    with pytest.raises(SecretDecryptError):
        SecretBox([old]).decrypt(rotated)
    assert both.primary_key_id == SecretBox([new]).primary_key_id != SecretBox([old]).primary_key_id


def test_nothing_secret_in_repr_errors_or_pickles():
    key = generate_key()
    box = SecretBox([key])
    assert key not in repr(box) and key[:10] not in repr(box)
    assert box.primary_key_id in repr(box) and len(box.primary_key_id) == 10
    with pytest.raises(SecretKeyError) as bad:
        SecretBox([key, "not-a-real-key-but-a-password"])
    assert "#2" in str(bad.value) and "password" not in str(bad.value)
    with pytest.raises(TypeError):
        pickle.dumps(box)
    with pytest.raises(SecretKeyError):
        SecretBox([])


def test_keys_come_from_settings_newest_first(tmp_path):
    new, old = generate_key(), generate_key()
    settings = load_settings(_env_file=None, jamono_encryption_keys=f" {new} , {old} ", JAMONO_DATA_DIR=str(tmp_path))
    box = load_secret_box(settings)
    assert box.key_ids == (SecretBox([new]).primary_key_id, SecretBox([old]).primary_key_id)
    assert not (tmp_path / "secret.key").exists()


def test_development_key_is_made_once_private_and_announced(tmp_path, caplog):
    settings = load_settings(_env_file=None, JAMONO_DATA_DIR=str(tmp_path / "data"))
    assert settings.data_dir == tmp_path / "data"  # never the repository's own .jamono
    with caplog.at_level(logging.WARNING, logger="jamono.platform.crypto"):
        first = load_secret_box(settings)
    path = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_text().strip()
    assert "JAMONO_ENCRYPTION_KEYS" in caplog.text and key not in caplog.text
    second = load_secret_box(settings)
    assert second.decrypt(first.encrypt(TOKEN)) == TOKEN
    assert list(tmp_path.joinpath("data").iterdir()) == [path]  # no temporary file left behind


def test_development_key_file_is_tightened_if_loose(tmp_path):
    settings = load_settings(_env_file=None, JAMONO_DATA_DIR=str(tmp_path))
    assert settings.data_dir == tmp_path
    load_secret_box(settings)
    path = tmp_path / "secret.key"
    path.chmod(0o644)
    load_secret_box(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
