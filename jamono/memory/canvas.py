"""The postmortem draft as a Slack canvas shared with the incident channel, once across crashes;
None when canvases are out of reach (scope, plan, any error) so the caller posts the file instead."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from jamono.actions.execution import Ctx
from jamono.actions.failpoints import hit
from jamono.i18n import t
from jamono.incidents import store as incidents
from jamono.incidents.models import Incident
from jamono.platform.db import tenant_tx
from jamono.slack.escape import escape_canvas_markdown

log = logging.getLogger(__name__)

AFTER_CREATE = "memory.after_canvas_create"
STEP = "postmortem_canvas"  # claimed before canvases.create: a retry looks for the canvas first
_OURS = re.compile(r"^(#{2,3} |- \[[ x]\] |- )?(.*)$")


@dataclass(frozen=True)
class Canvas:
    id: str
    url: str | None


def document(markdown: str) -> str:
    """The stored draft as canvas Markdown: our headings, bullets and checkboxes kept, the rest of
    each line inert (a participant's `[link](…)`, `![](@U…)` or `**` stays text). The `# title`
    line goes: the canvas has its own title."""
    lines = []
    for line in markdown.splitlines():
        if line.startswith("# "):
            continue
        found = _OURS.match(line)
        prefix, rest = (found.group(1) or "", found.group(2)) if found else ("", line)
        lines.append(prefix + escape_canvas_markdown(rest))
    return "\n".join(lines).strip() + "\n"


def title(incident: Incident) -> str:
    return t("pm.title", incident.lang, title=incident.title)[:250]


def post(ctx: Ctx, incident: Incident, markdown: str) -> Canvas | None:
    """Create (or find again) the canvas, give the channel write access, return it with its link."""
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        first = incidents.mark_step(conn, incident.id, STEP)
    try:
        canvas_id = None if first else _find(ctx, incident)
        if canvas_id is None:
            created = ctx.client.canvases_create(
                title=title(incident), document_content={"type": "markdown", "markdown": document(markdown)}
            )
            canvas_id = str(created["canvas_id"])
        hit(AFTER_CREATE)
        ctx.client.canvases_access_set(
            canvas_id=canvas_id, access_level="write", channel_ids=[incident.channel_id or ""]
        )
    except SlackApiError as exc:  # missing_scope, a free team, canvases turned off, anything: the file
        log.info("postmortem canvas not posted: %s", exc.response.get("error"))
        return None
    except OSError as exc:
        log.info("postmortem canvas not posted: %s", type(exc).__name__)
        return None
    return Canvas(canvas_id, _permalink(ctx, canvas_id))


def _find(ctx: Ctx, incident: Incident) -> str | None:
    """The canvas an earlier attempt created (it crashed before recording it): NOX's, since the
    incident began, with the draft's title. A failed lookup raises: then the file, never a second."""
    wanted = title(incident)
    args: dict[str, Any] = {"ts_from": int(incident.started_at.timestamp()) - 60, "count": 100}
    if ctx.ws.bot_user_id:
        args["user"] = ctx.ws.bot_user_id
    for f in ctx.client.files_list(**args).get("files") or []:
        if f.get("title") == wanted and (f.get("pretty_type") == "Canvas" or f.get("filetype") in ("quip", "canvas")):
            return str(f["id"])
    return None


def _permalink(ctx: Ctx, canvas_id: str) -> str | None:
    try:
        return str(ctx.client.files_info(file=canvas_id)["file"]["permalink"])
    except (SlackApiError, OSError, KeyError, TypeError):
        return None
