"""What NOX says about Jira tickets and meetings it proposes, opens or books (jamono/actions)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
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
    "act.group_only": {
        "en": ":lock: Only members of the user group `{group}` or a NOX admin can decide this.",
        "fr": ":lock: Seuls les membres du groupe `{group}` ou un admin de NOX peuvent en décider.",
    },
    "act.too_many_attendees": {
        "en": ":no_entry: This meeting has {count} attendees; this workspace allows at most {cap}. "
        "Remove some in the form and submit again.",
        "fr": ":no_entry: Cette réunion compte {count} participants ; cet espace en autorise au plus {cap}. "
        "Retirez-en dans le formulaire puis renvoyez-le.",
    },
    "act.ticket_cap": {
        "en": ":no_entry: This workspace has opened its {cap} tickets for today (its cap). "
        "The proposal stays: it works again tomorrow, or an admin can raise the cap in the App Home.",
        "fr": ":no_entry: Cet espace a ouvert ses {cap} tickets du jour (son plafond). "
        "La proposition reste : elle refonctionnera demain, ou un admin peut relever le plafond dans l'App Home.",
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
