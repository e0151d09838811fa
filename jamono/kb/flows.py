"""Knowledge base work triggered from Slack: save a modal's document or a thread, search."""

from __future__ import annotations

import hashlib
import logging
import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from jamono.container import Runtime
from jamono.platform.tenancy import WorkspaceContext
from jamono.slack.escape import escape_link_url
from jamono.slack.escape import escape_mrkdwn as esc
from jamono.slack.payloads import CommandJob, KbSaveJob

log = logging.getLogger(__name__)

SAVED = {
    "en": ":white_check_mark: Saved *{title}* to NOX's knowledge base ({chunks} sections). I'll use it from now on.",
    "fr": ":white_check_mark: *{title}* est enregistré dans la base de connaissances de NOX ({chunks} sections). Je m'en servirai désormais.",
}
UNCHANGED = {
    "en": ":information_source: *{title}* is already in the knowledge base, unchanged.",
    "fr": ":information_source: *{title}* est déjà dans la base de connaissances, sans changement.",
}
FAILED = {
    "en": ":warning: I couldn't save *{title}*: {reason}",
    "fr": ":warning: Je n'ai pas pu enregistrer *{title}* : {reason}",
}
# What an ingest failure says in Slack: ours, by kind. The failure's own text carries the
# exception's (database, embedding, parser errors) and goes to the logs only.
_FAILURE_KINDS = {
    "embedding failed": {
        "en": "the text could not be embedded; try again later",
        "fr": "le texte n'a pas pu être vectorisé ; réessayez plus tard",
    },
    "database error": {
        "en": "the database refused it (the details are in NOX's logs)",
        "fr": "la base de données l'a refusé (le détail est dans les journaux de NOX)",
    },
    "chunking failed": {
        "en": "the text could not be split into sections",
        "fr": "le texte n'a pas pu être découpé en sections",
    },
    "duplicate source in this batch": {"en": "it was sent twice at once", "fr": "il a été envoyé deux fois à la fois"},
}
_UNEXPECTED = {
    "en": "an unexpected error (the details are in NOX's logs)",
    "fr": "une erreur inattendue (le détail est dans les journaux de NOX)",
}


def public_reason(reason: str, lang: str) -> str:
    """An ingest failure in our words, by its kind; never the exception's text."""
    words = _FAILURE_KINDS.get(reason.split(":", 1)[0].strip(), _UNEXPECTED)
    return words.get(lang, words["en"])


NO_HITS = {
    "en": "Nothing in the knowledge base matches “{query}”. Add a runbook with `/nox kb add`.",
    "fr": "Rien dans la base de connaissances ne correspond à « {query} ». Ajoutez un runbook avec `/nox kb add`.",
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "document"


def thread_document(client: WebClient, channel: str, ts: str) -> tuple[str, str, str | None]:
    """(title, Markdown content, permalink) of a message and its thread."""
    replies = client.conversations_replies(channel=channel, ts=ts, limit=200)
    messages = [m for m in replies.get("messages", []) if m.get("text")]
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


def save_document(rt: Runtime, job: KbSaveJob) -> None:
    from knowledge.documents import SourceDocument
    from knowledge.ingest import ingest_documents

    ws: WorkspaceContext = rt.workspaces.get(job.team_id, job.enterprise_id)
    client = rt.slack.get(rt.bot_token(ws))
    if job.message_ts and job.channel:
        title, content, permalink = thread_document(client, job.channel, job.message_ts)
        source = permalink or f"slack://{job.channel}/{job.message_ts}"
        tags = ["slack"]
    else:
        title, content, permalink = job.title or "Untitled", job.content or "", None
        source = f"slack-modal/{_slug(title)}-{hashlib.sha256(title.encode()).hexdigest()[:8]}"
        tags = job.tags
    doc = SourceDocument(source=source, title=title, content=content, url=permalink, tags=tags)
    report = ingest_documents(rt.pool, ws.tenant_id, [doc], rt.embedder, origin="slack", created_by=job.user)
    if report.failed:
        log.warning("knowledge base save failed: %s", report.failed[0].reason[:300])
        _notify(
            client,
            job,
            FAILED[job.lang].format(title=esc(title), reason=public_reason(report.failed[0].reason, job.lang)),
        )
    elif report.unchanged:
        _notify(client, job, UNCHANGED[job.lang].format(title=esc(title)))
    else:
        _notify(client, job, SAVED[job.lang].format(title=esc(title), chunks=report.chunks))


def search_blocks(query: str, hits: list, lang: str) -> list[dict]:
    relevant = [h for h in hits if h.relevant]
    if not relevant:
        return [{"type": "section", "text": {"type": "mrkdwn", "text": NO_HITS[lang].format(query=esc(query[:100]))}}]
    # The query, the documents' titles, links and text are people's words: escaped, never markup.
    blocks: list[dict] = [{"type": "section", "text": {"type": "mrkdwn", "text": f":mag: *{esc(query[:100])}*"}}]
    for hit in relevant[:5]:
        label = esc(hit.title + (f" › {hit.heading}" if hit.heading else ""))
        link = f"<{escape_link_url(hit.url)}|{label}>" if hit.url else f"*{label}*"
        snippet = esc(re.sub(r"\s+", " ", hit.content)[:240])
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"{link}\n{snippet}…"}})
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"`{esc(hit.source)}` · score {hit.score:.2f}"}],
            }
        )
    return blocks


def search_and_respond(rt: Runtime, job: CommandJob) -> None:
    from jamono.fairness.admission import refusal

    ws = rt.workspaces.get(job.team_id, job.enterprise_id)
    refused = refusal(rt, ws, job.user, job.lang)
    if refused is not None:  # plan limits hold here too (ephemeral, to the asker only)
        if refused.notify:
            WebhookClient(job.response_url).send(response_type="ephemeral", text=refused.text)
        return
    hits = list(rt.search(ws, job.text, k=5))
    WebhookClient(job.response_url).send(
        response_type="in_channel" if job.share else "ephemeral",
        text=f"Knowledge base: {esc(job.text[:100])}",
        blocks=search_blocks(job.text, hits, job.lang),
    )
