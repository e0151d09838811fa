"""The Slack sandbox: a loopback Slack (Web API + signed events) for development and tests.

    async with SlackSandbox() as sandbox:
        client = AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
        async with SlackEventSender(app_events_url, signing_secret, sandbox=sandbox) as sender:
            mention = sender.app_mention("U0DEV", "C0OPS", "why is CI red?")
            await sender.send_event(mention)
            reply = await sandbox.wait_for_bot_reply("C0OPS", mention["event"]["ts"])

Sync code and other event loops use `SandboxThread` (the sandbox on its own thread).
"""

from .models import ApiCall, Change
from .sender import SentResponse, SlackEventSender
from .server import SandboxThread, SlackSandbox

__all__ = ["ApiCall", "Change", "SandboxThread", "SentResponse", "SlackEventSender", "SlackSandbox"]
