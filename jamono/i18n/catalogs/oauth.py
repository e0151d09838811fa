"""The install pages' words (the OAuth flow's start, success and failure pages)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "install.title": {"en": "Add NOX to Slack", "fr": "Ajouter NOX à Slack"},
    "install.lead": {
        "en": "NOX is your team's DevOps teammate: it answers from your runbooks, spots incidents, "
        "opens Jira tickets and books meetings — right in Slack.",
        "fr": "NOX est le coéquipier DevOps de votre équipe : il répond à partir de vos runbooks, repère les "
        "incidents, ouvre des tickets Jira et organise des réunions — directement dans Slack.",
    },
    "install.button": {"en": "Add to Slack", "fr": "Ajouter à Slack"},
    "install.note": {
        "en": "Slack will show you the permissions NOX asks for before anything is installed.",
        "fr": "Slack vous montrera les autorisations demandées par NOX avant toute installation.",
    },
    "success.title": {"en": "NOX is installed", "fr": "NOX est installé"},
    "success.lead": {"en": "NOX has joined {team}.", "fr": "NOX a rejoint {team}."},
    "success.next": {
        "en": "NOX will send you a direct message to get started. Mention @nox in a channel or type /nox help.",
        "fr": "NOX va vous écrire en message direct pour démarrer. Mentionnez @nox dans un canal ou tapez /nox help.",
    },
    "success.open": {"en": "Open Slack", "fr": "Ouvrir Slack"},
    "success.browser": {"en": "Open in the browser", "fr": "Ouvrir dans le navigateur"},
    "error.title": {"en": "The installation did not finish", "fr": "L'installation n'a pas abouti"},
    "error.retry": {"en": "Try again", "fr": "Réessayer"},
    "error.code": {"en": "Reason code", "fr": "Code"},
    "reason.access_denied": {
        "en": "The installation was cancelled in Slack. Nothing was installed.",
        "fr": "L'installation a été annulée dans Slack. Rien n'a été installé.",
    },
    "reason.invalid_browser": {
        "en": "This page was opened in another browser than the one that started the installation, or it was "
        "reloaded. Start again from the install page, in the same browser.",
        "fr": "Cette page a été ouverte dans un autre navigateur que celui qui a lancé l'installation, ou elle a "
        "été rechargée. Recommencez depuis la page d'installation, dans le même navigateur.",
    },
    "reason.invalid_state": {
        "en": "This installation link has expired or was already used. Start again from the install page.",
        "fr": "Ce lien d'installation a expiré ou a déjà servi. Recommencez depuis la page d'installation.",
    },
    "reason.missing_code": {
        "en": "Slack did not send back an authorization code. Start again from the install page.",
        "fr": "Slack n'a pas renvoyé de code d'autorisation. Recommencez depuis la page d'installation.",
    },
    "reason.invalid_code": {
        "en": "Slack did not accept the authorization code (it may have expired). Start again.",
        "fr": "Slack n'a pas accepté le code d'autorisation (il a peut-être expiré). Recommencez.",
    },
    "reason.storage_error": {
        "en": "We could not save the installation on our side. Please try again in a few minutes.",
        "fr": "Nous n'avons pas pu enregistrer l'installation de notre côté. Réessayez dans quelques minutes.",
    },
    "reason.plan_limit": {
        "en": "Your {plan} plan allows NOX in {allowed} workspace(s) and this would make {used}. "
        "NOX was not activated here: upgrade the plan or remove NOX from another workspace, then try again.",
        "fr": "Votre offre {plan} permet NOX dans {allowed} espace(s) de travail et celui-ci ferait {used}. "
        "NOX n'a pas été activé ici : changez d'offre ou retirez NOX d'un autre espace, puis réessayez.",
    },
    "reason.plan_limit_generic": {
        "en": "Your plan does not allow NOX in another workspace. NOX was not activated here: upgrade the plan or "
        "remove NOX from another workspace, then try again.",
        "fr": "Votre offre ne permet pas NOX dans un autre espace de travail. NOX n'a pas été activé ici : changez "
        "d'offre ou retirez NOX d'un autre espace, puis réessayez.",
    },
    "reason.bad_team": {
        "en": "This install link names a workspace that does not exist. Start again from the install page.",
        "fr": "Ce lien d'installation désigne un espace de travail qui n'existe pas. Recommencez depuis la page "
        "d'installation.",
    },
    "reason.other": {
        "en": "Slack reported an error during the installation. Please try again.",
        "fr": "Slack a signalé une erreur pendant l'installation. Veuillez réessayer.",
    },
}
