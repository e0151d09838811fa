"""`/nox`: the help, what the command says while it works, and where the settings live."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "help.ask.usage": {"en": "`/nox ask <question>`", "fr": "`/nox ask <question>`"},
    "help.ask.what": {
        "en": "answer from your runbooks, with sources (or just `/nox <question>`)",
        "fr": "réponse tirée de vos runbooks, avec les sources (ou simplement `/nox <question>`)",
    },
    "help.kb_add.usage": {"en": "`/nox kb add`", "fr": "`/nox kb add`"},
    "help.kb_add.what": {
        "en": "add a document to NOX's knowledge base",
        "fr": "ajouter un document à la base de connaissances de NOX",
    },
    "help.kb_search.usage": {"en": "`/nox kb search <query>`", "fr": "`/nox kb search <requête>`"},
    "help.kb_search.what": {"en": "search the knowledge base", "fr": "chercher dans la base de connaissances"},
    "help.kb_remove.usage": {"en": "`/nox kb remove <title>`", "fr": "`/nox kb remove <titre>`"},
    "help.kb_remove.what": {
        "en": "remove a document you saved (admins: any)",
        "fr": "retirer un document que vous avez enregistré (admins : n'importe lequel)",
    },
    "help.incident.usage": {"en": "`/nox incident`", "fr": "`/nox incident`"},
    "help.incident.what": {
        "en": "declare an incident (its own channel, a pinned card, Jira kept in step)",
        "fr": "déclarer un incident (son canal, une fiche épinglée, Jira tenu à jour)",
    },
    "help.incident_change.usage": {
        "en": "`/nox incident status|severity|lead|update|resolve …`",
        "fr": "`/nox incident status|severity|lead|update|resolve …`",
    },
    "help.incident_change.what": {
        "en": "in an incident's channel: change it",
        "fr": "dans le canal d'un incident : le modifier",
    },
    "help.incidents.usage": {"en": "`/nox incidents`", "fr": "`/nox incidents`"},
    "help.incidents.what": {"en": "the open incidents", "fr": "les incidents ouverts"},
    "help.meeting.usage": {"en": "`/nox meeting`", "fr": "`/nox meeting`"},
    "help.meeting.what": {"en": "schedule a meeting", "fr": "planifier une réunion"},
    "help.status.usage": {"en": "`/nox status`", "fr": "`/nox status`"},
    "help.status.what": {
        "en": "health of NOX and this workspace's integrations",
        "fr": "état de NOX et des intégrations de cet espace",
    },
    "help.config.usage": {"en": "`/nox config`", "fr": "`/nox config`"},
    "help.config.what": {"en": "open NOX's settings (App Home)", "fr": "ouvrir les réglages de NOX (App Home)"},
    "help.followups.usage": {"en": "`/nox followups on|off`", "fr": "`/nox followups on|off`"},
    "help.followups.what": {
        "en": "in this channel, answer replies in threads NOX answered without a new @mention",
        "fr": "dans ce canal, répondre dans les fils où NOX a répondu, sans nouvelle @mention",
    },
    "help.incident_timeline.usage": {"en": "`/nox incident timeline`", "fr": "`/nox incident timeline`"},
    "help.incident_timeline.what": {
        "en": "in an incident's channel: its timeline (UTC and your time)",
        "fr": "dans le canal d'un incident : sa chronologie (UTC et votre heure)",
    },
    "help.summary.usage": {"en": "`/nox summary`", "fr": "`/nox summary`"},
    "help.summary.what": {
        "en": "a catch-up of the incident (or of this channel's last messages)",
        "fr": "un résumé de l'incident (ou des derniers messages du canal)",
    },
    "help.similar.usage": {"en": "`/nox similar [text]`", "fr": "`/nox similar [texte]`"},
    "help.similar.what": {
        "en": "past incidents of this workspace like this one, and how they were fixed"
        " (in a thread: `@nox similar`, or the message shortcut “Find similar incidents”)",
        "fr": "les incidents passés de cet espace qui ressemblent à celui-ci, et leur correction"
        " (dans un fil : `@nox similaires`, ou le raccourci de message « Find similar incidents »)",
    },
    "help.incident_publish.usage": {"en": "`/nox incident publish INC-n`", "fr": "`/nox incident publier INC-n`"},
    "help.incident_publish.what": {
        "en": "admins: share a private incident's lesson with the whole workspace (knowledge base, triage)",
        "fr": "admins : partager la leçon d'un incident privé avec tout l'espace (base de connaissances, tri)",
    },
    "help.mention.usage": {"en": "`@nox …` or a DM", "fr": "`@nox …` ou un message privé"},
    "help.mention.what": {
        "en": "talk to NOX in a channel or privately; it answers in the thread",
        "fr": "parler à NOX dans un canal ou en privé ; il répond dans le fil",
    },
    "help.intro": {"en": "Here's what I can do:", "fr": "Voici ce que je sais faire :"},
    "help.unknown": {
        "en": "I don't know the command `{command}`. {intro}",
        "fr": "Je ne connais pas la commande `{command}`. {intro}",
    },
    "help.share": {
        "en": "Add `--share` to post the reply in the channel.",
        "fr": "Ajoutez `--share` pour publier la réponse dans le canal.",
    },
    "config.opening": {
        "en": ":gear: Opening NOX's settings. Jira, Google Calendar and usage figures are in NOX's *Home* tab{link}",
        "fr": ":gear: J'ouvre les réglages de NOX. Jira, Google Agenda et les chiffres d'usage sont dans l'onglet "
        "*Accueil* de NOX{link}",
    },
    "config.home_link": {"en": ": <{url}|open it>.", "fr": " : <{url}|l'ouvrir>."},
    "config.sections": {
        "en": "Sections: `/nox config general`, `/nox config jira`, `/nox config google`.",
        "fr": "Sections : `/nox config general`, `/nox config jira`, `/nox config google`.",
    },
    "working.kb_search": {
        "en": ":mag: Searching the knowledge base…",
        "fr": ":mag: Je cherche dans la base de connaissances…",
    },
    "working.ask": {"en": ":eyes: Looking into it…", "fr": ":eyes: Je regarde ça…"},
    "working.kb_remove": {
        "en": ":wastebasket: Looking for that document…",
        "fr": ":wastebasket: Je cherche ce document…",
    },
    "working.status": {
        "en": ":stethoscope: Checking NOX and your integrations…",
        "fr": ":stethoscope: Je vérifie NOX et vos intégrations…",
    },
    "later": {
        "en": "`/nox {name}` is not available in this version yet. `/nox help` lists what works today.",
        "fr": "`/nox {name}` n'est pas encore disponible dans cette version. `/nox help` liste ce qui marche "
        "aujourd'hui.",
    },
}
