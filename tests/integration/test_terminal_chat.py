"""The terminal chat of `make run` against the real NOX: the app, Redis, a worker and the sandbox."""

from __future__ import annotations

import asyncio
import io

from jamono.sandbox.chat import run_chat


async def _chat(sandbox, sender, script: str, until: str, timeout: float = 20.0) -> str:
    """Type `script`, then keep the chat open until `until` was printed (or the timeout)."""
    out = io.StringIO()
    task = asyncio.create_task(run_chat(sandbox, sender, stdin=io.StringIO(script), stdout=out, ansi=False,
                                        linger=timeout))
    deadline = asyncio.get_running_loop().time() + timeout
    while until not in out.getvalue() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    return out.getvalue()


async def test_a_question_typed_in_the_terminal_is_answered_from_the_runbooks(sandbox, sender, worker):
    transcript = await _chat(sandbox, sender, "how do I roll back a Kubernetes deployment?\n", "Sources:")
    assert "Looking into it" in transcript, "the placeholder shows NOX heard"
    assert "(edited) › From *" in transcript and "rollout undo" in transcript, transcript  # which runbook: 👎s elsewhere re-rank
    assert "[ 👍 ] #1" in transcript  # its buttons, clickable with :click


async def test_a_french_mention_in_a_channel_is_answered_in_french(sandbox, sender, worker):
    transcript = await _chat(sandbox, sender, "#ops @nox comment annuler un déploiement Kubernetes ?\n", "Sources :")
    assert "NOX in #ops ↳ › :eyes: Je regarde ça" in transcript
    assert "(edited) › D'après *" in transcript and "rollout undo" in transcript, transcript
