"""What NOX says when it arrives, when someone joins, and when a new ops channel appears (fr/en)."""

from __future__ import annotations

from typing import Any

from jamono.i18n import Lang, t
from jamono.slack.blockkit import actions, button, header, section

WATCH_ACTION = "channel_watch"
IGNORE_ACTION = "channel_watch_no"


def welcome_blocks(lang: Lang) -> list[dict[str, Any]]:
    return [
        header(t("welcome_title", lang), emoji=None),
        section(t("welcome_body", lang)),
        section(t("welcome_steps", lang)),
    ]


def member_welcome_blocks(lang: Lang) -> list[dict[str, Any]]:
    return [section(t("member_welcome_body", lang))]


def channel_offer_blocks(lang: Lang, channel_id: str, name: str) -> list[dict[str, Any]]:
    return [
        section(t("offer_body", lang, channel=channel_id)),
        actions(
            [
                button(t("watch_yes", lang), WATCH_ACTION, value=channel_id, style="primary", emoji=None),
                button(t("watch_no", lang), IGNORE_ACTION, value=channel_id, emoji=None),
            ],
            block_id="channel_watch",
        ),
    ]
