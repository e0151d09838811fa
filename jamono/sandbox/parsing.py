"""Read a Web API request the way Slack does: query, form, multipart or JSON, token anywhere.
Why and how: docs/design/sandbox.md."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .models import SlackError

# Fields that travel as JSON strings inside form bodies.
JSON_FIELDS = ("blocks", "attachments", "metadata", "view", "user_auth_blocks", "unfurls")


@dataclass
class ParsedRequest:
    params: dict[str, Any]
    token: str | None
    client_auth: tuple[str, str] | None
    transport: str  # "json", "form", "multipart" or "query"


async def parse_api_request(request: web.Request) -> ParsedRequest:
    params: dict[str, Any] = dict(request.query)
    transport = "query"
    if request.can_read_body:
        if request.content_type == "application/json":
            transport = "json"
            raw = await request.read()
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise SlackError("invalid_json") from None
                if not isinstance(body, dict):
                    raise SlackError("invalid_json")
                params.update(body)
        else:
            transport = "multipart" if request.content_type.startswith("multipart/") else "form"
            form = await request.post()
            for key, value in form.items():
                params[key] = _form_value(value)
    for key in JSON_FIELDS:
        params[key] = _maybe_json(params[key]) if key in params else None
        if params[key] is None:
            del params[key]
    token, client_auth = _credentials(request.headers.get("Authorization", ""))
    form_token = params.pop("token", None)
    return ParsedRequest(params=params, token=token or form_token, client_auth=client_auth, transport=transport)


def _form_value(value: Any) -> Any:
    if isinstance(value, web.FileField):
        return {"filename": value.filename, "content_type": value.content_type, "size": len(value.file.read())}
    return value


def _maybe_json(value: Any) -> Any:
    """A JSON-looking string becomes data; anything else is left for validation to reject."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _credentials(header: str) -> tuple[str | None, tuple[str, str] | None]:
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), None
    if scheme.lower() == "basic" and value.strip():
        try:
            client_id, _, secret = base64.b64decode(value.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        return None, (client_id, secret)
    return None, None
