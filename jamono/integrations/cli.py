"""`jamono integrations connect jira|google | list | test | disconnect`: integrations as code.
Why and how: docs/design/admin.md ("Integrations as code")."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from jamono.platform.settings import get_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jamono integrations")
    sub = parser.add_subparsers(dest="action", required=True)
    connect = sub.add_parser("connect", help="connect Jira or Google Calendar (as the App Home does)")
    connect.add_argument("kind", choices=["jira", "google"])
    connect.add_argument("--team", help="Slack team id (default: the configured bot's, else the sandbox's)")
    connect.add_argument("--token-file", required=True, help="the Jira API token, or the Google credentials JSON")
    connect.add_argument("--url", help="Jira site URL (https://…)")
    connect.add_argument("--email", help="the Jira account's email")
    connect.add_argument("--project", help="Jira project key")
    connect.add_argument("--issue-type", default="Task")
    connect.add_argument("--organizer", help="Google: the organizer's email")
    connect.add_argument("--calendar", default="primary", help="Google: calendar id")
    connect.add_argument("--mode", choices=["service_account", "oauth"], default="service_account")
    connect.add_argument("--endpoint", help="another API root (a proxy); also through the egress guard")
    for name, text in (("list", "what is connected"), ("test", "one call to each connected integration")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--team")
        if name == "test":
            cmd.add_argument("kind", nargs="?", choices=["jira", "google"])
    disconnect = sub.add_parser("disconnect", help="delete the stored secret; NOX stops using it")
    disconnect.add_argument("kind", choices=["jira", "google"])
    disconnect.add_argument("--team")
    return parser


def _secret(path: str) -> SecretStr:
    text = sys.stdin.read() if path == "-" else Path(path).read_text()
    return SecretStr(text.strip())


def _connect(args: argparse.Namespace, pool: Any, ws: Any, store: Any) -> int:
    from jamono.integrations.egress import policy_from_settings
    from jamono.integrations.manage import connect_google, connect_jira

    policy = policy_from_settings(get_settings())
    secret = _secret(args.token_file)
    if args.kind == "jira":
        missing = [f"--{n}" for n in ("url", "email", "project") if not getattr(args, n)]
        if missing:
            print(f"jamono integrations: connect jira needs {', '.join(missing)}", file=sys.stderr)
            return 2
        connect_jira(
            pool,
            ws,
            store,
            policy,
            url=args.url,
            email=args.email,
            project_key=args.project,
            token=secret,
            issue_type=args.issue_type,
            endpoint=args.endpoint,
        )
    else:
        if not args.organizer:
            print("jamono integrations: connect google needs --organizer", file=sys.stderr)
            return 2
        connect_google(
            pool,
            ws,
            store,
            policy,
            organizer_email=args.organizer,
            credentials=secret,
            mode=args.mode,
            calendar_id=args.calendar,
            endpoint=args.endpoint,
        )
    print(f"{args.kind} connected for {ws.team_id}")
    return 0


def _run(args: argparse.Namespace, pool: Any, ws: Any, store: Any) -> int:
    from jamono.integrations.manage import KINDS, disconnect, states, test_connection

    if args.action == "connect":
        return _connect(args, pool, ws, store)
    if args.action == "list":
        for state in states(pool, ws):
            print(
                f"{state.kind:<7} {state.state:<10} {state.where or '-'}"
                f"  secret={'stored' if state.secret_stored else 'none'}"
                + (f"  endpoint={state.endpoint}" if state.endpoint else "")
            )
        return 0
    if args.action == "disconnect":
        gone = disconnect(pool, ws, args.kind)
        print(f"{args.kind} disconnected" + ("" if gone else " (no secret was stored)"))
        return 0
    kinds = [args.kind] if args.kind else [s.kind for s in states(pool, ws) if s.state == "connected"] or list(KINDS)
    failed = 0
    for kind in kinds:
        try:
            print(f"{kind}: ok — {test_connection(pool, ws, store, kind)}")
        except ValueError as exc:
            print(f"{kind}: failed — {exc}")
            failed += 1
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    from jamono.cli.kb import _team
    from jamono.integrations.manage import ConnectError
    from jamono.platform.db import open_pool
    from jamono.platform.tenancy import UnknownWorkspace, load_workspace
    from jamono.workspaces.credentials import credential_store

    args = _parser().parse_args(argv)
    settings = get_settings()
    pool = open_pool(settings, max_size=2, name="jamono-integrations-cli")
    try:
        try:
            ws = load_workspace(pool, _team(args.team))
        except UnknownWorkspace as exc:
            print(f"jamono integrations: no workspace {exc}", file=sys.stderr)
            return 1
        try:
            return _run(args, pool, ws, credential_store(settings))
        except ConnectError as exc:
            print(f"jamono integrations: {exc}", file=sys.stderr)
            return 1
        except OSError as exc:
            print(f"jamono integrations: cannot read the token file ({exc.strerror})", file=sys.stderr)
            return 1
    finally:
        pool.close()
