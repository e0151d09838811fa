"""Every feature's catalog, by feature: `{key: {"en": …, "fr": …}}`, data only."""

from __future__ import annotations

from collections.abc import Mapping

from jamono.i18n.catalogs import (
    actions,
    commands,
    conversation,
    home,
    incidents,
    kb,
    landing,
    memory,
    oauth,
    onboarding,
    plans,
    status,
)

CATALOGS: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "conversation": conversation.STRINGS,
    "actions": actions.STRINGS,
    "home": home.STRINGS,
    "incidents": incidents.STRINGS,
    "onboarding": onboarding.STRINGS,
    "landing": landing.STRINGS,
    "oauth": oauth.STRINGS,
    "status": status.STRINGS,
    "commands": commands.STRINGS,
    "kb": kb.STRINGS,
    "plans": plans.STRINGS,
    "memory": memory.STRINGS,
}
