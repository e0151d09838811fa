"""Plan limits, as the people they stop are told."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "plan.user_limit": {
        "en": ":no_entry: NOX's {plan} plan for this workspace covers {allowed} people a month, and {used} already use it, so I can't take on new people right now. A workspace admin can change the plan.",
        "fr": ":no_entry: L'offre {plan} de NOX pour cet espace couvre {allowed} personnes par mois, et {used} l'utilisent déjà : je ne peux pas accueillir de nouvelles personnes pour l'instant. Un admin de l'espace peut changer d'offre.",
    },
    "plan.free_pool_spent": {
        "en": ":hourglass: NOX's free plan has used all it can spend today across every workspace on it, so NOX will answer this workspace again tomorrow (UTC). Paid plans are not affected: a workspace admin can change the plan. You won't see this notice again today.",
        "fr": ":hourglass: L'offre gratuite de NOX a épuisé ce qu'elle peut dépenser aujourd'hui pour l'ensemble des espaces qui l'utilisent : NOX répondra de nouveau à cet espace demain (UTC). Les offres payantes ne sont pas concernées : un admin de l'espace peut changer d'offre. Cet avis ne s'affichera plus aujourd'hui.",
    },
}
