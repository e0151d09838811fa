"""The terminal chat of `make run` against the real NOX: the app, Redis, a worker and the sandbox."""

from __future__ import annotations

import asyncio
import contextlib
import io

from jamono.sandbox.chat import run_chat


async def _chat(sandbox, sender, script: str, until: str, timeout: float = 20.0) -> str:
    """Type `script`, then keep the chat open until `until` was printed (or the timeout)."""
    out = io.StringIO()
    task = asyncio.create_task(
        run_chat(sandbox, sender, stdin=io.StringIO(script), stdout=out, ansi=False, linger=timeout)
    )
    deadline = asyncio.get_running_loop().time() + timeout
    while until not in out.getvalue() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return out.getvalue()


async def test_a_question_typed_in_the_terminal_is_answered_from_the_runbooks(sandbox, sender, worker):
    transcript = await _chat(sandbox, sender, "how do I roll back a Kubernetes deployment?\n", "Sources:")
    assert "Looking into it" in transcript, "the placeholder shows NOX heard"
    assert "(edited) › From *" in transcript and "rollout undo" in transcript, (
        transcript
    )  # which runbook: 👎s elsewhere re-rank
    assert "[ 👍 ] #1" in transcript  # its buttons, clickable with :click


async def test_a_french_mention_in_a_channel_is_answered_in_french(sandbox, sender, worker):
    transcript = await _chat(sandbox, sender, "#ops @nox comment annuler un déploiement Kubernetes ?\n", "Sources :")
    assert "NOX in #ops ↳ › :eyes: Je regarde ça" in transcript
    assert "(edited) › D'après *" in transcript and "rollout undo" in transcript, transcript


class _Typist:
    """A stdin a test types into line by line, after reading what the chat printed."""

    def __init__(self) -> None:
        import queue

        self.lines: queue.Queue[str] = queue.Queue()

    def readline(self) -> str:
        return self.lines.get()

    def type(self, line: str) -> None:
        self.lines.put(line + "\n")


def stepper(sandbox, out, typist: _Typist, default_timeout: float = 20.0):
    """`await step(line, until)`: type a line (None: type nothing, count all shown so far) and wait
    until `until` is shown after it."""

    async def step(line: str | None, until: str, timeout: float = default_timeout) -> None:
        start = len(out.getvalue()) if line is not None else 0
        if line is not None:
            typist.type(line)
        try:
            await sandbox.wait_for(lambda: until in out.getvalue()[start:], timeout=timeout)
        except TimeoutError:
            raise AssertionError(f"{until!r} never shown after {line!r}:\n{out.getvalue()}") from None

    return step


async def test_a_whole_incident_from_the_terminal(sandbox, sender, worker, pool, sandbox_workspace):
    """Declare from the triage reply, change the status from the card, post an update, get a
    reminder, resolve — everything a person types and reads in `make run`'s chat."""
    from datetime import UTC, datetime, timedelta

    from freezegun import freeze_time

    from jamono.container import get_runtime
    from jamono.incidents.flows import remind
    from jamono.incidents.models import IncidentRef
    from jamono.platform.db import tenant_tx
    from tests.e2e.test_incidents_flow import FROZEN_IGNORE

    out, typist = io.StringIO(), _Typist()
    chat = asyncio.create_task(run_chat(sandbox, sender, stdin=typist, stdout=out, ansi=False))

    step = stepper(sandbox, out, typist, 20.0)

    try:
        await step(
            "#ops @nox prod is down!! the termcheckout api returns 502 for every customer", "[ Declare incident ]"
        )
        await step(":click 2", "📌 NOX pinned a message in #inc-")
        await step(None, "Incident declared by @dev")
        await step(":click 1", "set the status to *identified*")  # the card's first button: Identified
        await step("/nox incident update rolled back to v1.4.2, error rate falling", "Update from @dev")
        _, ws = sandbox_workspace
        with tenant_tx(pool, ws.tenant_id) as conn:
            row = conn.execute("SELECT * FROM incidents WHERE title LIKE '%termcheckout%'").fetchone()
        job = IncidentRef(team_id=ws.team_id, user="U0DEV", incident_id=row["id"], due_for=row["last_update_at"])

        def later() -> bool:
            with freeze_time(datetime.now(UTC) + timedelta(minutes=16), ignore=FROZEN_IGNORE, tick=True):
                return remind(get_runtime(), job)

        assert await asyncio.to_thread(later)
        await step(None, "no update on this incident for 15 min")
        await step("/nox incident resolve rollback fixed it", "resolved the incident")
        await step("/nox incidents", "NOX (only you)")
    finally:
        typist.type(":quit")
        await asyncio.wait_for(chat, timeout=10)
    transcript = out.getvalue()
    assert "NOX created #inc-" in transcript and "NOX invited @dev to #inc-" in transcript
    assert "🔖 #inc-" in transcript and "Origin thread" in transcript
    assert "Resolved: Prod is down" in transcript  # the card, edited in place
    assert transcript.count("no update on this incident") == 1


async def _session(sandbox, sender):
    out, typist = io.StringIO(), _Typist()
    task = asyncio.create_task(run_chat(sandbox, sender, stdin=typist, stdout=out, ansi=False))

    async def until(text: str, *, after: int = 0, timeout: float = 30.0) -> int:
        deadline = asyncio.get_running_loop().time() + timeout
        while text not in out.getvalue()[after:]:
            assert asyncio.get_running_loop().time() < deadline, f"never printed {text!r}:\n{out.getvalue()}"
            await asyncio.sleep(0.1)
        return len(out.getvalue())

    return task, typist, out, until


