"""`jamono keys` is reachable from the operator's command (the rotation itself: tests/workspaces/test_keys_cli.py)."""

import subprocess
import sys

from cryptography.fernet import Fernet


def test_jamono_keys_generate_prints_a_usable_key():
    out = subprocess.run(
        [sys.executable, "-m", "jamono", "keys", "generate"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    key = out.stdout.strip().splitlines()[0]
    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"x")) == b"x"
