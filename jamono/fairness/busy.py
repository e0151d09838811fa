"""The notice a person gets when their workspace asked for far more answers than its plan's rate
allows (no turn for this one within the horizon): said once per person every ten minutes, in
their language, rather than an answer that would expire in the queue unseen."""

from __future__ import annotations

import logging
from typing import Any

import redis
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from jamono.brain.language import detect_language
from jamono.platform.tenancy import WorkspaceContext

log = logging.getLogger(__name__)

_TEXT = {
    "en": ":hourglass_flowing_sand: NOX has more questions from this workspace than its plan lets it take "
    "at once, so it is skipping this one. Please ask again in a few minutes.",
    "fr": ":hourglass_flowing_sand: NOX reçoit plus de questions de cet espace que son offre ne lui permet "
    "d'en traiter à la fois : il laisse celle-ci de côté. Reposez-la dans quelques minutes.",
}
_QUIET_S = 600


def busy_text(text: str, lang: str | None = None) -> str:
    """In the person's language: a command's own (their locale or the workspace's choice), else the text's."""
    return _TEXT[lang if lang in _TEXT else detect_language(text) if text else "en"]


def _addressed(payload: dict[str, Any]) -> bool:
    """Someone asked NOX directly: a command (its response_url), a mention or a DM."""
    return bool(payload.get("response_url")) or (
        payload.get("message_type") in ("app_mention", "direct_message") and bool(payload.get("channel"))
    )


def tell_too_busy(rt: Any, ws: WorkspaceContext, payload: dict[str, Any]) -> None:
    """Post the notice (commands: ephemeral; mentions and DMs: in the thread); follow-ups and
    watched channels, which nobody addressed to NOX directly, are skipped without a word (and
    do not use up the person's one notice of the ten minutes)."""
    user = str(payload.get("user") or "")
    log.info("fair share: no turn within the horizon, refused", extra={"team_id": ws.team_id})
    if not _addressed(payload):
        return
    try:
        if rt.cache is not None and not rt.cache.set(
            f"jamono:busy-notice:{ws.team_id}:{user}", "1", nx=True, ex=_QUIET_S
        ):
            return
    except redis.RedisError:
        pass
    text = busy_text(str(payload.get("text") or ""), payload.get("lang"))
    try:
        if payload.get("response_url"):
            WebhookClient(payload["response_url"]).send(response_type="ephemeral", text=text)
        else:
            client = rt.slack.get(rt.bot_token(ws))
            thread = payload.get("thread_ts") or payload.get("ts")
            client.chat_postMessage(channel=payload["channel"], thread_ts=thread, text=text)
    except (SlackApiError, OSError) as exc:
        log.warning("fair share: could not post the notice", extra={"error": type(exc).__name__})
