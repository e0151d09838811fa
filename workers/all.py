"""The module Dramatiq's CLI loads (and the tests' in-process worker): every actor, one broker."""

from __future__ import annotations

import workers.actions  # noqa: F401
import workers.conversation  # noqa: F401
import workers.home  # noqa: F401
import workers.incidents  # noqa: F401
import workers.options  # noqa: F401 — sets the broker up before any actor is declared
import workers.workspaces  # noqa: F401
