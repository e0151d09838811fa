"""NOX's own words in French and English (what it says around the runbook content it quotes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Lang = Literal["fr", "en"]

_STRINGS: dict[str, dict[str, str]] = {
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
    # --- actions: Jira tickets and meetings (jamono/actions) ---
    "act.ticket_done": {
        "en": ":ticket: Opened *<{url}|{ticket}>* — {summary} (priority {priority}).",
        "fr": ":ticket: Ticket *<{url}|{ticket}>* ouvert — {summary} (priorité {priority}).",
    },
    "act.ticket_duplicate": {
        "en": ":link: This looks like the same incident as *<{url}|{ticket}>* ({why}), so I added a comment there "
        "instead of opening a second ticket.",
        "fr": ":link: Ça ressemble au même incident que *<{url}|{ticket}>* ({why}) : j'y ai ajouté un commentaire "
        "au lieu d'ouvrir un second ticket.",
    },
    "act.why_thread": {"en": "same thread", "fr": "même fil"},
    "act.why_symptom": {"en": "same service and symptom", "fr": "même service et même symptôme"},
    "act.incident_channel": {
        "en": ":rotating_light: New incident ticket *<{url}|{ticket}>* — {summary} · <{permalink}|thread>",
        "fr": ":rotating_light: Nouveau ticket d'incident *<{url}|{ticket}>* — {summary} · <{permalink}|fil>",
    },
    "act.jira_comment": {
        "en": "Reported again in Slack by {reporter}: {summary}\n{permalink}",
        "fr": "Signalé de nouveau dans Slack par {reporter} : {summary}\n{permalink}",
    },
    "act.meeting_done": {
        "en": ":calendar: Booked *{title}* — {when} ({duration} min) with {people}. {links}",
        "fr": ":calendar: *{title}* est planifiée — {when} ({duration} min) avec {people}. {links}",
    },
    "act.meet_link": {"en": "<{url}|Join with Google Meet>", "fr": "<{url}|Rejoindre avec Google Meet>"},
    "act.calendar_link": {"en": "<{url}|Open in Google Calendar>", "fr": "<{url}|Ouvrir dans Google Calendar>"},
    "act.ticket_would": {
        "en": ":memo: Jira isn't connected for this workspace yet, so nothing was opened. I would have created a "
        "*{issue_type}* in *{project}* with priority *{priority}*: “{summary}”, labelled `nox` and `{label}`, "
        "linking this thread. An admin can connect Jira from NOX's App Home (Configuration → Jira); "
        "I've kept the request, so click *Create Jira ticket* again once it is connected.",
        "fr": ":memo: Jira n'est pas encore connecté pour cet espace : rien n'a été ouvert. J'aurais créé un "
        "*{issue_type}* dans *{project}* avec la priorité *{priority}* : « {summary} », avec les étiquettes "
        "`nox` et `{label}` et le lien vers ce fil. Un admin peut connecter Jira depuis l'App Home de NOX "
        "(Configuration → Jira) ; j'ai gardé la demande : recliquez sur *Créer un ticket Jira* une fois connecté.",
    },
    "act.meeting_would": {
        "en": ":memo: Google Calendar isn't connected for this workspace yet, so nothing was booked. I would have "
        "found the first {duration}-minute slot inside everyone's working hours for *{title}* with {people}, "
        "and sent invitations with a Google Meet link. An admin can connect Google Calendar from NOX's App Home "
        "(Configuration → Google Calendar); I've kept the request, so click *Schedule* again once it is connected.",
        "fr": ":memo: Google Calendar n'est pas encore connecté pour cet espace : rien n'a été réservé. J'aurais "
        "trouvé le premier créneau de {duration} minutes dans les heures de travail de chacun pour *{title}* "
        "avec {people}, et envoyé les invitations avec un lien Google Meet. Un admin peut connecter Google "
        "Calendar depuis l'App Home de NOX (Configuration → Google Calendar) ; j'ai gardé la demande : "
        "recliquez sur *Planifier* une fois connecté.",
    },
    "act.failed_ticket": {
        "en": ":warning: I couldn't create the Jira ticket: {reason}.",
        "fr": ":warning: Je n'ai pas pu créer le ticket Jira : {reason}.",
    },
    "act.failed_meeting": {
        "en": ":warning: I couldn't book the meeting: {reason}.",
        "fr": ":warning: Je n'ai pas pu réserver la réunion : {reason}.",
    },
    "act.retry": {"en": "Retry", "fr": "Réessayer"},
    "act.retrying": {"en": ":repeat: Trying again…", "fr": ":repeat: Je réessaie…"},
    "act.not_allowed": {
        "en": ":lock: Only <@{requester}>, who asked, or a NOX admin can decide this.",
        "fr": ":lock: Seule la personne qui a demandé (<@{requester}>) ou un admin de NOX peut en décider.",
    },
    "act.admins_only": {
        "en": ":lock: Only a NOX admin can decide this.",
        "fr": ":lock: Seul un admin de NOX peut en décider.",
    },
    "act.guest_not_allowed": {
        "en": ":lock: Guests cannot confirm NOX's actions; ask a member of the workspace.",
        "fr": ":lock: Les invités ne peuvent pas confirmer les actions de NOX ; demandez à un membre.",
    },
    "act.in_progress": {
        "en": ":hourglass_flowing_sand: I'm already on it.",
        "fr": ":hourglass_flowing_sand: J'y suis déjà.",
    },
    "act.already_ticket": {
        "en": ":ticket: Already done: *<{url}|{ticket}>*.",
        "fr": ":ticket: Déjà fait : *<{url}|{ticket}>*.",
    },
    "act.already_meeting": {
        "en": ":calendar: Already booked: <{url}|{title}>.",
        "fr": ":calendar: Déjà réservée : <{url}|{title}>.",
    },
    "act.done_ticket": {
        "en": ":white_check_mark: Ticket *<{url}|{ticket}>* opened{by}.",
        "fr": ":white_check_mark: Ticket *<{url}|{ticket}>* ouvert{by}.",
    },
    "act.done_duplicate": {
        "en": ":white_check_mark: Added to *<{url}|{ticket}>* (same incident){by}.",
        "fr": ":white_check_mark: Ajouté à *<{url}|{ticket}>* (même incident){by}.",
    },
    "act.done_meeting": {
        "en": ":white_check_mark: Meeting booked: <{url}|{title}>{by}.",
        "fr": ":white_check_mark: Réunion planifiée : <{url}|{title}>{by}.",
    },
    "act.done_dismissed": {"en": ":heavy_minus_sign: Dismissed{by}.", "fr": ":heavy_minus_sign: Ignoré{by}."},
    "act.by": {"en": " by <@{user}>", "fr": " par <@{user}>"},
    "act.dismissed": {"en": ":ok_hand: Dismissed — no action taken.", "fr": ":ok_hand: Ignoré — aucune action."},
    "act.cannot_dismiss": {
        "en": "This was already done, so there is nothing to dismiss.",
        "fr": "C'est déjà fait : plus rien à ignorer.",
    },
    "act.no_email": {
        "en": "no email address in the Slack profile of {people}, so I can't send the invitation",
        "fr": "pas d'adresse e-mail dans le profil Slack de {people} : impossible d'envoyer l'invitation",
    },
    "act.declared": {
        "en": ":rotating_light: *Incident declared by <@{user}>* — {severity}\n*Summary:* {summary}{service}{details}",
        "fr": ":rotating_light: *Incident déclaré par <@{user}>* — {severity}\n*Résumé :* {summary}{service}{details}",
    },
    "act.modal_meeting_title": {"en": "Schedule a meeting", "fr": "Planifier une réunion"},
    "act.modal_incident_title": {"en": "Declare an incident", "fr": "Déclarer un incident"},
    "act.modal_submit_meeting": {"en": "Find a slot", "fr": "Trouver un créneau"},
    "act.modal_submit_incident": {"en": "Declare", "fr": "Déclarer"},
    "act.modal_cancel": {"en": "Cancel", "fr": "Annuler"},
    "act.f_title": {"en": "Title", "fr": "Titre"},
    "act.f_duration": {"en": "Duration (minutes)", "fr": "Durée (minutes)"},
    "act.f_attendees": {"en": "Attendees", "fr": "Participants"},
    "act.f_agenda": {"en": "Agenda", "fr": "Ordre du jour"},
    "act.f_summary": {"en": "What is happening?", "fr": "Que se passe-t-il ?"},
    "act.f_severity": {"en": "Severity", "fr": "Sévérité"},
    "act.f_service": {"en": "Affected service", "fr": "Service touché"},
    "act.f_details": {"en": "Details", "fr": "Détails"},
    "act.f_lead": {"en": "Incident lead (optional)", "fr": "Responsable de l'incident (facultatif)"},
    "act.hint_meeting": {
        "en": "NOX books the first slot inside every attendee's working hours (9:00–18:00 in their own Slack time zone).",
        "fr": "NOX réserve le premier créneau dans les heures de travail de chaque participant (9 h–18 h dans son fuseau Slack).",
    },
    "act.e_title": {"en": "Give it a title (1 to 200 characters).", "fr": "Donnez un titre (1 à 200 caractères)."},
    "act.e_duration": {
        "en": "A whole number of minutes between 5 and 480.",
        "fr": "Un nombre entier de minutes entre 5 et 480.",
    },
    "act.e_attendees": {"en": "Pick 1 to 49 people.", "fr": "Choisissez de 1 à 49 personnes."},
    "act.e_summary": {"en": "Describe it in 5 to 200 characters.", "fr": "Décrivez-le en 5 à 200 caractères."},
    "act.e_service": {"en": "At most 100 characters.", "fr": "100 caractères au maximum."},
}


def lookup(table: Mapping[str, Mapping[str, str]], key: str, lang: Lang | str = "en", **values: object) -> str:
    """A string of a module's table in the asked language (English when missing), filled in."""
    entry = table[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def t(key: str, lang: Lang | str = "en", **values: object) -> str:
    return lookup(_STRINGS, key, lang, **values)
