"""What NOX says about incidents, in English and French."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "status.investigating": {"en": "investigating", "fr": "investigation"},
    "status.identified": {"en": "identified", "fr": "identifié"},
    "status.monitoring": {"en": "monitoring", "fr": "surveillance"},
    "status.resolved": {"en": "resolved", "fr": "résolu"},
    "card.header": {"en": ":rotating_light: Incident: {title}", "fr": ":rotating_light: Incident : {title}"},
    "card.header_resolved": {"en": ":white_check_mark: Resolved: {title}", "fr": ":white_check_mark: Résolu : {title}"},
    "card.fields": {
        "en": "*Severity:* {severity}\n*Status:* {status}\n*Lead:* {lead}",
        "fr": "*Sévérité :* {severity}\n*Statut :* {status}\n*Responsable :* {lead}",
    },
    "card.times": {"en": "Started {started} · updated {updated}", "fr": "Début {started} · mis à jour {updated}"},
    "card.resolved_at": {"en": " · resolved {resolved}", "fr": " · résolu {resolved}"},
    "card.jira": {"en": "*Jira:* <{url}|{ticket}>{status}", "fr": "*Jira :* <{url}|{ticket}>{status}"},
    "card.jira_pending": {"en": "*Jira:* not linked yet", "fr": "*Jira :* pas encore lié"},
    "card.jira_off": {"en": "*Jira:* not connected", "fr": "*Jira :* non connecté"},
    "card.jira_error": {
        "en": ":warning: Jira is out of step: {reason} (NOX keeps retrying)",
        "fr": ":warning: Jira n'est pas à jour : {reason} (NOX réessaie)",
    },
    "card.last_update": {"en": "*Last update:* {text}", "fr": "*Dernière mise à jour :* {text}"},
    "card.origin": {"en": "<{url}|Origin thread>", "fr": "<{url}|Fil d'origine>"},
    "card.no_update": {"en": "No update yet.", "fr": "Pas encore de mise à jour."},
    "btn.identified": {"en": "Identified", "fr": "Identifié"},
    "btn.monitoring": {"en": "Monitoring", "fr": "Surveillance"},
    "btn.resolve": {"en": "Resolve", "fr": "Résoudre"},
    "btn.update": {"en": "Post update", "fr": "Publier un point"},
    "btn.severity": {"en": "Severity", "fr": "Sévérité"},
    "btn.lead": {"en": "Change lead", "fr": "Changer de responsable"},
    "declare": {"en": "Declare incident", "fr": "Déclarer un incident"},
    "topic": {"en": "{sev} · {status} · lead {lead} · {title}", "fr": "{sev} · {status} · resp. {lead} · {title}"},
    "bm.jira": {"en": "Jira {ticket}", "fr": "Jira {ticket}"},
    "bm.origin": {"en": "Origin thread", "fr": "Fil d'origine"},
    "linked": {
        "en": ":rotating_light: Incident declared by <@{user}> — {severity}: *{title}*. Follow it in <#{channel}>"
        " (the incident card is pinned there).",
        "fr": ":rotating_light: Incident déclaré par <@{user}> — {severity} : *{title}*. Suivez-le dans <#{channel}>"
        " (la fiche de l'incident y est épinglée).",
    },
    "already": {
        "en": "This incident is already declared: <#{channel}>.",
        "fr": "Cet incident est déjà déclaré : <#{channel}>.",
    },
    "declaring": {
        "en": ":hourglass_flowing_sand: Declaring the incident…",
        "fr": ":hourglass_flowing_sand: Je déclare l'incident…",
    },
    "welcome": {
        "en": "Incident channel for *{title}*. In here: `/nox incident status &lt;investigating|identified|monitoring|resolved&gt; [note]`, "
        "`/nox incident severity &lt;critical|high|medium|low&gt;`, `/nox incident lead @someone`, "
        "`/nox incident update &lt;text&gt;`, `/nox incident resolve [summary]` — or the card's buttons.",
        "fr": "Canal de l'incident *{title}*. Ici : `/nox incident status &lt;investigating|identified|monitoring|resolved&gt; [note]`, "
        "`/nox incident severity &lt;critical|high|medium|low&gt;`, `/nox incident lead @quelqu'un`, "
        "`/nox incident update &lt;texte&gt;`, `/nox incident resolve [résumé]` — ou les boutons de la fiche.",
    },
    "ev.status": {
        "en": ":arrows_counterclockwise: <@{user}> set the status to *{value}*{note}",
        "fr": ":arrows_counterclockwise: <@{user}> a passé le statut à *{value}*{note}",
    },
    "ev.severity": {
        "en": ":rotating_light: <@{user}> changed the severity to *{value}*{note}",
        "fr": ":rotating_light: <@{user}> a changé la sévérité en *{value}*{note}",
    },
    "ev.lead": {
        "en": ":bust_in_silhouette: <@{user}> made <@{value}> the incident lead",
        "fr": ":bust_in_silhouette: <@{user}> a nommé <@{value}> responsable de l'incident",
    },
    "ev.update": {"en": ":memo: *Update from <@{user}>:* {note}", "fr": ":memo: *Point de <@{user}> :* {note}"},
    "ev.resolved": {
        "en": ":white_check_mark: <@{user}> resolved the incident{note}",
        "fr": ":white_check_mark: <@{user}> a résolu l'incident{note}",
    },
    "mirror": {"en": "*{title}* (<#{channel}>): {line}", "fr": "*{title}* (<#{channel}>) : {line}"},
    "reminder": {
        "en": ":alarm_clock: <@{lead}>, no update on this incident for {minutes} min. Post one with "
        "`/nox incident update &lt;text&gt;` (or the card's *Post update*).",
        "fr": ":alarm_clock: <@{lead}>, pas de point sur cet incident depuis {minutes} min. Publiez-en un avec "
        "`/nox incident update &lt;texte&gt;` (ou *Publier un point* sur la fiche).",
    },
    "not_here": {
        "en": "This isn't an incident channel. Run that in the incident's channel (`/nox incidents` lists them).",
        "fr": "Ce n'est pas un canal d'incident. Lancez ça dans le canal de l'incident (`/nox incidents` les liste).",
    },
    "not_allowed": {
        "en": "Only the incident lead (<@{lead}>), the responders and NOX's admins can change this incident.",
        "fr": "Seuls le responsable de l'incident (<@{lead}>), les intervenants et les admins de NOX peuvent modifier cet incident.",
    },
    "guest": {
        "en": "Guests can't declare incidents: ask a member of the team.",
        "fr": "Les invités ne peuvent pas déclarer d'incident : demandez à un membre de l'équipe.",
    },
    "bad_value": {"en": "I didn't understand `{value}`. {usage}", "fr": "Je n'ai pas compris `{value}`. {usage}"},
    "usage": {
        "en": "Usage: `/nox incident status &lt;investigating|identified|monitoring|resolved&gt; [note]`, `severity &lt;critical|high|medium|low&gt;`, "
        "`lead @someone`, `update &lt;text&gt;`, `resolve [summary]`.",
        "fr": "Usage : `/nox incident status &lt;investigating|identified|monitoring|resolved&gt; [note]`, `severity &lt;critical|high|medium|low&gt;`, "
        "`lead @quelqu'un`, `update &lt;texte&gt;`, `resolve [résumé]`.",
    },
    "closed": {
        "en": "This incident is resolved; NOX no longer changes it.",
        "fr": "Cet incident est résolu : NOX ne le modifie plus.",
    },
    "none_open": {"en": ":white_check_mark: No open incident.", "fr": ":white_check_mark: Aucun incident ouvert."},
    "list_head": {"en": "*Open incidents ({count})*", "fr": "*Incidents ouverts ({count})*"},
    "list_line": {
        "en": "• {sev} · *{title}* — {status}, lead <@{lead}> · <#{channel}>{card}",
        "fr": "• {sev} · *{title}* — {status}, resp. <@{lead}> · <#{channel}>{card}",
    },
    "list_card": {"en": " · <{url}|card>", "fr": " · <{url}|fiche>"},
    "modal_update": {"en": "Post an update", "fr": "Publier un point"},
    "modal_post": {"en": "Post", "fr": "Publier"},
    "modal_cancel": {"en": "Cancel", "fr": "Annuler"},
    "f_update": {"en": "What changed?", "fr": "Qu'est-ce qui a changé ?"},
    "f_lead": {"en": "Incident lead (optional)", "fr": "Responsable de l'incident (facultatif)"},
    "jira_comment": {"en": "[NOX] {line}", "fr": "[NOX] {line}"},
    "home_head": {"en": "*:rotating_light: Open incidents*", "fr": "*:rotating_light: Incidents ouverts*"},
}
