"""Jobs the listeners queue for NOX's incident memory (run by workers/incidents.py)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

Lang = Literal["fr", "en"]


class _Job(BaseModel):
    team_id: str
    enterprise_id: str | None = None
    user: str
    channel: str = ""


class Mark(_Job):
    """A message marked for the timeline: a reaction (`reaction`) or the shortcut (`text` given)."""

    ts: str = Field(min_length=1, max_length=40)
    reaction: str | None = Field(default=None, max_length=100)
    author: str | None = None
    text: str | None = Field(default=None, max_length=4000)
    thread_ts: str | None = None


class Joined(_Job):
    """Someone joined a channel (member_joined_channel): a catch-up if it is an incident's."""

    event_id: str = Field(min_length=1, max_length=100)


class Ask(_Job):
    """`/nox incident timeline`, `/nox summary`, `/nox similar [text]`; and, from a thread, `@nox
    similar` (answered in the thread, once per event) or the "Find similar incidents" shortcut."""

    what: Literal["timeline", "summary", "similar"]
    text: str = Field(default="", max_length=3000)
    response_url: str | None = None
    lang: Lang = "en"
    thread_ts: str | None = Field(default=None, max_length=40)
    event_id: str | None = Field(default=None, max_length=100)  # set: answer in the thread, once
    with_thread: bool = False  # the thread's messages are the report


class Publish(_Job):
    """An admin publishes a private incident's lesson to the workspace (`/nox incident publish INC-n`
    or the button under the postmortem)."""

    ref: str = Field(min_length=1, max_length=40)
    key: str = Field(min_length=1, max_length=200)
    lang: Lang = "en"


class ItemTicket(_Job):
    """The postmortem's "Create Jira ticket" button of one action item."""

    incident_id: UUID
    n: int = Field(ge=1, le=50)
