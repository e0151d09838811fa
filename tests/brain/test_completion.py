"""Chat completions posted through the openai client's transport, read as plain JSON."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai
import pytest
from openai import OpenAI

from jamono.brain.completion import MalformedCompletion, create_completion
from tests.standins.openai_api import OpenAIStandIn

BODY = {
    "model": "gpt-4o-mini",
    "messages": [{"role": "system", "content": "Answer in JSON."}, {"role": "user", "content": "héllo"}],
    "response_format": {"type": "json_schema", "json_schema": {"name": "a", "schema": {"type": "object"}}},
    "max_tokens": 50,
}


def test_the_body_goes_out_as_given_and_the_reply_is_read() -> None:
    with OpenAIStandIn() as api:
        api.reply({"answer": "ok"})
        client = OpenAI(api_key=api.api_key, base_url=api.base_url, max_retries=0)
        done = create_completion(client, BODY, timeout=5)
        sent = api.last_request
    assert sent.body == BODY and sent.api_key == api.api_key and sent.path == "/v1/chat/completions"
    assert done.choices[0].message.content == '{"answer": "ok"}'
    assert done.choices[0].finish_reason == "stop" and done.model == "gpt-4o-mini"
    assert done.usage is not None and done.usage.total_tokens == done.usage.prompt_tokens + done.usage.completion_tokens


def test_errors_and_retries_are_the_clients() -> None:
    with OpenAIStandIn() as api:
        api.server_error(503)
        api.reply("{}")
        client = OpenAI(api_key=api.api_key, base_url=api.base_url, max_retries=1)
        assert create_completion(client, BODY, timeout=5).choices[0].message.content == "{}"
        api.rate_limit(retry_after=0, times=2)
        with pytest.raises(openai.RateLimitError):
            create_completion(client, BODY, timeout=5)
        assert len(api.requests) == 4


class _NotJson(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers["Content-Length"]))
        raw = b"<html>gateway says hi</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def not_json_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotJson)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_a_200_that_is_not_a_completion_is_a_clear_error(not_json_url: str) -> None:
    client = OpenAI(api_key="k", base_url=not_json_url, max_retries=0)
    with pytest.raises(MalformedCompletion, match="not a chat completion"):
        create_completion(client, BODY, timeout=5)
