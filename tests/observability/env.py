"""Ports, Redis databases and settings for the observability tests' own processes."""

import os
import socket
from urllib.parse import urlsplit, urlunsplit

from jamono.platform.settings import Settings, load_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_db_url(url: str, db: int) -> str:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("db="))
        return f"unix://{parts.path}?" + (query + "&" if query else "") + f"db={db}"
    return urlunsplit(parts._replace(path=f"/{db}"))


def settings_from_env(env: dict[str, str]) -> Settings:
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        return load_settings(_env_file=None)
    finally:
        os.environ.clear()
        os.environ.update(saved)
