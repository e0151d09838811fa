"""NOX's own words in a conversation (what it says around the runbook content it quotes)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "placeholder": {"en": ":eyes: Looking into it…", "fr": ":eyes: Je regarde ça…"},
    "sources": {"en": "*Sources:*", "fr": "*Sources :*"},
    "from_runbook": {"en": "From *{title}*:", "fr": "D'après *{title}* :"},
    "also_see": {"en": "Also relevant: {links}", "fr": "À voir aussi : {links}"},
    "follow_ups_on": {
        "en": "In this channel I'll answer replies in threads where I've answered, without a new @mention. "
        "`/nox followups off` turns that off.",
        "fr": "Dans ce canal, je répondrai aux réponses dans les fils où j'ai déjà répondu, sans nouvelle "
        "@mention. `/nox followups off` désactive cela.",
    },
    "follow_ups_off": {
        "en": "In this channel I'll only answer when someone @mentions me. `/nox followups on` turns "
        "thread follow-ups back on.",
        "fr": "Dans ce canal, je ne répondrai que si l'on m'@mentionne. `/nox followups on` réactive "
        "les réponses dans les fils.",
    },
    "closest_runbook": {
        "en": "No runbook clearly covers this; the closest I found is *{title}* — check that it fits:",
        "fr": "Aucun runbook ne couvre clairement ce cas ; le plus proche que j'ai trouvé est *{title}* — "
        "vérifiez qu'il s'applique :",
    },
    "also_quote": {"en": "This runbook may fit too — {link}:", "fr": "Ce runbook peut aussi correspondre — {link} :"},
    "nothing_found": {
        "en": "I couldn't find anything about this in the knowledge base, so I won't guess. "
        "If your team has a runbook for it, add it with `/nox kb add` and I'll use it next time.",
        "fr": "Je n'ai rien trouvé à ce sujet dans la base de connaissances, et je préfère ne pas inventer. "
        "Si votre équipe a un runbook là-dessus, ajoutez-le avec `/nox kb add` et je m'en servirai.",
    },
    "greeting": {
        "en": "Hi! I'm NOX, your DevOps teammate. Ask me how to fix something, tell me about an incident, "
        "or ask me to set up a meeting. `/nox help` lists what I can do.",
        "fr": "Salut ! Je suis NOX, votre coéquipier DevOps. Demandez-moi comment réparer quelque chose, "
        "signalez-moi un incident ou demandez-moi d'organiser une réunion. `/nox help` liste ce que je sais faire.",
    },
    "incident_header": {"en": ":rotating_light: Incident — {severity}", "fr": ":rotating_light: Incident — {severity}"},
    "incident_summary": {"en": "*Summary:* {summary}", "fr": "*Résumé :* {summary}"},
    "incident_service": {"en": "*Service:* {service}", "fr": "*Service :* {service}"},
    "first_checks": {"en": "*What to check first*", "fr": "*À vérifier en premier*"},
    "no_runbook_incident": {
        "en": "No runbook in the knowledge base matches this yet: stabilise first (roll back the last change, "
        "check dashboards and recent deploys), and write down what worked.",
        "fr": "Aucun runbook de la base ne correspond encore : stabilisez d'abord (retour arrière du dernier "
        "changement, tableaux de bord, derniers déploiements) et notez ce qui a marché.",
    },
    "meeting_noted": {
        "en": ":calendar: Sounds like this needs a meeting{details}.",
        "fr": ":calendar: On dirait qu'il faut une réunion{details}.",
    },
    "failure": {
        "en": ":warning: Sorry, I couldn't finish answering this ({reason}). Please try again in a moment; "
        "if it keeps failing, an admin can check `/nox status`.",
        "fr": ":warning: Désolé, je n'ai pas pu terminer ma réponse ({reason}). Réessayez dans un instant ; "
        "si ça persiste, un admin peut vérifier `/nox status`.",
    },
    "severity.critical": {"en": "critical", "fr": "critique"},
    "severity.high": {"en": "high", "fr": "élevée"},
    "severity.medium": {"en": "medium", "fr": "moyenne"},
    "severity.low": {"en": "low", "fr": "faible"},
    "feedback_prompt": {"en": "Was this helpful?", "fr": "Cette réponse vous a aidé ?"},
    "create_ticket": {"en": "Create Jira ticket", "fr": "Créer un ticket Jira"},
    "declare_incident": {"en": "Declare incident", "fr": "Déclarer un incident"},
    "schedule": {"en": "Schedule", "fr": "Planifier"},
    "dismiss": {"en": "Dismiss", "fr": "Ignorer"},
    "proposal_kept": {
        "en": ":memo: Noted — {what}. {integration} isn't connected for this workspace yet, so I've kept the request "
        "with this conversation: an admin can connect it from NOX's App Home (Configuration), then click again.",
        "fr": ":memo: C'est noté — {what}. {integration} n'est pas encore connecté pour cet espace : j'ai gardé la demande "
        "avec cette conversation. Un admin peut le connecter depuis l'App Home de NOX (Configuration), puis recliquez.",
    },
    "proposal_dismissed": {"en": ":ok_hand: Dismissed — no action taken.", "fr": ":ok_hand: Ignoré — aucune action."},
    "what.ticket": {"en": "a Jira ticket for this incident", "fr": "un ticket Jira pour cet incident"},
    "what.meeting": {"en": "a meeting about this", "fr": "une réunion à ce sujet"},
}
