"""The per-team authorize cache: one store lookup per team and minute, bot data only, forgettable."""

from __future__ import annotations

from types import SimpleNamespace

from slack_bolt.authorization import AuthorizeResult

from jamono.web.authorize_cache import CachedAuthorize


class CountingAuthorize:
    """Stands in for Bolt's installation-store authorize (a Bolt object, not ours)."""

    def __init__(self) -> None:
        self.calls = 0
        self.token = "xoxb-1"

    async def __call__(self, **kwargs):
        self.calls += 1
        if kwargs["team_id"] == "T0GONE":
            return None
        return AuthorizeResult(
            enterprise_id=None,
            team_id=kwargs["team_id"],
            bot_user_id="U0NOX",
            bot_id="B0NOX",
            bot_token=self.token,
            user_id=kwargs["user_id"],
            user_token="xoxp-secret",
        )


def ctx() -> SimpleNamespace:
    return SimpleNamespace(is_enterprise_install=False)


async def test_one_lookup_per_team_and_no_user_data_shared():
    inner = CountingAuthorize()
    cached = CachedAuthorize(inner, ttl_s=60)
    first = await cached(context=ctx(), enterprise_id=None, team_id="T1", user_id="U0ALICE")
    second = await cached(context=ctx(), enterprise_id=None, team_id="T1", user_id="U0BOB")
    assert inner.calls == 1 and first is second
    assert second.user_id is None and second.user_token is None and second.bot_token == "xoxb-1"
    await cached(context=ctx(), enterprise_id=None, team_id="T2", user_id="U0BOB")
    assert inner.calls == 2


async def test_expiry_forget_and_uninstalled_teams():
    inner = CountingAuthorize()
    cached = CachedAuthorize(inner, ttl_s=0)
    await cached(context=ctx(), enterprise_id=None, team_id="T1", user_id=None)
    await cached(context=ctx(), enterprise_id=None, team_id="T1", user_id=None)
    assert inner.calls == 2  # expired at once
    cached = CachedAuthorize(inner, ttl_s=60)
    await cached(context=ctx(), enterprise_id=None, team_id="T1", user_id=None)
    inner.token = "xoxb-2"
    cached.forget(None, "T1")
    assert (await cached(context=ctx(), enterprise_id=None, team_id="T1", user_id=None)).bot_token == "xoxb-2"
    assert await cached(context=ctx(), enterprise_id=None, team_id="T0GONE", user_id=None) is None
    assert await cached(context=ctx(), enterprise_id=None, team_id="T0GONE", user_id=None) is None
    assert inner.calls == 6  # an uninstalled team is never cached
