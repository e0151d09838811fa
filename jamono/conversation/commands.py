"""`/nox` subcommands: parsing and the help text. Unknown input gets help, never a trace."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from jamono.i18n import Lang

Subcommand = Literal[
    "help", "ask", "incident", "incidents", "meeting", "kb add", "kb search", "status", "config", "followups"
]
KNOWN: tuple[Subcommand, ...] = (
    "kb add",
    "kb search",
    "help",
    "ask",
    "incidents",
    "incident",
    "meeting",
    "status",
    "config",
    "followups",
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


HELP = {
    "en": [
        ("`/nox ask <question>`", "answer from your runbooks, with sources (or just `/nox <question>`)"),
        ("`/nox kb add`", "add a document to NOX's knowledge base"),
        ("`/nox kb search <query>`", "search the knowledge base"),
        ("`/nox incident`", "declare an incident (its own channel, a pinned card, Jira kept in step)"),
        ("`/nox incident status|severity|lead|update|resolve …`", "in an incident's channel: change it"),
        ("`/nox incidents`", "the open incidents"),
        ("`/nox meeting`", "schedule a meeting"),
        ("`/nox status`", "health of NOX and this workspace's integrations"),
        ("`/nox config`", "open NOX's settings (App Home)"),
        ("`/nox followups on|off`", "in this channel, answer replies in threads NOX answered without a new @mention"),
        ("`@nox …` or a DM", "talk to NOX in a channel or privately; it answers in the thread"),
    ],
    "fr": [
        ("`/nox ask <question>`", "réponse tirée de vos runbooks, avec les sources (ou simplement `/nox <question>`)"),
        ("`/nox kb add`", "ajouter un document à la base de connaissances de NOX"),
        ("`/nox kb search <requête>`", "chercher dans la base de connaissances"),
        ("`/nox incident`", "déclarer un incident (son canal, une fiche épinglée, Jira tenu à jour)"),
        ("`/nox incident status|severity|lead|update|resolve …`", "dans le canal d'un incident : le modifier"),
        ("`/nox incidents`", "les incidents ouverts"),
        ("`/nox meeting`", "planifier une réunion"),
        ("`/nox status`", "état de NOX et des intégrations de cet espace"),
        ("`/nox config`", "ouvrir les réglages de NOX (App Home)"),
        ("`/nox followups on|off`", "dans ce canal, répondre dans les fils où NOX a répondu, sans nouvelle @mention"),
        ("`@nox …` ou un message privé", "parler à NOX dans un canal ou en privé ; il répond dans le fil"),
    ],
}


def help_blocks(lang: Lang = "en", unknown: str | None = None) -> list[dict]:
    intro = {
        "en": "Here's what I can do:",
        "fr": "Voici ce que je sais faire :",
    }[lang]
    if unknown:
        intro = {
            "en": f"I don't know the command `{unknown[:60]}`. {intro}",
            "fr": f"Je ne connais pas la commande `{unknown[:60]}`. {intro}",
        }[lang]
    lines = "\n".join(f"• {usage} — {what}" for usage, what in HELP[lang])
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": intro}},
        {"type": "section", "text": {"type": "mrkdwn", "text": lines}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "Add `--share` to post the reply in the channel."
                    if lang == "en"
                    else "Ajoutez `--share` pour publier la réponse dans le canal.",
                }
            ],
        },
    ]


def config_blocks(lang: Lang, team_id: str, app_id: str) -> list[dict]:
    """`/nox config`: the settings modal opens; this says where the rest of the configuration lives."""
    home = f"slack://app?team={team_id}&id={app_id}&tab=home" if team_id and app_id else None
    text = {
        "en": ":gear: Opening NOX's settings. Jira, Google Calendar and usage figures are in NOX's *Home* tab"
        + (f": <{home}|open it>." if home else "."),
        "fr": ":gear: J'ouvre les réglages de NOX. Jira, Google Agenda et les chiffres d'usage sont dans l'onglet "
        "*Accueil* de NOX" + (f" : <{home}|l'ouvrir>." if home else "."),
    }[lang]
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": {
                        "en": "Sections: `/nox config general`, `/nox config jira`, `/nox config google`.",
                        "fr": "Sections : `/nox config general`, `/nox config jira`, `/nox config google`.",
                    }[lang],
                }
            ],
        },
    ]
