"""The App Home's and settings modals' words, in French and English.
Why and how: docs/design/home.md."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    # --- App Home, everyone
    "home_title": {"en": "{name} — your DevOps teammate", "fr": "{name} — votre coéquipier DevOps"},
    "home_intro": {
        "en": "I answer from your team's runbooks, spot incidents, propose Jira tickets and set up meetings. "
        "Here is how to reach me:",
        "fr": "Je réponds à partir des runbooks de l'équipe, repère les incidents, propose des tickets Jira "
        "et organise des réunions. Pour me parler :",
    },
    "how_mention": {
        "en": "*Mention me* — `@{name}` in any channel I'm in; I answer in the thread.",
        "fr": "*Mentionnez-moi* — `@{name}` dans un canal où je suis ; je réponds dans le fil.",
    },
    "how_dm": {
        "en": "*Direct message* — ask me anything privately in the Messages tab.",
        "fr": "*Message privé* — posez-moi vos questions en privé dans l'onglet Messages.",
    },
    "how_commands": {"en": "*Slash commands*", "fr": "*Commandes*"},
    "recent_header": {"en": "Your recent conversations", "fr": "Vos dernières conversations"},
    "recent_empty": {
        "en": "Nothing yet — mention me or send me a DM to get started.",
        "fr": "Rien pour l'instant — mentionnez-moi ou envoyez-moi un message pour commencer.",
    },
    "recent_more": {"en": "…and {count} more.", "fr": "…et {count} de plus."},
    "dm": {"en": "DM", "fr": "MP"},
    "not_admin_hint": {
        "en": "Workspace admins can configure NOX and see usage here.",
        "fr": "Les admins de l'espace configurent NOX et voient son utilisation ici.",
    },
    # --- App Home, admins
    "config_header": {"en": "Configuration", "fr": "Configuration"},
    "edit": {"en": "Edit", "fr": "Modifier"},
    "general": {"en": "General", "fr": "Général"},
    "f_action_mode": {"en": "Actions", "fr": "Actions"},
    "f_incident_channel": {"en": "Incident channel", "fr": "Canal des incidents"},
    "f_language": {"en": "Language", "fr": "Langue"},
    "f_display_name": {"en": "Name", "fr": "Nom"},
    "f_admins": {"en": "Extra admins", "fr": "Admins supplémentaires"},
    "mode_confirm": {"en": "Ask before acting", "fr": "Demander avant d'agir"},
    "mode_automatic": {"en": "Act automatically", "fr": "Agir automatiquement"},
    "lang_fr": {"en": "French", "fr": "Français"},
    "lang_en": {"en": "English", "fr": "Anglais"},
    "lang_auto": {"en": "Same as the person", "fr": "Celle de la personne"},
    "none": {"en": "none", "fr": "aucun"},
    "slack_admins_only": {"en": "Slack admins only", "fr": "Admins Slack uniquement"},
    "jira": {"en": "Jira", "fr": "Jira"},
    "google": {"en": "Google Calendar", "fr": "Google Agenda"},
    "status_connected": {"en": ":large_green_circle: Connected", "fr": ":large_green_circle: Connecté"},
    "status_incomplete": {"en": ":large_yellow_circle: Incomplete", "fr": ":large_yellow_circle: Incomplet"},
    "status_off": {"en": ":white_circle: Not configured", "fr": ":white_circle: Non configuré"},
    "f_status": {"en": "Status", "fr": "État"},
    "f_jira_url": {"en": "Site", "fr": "Site"},
    "f_jira_account": {"en": "Account", "fr": "Compte"},
    "f_jira_project": {"en": "Project · issue type", "fr": "Projet · type de ticket"},
    "f_jira_token": {"en": "API token", "fr": "Jeton d'API"},
    "f_priorities": {"en": "Priorities", "fr": "Priorités"},
    "secret_stored": {"en": "stored (encrypted)", "fr": "enregistré (chiffré)"},
    "secret_missing": {"en": "missing", "fr": "manquant"},
    "f_google_mode": {"en": "Access", "fr": "Accès"},
    "f_google_organizer": {"en": "Organizer", "fr": "Organisateur"},
    "f_google_calendar": {"en": "Calendar", "fr": "Agenda"},
    "f_google_credentials": {"en": "Credentials", "fr": "Identifiants"},
    "gmode_service_account": {"en": "Service account", "fr": "Compte de service"},
    "gmode_oauth": {"en": "OAuth (user consent)", "fr": "OAuth (consentement)"},
    "usage_header": {"en": "Usage", "fr": "Utilisation"},
    "usage_window": {"en": "*Last {days} days*", "fr": "*{days} derniers jours*"},
    "m_questions": {"en": "Questions", "fr": "Questions"},
    "m_incidents": {"en": "Incidents", "fr": "Incidents"},
    "m_tickets": {"en": "Tickets", "fr": "Tickets"},
    "m_meetings": {"en": "Meetings", "fr": "Réunions"},
    "m_latency": {"en": "Response time (median · p95)", "fr": "Temps de réponse (médiane · p95)"},
    "m_votes": {"en": "👍 / 👎", "fr": "👍 / 👎"},
    "m_tokens": {"en": "LLM tokens", "fr": "Jetons LLM"},
    "m_failures": {"en": "Failed answers", "fr": "Réponses en échec"},
    "no_votes": {"en": "no votes yet", "fr": "aucun vote"},
    "votes": {"en": "{up} / {down} ({ratio} 👍)", "fr": "{up} / {down} ({ratio} 👍)"},
    "per_day": {
        "en": "Conversations per day, {first} → {last} (max {peak})",
        "fr": "Conversations par jour, du {first} au {last} (max {peak})",
    },
    "metrics_unavailable": {
        "en": "Usage numbers are unavailable right now.",
        "fr": "Les chiffres d'utilisation sont indisponibles pour le moment.",
    },
    # --- Modals
    "modal_general": {"en": "NOX settings", "fr": "Réglages de NOX"},
    "modal_jira": {"en": "Jira", "fr": "Jira"},
    "modal_google": {"en": "Google Calendar", "fr": "Google Agenda"},
    "modal_loading": {"en": "NOX settings", "fr": "Réglages de NOX"},
    "save": {"en": "Save", "fr": "Enregistrer"},
    "cancel": {"en": "Cancel", "fr": "Annuler"},
    "close": {"en": "Close", "fr": "Fermer"},
    "loading": {
        "en": ":hourglass_flowing_sand: Loading the current settings… / Chargement des réglages…",
        "fr": ":hourglass_flowing_sand: Chargement des réglages… / Loading the current settings…",
    },
    "only_admins": {
        "en": ":lock: Only workspace admins can change NOX's settings. Ask a Slack admin to add you.",
        "fr": ":lock: Seuls les admins de l'espace peuvent modifier les réglages de NOX. "
        "Demandez à un admin Slack de vous ajouter.",
    },
    "l_action_mode": {"en": "When NOX wants to act (ticket, meeting)", "fr": "Quand NOX veut agir (ticket, réunion)"},
    "d_confirm": {
        "en": "Propose it with buttons; a person decides.",
        "fr": "Le proposer avec des boutons ; une personne décide.",
    },
    "d_automatic": {
        "en": "Do it right away and report in the thread.",
        "fr": "Le faire tout de suite et le signaler dans le fil.",
    },
    "l_incident_channel": {"en": "Incident channel", "fr": "Canal des incidents"},
    "h_incident_channel": {
        "en": "Where NOX announces incidents it detects.",
        "fr": "Où NOX annonce les incidents détectés.",
    },
    "l_language": {"en": "Language", "fr": "Langue"},
    "l_display_name": {"en": "Name NOX uses", "fr": "Nom utilisé par NOX"},
    "l_admins": {"en": "Extra admins", "fr": "Admins supplémentaires"},
    "h_admins": {
        "en": "Slack admins and owners can always configure NOX; add others here.",
        "fr": "Les admins et propriétaires Slack peuvent toujours configurer NOX ; ajoutez-en d'autres ici.",
    },
    "l_jira_url": {"en": "Jira site URL", "fr": "URL du site Jira"},
    "l_jira_email": {"en": "Account email", "fr": "E-mail du compte"},
    "l_jira_token": {"en": "API token", "fr": "Jeton d'API"},
    "h_jira_token_new": {
        "en": "Create one at id.atlassian.com → Security → API tokens. Stored encrypted.",
        "fr": "À créer sur id.atlassian.com → Sécurité → Jetons d'API. Stocké chiffré.",
    },
    "h_jira_token_keep": {
        "en": "A token is stored (encrypted). Leave empty to keep it.",
        "fr": "Un jeton est enregistré (chiffré). Laissez vide pour le garder.",
    },
    "l_jira_project": {"en": "Project key", "fr": "Clé du projet"},
    "l_jira_issue_type": {"en": "Issue type", "fr": "Type de ticket"},
    "l_priority": {"en": "Jira priority for {severity} severity", "fr": "Priorité Jira pour la gravité {severity}"},
    "sev_critical": {"en": "critical", "fr": "critique"},
    "sev_high": {"en": "high", "fr": "élevée"},
    "sev_medium": {"en": "medium", "fr": "moyenne"},
    "sev_low": {"en": "low", "fr": "faible"},
    "l_google_mode": {"en": "How NOX reaches the calendar", "fr": "Comment NOX accède à l'agenda"},
    "d_service_account": {
        "en": "A service account with domain-wide delegation.",
        "fr": "Un compte de service avec délégation au niveau du domaine.",
    },
    "d_oauth": {"en": "An OAuth client and a refresh token.", "fr": "Un client OAuth et un jeton d'actualisation."},
    "l_google_organizer": {"en": "Organizer email", "fr": "E-mail de l'organisateur"},
    "l_google_calendar": {"en": "Calendar id", "fr": "Identifiant de l'agenda"},
    "h_google_calendar": {
        "en": "`primary`, or an id like …@group.calendar.google.com",
        "fr": "`primary`, ou un identifiant du type …@group.calendar.google.com",
    },
    "l_google_credentials": {"en": "Credentials (JSON)", "fr": "Identifiants (JSON)"},
    "h_google_credentials_new": {
        "en": "Paste the service account key or OAuth client JSON. Stored encrypted.",
        "fr": "Collez la clé du compte de service ou le JSON du client OAuth. Stocké chiffré.",
    },
    "h_google_credentials_keep": {
        "en": "Credentials are stored (encrypted). Leave empty to keep them.",
        "fr": "Des identifiants sont enregistrés (chiffrés). Laissez vide pour les garder.",
    },
    # --- Policy (issue 14)
    "policy": {"en": "Who may do what", "fr": "Qui peut faire quoi"},
    "modal_policy": {"en": "NOX policy", "fr": "Règles de NOX"},
    "l_actions_by": {
        "en": "Who may confirm tickets and meetings",
        "fr": "Qui peut confirmer tickets et réunions",
    },
    "ab_everyone": {"en": "Every member (never guests)", "fr": "Tous les membres (jamais les invités)"},
    "ab_requester_admins": {
        "en": "The person who asked, and admins",
        "fr": "La personne qui a demandé, et les admins",
    },
    "ab_usergroup": {"en": "A Slack user group, and admins", "fr": "Un groupe Slack, et les admins"},
    "l_usergroup": {"en": "User group id (S…)", "fr": "Identifiant du groupe (S…)"},
    "h_usergroup": {
        "en": "Only when a user group decides, e.g. S0123ABCD (Slack: the group's menu → Copy group ID).",
        "fr": "Seulement si un groupe décide, ex. S0123ABCD (Slack : menu du groupe → Copier l'ID).",
    },
    "l_max_attendees": {"en": "Most attendees per meeting", "fr": "Participants maximum par réunion"},
    "l_max_tickets": {"en": "Most tickets per day", "fr": "Tickets maximum par jour"},
    "l_retention": {"en": "Keep message text for (days)", "fr": "Garder le texte des messages (jours)"},
    "h_retention": {
        "en": "Older questions and answers are blanked; the counts stay.",
        "fr": "Les questions et réponses plus anciennes sont effacées ; les compteurs restent.",
    },
    "f_actions_by": {"en": "Who confirms actions", "fr": "Qui confirme les actions"},
    "f_caps": {"en": "Caps", "fr": "Plafonds"},
    "caps": {
        "en": "{attendees} attendees per meeting · {tickets} tickets per day",
        "fr": "{attendees} participants par réunion · {tickets} tickets par jour",
    },
    "f_retention": {"en": "Message text kept", "fr": "Texte des messages gardé"},
    "days": {"en": "{days} days", "fr": "{days} jours"},
    "e_actions_by": {"en": "Choose who may confirm.", "fr": "Choisissez qui peut confirmer."},
    "e_usergroup": {
        "en": "Enter the user group's id, like S0123ABCD.",
        "fr": "Saisissez l'identifiant du groupe, comme S0123ABCD.",
    },
    "e_max_attendees": {"en": "A whole number from 1 to 100.", "fr": "Un nombre entier de 1 à 100."},
    "e_max_tickets": {"en": "A whole number from 1 to 10000.", "fr": "Un nombre entier de 1 à 10000."},
    "e_retention": {"en": "A number of days from 1 to 3650.", "fr": "Un nombre de jours de 1 à 3650."},
    "audit_header": {"en": "Audit log", "fr": "Journal d'audit"},
    "audit_empty": {"en": "No changes recorded yet.", "fr": "Aucun changement enregistré."},
    "audit_hint": {
        "en": "The latest {count}; `jamono audit export` gives them all.",
        "fr": "Les {count} dernières ; `jamono audit export` les donne toutes.",
    },
    # --- Form errors
    "e_generic": {
        "en": "Something in this form isn't valid: please check it.",
        "fr": "Quelque chose n'est pas valide dans ce formulaire : vérifiez-le.",
    },
    "e_action_mode": {"en": "Choose how NOX should act.", "fr": "Choisissez comment NOX doit agir."},
    "e_incident_channel": {"en": "Pick a channel from the list.", "fr": "Choisissez un canal dans la liste."},
    "e_language": {"en": "Choose French, English or automatic.", "fr": "Choisissez français, anglais ou automatique."},
    "e_display_name": {
        "en": "The name must be 1 to 80 characters on one line.",
        "fr": "Le nom doit faire de 1 à 80 caractères, sur une ligne.",
    },
    "e_admins": {
        "en": "Pick at most 50 people (no bots or guests).",
        "fr": "Choisissez au plus 50 personnes (ni bots ni invités).",
    },
    "e_jira_url": {
        "en": "Jira URL must start with https:// (e.g. https://your-team.atlassian.net).",
        "fr": "L'URL Jira doit commencer par https:// (ex. https://votre-equipe.atlassian.net).",
    },
    "e_jira_email": {
        "en": "Enter the email of the Jira account NOX uses.",
        "fr": "Saisissez l'e-mail du compte Jira utilisé par NOX.",
    },
    "e_jira_token": {
        "en": "Paste an API token: NOX can't reach Jira without one.",
        "fr": "Collez un jeton d'API : sans lui, NOX ne peut pas joindre Jira.",
    },
    "e_jira_token_shape": {
        "en": "That doesn't look like an API token (no spaces, 8 to 1,000 characters).",
        "fr": "Ça ne ressemble pas à un jeton d'API (sans espace, 8 à 1 000 caractères).",
    },
    "e_jira_project": {
        "en": "Project key looks like OPS or INFRA2 (capital letters and digits).",
        "fr": "Une clé de projet ressemble à OPS ou INFRA2 (majuscules et chiffres).",
    },
    "e_jira_issue_type": {
        "en": "Enter an issue type, e.g. Task or Incident.",
        "fr": "Saisissez un type de ticket, ex. Task ou Incident.",
    },
    "e_priority": {
        "en": "Enter a Jira priority name, e.g. Highest.",
        "fr": "Saisissez un nom de priorité Jira, ex. Highest.",
    },
    "e_google_mode": {"en": "Choose service account or OAuth.", "fr": "Choisissez compte de service ou OAuth."},
    "e_google_organizer": {
        "en": "Enter the email of the calendar's organizer.",
        "fr": "Saisissez l'e-mail de l'organisateur de l'agenda.",
    },
    "e_google_calendar": {
        "en": "Enter `primary` or a calendar id (no spaces).",
        "fr": "Saisissez `primary` ou un identifiant d'agenda (sans espace).",
    },
    "e_credentials_required": {
        "en": "Paste the credentials JSON: NOX can't reach the calendar without it.",
        "fr": "Collez le JSON des identifiants : sans lui, NOX ne peut pas joindre l'agenda.",
    },
    "e_credentials_json": {
        "en": "This isn't valid JSON: paste the whole file, braces included.",
        "fr": "Ce n'est pas du JSON valide : collez le fichier entier, accolades comprises.",
    },
    "e_credentials_service_account": {
        "en": 'A service account key needs "type": "service_account", client_email and private_key.',
        "fr": 'Une clé de compte de service contient "type": "service_account", client_email et private_key.',
    },
    "e_credentials_oauth": {
        "en": "OAuth credentials need client_id, client_secret and refresh_token.",
        "fr": "Des identifiants OAuth contiennent client_id, client_secret et refresh_token.",
    },
    "e_secrets_unavailable": {
        "en": "This NOX server can't store secrets yet (no encryption key configured).",
        "fr": "Ce serveur NOX ne peut pas encore stocker de secrets (aucune clé de chiffrement).",
    },
    # --- Worker notices
    "saved": {
        "en": ":white_check_mark: NOX's {section} settings are saved.",
        "fr": ":white_check_mark: Les réglages {section} de NOX sont enregistrés.",
    },
    "save_refused": {
        "en": ":lock: Your change to NOX's settings wasn't saved: only workspace admins can change them.",
        "fr": ":lock: Votre modification n'a pas été enregistrée : seuls les admins de l'espace peuvent modifier les réglages de NOX.",
    },
    "save_failed": {
        "en": ":warning: I couldn't save NOX's settings (they didn't pass validation). Please open the form again.",
        "fr": ":warning: Je n'ai pas pu enregistrer les réglages de NOX (ils ne sont pas valides). Rouvrez le formulaire.",
    },
    "secret_not_stored": {
        "en": ":warning: The settings are saved, but the secret wasn't stored: {reason}",
        "fr": ":warning: Les réglages sont enregistrés, mais le secret n'a pas été stocké : {reason}",
    },
}
