"""`jamono incidents list | settings …`: the open incidents, and a workspace's incident settings
(private channels, the responders group, reminder minutes per severity)."""

from __future__ import annotations

import argparse
import json

from jamono.platform.settings import get_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jamono incidents")
    sub = parser.add_subparsers(dest="action", required=True)
    listing = sub.add_parser("list", help="open incidents (newest first)")
    listing.add_argument("--team", help="Slack team id (default: the configured bot's, else the sandbox's)")
    conf = sub.add_parser("settings", help="show or change the workspace's incident settings")
    conf.add_argument("--team")
    conf.add_argument("--private", choices=["on", "off"], help="incident channels private (groups:write)")
    conf.add_argument("--responders", help="user group id (S…) invited to every incident; 'none' to clear")
    conf.add_argument(
        "--remind",
        action="append",
        default=[],
        metavar="SEVERITY=MINUTES",
        help="minutes without an update before the lead is nudged, e.g. --remind critical=15",
    )
    conf.add_argument(
        "--timeline-reactions",
        metavar="EMOJI,EMOJI",
        help="reactions that put a message on its incident's timeline (default pushpin,stopwatch)",
    )
    return parser


def main(argv: list[str]) -> int:
    from jamono.cli.kb import _team
    from jamono.incidents import store
    from jamono.incidents.models import IncidentSettings
    from jamono.platform.db import open_pool, tenant_tx
    from jamono.platform.tenancy import load_workspace

    args = _parser().parse_args(argv)
    pool = open_pool(get_settings(), max_size=2, name="jamono-incidents-cli")
    try:
        ws = load_workspace(pool, _team(args.team))
        with tenant_tx(pool, ws.tenant_id) as conn:
            if args.action == "list":
                rows = store.open_incidents(conn, limit=100)
                for i in rows:
                    print(
                        f"{i.id}  {i.started_at:%Y-%m-%d %H:%M}  {i.severity:<8} {i.status:<13} lead={i.lead or '-'}"
                        f"  #{i.channel_name or '-'}  {i.jira_key or '-'}  {i.title[:80]}"
                    )
                print(f"{len(rows)} open incident(s)")
                return 0
            found = conn.execute(
                "SELECT settings->'incidents' AS s FROM workspaces WHERE id = %s", [ws.workspace_id]
            ).fetchone()
            assert found is not None  # load_workspace just read this row
            raw = found["s"] or {}
            current = IncidentSettings.of({"incidents": raw}).model_dump(mode="json")
            if args.private:
                current["private_channels"] = args.private == "on"
            if args.responders:
                current["responders_group"] = None if args.responders == "none" else args.responders
            if args.timeline_reactions:
                names = [n.strip().strip(":") for n in args.timeline_reactions.split(",") if n.strip().strip(":")]
                current["timeline_reactions"] = names or current["timeline_reactions"]
            for item in args.remind:
                severity, _, minutes = item.partition("=")
                if severity not in current["reminder_minutes"] or not minutes.isdigit() or int(minutes) < 1:
                    print(f"--remind wants SEVERITY=MINUTES (critical, high, medium, low), not {item!r}")
                    return 2
                current["reminder_minutes"][severity] = int(minutes)
            checked = IncidentSettings.model_validate(current).model_dump(mode="json")
            conn.execute(
                "UPDATE workspaces SET settings = jsonb_set(settings, '{incidents}', %s::jsonb) WHERE id = %s",
                [json.dumps(checked), ws.workspace_id],
            )
        print(json.dumps(checked, indent=2))
        return 0
    finally:
        pool.close()
