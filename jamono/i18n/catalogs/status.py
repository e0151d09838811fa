"""`/nox status`: the names of the checks and what they found."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "status_title": {"en": "NOX status", "fr": "État de NOX"},
    "worker": {"en": "Worker", "fr": "Worker"},
    "database": {"en": "Database", "fr": "Base de données"},
    "queue": {"en": "Job queue", "fr": "File de tâches"},
    "kb": {"en": "Knowledge base", "fr": "Base de connaissances"},
    "brain": {"en": "Language model", "fr": "Modèle de langage"},
    "answering": {"en": "answering (job picked up in {ms} ms)", "fr": "répond (tâche prise en {ms} ms)"},
    "db_ok": {"en": "reachable ({ms} ms)", "fr": "joignable ({ms} ms)"},
    "queue_ok": {"en": "reachable, {n} job(s) waiting", "fr": "joignable, {n} tâche(s) en attente"},
    "queue_up": {"en": "reachable", "fr": "joignable"},
    "kb_docs": {"en": "{docs} documents, {chunks} passages", "fr": "{docs} documents, {chunks} passages"},
    "kb_empty": {
        "en": "empty: add runbooks with `/nox kb add`",
        "fr": "vide : ajoutez des runbooks avec `/nox kb add`",
    },
    "llm_on": {
        "en": "{model} (falls back to the offline brain on failure)",
        "fr": "{model} (repli sur le cerveau hors ligne en cas d'échec)",
    },
    "llm_off": {"en": "offline brain (no OPENAI_API_KEY)", "fr": "cerveau hors ligne (pas d'OPENAI_API_KEY)"},
    "not_connected": {
        "en": "not connected — an admin can connect it in NOX's Home tab",
        "fr": "non connecté — un admin peut le connecter dans l'onglet Accueil de NOX",
    },
    "connected": {"en": "connected ({where})", "fr": "connecté ({where})"},
    "unreachable": {"en": "connected but failing: {reason}", "fr": "connecté mais en échec : {reason}"},
    "failed": {"en": "check failed: {reason}", "fr": "vérification en échec : {reason}"},
    "member_connected": {"en": "connected", "fr": "connecté"},
    "member_failing": {
        "en": "connected but not working right now (a workspace admin can see why with `/nox status`)",
        "fr": "connecté mais en panne pour l'instant (un admin de l'espace voit pourquoi avec `/nox status`)",
    },
}
