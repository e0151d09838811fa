"""The Slack sandbox: a loopback Slack (Web API + signed events) for development and tests."""

from .models import ApiCall, Change
from .sender import SentResponse, SlackEventSender
from .server import SandboxThread, SlackSandbox

__all__ = ["ApiCall", "Change", "SandboxThread", "SentResponse", "SlackEventSender", "SlackSandbox"]
