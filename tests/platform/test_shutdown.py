"""The web process's stop: the first signal stops it, later ones change nothing and print nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# A child process, so the signals and the handlers stay out of pytest's own process. It stops on
# the first SIGTERM, then gets SIGTERMs while asyncio.run closes the loop (the window in which a
# signal used to hit a closed wakeup fd and print a traceback), and must exit 0 without output.
_CHILD = textwrap.dedent(
    """
    import asyncio, os, signal, threading, time
    from jamono.platform.shutdown import stop_signals, stopping

    def keep_signalling():
        for _ in range(400):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.0005)

    async def main():
        loop = asyncio.get_running_loop()
        stop = stop_signals(loop)
        os.kill(os.getpid(), signal.SIGTERM)
        await stop.wait()
        stopping(loop)
        threading.Thread(target=keep_signalling, daemon=True).start()
        await asyncio.sleep(0.05)

    asyncio.run(main())
    time.sleep(0.1)
    print("stopped once")
    """
)


def test_signals_after_the_stop_change_nothing_and_print_nothing():
    done = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "stopped once"
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
