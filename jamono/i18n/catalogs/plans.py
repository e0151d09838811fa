"""Plan limits, as the people they stop are told."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "plan.user_limit": {
        "en": ":no_entry: NOX's {plan} plan for this workspace covers {allowed} people a month, and {used} already use it, so I can't take on new people right now. A workspace admin can change the plan.",
        "fr": ":no_entry: L'offre {plan} de NOX pour cet espace couvre {allowed} personnes par mois, et {used} l'utilisent déjà : je ne peux pas accueillir de nouvelles personnes pour l'instant. Un admin de l'espace peut changer d'offre.",
    },
}
