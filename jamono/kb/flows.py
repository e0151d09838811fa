"""Knowledge base work triggered from Slack: save a modal's document or a thread, search."""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from jamono.audit.store import record as audit
from jamono.container import Runtime
from jamono.i18n import t
from jamono.kb.ownership import is_admin, owner_of, private_scope
from jamono.platform.db import tenant_tx
from jamono.platform.tenancy import WorkspaceContext
from jamono.slack.blockkit import context, section
from jamono.slack.escape import escape_link_url
from jamono.slack.escape import escape_mrkdwn as esc
from jamono.slack.payloads import CommandJob, KbSaveJob
from knowledge.documents import SourceDocument

log = logging.getLogger(__name__)

# What an ingest failure says in Slack: ours, by kind. The failure's own text carries the
# exception's (database, embedding, parser errors) and goes to the logs only.
FAILURE_KINDS = {
    "embedding failed": "kb.reason.embedding",
    "database error": "kb.reason.database",
    "chunking failed": "kb.reason.chunking",
    "duplicate source in this batch": "kb.reason.duplicate",
}


def public_reason(reason: str, lang: str) -> str:
    """An ingest failure in our words, by its kind; never the exception's text."""
    return t(FAILURE_KINDS.get(reason.split(":", 1)[0].strip(), "kb.reason.unexpected"), lang)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "document"


def thread_document(client: WebClient, channel: str, ts: str) -> tuple[str, str, str | None]:
    """(title, Markdown content, permalink) of a message and its thread."""
    replies = client.conversations_replies(channel=channel, ts=ts, limit=200)
    found: list[dict[str, Any]] = replies.get("messages", [])
    messages = [m for m in found if m.get("text")]
    if not messages:
        raise ValueError("the message has no text to save")
    first_line = messages[0]["text"].strip().splitlines()[0]
    title = re.sub(r"<[^>]+>", "", first_line).strip()[:80] or "Slack thread"
    content = "\n\n".join(f"**<@{m.get('user', 'bot')}>**: {m['text']}" for m in messages)
    try:
        permalink = client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError:
        permalink = None
    return title, f"# {title}\n\n{content}", permalink


def _notify(client: WebClient, job: KbSaveJob, text: str) -> None:
    try:
        if job.channel:
            client.chat_postEphemeral(channel=job.channel, user=job.user, text=text)
        else:
            client.chat_postMessage(channel=job.user, text=text)
    except SlackApiError as exc:
        log.warning("could not confirm the knowledge base save: %s", exc.response.get("error"))


def _document(client: WebClient, job: KbSaveJob) -> tuple[SourceDocument, str | None]:
    """The document a save job describes, and the private conversation it is scoped to."""
    from knowledge.documents import SourceDocument

    if job.message_ts and job.channel:
        title, content, permalink = thread_document(client, job.channel, job.message_ts)
        source = permalink or f"slack://{job.channel}/{job.message_ts}"
        scope = private_scope(client, job.channel)
        doc = SourceDocument(
            source=source, title=title, content=content, url=permalink, tags=["slack"], channel_scope=scope
        )
        return doc, scope
    title, content = job.title or "Untitled", job.content or ""
    source = f"slack-modal/{_slug(title)}-{hashlib.sha256(title.encode()).hexdigest()[:8]}"
    return SourceDocument(source=source, title=title, content=content, tags=job.tags), None


def _refused(
    rt: Runtime, ws: WorkspaceContext, client: WebClient, job: KbSaveJob, source: str
) -> tuple[bool, str | None]:
    """(refused, who) for `job.user` saving `source`: refused with the author who keeps it, or
    allowed with the author the write must still find (None: an admin replaces anyone's). The
    write re-checks inside its transaction, so a save racing this one cannot slip between."""
    from jamono.home.settings_model import parse_stored

    with tenant_tx(rt.pool, ws.tenant_id) as conn:
        exists, author = owner_of(conn, source)
    if not exists or author == job.user:
        return False, job.user
    if is_admin(client, job.user, parse_stored(ws.settings)):
        return False, None
    return True, author


def _taken(client: WebClient, job: KbSaveJob, title: str, author: str | None) -> None:
    log.info("knowledge base save refused: the document is someone else's")
    owner = f"<@{author}>" if author else "NOX's operators"
    _notify(client, job, t("kb.taken", job.lang, title=esc(title), owner=owner))


def save_document(rt: Runtime, job: KbSaveJob) -> None:
    from knowledge.ingest import ingest_documents

    ws: WorkspaceContext = rt.workspaces.get(job.team_id, job.enterprise_id)
    client = rt.slack.get(rt.bot_token(ws))
    doc, scope = _document(client, job)
    title = doc.title
    refused, who = _refused(rt, ws, client, job, doc.source)
    if refused:
        _taken(client, job, title, who)
        return
    report = ingest_documents(
        rt.pool, ws.tenant_id, [doc], rt.embedder, origin="slack", created_by=job.user, owned_by=who
    )
    if doc.source in report.taken:  # someone saved it between our check and our write
        _taken(client, job, title, report.taken[doc.source])
    elif report.failed:
        log.warning("knowledge base save failed: %s", report.failed[0].reason[:300])
        _notify(
            client,
            job,
            t("kb.failed", job.lang, title=esc(title), reason=public_reason(report.failed[0].reason, job.lang)),
        )
    elif report.unchanged:
        _notify(client, job, t("kb.unchanged", job.lang, title=esc(title)))
    else:
        with tenant_tx(rt.pool, ws.tenant_id) as conn:
            audit(conn, ws.workspace_id, job.user, "kb.saved", title, {"source": doc.source, "scope": scope})
        text = t("kb.saved", job.lang, title=esc(title), chunks=report.chunks)
        if scope:
            text += " " + t("kb.scoped", job.lang)
        _notify(client, job, text)


def search_blocks(query: str, hits: list, lang: str) -> list[dict]:
    relevant = [h for h in hits if h.relevant]
    if not relevant:
        return [section(t("kb.no_hits", lang, query=esc(query[:100])))]
    # The query, the documents' titles, links and text are people's words: escaped, never markup.
    blocks: list[dict] = [section(f":mag: *{esc(query[:100])}*")]
    for hit in relevant[:5]:
        label = esc(hit.title + (f" › {hit.heading}" if hit.heading else ""))
        link = f"<{escape_link_url(hit.url)}|{label}>" if hit.url else f"*{label}*"
        snippet = esc(re.sub(r"\s+", " ", hit.content)[:240])
        blocks.append(section(f"{link}\n{snippet}…"))
        blocks.append(context(f"`{esc(hit.source)}` · score {hit.score:.2f}"))
    return blocks


def search_and_respond(rt: Runtime, job: CommandJob) -> None:
    from jamono.fairness.admission import refusal

    ws = rt.workspaces.get(job.team_id, job.enterprise_id)
    refused = refusal(rt, ws, job.user, job.lang, f"kb:{job.trigger_id or job.response_url[-24:]}")
    if refused is not None:  # plan limits hold here too (ephemeral, to the asker only)
        if refused.notify:
            WebhookClient(job.response_url).send(response_type="ephemeral", text=refused.text)
        return
    hits = list(rt.search(ws, job.text, k=5, channel=job.channel))
    WebhookClient(job.response_url).send(
        response_type="in_channel" if job.share else "ephemeral",
        text=f"Knowledge base: {esc(job.text[:100])}",
        blocks=search_blocks(job.text, hits, job.lang),
    )
