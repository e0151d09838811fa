"""`jamono run`'s exit code when a child ends first: a signal to the whole group may stop the web
before our own main thread has noticed it, and that is still a clean Ctrl-C, not a failure."""

from __future__ import annotations

import signal
import subprocess
import sys

from jamono.cli.devrun import children_exit_code


def _ended(code: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-c", code])
    proc.wait(timeout=30)
    return proc


def _running() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_children_stopped_by_the_group_signal_are_a_clean_stop():
    alive = _running()
    try:
        stopped = [_ended("raise SystemExit(0)"), _ended(f"import os; os.kill(os.getpid(), {int(signal.SIGTERM)})")]
        assert children_exit_code([*stopped, alive]) == 0
    finally:
        alive.kill()
        alive.wait()


def test_a_child_that_crashed_is_a_failure_and_is_named(capsys):
    alive = _running()
    try:
        assert children_exit_code([_ended("raise SystemExit(3)"), alive]) == 1
    finally:
        alive.kill()
        alive.wait()
    assert "exited (code 3)" in capsys.readouterr().out
