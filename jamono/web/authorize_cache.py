"""Multi-workspace authorize, remembered per team for a short while.
Why and how: docs/design/web.md."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize

TeamKey = tuple[str | None, str | None]


class CachedAuthorize(AsyncAuthorize):
    def __init__(self, inner: AsyncAuthorize, *, ttl_s: float = 60.0, max_teams: int = 10_000) -> None:
        self.inner = inner
        self.ttl_s = ttl_s
        self.max_teams = max_teams
        self._cache: OrderedDict[TeamKey, tuple[float, AuthorizeResult]] = OrderedDict()

    async def __call__(
        self, *, context: Any, enterprise_id: str | None, team_id: str | None, user_id: str | None, **actor: Any
    ) -> AuthorizeResult | None:
        key = (enterprise_id, team_id if not context.is_enterprise_install else None)
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            self._cache.move_to_end(key)
            return hit[1]
        result = await self.inner(
            context=context, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, **actor
        )
        if result is None or not result.bot_token:
            self._cache.pop(key, None)  # not installed (any more): ask again next time
            return result
        bot_only = AuthorizeResult(
            enterprise_id=result.enterprise_id,
            team_id=result.team_id,
            bot_id=result.bot_id,
            bot_user_id=result.bot_user_id,
            bot_token=result.bot_token,
            bot_scopes=result.bot_scopes,
        )
        self._cache[key] = (now + self.ttl_s, bot_only)
        while len(self._cache) > self.max_teams:
            self._cache.popitem(last=False)
        return bot_only

    def forget(self, enterprise_id: str | None, team_id: str | None) -> None:
        """After an uninstall or a revocation: the next request asks the store again."""
        for key in [k for k in self._cache if k[1] == team_id or (team_id is None and k[0] == enterprise_id)]:
            self._cache.pop(key, None)
