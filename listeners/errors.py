"""What Slack gets when a listener fails: a payload we cannot read is refused (400, one log line,
and for a slash command a clear ephemeral answer); anything else stays a 500, so Slack redelivers."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

log = logging.getLogger("jamono.listeners")

COMMAND_NOT_UNDERSTOOD = {
    "response_type": "ephemeral",
    "text": ":warning: Slack sent me that command in a form I can't read, so nothing was done. Please try again."
    " / Je n'ai pas pu lire cette commande : rien n'a été fait, réessayez.",
}


def _where(error: ValidationError) -> str:
    first: dict[str, Any] = dict(error.errors()[0]) if error.errors() else {}
    field = ".".join(str(part) for part in first.get("loc", ())) or "payload"
    return f"{field}: {first.get('msg', 'invalid')}"


async def on_listener_error(
    error: Exception, body: dict[str, Any], response: BoltResponse | None
) -> BoltResponse | None:
    kind = body.get("type") or ("slash_command" if "command" in body else "unknown")
    if isinstance(error, ValidationError):
        where = _where(error)
        log.warning("malformed Slack payload refused (%s): %s", kind, where)
        if kind == "slash_command":  # the user typed something: answer them, not just Slack
            return BoltResponse(status=200, body=COMMAND_NOT_UNDERSTOOD)
        return BoltResponse(status=400, body={"ok": False, "error": f"malformed payload ({where})"})
    log.error("listener failed (%s): %s", kind, type(error).__name__, exc_info=error)
    return None  # Bolt's 500: Slack redelivers, and nothing was acked that was not queued


def register(app: AsyncApp) -> None:
    app.error(on_listener_error)
