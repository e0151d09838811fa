"""The knowledge base in Slack: `/nox kb add` and `/nox kb search`, their modal and what they report."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "kb.saved": {
        "en": ":white_check_mark: Saved *{title}* to NOX's knowledge base ({chunks} sections). I'll use it from now on.",
        "fr": ":white_check_mark: *{title}* est enregistré dans la base de connaissances de NOX ({chunks} sections). Je m'en servirai désormais.",
    },
    "kb.taken": {
        "en": ":lock: *{title}* already exists and belongs to {owner}: only they or a NOX admin can replace it. "
        "Save yours under another title.",
        "fr": ":lock: *{title}* existe déjà et appartient à {owner} : seuls cette personne ou un admin de NOX "
        "peuvent le remplacer. Enregistrez le vôtre sous un autre titre.",
    },
    "kb.scoped": {
        "en": "It comes from a private conversation, so I'll use it only there.",
        "fr": "Il vient d'une conversation privée : je ne m'en servirai que là.",
    },
    "kb.unchanged": {
        "en": ":information_source: *{title}* is already in the knowledge base, unchanged.",
        "fr": ":information_source: *{title}* est déjà dans la base de connaissances, sans changement.",
    },
    "kb.failed": {
        "en": ":warning: I couldn't save *{title}*: {reason}",
        "fr": ":warning: Je n'ai pas pu enregistrer *{title}* : {reason}",
    },
    # What an ingest failure says in Slack: ours, by kind (kb_slack.FAILURE_KINDS).
    "kb.reason.embedding": {
        "en": "the text could not be embedded; try again later",
        "fr": "le texte n'a pas pu être vectorisé ; réessayez plus tard",
    },
    "kb.reason.database": {
        "en": "the database refused it (the details are in NOX's logs)",
        "fr": "la base de données l'a refusé (le détail est dans les journaux de NOX)",
    },
    "kb.reason.chunking": {
        "en": "the text could not be split into sections",
        "fr": "le texte n'a pas pu être découpé en sections",
    },
    "kb.reason.duplicate": {"en": "it was sent twice at once", "fr": "il a été envoyé deux fois à la fois"},
    "kb.reason.unexpected": {
        "en": "an unexpected error (the details are in NOX's logs)",
        "fr": "une erreur inattendue (le détail est dans les journaux de NOX)",
    },
    "kb.no_hits": {
        "en": "Nothing in the knowledge base matches “{query}”. Add a runbook with `/nox kb add`.",
        "fr": "Rien dans la base de connaissances ne correspond à « {query} ». Ajoutez un runbook avec `/nox kb add`.",
    },
    # --- the "add to knowledge base" modal
    "kb.modal_title": {"en": "Knowledge base", "fr": "Base de connaissances"},
    "kb.modal_save": {"en": "Save", "fr": "Enregistrer"},
    "kb.modal_cancel": {"en": "Cancel", "fr": "Annuler"},
    "kb.f_title": {"en": "Title", "fr": "Titre"},
    "kb.f_title_placeholder": {"en": "Redis — memory eviction", "fr": "Redis — éviction mémoire"},
    "kb.f_content": {"en": "Content (Markdown)", "fr": "Contenu (Markdown)"},
    "kb.f_tags": {"en": "Tags", "fr": "Tags"},
    "kb.f_tags_hint": {"en": "comma-separated", "fr": "séparés par des virgules"},
    "kb.e_title": {
        "en": "Give the document a title (3 to {max} characters).",
        "fr": "Donnez un titre au document (3 à {max} caractères).",
    },
    "kb.e_content": {
        "en": "The content must be {min} to {max:,} characters.",
        "fr": "Le contenu doit faire entre {min} et {max:,} caractères.",
    },
    "kb.e_tags": {
        "en": "Use at most 20 comma-separated tags.",
        "fr": "Utilisez au plus 20 tags séparés par des virgules.",
    },
}
