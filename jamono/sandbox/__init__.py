"""The Slack sandbox: a loopback Slack (Web API + signed events) for development and tests.
Why and how: docs/design/sandbox.md."""

from .models import ApiCall, Change
from .sender import SentResponse, SlackEventSender
from .server import SandboxThread, SlackSandbox

__all__ = ["ApiCall", "Change", "SandboxThread", "SentResponse", "SlackEventSender", "SlackSandbox"]
