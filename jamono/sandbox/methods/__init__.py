"""The Web API methods the sandbox answers, by name."""

from __future__ import annotations

from . import auth, canvases, channels, conversations, files, messaging, people, pins, views
from .context import Method, MethodContext, truthy

METHODS: dict[str, Method] = {
    **auth.METHODS,
    **canvases.METHODS,
    **channels.METHODS,
    **conversations.METHODS,
    **files.METHODS,
    **messaging.METHODS,
    **people.METHODS,
    **pins.METHODS,
    **views.METHODS,
}

__all__ = ["METHODS", "Method", "MethodContext", "truthy"]
