"""`python -m jamono.sandbox --events-url … --signing-secret …`: a sandbox plus a terminal chat, for an
app running in another process: point its Slack client at the printed API URL, and chat."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os

from .chat import run_chat
from .sender import SlackEventSender
from .server import SlackSandbox


async def _main(args: argparse.Namespace) -> None:
    sandbox = SlackSandbox(bot_token=args.bot_token)
    await sandbox.start(args.host, args.port)
    print(f"Slack sandbox Web API: {sandbox.api_url}  (bot token {sandbox.bot_token})")
    if args.echo:
        sandbox.echo_events_to(args.events_url, args.signing_secret)
    try:
        async with SlackEventSender(args.events_url, args.signing_secret, sandbox=sandbox) as sender:
            await run_chat(sandbox, sender, user=args.user)
    finally:
        await sandbox.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m jamono.sandbox", description=__doc__)
    parser.add_argument(
        "--events-url", default=os.environ.get("SANDBOX_EVENTS_URL", "http://127.0.0.1:3000/slack/events")
    )
    parser.add_argument("--signing-secret", default=os.environ.get("SLACK_SIGNING_SECRET", "sandbox-signing-secret"))
    parser.add_argument("--bot-token", default="xoxb-sandbox-token")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT", "0")))
    parser.add_argument("--user", default="U0DEV")
    parser.add_argument("--echo", action="store_true", help="echo NOX's own posts back as message events")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
