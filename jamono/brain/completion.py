"""A chat completion requested and read without the openai client's typed layer, same wire format.
Why: docs/design/brain.md (`jamono/brain/completion.py`)."""

from __future__ import annotations

from typing import Any

from openai import OpenAI
from pydantic import BaseModel, ConfigDict, ValidationError


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Message(_Lenient):
    content: str | None = None
    refusal: str | None = None


class Choice(_Lenient):
    message: Message = Message()
    finish_reason: str | None = None


class Usage(_Lenient):
    prompt_tokens: int | None = 0
    completion_tokens: int | None = 0
    total_tokens: int | None = 0


class Completion(_Lenient):
    """The fields NOX reads of OpenAI's chat-completion object."""

    model: str | None = None
    choices: list[Choice] = []
    usage: Usage | None = None


class MalformedCompletion(ValueError):
    """A 200 whose body is not a chat completion."""


def create_completion(client: OpenAI, body: dict[str, Any], timeout: float) -> Completion:
    """POST /chat/completions through `client` (its auth, retries, timeouts and error classes),
    but with the body as given and the response read as plain JSON: the typed `create()` walked
    every field of the request and the response in Python, 2 of its 3.6 ms of CPU per call."""
    raw = client.post("/chat/completions", body=body, cast_to=bytes, options={"timeout": timeout})
    try:
        return Completion.model_validate_json(raw)
    except ValidationError as exc:
        raise MalformedCompletion(f"not a chat completion ({exc.error_count()} problems)") from None
