"""`/nox` subcommands: parsing and the help text. Unknown input gets help, never a trace."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from jamono.i18n import Lang, t
from jamono.slack.blockkit import context, section

Subcommand = Literal[
    "help",
    "ask",
    "incident",
    "incidents",
    "meeting",
    "kb add",
    "kb search",
    "kb remove",
    "status",
    "config",
    "followups",
    "summary",
    "similar",
]
KNOWN: tuple[Subcommand, ...] = (
    "kb add",
    "kb search",
    "kb remove",
    "help",
    "ask",
    "incidents",
    "incident",
    "meeting",
    "status",
    "config",
    "followups",
    "summary",
    "similar",
)


class NoxCommand(BaseModel):
    name: Subcommand
    args: str = ""
    unknown: str | None = None  # what the user typed when we did not understand it
    share: bool = False  # "--share": reply visibly in the channel


def parse_command(text: str) -> NoxCommand:
    words = text.strip()
    share = False
    if words.endswith("--share"):
        share, words = True, words[: -len("--share")].strip()
    lowered = words.lower()
    for name in KNOWN:
        if lowered == name or lowered.startswith(name + " "):
            return NoxCommand(name=name, args=words[len(name) :].strip(), share=share)
    if not words:
        return NoxCommand(name="help")
    if lowered.startswith("kb"):
        return NoxCommand(name="help", unknown=words)
    # Anything else reads as a question: "/nox how do I …" is the most natural use.
    if len(words.split()) >= 3:
        return NoxCommand(name="ask", args=words, share=share)
    return NoxCommand(name="help", unknown=words)


HELP_COMMANDS = (
    "ask",
    "kb_add",
    "kb_search",
    "kb_remove",
    "incident",
    "incident_change",
    "incident_timeline",
    "summary",
    "similar",
    "incident_publish",
    "incidents",
    "meeting",
    "status",
    "config",
    "followups",
    "mention",
)


def help_lines(lang: Lang) -> list[tuple[str, str]]:
    """(usage, what it does) for each command, in `lang`."""
    return [(t(f"help.{name}.usage", lang), t(f"help.{name}.what", lang)) for name in HELP_COMMANDS]


def help_blocks(lang: Lang = "en", unknown: str | None = None) -> list[dict]:
    intro = t("help.intro", lang)
    if unknown:
        intro = t("help.unknown", lang, command=unknown[:60], intro=intro)
    lines = "\n".join(f"• {usage} — {what}" for usage, what in help_lines(lang))
    return [section(intro), section(lines), context(t("help.share", lang))]


def config_blocks(lang: Lang, team_id: str, app_id: str) -> list[dict]:
    """`/nox config`: the settings modal opens; this says where the rest of the configuration lives."""
    home = f"slack://app?team={team_id}&id={app_id}&tab=home" if team_id and app_id else None
    link = t("config.home_link", lang, url=home) if home else "."
    return [section(t("config.opening", lang, link=link)), context(t("config.sections", lang))]
