"""`jamono actions list [--failed] | retry ID`: the operators' view of actions and dead letters."""

from __future__ import annotations

import argparse
from uuid import UUID

from jamono.platform.settings import get_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jamono actions")
    sub = parser.add_subparsers(dest="action", required=True)
    listing = sub.add_parser("list", help="recent actions (newest first)")
    listing.add_argument("--failed", action="store_true", help="only dead letters (status failed)")
    listing.add_argument("--status", choices=["proposed", "confirmed", "running", "done", "failed", "dismissed"])
    listing.add_argument("--team", help="Slack team id (default: the configured bot's, else the sandbox's)")
    listing.add_argument("--limit", type=int, default=50)
    retry = sub.add_parser("retry", help="run a failed action again, here and now")
    retry.add_argument("id", type=UUID)
    retry.add_argument("--team")
    return parser


def main(argv: list[str]) -> int:
    from jamono.actions import store
    from jamono.cli.kb import _team
    from jamono.platform.db import open_pool, tenant_tx
    from jamono.platform.tenancy import load_workspace

    args = _parser().parse_args(argv)
    settings = get_settings()
    pool = open_pool(settings, max_size=2, name="jamono-actions-cli")
    try:
        ws = load_workspace(pool, _team(args.team))
        if args.action == "list":
            status = "failed" if args.failed else args.status
            with tenant_tx(pool, ws.tenant_id) as conn:
                rows = store.listing(conn, status=status, limit=args.limit)
            for a in rows:
                print(
                    f"{a.id}  {a.updated_at:%Y-%m-%d %H:%M}  {a.type:<26} {a.status:<9} attempts={a.attempts}"
                    f"  {a.external_id or '-'}  {(a.last_error or '')[:120]}"
                )
            print(f"{len(rows)} action(s)")
            return 0
        from jamono.actions.flows import retry_failed
        from jamono.container import Runtime

        runtime = Runtime(settings)
        try:
            action = retry_failed(runtime, ws.team_id, args.id)
        finally:
            runtime.close()
        if action is None:
            print(f"no action {args.id} in team {ws.team_id}")
            return 1
        print(f"{action.id}: {action.status} {action.external_url or action.last_error or ''}")
        return 0 if action.status == "done" else 1
    finally:
        pool.close()
