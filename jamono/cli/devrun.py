"""`make run`: everything NOX needs on one machine, stopped cleanly by Ctrl-C or SIGTERM.
Why and how: docs/design/cli.md."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from typing import TYPE_CHECKING

from jamono.platform.embedded import EmbeddedServices
from jamono.platform.settings import (
    SANDBOX_SIGNING_SECRET,
    Settings,
    SettingsError,
    get_settings,
    sandbox_exposure_problem,
)
from jamono.platform.shutdown import signals_ignored

if TYPE_CHECKING:
    from jamono.sandbox.server import SandboxThread


def _exited(proc: subprocess.Popen[bytes], how: str) -> str:
    name = proc.args[-1] if isinstance(proc.args, list) else proc.args
    return f"{name!s} {how} (code {proc.returncode}); see the logs under .jamono/logs/"


def _wait_healthy(url: str, procs: list[subprocess.Popen[bytes]], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(_exited(proc, "exited early"))
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become healthy in {timeout_s:.0f}s")


STOPPED_BY_SIGNAL = {0, -signal.SIGINT, -signal.SIGTERM}


def children_exit_code(procs: list[subprocess.Popen[bytes]]) -> int:
    """`run`'s exit code once a child has ended without our asking. A Ctrl-C or SIGTERM to the
    group reaches the children too, and may be handled by one of them before it is by us (the
    kernel may hand it to another thread of ours, and the main thread notices only when it wakes):
    a child that stopped as a signal asks is a requested stop, 0. Any other ending is a failure."""
    failed = [p for p in procs if p.poll() is not None and p.returncode not in STOPPED_BY_SIGNAL]
    for proc in failed:
        print(_exited(proc, "exited"), flush=True)
    return 1 if failed else 0


def _stop(procs: list[subprocess.Popen[bytes]], timeout_s: float = 15.0) -> None:
    """SIGTERM each child (a second copy, after a signal to the whole group, is harmless: see
    jamono.platform.shutdown); one still running after `timeout_s` is killed with its own children."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _kill_tree(proc)


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL a child and its descendants (Dramatiq's worker processes outlive a killed supervisor)."""
    try:
        import psutil  # installed with pgserver, the embedded PostgreSQL `run` is for

        descendants = psutil.Process(proc.pid).children(recursive=True)
    except Exception:  # psutil missing, or the child already gone
        descendants = []
    proc.kill()
    for child in descendants:
        with contextlib.suppress(Exception):  # gone meanwhile
            child.kill()
    proc.wait(timeout=10)


def _prepare_workspace() -> None:
    """Create the workspace from auth.test and load the bundled runbooks into it."""
    import app
    from jamono.platform.db import open_pool
    from jamono.platform.tenancy import register_workspace

    settings = get_settings()
    if app.multi_workspace(settings):  # each install loads the runbooks for its own tenant
        print("many workspaces: install NOX at /slack/install; each install gets the bundled runbooks", flush=True)
        return
    pool = open_pool(settings, max_size=2, name="jamono-setup")
    try:
        workspace = register_workspace(pool, app.identify_workspace(settings))
        from jamono.container import settings_embedder
        from knowledge.ingest import load_bundled

        report = load_bundled(pool, workspace.tenant_id, settings_embedder(settings))
        print(f"knowledge base: {report.summary()}", flush=True)
    finally:
        pool.close()


def _check_sandbox_exposure(settings: Settings, expose_sandbox: bool) -> None:
    """Checked before anything starts. HOST unset: the sandbox serves 127.0.0.1 (_start_sandbox)."""
    host = settings.host if "host" in settings.model_fields_set else "127.0.0.1"
    problem = None if expose_sandbox else sandbox_exposure_problem(host, settings.database_url)
    if problem is not None:
        raise SettingsError(problem)
    if expose_sandbox:
        os.environ["JAMONO_SANDBOX_EXPOSED"] = "1"  # for the web process's own check


def _start_sandbox(settings: Settings) -> SandboxThread:
    """The Slack stand-in, and the environment that points the web and worker processes at it."""
    from jamono.sandbox.server import SandboxThread

    sandbox = SandboxThread()
    sandbox.start()
    os.environ.update(
        {
            "SLACK_BOT_TOKEN": sandbox.sandbox.bot_token,
            "SLACK_SIGNING_SECRET": SANDBOX_SIGNING_SECRET,
            "SLACK_API_URL": sandbox.sandbox.api_url,
        }
    )
    # The sandbox's signing secret is public: serve this machine only, unless HOST says otherwise.
    if "host" not in settings.model_fields_set:  # HOST from the environment or .env
        os.environ["HOST"] = "127.0.0.1"
    print(f"Slack sandbox: Web API stand-in at {sandbox.sandbox.api_url}", flush=True)
    return sandbox


def run_all(*, chat: bool = True, force_sandbox: bool = False, expose_sandbox: bool = False) -> int:
    from migrations.runner import apply_migrations

    settings = get_settings()
    if force_sandbox or not settings.slack_configured:
        _check_sandbox_exposure(settings, expose_sandbox)
    data_dir = settings.data_dir.resolve()
    services = EmbeddedServices(
        data_dir, database_url=settings.database_url, redis_url=settings.redis_url, rabbitmq_url=settings.rabbitmq_url
    )
    procs: list[subprocess.Popen[bytes]] = []
    sandbox = None
    try:
        services.start()
        applied = apply_migrations(services.database_url or "")
        print(f"database ready ({len(applied)} migrations applied)", flush=True)
        use_sandbox = force_sandbox or not settings.slack_configured
        if use_sandbox:
            sandbox = _start_sandbox(settings)
        get_settings.cache_clear()
        settings = get_settings()
        playground = None
        if sandbox is not None:
            # The browser playground delivers what people do there to the web process, signed.
            playground = sandbox.sandbox.enable_playground(
                f"http://127.0.0.1:{settings.port}/slack/events", SANDBOX_SIGNING_SECRET
            )
            os.environ["JAMONO_PLAYGROUND_URL"] = playground
        _prepare_workspace()

        log_dir = data_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        interactive = chat and use_sandbox and sys.stdin.isatty()
        for name, args in (("web", ["serve"]), ("worker", ["worker"])):
            out = open(log_dir / f"{name}.log", "ab") if interactive else None  # noqa: SIM115 — owned by the child
            procs.append(
                subprocess.Popen([sys.executable, "-m", "jamono", *args], stdout=out, stderr=out, env=os.environ.copy())
            )
        base = f"http://127.0.0.1:{settings.port}"
        _wait_healthy(f"{base}/healthz", procs)
        print(
            f"NOX is up: {base}/slack/events · {base}/healthz" + (f" · logs in {log_dir}" if interactive else ""),
            flush=True,
        )
        if playground is not None:
            from jamono.web.landing import is_loopback

            # The web process redirects /playground to the sandbox only while it serves loopback.
            shown = f"{base}/playground" if is_loopback(settings.host) else playground
            print(f"Playground (NOX in your browser, like Slack): {shown}", flush=True)
        if interactive and sandbox is not None:
            from jamono.sandbox.chat import run_chat
            from jamono.sandbox.sender import SlackEventSender

            async def chat_session() -> None:
                async with SlackEventSender(
                    f"{base}/slack/events", SANDBOX_SIGNING_SECRET, sandbox=sandbox.sandbox
                ) as sender:
                    await run_chat(sandbox.sandbox, sender)

            asyncio.run(chat_session())
        else:
            print("Press Ctrl-C to stop.", flush=True)
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
            return children_exit_code(procs)
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        with signals_ignored():  # a second Ctrl-C or SIGTERM must not leave PostgreSQL running
            print("stopping…", flush=True)
            _stop(procs)
            if sandbox is not None:
                sandbox.stop()
            services.stop()
