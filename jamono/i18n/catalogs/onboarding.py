"""What NOX says when it arrives, when someone joins, and when a new ops channel appears."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "welcome_text": {
        "en": "Thanks for installing NOX! Here is how to get started.",
        "fr": "Merci d'avoir installé NOX ! Voici comment démarrer.",
    },
    "welcome_title": {"en": ":wave: NOX is ready", "fr": ":wave: NOX est prêt"},
    "welcome_body": {
        "en": "I'm NOX, your DevOps teammate. I answer from your runbooks (with sources), spot incidents and open "
        "Jira tickets for them, and book meetings when a conversation needs one.\n"
        "I've loaded a starter library of runbooks so I can help right away.",
        "fr": "Je suis NOX, votre coéquipier DevOps. Je réponds à partir de vos runbooks (avec les sources), je "
        "repère les incidents et j'ouvre les tickets Jira, et j'organise une réunion quand il en faut une.\n"
        "J'ai chargé une bibliothèque de runbooks de départ pour pouvoir aider tout de suite.",
    },
    "welcome_steps": {
        "en": "*Next steps*\n"
        "1. Invite me to your incident and ops channels: `/invite @nox`.\n"
        "2. Open my *Home* tab to connect Jira and Google Calendar and pick the action mode.\n"
        "3. Add your own runbooks with `/nox kb add`.\n"
        "4. Try me: `@nox how do I restart a crashing pod?` or `/nox help`.",
        "fr": "*Prochaines étapes*\n"
        "1. Invitez-moi dans vos canaux d'incidents et d'exploitation : `/invite @nox`.\n"
        "2. Ouvrez mon onglet *Accueil* pour connecter Jira et Google Agenda et choisir le mode d'action.\n"
        "3. Ajoutez vos propres runbooks avec `/nox kb add`.\n"
        "4. Essayez : `@nox comment redémarrer un pod qui crashe ?` ou `/nox help`.",
    },
    "member_welcome_text": {
        "en": "Welcome aboard! I'm NOX, the team's DevOps assistant.",
        "fr": "Bienvenue ! Je suis NOX, l'assistant DevOps de l'équipe.",
    },
    "member_welcome_body": {
        "en": ":wave: Welcome aboard! I'm *NOX*, the team's DevOps assistant. Ask me anything about our runbooks "
        "here in DM or with `@nox` in a channel; I answer with sources. `/nox help` shows the rest.",
        "fr": ":wave: Bienvenue ! Je suis *NOX*, l'assistant DevOps de l'équipe. Posez-moi vos questions sur nos "
        "runbooks ici en message privé ou avec `@nox` dans un canal ; je réponds avec les sources. "
        "`/nox help` montre le reste.",
    },
    "offer_text": {
        "en": "#{name} looks like an incident or ops channel. Want me to watch it for incidents?",
        "fr": "#{name} ressemble à un canal d'incidents ou d'exploitation. Voulez-vous que je le surveille ?",
    },
    "offer_body": {
        "en": ":eyes: <#{channel}> looks like an incident or ops channel. Want me to watch it? I'll join, stay quiet, "
        "and only speak up when a message looks like an incident (triage, runbooks, a ticket proposal).",
        "fr": ":eyes: <#{channel}> ressemble à un canal d'incidents ou d'exploitation. Voulez-vous que je le surveille ? "
        "Je le rejoins, je reste discret, et je n'interviens que si un message ressemble à un incident "
        "(tri, runbooks, proposition de ticket).",
    },
    "watch_yes": {"en": "Watch this channel", "fr": "Surveiller ce canal"},
    "watch_no": {"en": "No thanks", "fr": "Non merci"},
    "watching": {
        "en": ":white_check_mark: I'm watching {channel} for incidents now.",
        "fr": ":white_check_mark: Je surveille désormais {channel} pour les incidents.",
    },
    "not_watching": {
        "en": ":ok_hand: OK, I won't watch {channel}. Mention me there any time.",
        "fr": ":ok_hand: D'accord, je ne surveillerai pas {channel}. Mentionnez-moi quand vous voulez.",
    },
}
