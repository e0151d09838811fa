"""Incident memory: timeline, catch-up, postmortem draft, similar incidents."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    # timeline
    "tl.declared": {"en": "Incident declared ({severity}): {title}", "fr": "Incident déclaré ({severity}) : {title}"},
    "tl.status": {"en": "Status → {value}{note}", "fr": "Statut → {value}{note}"},
    "tl.severity": {"en": "Severity → {value}{note}", "fr": "Sévérité → {value}{note}"},
    "tl.lead": {"en": "Lead → {value}", "fr": "Responsable → {value}"},
    "tl.update": {"en": "Update: {note}", "fr": "Point : {note}"},
    "tl.resolved": {"en": "Resolved{note}", "fr": "Résolu{note}"},
    "tl.reminder": {"en": "Reminder sent to the lead", "fr": "Rappel envoyé au responsable"},
    "tl.marked": {"en": "{author}: {text}", "fr": "{author} : {text}"},
    "tl.answer": {"en": "NOX answered: {text}", "fr": "NOX a répondu : {text}"},
    "tl.meeting": {
        "en": "Meeting booked: {title} — {when} {links}",
        "fr": "Réunion planifiée : {title} — {when} {links}",
    },
    "tl.postmortem": {"en": "Postmortem draft posted", "fr": "Brouillon de postmortem publié"},
    "tl.head": {
        "en": ":stopwatch: *Timeline of {title}* (times in UTC · yours, {zone})",
        "fr": ":stopwatch: *Chronologie de {title}* (heures UTC · les vôtres, {zone})",
    },
    "tl.empty": {"en": "Nothing on the timeline yet.", "fr": "Rien dans la chronologie pour l'instant."},
    "tl.added": {
        "en": ":pushpin: Added to the timeline of <#{channel}>.",
        "fr": ":pushpin: Ajouté à la chronologie de <#{channel}>.",
    },
    "tl.not_incident": {
        "en": "This message is not in an incident channel: only messages of an incident's channel go on its timeline.",
        "fr": "Ce message n'est pas dans le canal d'un incident : seuls les messages du canal d'un incident vont dans sa chronologie.",
    },
    "not_incident": {
        "en": "This is not an incident channel. Run `/nox incident timeline` in the incident's own channel.",
        "fr": "Ce n'est pas le canal d'un incident. Lancez `/nox incident timeline` dans le canal de l'incident.",
    },
    # catch-up / summary
    "cu.head": {"en": ":wave: *Catch-up on {title}*", "fr": ":wave: *Pour vous mettre à jour : {title}*"},
    "sum.head": {"en": ":memo: *Summary of {title}*", "fr": ":memo: *Résumé de {title}*"},
    "sum.channel_head": {
        "en": ":memo: *Summary of this channel's last messages*",
        "fr": ":memo: *Résumé des derniers messages du canal*",
    },
    "cu.what": {
        "en": "*What is happening:* {title} — severity {severity}, {status} for {duration}.",
        "fr": "*Ce qui se passe :* {title} — sévérité {severity}, {status} depuis {duration}.",
    },
    "cu.impact": {"en": "*Impact:*", "fr": "*Impact :*"},
    "cu.tried": {"en": "*Tried so far:*", "fr": "*Déjà essayé :*"},
    "cu.decisions": {"en": "*Decisions:*", "fr": "*Décisions :*"},
    "cu.questions": {"en": "*Open questions:*", "fr": "*Questions ouvertes :*"},
    "cu.now": {
        "en": "*Now:* {status}, lead {lead}.{update}",
        "fr": "*Maintenant :* {status}, responsable {lead}.{update}",
    },
    "cu.last_update": {"en": " Last update: {text}", "fr": " Dernier point : {text}"},
    "cu.nothing": {"en": "_Nothing said about this yet._", "fr": "_Rien n'a encore été dit à ce sujet._"},
    "cu.llm_note": {
        "en": "_Written by the LLM from this channel's messages and timeline._",
        "fr": "_Rédigé par le LLM à partir des messages et de la chronologie du canal._",
    },
    "sum.empty": {"en": "Nothing to summarise here yet.", "fr": "Rien à résumer ici pour l'instant."},
    # postmortem
    "pm.title": {"en": "Postmortem (draft): {title}", "fr": "Postmortem (brouillon) : {title}"},
    "pm.summary": {"en": "Summary", "fr": "Résumé"},
    "pm.impact": {"en": "Impact", "fr": "Impact"},
    "pm.timeline": {"en": "Timeline (UTC)", "fr": "Chronologie (UTC)"},
    "pm.happened": {"en": "What happened", "fr": "Déroulement"},
    "pm.cause": {"en": "Root cause", "fr": "Cause racine"},
    "pm.well": {"en": "What went well", "fr": "Ce qui a bien marché"},
    "pm.poorly": {"en": "What went poorly", "fr": "Ce qui a mal marché"},
    "pm.items": {"en": "Action items", "fr": "Actions à mener"},
    "pm.start": {"en": "Start", "fr": "Début"},
    "pm.end": {"en": "End", "fr": "Fin"},
    "pm.duration": {"en": "Duration", "fr": "Durée"},
    "pm.unknown_cause": {
        "en": "Unknown — the channel never stated a cause. Fill this in.",
        "fr": "Inconnue — aucune cause n'a été énoncée dans le canal. À compléter.",
    },
    "pm.none": {
        "en": "Nothing recorded in the channel — fill this in.",
        "fr": "Rien de noté dans le canal — à compléter.",
    },
    "pm.no_items": {"en": "No action item stated in the channel.", "fr": "Aucune action énoncée dans le canal."},
    "pm.summary_text": {
        "en": "{title}. Severity {severity}; declared by {reporter}, led by {lead}; resolved after {duration}.",
        "fr": "{title}. Sévérité {severity} ; déclaré par {reporter}, mené par {lead} ; résolu au bout de {duration}.",
    },
    "pm.fixed_by": {"en": " Fixed by: {fix}", "fr": " Corrigé par : {fix}"},
    "pm.owner": {"en": "owner {owner}", "fr": "responsable {owner}"},
    "pm.writer_llm": {
        "en": "_Drafted with the LLM from the channel and timeline; sections after 'What happened' are taken from them as said._",
        "fr": "_Rédigé avec le LLM à partir du canal et de la chronologie ; les sections après « Déroulement » sont reprises telles quelles._",
    },
    "pm.writer_offline": {
        "en": "_Drafted by NOX from the channel and timeline (no LLM)._",
        "fr": "_Rédigé par NOX à partir du canal et de la chronologie (sans LLM)._",
    },
    "pm.posted": {
        "en": ":page_facing_up: *Postmortem draft* for *{title}* is above. Action items — the lead can open a Jira ticket for each:",
        "fr": ":page_facing_up: Le *brouillon de postmortem* de *{title}* est ci-dessus. Actions — le responsable peut ouvrir un ticket Jira pour chacune :",
    },
    "pm.posted_no_items": {
        "en": ":page_facing_up: *Postmortem draft* for *{title}* is above. No action item was stated in the channel.",
        "fr": ":page_facing_up: Le *brouillon de postmortem* de *{title}* est ci-dessus. Aucune action n'a été énoncée dans le canal.",
    },
    "pm.comment": {
        "en": "Postmortem draft — edit it and share it.",
        "fr": "Brouillon de postmortem — à relire et partager.",
    },
    "pm.ticket_btn": {"en": "Create Jira ticket", "fr": "Créer un ticket Jira"},
    "pm.ticketed": {"en": ":ticket: Action item {n} → <{url}|{key}>", "fr": ":ticket: Action {n} → <{url}|{key}>"},
    "pm.item_missing": {"en": "That action item no longer exists.", "fr": "Cette action n'existe plus."},
    # similar
    "sim.looks_like": {
        "en": ":brain: Looks like *{ref}* ({ago}, {title}): fixed by {fix}{links}",
        "fr": ":brain: Ressemble à *{ref}* ({ago}, {title}) : corrigé par {fix}{links}",
    },
    "sim.head": {"en": "*Similar past incidents:*", "fr": "*Incidents passés similaires :*"},
    "sim.none": {
        "en": "I don't remember a similar incident in this workspace.",
        "fr": "Je ne me souviens d'aucun incident similaire dans cet espace.",
    },
    "sim.private_head": {
        "en": ":lock: *Also, from private incidents you were part of (only you see this):*",
        "fr": ":lock: *Aussi, d'incidents privés dont vous faisiez partie (vous seul le voyez) :*",
    },
    # publishing a private incident's lesson
    "pub.offer": {
        "en": ":lock: This channel is private, so {ref}'s lesson is shown only to its members and stays out of"
        " the knowledge base. A workspace admin can share it with everyone.",
        "fr": ":lock: Ce canal est privé : la leçon de {ref} n'est montrée qu'à ses membres et reste hors de la"
        " base de connaissances. Un administrateur de l'espace peut la partager avec tous.",
    },
    "pub.button": {"en": "Publish lesson", "fr": "Publier la leçon"},
    "pub.admins_only": {
        "en": ":lock: Only a workspace admin can publish a private incident's lesson.",
        "fr": ":lock: Seul un administrateur de l'espace peut publier la leçon d'un incident privé.",
    },
    "pub.unknown": {
        "en": "I don't remember an incident called {ref}. Use its number, e.g. `/nox incident publish INC-3`.",
        "fr": "Je ne connais pas d'incident {ref}. Donnez son numéro, par ex. `/nox incident publier INC-3`.",
    },
    "pub.already": {
        "en": "{ref}'s lesson is already shared with the whole workspace.",
        "fr": "La leçon de {ref} est déjà partagée avec tout l'espace.",
    },
    "pub.done": {
        "en": ":books: {ref} ({title}): its lesson is now in the knowledge base and in every channel's triage.",
        "fr": ":books: {ref} ({title}) : sa leçon est maintenant dans la base de connaissances et dans le tri de tous les canaux.",
    },
    "sim.no_fix": {"en": "(no fix recorded)", "fr": "(aucune correction notée)"},
    "sim.thread": {"en": "channel", "fr": "canal"},
    "sim.ticket": {"en": "ticket", "fr": "ticket"},
    "sim.postmortem": {"en": "postmortem", "fr": "postmortem"},
    "ago.today": {"en": "today", "fr": "aujourd'hui"},
    "ago.days": {"en": "{n} days ago", "fr": "il y a {n} jours"},
    "ago.weeks": {"en": "{n} weeks ago", "fr": "il y a {n} semaines"},
    "ago.months": {"en": "{n} months ago", "fr": "il y a {n} mois"},
}
