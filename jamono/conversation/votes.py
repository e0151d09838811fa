"""👍 / 👎 on an answer: recorded on its exchange, thanked for (a 👎 demotes its sources in search)."""

from __future__ import annotations

import logging
from typing import TypeVar

from slack_sdk.errors import SlackApiError

from jamono.container import Runtime
from jamono.conversation.exchanges import once_recorded, record_feedback
from jamono.platform.db import tenant_tx
from jamono.slack.payloads import FeedbackJob

log = logging.getLogger(__name__)
T = TypeVar("T")


THANKS = {
    1: "Thanks — glad it helped! :+1:",
    -1: "Thanks for telling me. I'll rank those sources lower next time. :pray:",
}


def handle_feedback(rt: Runtime, job: FeedbackJob) -> None:
    ws = rt.workspaces.get(job.team_id, job.enterprise_id)

    def vote() -> bool:
        with tenant_tx(rt.pool, ws.tenant_id) as conn:
            return record_feedback(conn, job.interaction_id, job.user, job.vote)

    once_recorded(vote, job.interaction_id)
    try:
        rt.slack.get(rt.bot_token(ws)).chat_postEphemeral(channel=job.channel, user=job.user, text=THANKS[job.vote])
    except SlackApiError as exc:
        log.warning("could not thank for feedback: %s", exc.response.get("error"))
