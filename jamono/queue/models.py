"""The base shapes of every job's payload: a workspace, or a person in a workspace."""

from __future__ import annotations

from pydantic import BaseModel


class TeamJob(BaseModel):
    """Work for one workspace (an Enterprise Grid org's workspace carries its enterprise too)."""

    team_id: str
    enterprise_id: str | None = None


class PersonJob(TeamJob):
    """Work someone asked for: replies, permissions and languages are theirs."""

    user: str