async def _end(task, typist) -> None:
    typist.type(":quit")
    typist.lines.put("")
    await asyncio.wait_for(task, 10)


async def test_home_shows_the_app_home_tab_in_the_terminal(sandbox, sender, worker):
    sandbox.reset()
    task, typist, out, until = await _session(sandbox, sender)
    try:
        typist.type(":home")
        await until("NOX · Home ›")
    finally:
        await _end(task, typist)
    home = out.getvalue().split("NOX · Home ›", 1)[1]
    assert "NOX updated your App Home" not in out.getvalue()
    assert len(home.strip().splitlines()) > 3, home  # the tab's content, not a notice


async def test_a_modal_is_a_form_filled_in_the_terminal_with_nox_s_errors(sandbox, sender, worker):
    sandbox.reset()
    task, typist, out, until = await _session(sandbox, sender)
    try:
        typist.type("#ops hello")
        typist.type("/nox incident")
        mark = await until("NOX opened a form: Declare an incident")
        assert (
            "1. What is happening?: —" in out.getvalue()[mark - 400 :] or "1. What is happening?: —" in out.getvalue()
        )
        assert "2. Severity: " in out.getvalue() and "[1. " in out.getvalue()
        typist.type(":set 1 db")
        typist.type(":submit")
        mark = await until("⚠ What is happening?: Describe it in 5 to 200 characters.", after=mark)
        assert sandbox.open_views("U0DEV"), "the form stays open after an error"
        typist.type(":set 1 payments API returns 502")
        typist.type(":set 2 1")
        typist.type(":submit")
        await until("(form sent)", after=mark)
        await sandbox.wait_for(
            lambda: any("payments API returns 502" in str(m) for m in sandbox.bot_messages()), timeout=30
        )
    finally:
        await _end(task, typist)
    assert not sandbox.open_views("U0DEV")


async def test_an_incident_remembered_from_the_terminal(sandbox, sender, worker, pool, sandbox_workspace):
    """Declare, talk, mark messages, read the timeline and a summary, resolve: the postmortem draft
    arrives as a file; the next report of the same kind is told about the first. With
    JAMONO_TRANSCRIPT=path the transcript is written there (the notes of issue 17 quote it)."""
    import os

    from jamono.platform.db import tenant_tx

    _, ws = sandbox_workspace
    out, typist = io.StringIO(), _Typist()
    chat = asyncio.create_task(run_chat(sandbox, sender, stdin=typist, stdout=out, ansi=False))

    step = stepper(sandbox, out, typist, 30.0)

    try:
        await step(
            "#ops @nox prod is down!! the paygw payments api returns 502 for every customer since the 4.12 deploy",
            "[ Declare incident ]",
        )
        await step(":click 2", "📌 NOX pinned a message in #inc-")
        await step(None, "Incident declared by @dev")
        with tenant_tx(pool, ws.tenant_id) as conn:
            row = conn.execute("SELECT * FROM incidents WHERE title LIKE '%paygw%' ORDER BY started_at DESC").fetchone()
        inc = "#" + row["channel_name"]
        for line in (
            f"{inc} Checkout returns 502 for about 30% of customers, p99 latency is up too.",
            f"{inc} We rolled back the payments deploy to 4.11, error rate is falling.",
            f"{inc} Root cause: 4.12 shipped a DB connection pool max of 5 instead of 50.",
            f"{inc} Action item: add an alert on connection pool saturation.",
            f"{inc} Should we page the database team?",
        ):
            typist.type(line)
            if "rolled back" in line:
                typist.type(":react pushpin")
            if "Root cause" in line:
                await step(":mark", "Added to the timeline")
        await step(f"{inc} /nox incident timeline", "Timeline of")
        await step("/nox summary", "Summary of")
        await step("/nox incident resolve fixed by rolling back to 4.11", "📎 Postmortem (draft)")
        await step(None, "can open a Jira ticket for each")
        await step(":file", "## Action items")
        await step(":click 1", "Jira", timeout=30)
        await step(
            "#ops @nox paygw payments api is throwing 502 errors for customers again after today's deploy",
            "Looks like *INC-",
        )
        await step("#ops /nox similar paygw payments 502 after a deploy", "Similar past incidents")
        # Inside a thread, where Slack sends no slash command: the mention, then the shortcut.
        typist.type("#ops is anything off with checkout today?")
        typist.type("> the paygw payments api returns 502 for some customers after the deploy")
        await step("> @nox similar", "#ops ↳ › *Similar past incidents")
        await step(":similar", "(you used the shortcut Find similar incidents)")
        await sandbox.wait_for(lambda: out.getvalue().count("(only you) › *Similar past incidents") == 2, timeout=20)
    finally:
        typist.type(":quit")
        await asyncio.wait_for(chat, timeout=10)
    transcript = out.getvalue()
    if os.environ.get("JAMONO_TRANSCRIPT"):
        with open(os.environ["JAMONO_TRANSCRIPT"], "w", encoding="utf-8") as f:
            f.write(transcript)
    draft = transcript.split("## Root cause", 1)[1].split("##", 1)[0]
    assert "connection pool max of 5 instead of 50" in draft
    assert "fixed by rolling back to 4.11" in transcript.split("Looks like *INC-", 1)[1]
