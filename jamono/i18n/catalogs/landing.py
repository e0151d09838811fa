"""The landing page's words."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "title": {"en": "NOX, the AI DevOps teammate in Slack", "fr": "NOX, le coéquipier DevOps IA dans Slack"},
    "lead": {
        "en": "Ask NOX in Slack how to fix something: it answers from your team's runbooks, with sources. "
        "It spots incidents, opens Jira tickets and books meetings — and a human always decides.",
        "fr": "Demandez à NOX dans Slack comment réparer quelque chose : il répond à partir des runbooks de votre "
        "équipe, sources à l'appui. Il repère les incidents, ouvre des tickets Jira et organise des réunions "
        "— et c'est toujours un humain qui décide.",
    },
    "add": {"en": "Add to Slack", "fr": "Ajouter à Slack"},
    "playground": {"en": "Try NOX in the playground", "fr": "Essayer NOX dans le bac à sable"},
    "features": {"en": "What NOX does", "fr": "Ce que fait NOX"},
    "f.answers": {"en": "Answers with sources", "fr": "Des réponses sourcées"},
    "f.answers.text": {
        "en": "Mention @nox or send it a DM: it quotes the runbook sections that fix the problem.",
        "fr": "Mentionnez @nox ou écrivez-lui : il cite les sections de runbook qui règlent le problème.",
    },
    "f.incidents": {"en": "Incidents", "fr": "Incidents"},
    "f.incidents.text": {
        "en": "Triage in the thread, then a declared incident with its own channel, a live card and Jira in step.",
        "fr": "Un tri dans le fil, puis un incident déclaré avec son canal, une fiche à jour et Jira synchronisé.",
    },
    "f.actions": {"en": "Jira and Calendar", "fr": "Jira et Agenda"},
    "f.actions.text": {
        "en": "Proposes tickets and meetings with buttons; nothing changes until someone clicks.",
        "fr": "Propose tickets et réunions avec des boutons ; rien ne change avant qu'on clique.",
    },
    "f.home": {"en": "App Home", "fr": "Onglet Accueil"},
    "f.home.text": {
        "en": "Admins set NOX up from its Home tab in Slack; everyone sees what it did this week.",
        "fr": "Les admins configurent NOX depuis son onglet Accueil ; chacun voit ce qu'il a fait cette semaine.",
    },
    "languages": {"en": "NOX speaks English and French.", "fr": "NOX parle français et anglais."},
    "other_lang": {"en": "Français", "fr": "English"},
}
