"""What people do with an answer: 👍 / 👎 votes (a 👎 demotes its sources) and action proposals."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from dramatiq.errors import Retry
from slack_sdk.errors import SlackApiError

from jamono.db import tenant_tx
from jamono.interactions import record_feedback
from jamono.runtime import Runtime
from jamono.slack.payloads import FeedbackJob, ProposalJob

log = logging.getLogger(__name__)
T = TypeVar("T")
# The answer is shown a few milliseconds before its interaction row commits: a quick click waits
# for it here rather than spending one of its job's bounded retries.
RECORD_WAIT_S = 3.0


class InteractionNotRecordedYet(Retry):
    def __init__(self, interaction_id: str) -> None:
        super().__init__(f"interaction {interaction_id} is not recorded yet", delay=500)


def once_recorded(look: Callable[[], T | None], interaction_id: UUID, within_s: float | None = None) -> T:
    """`look()`'s first non-empty answer within `within_s`; then the queue retries the job."""
    deadline = time.monotonic() + (RECORD_WAIT_S if within_s is None else within_s)
    while True:
        found = look()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise InteractionNotRecordedYet(str(interaction_id))
        time.sleep(0.05)


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


def demoted_documents(rt: Runtime, tenant_id: UUID, limit: int = 200) -> dict[UUID, float]:
    """Documents cited by answers this workspace voted 👎 (net of 👍), with a demotion weight."""
    with tenant_tx(rt.pool, tenant_id) as conn:
        rows = conn.execute(
            "SELECT src::uuid AS document_id, sum(-user_satisfaction) AS net"
            " FROM (SELECT user_satisfaction, jsonb_array_elements_text(metadata->'sources') AS src"
            "       FROM agent_interactions WHERE user_satisfaction IS NOT NULL"
            "       ORDER BY created_at DESC LIMIT %s) votes"
            " GROUP BY src HAVING sum(-user_satisfaction) > 0",
            [limit],
        ).fetchall()
    return {row["document_id"]: min(1.0, 0.25 * float(row["net"])) for row in rows}


def handle_proposal(rt: Runtime, job: ProposalJob) -> None:
    """Jobs queued before the actions flow existed: hand them to it (meetings need the modal now)."""
    from jamono.actions.models import ProposalClick
    from jamono.actions.service import proposal_clicked

    if job.choice == "meeting":
        log.info("dropping a queued meeting click from before the scheduling modal existed")
        return
    click = ProposalClick(
        team_id=job.team_id,
        enterprise_id=job.enterprise_id,
        user=job.user,
        channel=job.channel,
        interaction_id=job.interaction_id,
        choice=job.choice,
    )
    proposal_clicked(rt, click, final_attempt=True)
