"""`jamono audit export --team T --since DATE`: the workspace's audit log as JSON lines."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TextIO

from jamono.platform.settings import get_settings


def _moment(text: str) -> datetime:
    """An ISO date or date-time; a date means its start, UTC unless an offset is given."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-01-31, not {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jamono audit")
    sub = parser.add_subparsers(dest="action", required=True)
    export = sub.add_parser("export", help="entries since a date, oldest first, one JSON object a line")
    export.add_argument("--team", help="Slack team id (default: the configured bot's, else the sandbox's)")
    export.add_argument("--since", type=_moment, default=datetime(1970, 1, 1, tzinfo=UTC))
    return parser


def main(argv: list[str], out: TextIO = sys.stdout) -> int:
    from jamono.audit.store import since
    from jamono.cli.kb import _team
    from jamono.platform.db import open_pool, tenant_tx
    from jamono.platform.tenancy import UnknownWorkspace, load_workspace

    args = _parser().parse_args(argv)
    pool = open_pool(get_settings(), max_size=2, name="jamono-audit-cli")
    try:
        try:
            ws = load_workspace(pool, _team(args.team))
        except UnknownWorkspace as exc:
            print(f"jamono audit: no workspace {exc}", file=sys.stderr)
            return 1
        count = 0
        with tenant_tx(pool, ws.tenant_id) as conn:
            for entry in since(conn, args.since):
                out.write(entry.model_dump_json(exclude={"id"}) + "\n")
                count += 1
        print(f"{count} audit entries", file=sys.stderr)
        return 0
    finally:
        pool.close()
