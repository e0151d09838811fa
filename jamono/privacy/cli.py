"""`jamono privacy erase --team T --user U`: remove one person's stored words; counts stay."""

from __future__ import annotations

import argparse
import re
import sys

from jamono.platform.settings import get_settings


def _user(text: str) -> str:
    if not re.fullmatch(r"[UW][A-Z0-9]{2,30}", text):
        raise argparse.ArgumentTypeError(f"expected a Slack user id like U0123ABCD, not {text!r}")
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jamono privacy")
    sub = parser.add_subparsers(dest="action", required=True)
    erase = sub.add_parser("erase", help="blank a person's questions, answers to them, notes; delete their votes")
    erase.add_argument("--team", help="Slack team id (default: the configured bot's, else the sandbox's)")
    erase.add_argument("--user", type=_user, required=True, help="the person's Slack user id")
    return parser


def main(argv: list[str]) -> int:
    import redis

    from jamono.audit.store import record
    from jamono.cli.kb import _team
    from jamono.platform.db import open_pool, tenant_tx
    from jamono.platform.tenancy import UnknownWorkspace, load_workspace
    from jamono.privacy.erasure import erase_person, forget_cached_threads

    args = _parser().parse_args(argv)
    settings = get_settings()
    pool = open_pool(settings, max_size=2, name="jamono-privacy-cli")
    try:
        try:
            ws = load_workspace(pool, _team(args.team))
        except UnknownWorkspace as exc:
            print(f"jamono privacy: no workspace {exc}", file=sys.stderr)
            return 1
        with tenant_tx(pool, ws.tenant_id) as conn:
            report = erase_person(conn, args.user)
            record(conn, ws.workspace_id, "operator", "privacy.erased", args.user, report.model_dump())
        if settings.redis_url:
            cache = redis.Redis.from_url(settings.redis_url)
            try:
                report.cached_threads = forget_cached_threads(cache, ws.team_id)
            except redis.RedisError as exc:
                print(
                    f"jamono privacy: the thread cache could not be cleared ({type(exc).__name__});"
                    " it expires by itself within 30 minutes",
                    file=sys.stderr,
                )
            finally:
                cache.close()
        print(
            f"erased {args.user} in {ws.team_id}: {report.interactions} conversations blanked,"
            f" {report.votes} votes removed, {report.actions} action texts, {report.incident_updates}"
            f" incident notes and {report.timeline_entries} timeline entries blanked,"
            f" {report.cached_threads} cached threads dropped"
        )
        return 0
    finally:
        pool.close()
