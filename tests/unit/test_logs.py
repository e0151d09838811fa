import io
import json
import logging

from jamono.logs import setup_logging


def test_secrets_never_reach_the_logs():
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    setup_logging("INFO", "json", stream)
    log = logging.getLogger("test.secrets")
    log.info("posting with xoxb-1234-5678-abcdef to postgresql://app:hunter2@db/jamono",
             extra={"slack_token": "xoxp-999", "authorization": "Bearer abcdefghijklmnop"})
    root.handlers[:], _ = saved[0], root.setLevel(saved[1])
    line = stream.getvalue().strip()
    entry = json.loads(line)
    for secret in ("xoxb-1234", "hunter2", "xoxp-999", "abcdefghijklmnop"):
        assert secret not in line
    assert entry["level"] == "info" and entry["logger"] == "test.secrets"
