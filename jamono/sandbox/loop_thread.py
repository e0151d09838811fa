"""An asyncio event loop on its own daemon thread, for serving from sync code and other loops."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable


class LoopThread:
    """Runs `setup()`, then its event loop until `stop()`, then `teardown()`, on a daemon thread.

    `start()` returns once `setup()` has finished and raises in the caller whatever it raised.
    """

    def __init__(self, name: str, *, what: str | None = None, timeout: float = 10) -> None:
        self.name = name  # the thread's
        self.what = what or name  # for the error when setup takes longer than `timeout` seconds
        self.timeout = timeout
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self, setup: Callable[[], Awaitable[object]], teardown: Callable[[], Awaitable[object]]) -> None:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self.loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(setup())
            except BaseException as error:  # reported to the starting thread
                failure.append(error)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(teardown())
                loop.close()

        self._thread = threading.Thread(target=run, name=self.name, daemon=True)
        self._thread.start()
        if not ready.wait(self.timeout):
            raise RuntimeError(f"{self.what} did not start within {self.timeout:g} s")
        if failure:
            raise failure[0]

    def stop(self) -> None:
        """Stop the loop (then `teardown()` runs on it) and wait for the thread; idempotent."""
        loop, thread = self.loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(self.timeout)
        self._thread = None
