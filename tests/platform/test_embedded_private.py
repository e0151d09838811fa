"""The embedded services' files are this user's only: every tenant's rows and queued messages."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from jamono.platform.embedded import EmbeddedRedis

ROOT = Path(__file__).resolve().parents[2]


def _others_can_read(path: Path) -> bool:
    """Read or write by group or others (a bare traverse bit on a directory lists nothing)."""
    mode = path.stat().st_mode
    bits = stat.S_IRGRP | stat.S_IWGRP | stat.S_IROTH | stat.S_IWOTH
    if not path.is_dir():
        bits |= stat.S_IXGRP | stat.S_IXOTH
    return bool(mode & bits)


def test_embedded_redis_keeps_its_directory_and_files_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "redis").mkdir(parents=True, mode=0o755)
    os.chmod(data / "redis", 0o755)  # left open by an earlier version
    old_log = data / "redis" / "redis.log"
    old_log.write_text("earlier run\n")
    os.chmod(old_log, 0o644)
    server = EmbeddedRedis(data, persistent=True)
    url = server.start()
    try:
        import redis

        client = redis.Redis.from_url(url)
        client.set("k", "a queued job with people's words")
        client.bgsave()
        time.sleep(0.5)
    finally:
        server.stop()
    assert not _others_can_read(data) and not _others_can_read(data / "redis")
    files = [p for p in (data / "redis").rglob("*") if not p.is_socket()]
    assert any(p.name.startswith("appendonly") for p in files) and old_log in files
    assert [p for p in files if _others_can_read(p)] == []


def test_embedded_postgres_data_is_private(admin_database_url: str) -> None:
    if os.environ.get("TEST_DATABASE_URL"):
        return  # not ours to check
    test_dir = ROOT / ".jamono" / "test"
    assert not _others_can_read(test_dir / "pgdata")
    if os.geteuid() != 0:
        # As root, pgserver runs PostgreSQL as its own user and opens the parents (r-x) for it.
        assert not _others_can_read(test_dir)


def test_the_data_dir_stays_traversable_for_pgserver_as_root(tmp_path: Path) -> None:
    """As root the key's directory (the data dir, holding pgdata) must not lock PostgreSQL out."""
    from jamono.platform.crypto import _read_or_create_dev_key

    data = tmp_path / "data"
    _read_or_create_dev_key(data / "secret.key")
    mode = stat.S_IMODE(data.stat().st_mode)
    assert mode == (0o711 if os.geteuid() == 0 else 0o700)
    assert stat.S_IMODE((data / "secret.key").stat().st_mode) == 0o600
