"""Slack's request signing (v0), the other half of what the app verifies."""

from __future__ import annotations

import hashlib
import hmac
import time


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """`v0=` + hex HMAC-SHA256(secret, "v0:{timestamp}:{body}")."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The two headers Slack puts on every request it sends to an app."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": signature(secret, ts, body)}
