"""Fixtures for knowledge tests: a fast deterministic embedder and tenants to fill."""

from __future__ import annotations

import uuid

import pytest

from tests.knowledge.doubles import HashEmbedder


@pytest.fixture
def hash_embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def make_tenant(pool):
    """A factory of fresh tenants (each test gets its own rows)."""
    from jamono.platform.tenancy import TeamIdentity, register_workspace

    def make() -> uuid.UUID:
        team = "TK" + uuid.uuid4().hex[:10].upper()
        return register_workspace(pool, TeamIdentity(team_id=team, team_name=f"kb {team}")).tenant_id

    return make
