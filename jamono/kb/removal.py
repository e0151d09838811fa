"""`/nox kb remove <title>`: a document goes only by its author's or an admin's hand (issue 14)."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.webhook import WebhookClient

from jamono.audit.store import record
from jamono.home.settings_model import parse_stored
from jamono.kb.ownership import is_admin, may_change
from jamono.platform.db import tenant_tx
from jamono.slack.escape import escape_mrkdwn as esc
from jamono.slack.payloads import CommandJob
from knowledge.store import delete_document

log = logging.getLogger(__name__)

_SAID = {
    "removed": {
        "en": ":wastebasket: Removed *{title}* from NOX's knowledge base.",
        "fr": ":wastebasket: *{title}* est retiré de la base de connaissances de NOX.",
    },
    "missing": {
        "en": ":information_source: No document titled *{title}* here. `/nox kb search` finds titles.",
        "fr": ":information_source: Aucun document intitulé *{title}* ici. `/nox kb search` trouve les titres.",
    },
    "refused": {
        "en": ":lock: *{title}* belongs to {owner}: only they or a NOX admin can remove it.",
        "fr": ":lock: *{title}* appartient à {owner} : seuls cette personne ou un admin de NOX peuvent le retirer.",
    },
}


def _said(key: str, lang: str, **values: str) -> str:
    words = _SAID[key]
    return words.get(lang, words["en"]).format(**values)


def _matches(conn: Any, title: str, channel: str) -> list[dict[str, Any]]:
    """Documents with this title that this conversation can see (private ones only where saved)."""
    rows: list[dict[str, Any]] = conn.execute(
        "SELECT id, title, source, created_by FROM knowledge_documents"
        " WHERE tenant_id = jamono_current_tenant() AND lower(title) = lower(%s)"
        " AND (channel_scope IS NULL OR channel_scope = %s) ORDER BY updated_at DESC",
        [title.strip(), channel],
    ).fetchall()
    return rows


def remove_from_slack(rt: Any, job: CommandJob) -> str:
    """Remove the titled document if `job.user` may; returns (and sends) what the person reads."""
    ws = rt.workspaces.get(job.team_id, job.enterprise_id)
    title = job.text.strip()[:500]
    with tenant_tx(rt.pool, ws.tenant_id) as conn:
        found = _matches(conn, title, job.channel)
    admin = bool(found) and is_admin(rt.slack.get(rt.bot_token(ws)), job.user, parse_stored(ws.settings))
    mine = [d for d in found if may_change(d["created_by"], job.user, is_admin=admin)]
    if not found:
        text = _said("missing", job.lang, title=esc(title))
    elif not mine:
        author = found[0]["created_by"]
        owner = f"<@{author}>" if author else "NOX's operators"
        text = _said("refused", job.lang, title=esc(found[0]["title"]), owner=owner)
    else:
        doc = mine[0]
        with tenant_tx(rt.pool, ws.tenant_id) as conn:
            delete_document(conn, doc["id"])  # one writer per tenant: term counts stay consistent
            record(conn, ws.workspace_id, job.user, "kb.removed", doc["title"], {"source": doc["source"]})
        text = _said("removed", job.lang, title=esc(doc["title"]))
    WebhookClient(job.response_url).send(response_type="ephemeral", text=text)
    return text
