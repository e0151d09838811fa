"""`make run`'s promise: one command starts everything, serves health, Ctrl-C (a SIGINT to the whole
process group, as a terminal sends it) or a process manager's SIGTERM to the group stops it all —
embedded PostgreSQL and Redis included — and the next start reuses the data."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes_with(marker: str) -> list[int]:
    """Live processes whose environment carries `marker` (ours: web, worker, PostgreSQL, Redis)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if (
                marker.encode() in (entry / "environ").read_bytes()
                and "Z" not in (entry / "stat").read_text().split()[2]
            ):
                found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours
            continue
    return found


def _listening_on(port: int) -> set[str]:
    """The IPv4 addresses a TCP port listens on, from /proc/net/tcp (and any IPv6 listener as '::')."""
    found = set()
    for table, family in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 6)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]) if family == 4 else "::")
    return found


def _run_until_up_then_signal(data_dir: Path, port: int, sig: int = signal.SIGINT) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE_URL", "REDIS_URL", "RABBITMQ_URL", "HOST", "PORT", "JAMONO_"))
    }
    env.update({"JAMONO_DATA_DIR": str(data_dir), "PORT": str(port), "LOG_LEVEL": "WARNING"})
    proc = subprocess.Popen(
        [sys.executable, "-m", "jamono", "run", "--no-chat"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)  # type: ignore[union-attr]
    reader.start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while not any("NOX is up" in line for line in seen):
            assert time.monotonic() < deadline and proc.poll() is None, "".join(seen)
            with contextlib.suppress(queue.Empty):
                seen.append(lines.get(timeout=1))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            status, body = response.status, response.read().decode()
        assert status == 200 and '"database": "ok"' in body and '"broker": "ok"' in body
        assert _processes_with(f"JAMONO_DATA_DIR={data_dir}"), "web, worker and services are running"
        assert _listening_on(port) == {"127.0.0.1"}, "the sandbox's public signing secret stays on this machine"
        # The printed playground URL answers (the web process redirects it to the sandbox's page).
        while not any("Playground" in line for line in seen):
            seen.append(lines.get(timeout=10))
        printed = next(line for line in seen if "Playground" in line).split()[-1]
        assert printed == f"http://127.0.0.1:{port}/playground"
        with urllib.request.urlopen(printed, timeout=5) as response:
            assert response.status == 200 and "<h1>NOX playground</h1>" in response.read().decode()
    finally:
        os.killpg(proc.pid, sig)  # what Ctrl-C in a terminal (or systemd, a PaaS) does: every process of the group
        proc.wait(timeout=60)
    reader.join(timeout=5)
    while not lines.empty():
        seen.append(lines.get())
    output = "".join(seen)
    assert proc.returncode == 0, output
    assert "stopping" in output and "Traceback" not in output, output
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "nothing listens on the port any more"
    deadline = time.monotonic() + 10
    while (left := _processes_with(f"JAMONO_DATA_DIR={data_dir}")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"processes left running: {left}"
    return output


def test_jamono_run_starts_everything_stops_cleanly_and_reuses_its_data(tmp_path):
    data_dir = tmp_path / "data"
    first = _run_until_up_then_signal(data_dir, _free_port())
    assert "knowledge base:" in first and " 0 failed" in first and " 0 added" not in first
    assert (data_dir / "pgdata").is_dir() and (data_dir / "redis").is_dir()

    second = _run_until_up_then_signal(data_dir, _free_port())
    assert "database ready (0 migrations applied)" in second
    assert "knowledge base: 0 added, 0 updated, " in second and " unchanged" in second


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_sigterm_to_the_group_stops_everything_even_after_a_run_that_was_killed(tmp_path):
    """SIGTERM is Ctrl-C: exit 0, web and worker stopped, and the embedded PostgreSQL and Redis
    with them. pgserver keeps the pids of the processes using its server and stops it only when
    the last one lets go; a run killed before letting go left its pid there, and every later run
    then left PostgreSQL running. A dead pid in that list must not keep the server alive."""
    data_dir = tmp_path / "data"
    _run_until_up_then_signal(data_dir, _free_port(), signal.SIGTERM)

    handles = data_dir / "pgdata" / ".handle_pids.json"
    assert json.loads(handles.read_text()) == [], "every handle was let go"
    handles.write_text(json.dumps([_dead_pid()]))  # what a SIGKILLed run leaves behind
    _run_until_up_then_signal(data_dir, _free_port(), signal.SIGTERM)
