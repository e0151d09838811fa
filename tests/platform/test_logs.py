import io
import json
import logging

from jamono.platform.logs import setup_logging


def test_secrets_never_reach_the_logs():
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    setup_logging("INFO", "json", stream)
    log = logging.getLogger("test.secrets")
    log.info(
        "posting with xoxb-1234-5678-abcdef to postgresql://app:hunter2@db/jamono",
        extra={"slack_token": "xoxp-999", "authorization": "Bearer abcdefghijklmnop"},
    )
    root.handlers[:], _ = saved[0], root.setLevel(saved[1])
    line = stream.getvalue().strip()
    entry = json.loads(line)
    for secret in ("xoxb-1234", "hunter2", "xoxp-999", "abcdefghijklmnop"):
        assert secret not in line
    assert entry["level"] == "info" and entry["logger"] == "test.secrets"


def _log_lines(fmt: str, emit) -> str:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    setup_logging("DEBUG", fmt, stream)
    try:
        emit()
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    return stream.getvalue()


def test_more_kinds_of_secret_are_scrubbed():
    secrets = {
        "response_url": "https://hooks.slack.com/commands/T0AAA/1234/abcdefSECRET",
        "github": "ghp_" + "a1" * 15,
        "atlassian": "ATATT3xFfGF0" + "Z" * 30,
        "google": "AIza" + "b" * 35,
        "oauth": "ya29.a0AfH6SMBsecretsecret",
        "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl",
        "pem": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
    }
    log = logging.getLogger("test.secrets.more")
    out = _log_lines(
        "json",
        lambda: (
            [log.warning("leak %s", value) for value in secrets.values()]
            + [log.info("headers", extra={"headers": {"X-Slack-Signature": "v0=deadbeef", "Cookie": "sid=1"}})]
        ),
    )
    for value in [*secrets.values(), "abcdefSECRET", "deadbeef", "sid=1"]:
        assert value not in out
    assert out.count("[REDACTED]") >= len(secrets)


def test_every_line_carries_the_request_and_job_ids_of_its_scope():
    from jamono.platform import context

    log = logging.getLogger("slack_sdk.web.base_client")  # any logger, a library's included

    def emit() -> None:
        log.debug("outside any scope")
        token = context.begin(context.Scope("Ev0CORRELATE", "job-123"))
        try:
            log.debug("Sending a request - url: https://slack.com/api/chat.postMessage")
        finally:
            context.end(token)

    lines = [json.loads(line) for line in _log_lines("json", emit).splitlines()]
    assert "request_id" not in lines[0] and "job_id" not in lines[0]
    assert lines[1]["request_id"] == "Ev0CORRELATE" and lines[1]["job_id"] == "job-123"

    def emit_text() -> None:
        token = context.begin(context.Scope("Ev0TEXT", None))
        log.warning("hello")
        context.end(token)

    text = _log_lines("text", emit_text)
    assert "request_id=Ev0TEXT" in text and "job_id" not in text
    assert context.current() is None


def test_a_failed_jobs_log_line_names_the_job_not_what_people_wrote():
    import dramatiq

    message = dramatiq.Message(
        queue_name="nox",
        actor_name="handle_message",
        args=({"text": "our db password is in the wiki, page 3"},),
        kwargs={},
        options={},
    )

    def emit() -> None:
        # Exactly how Dramatiq's worker logs a failure.
        logging.getLogger("dramatiq.worker.WorkerThread").error(
            "Failed to process message %s with unhandled exception.", message
        )

    for fmt in ("json", "text"):
        out = _log_lines(fmt, emit)
        assert f"handle_message[{message.message_id}]" in out and "wiki" not in out


def test_a_real_worker_failing_a_job_logs_no_arguments(redis_url):
    """Through Dramatiq's own worker (which logs a MessageProxy, not a Message): the failure line
    names the job, and neither it nor its traceback carries what the job was given."""
    import uuid

    import dramatiq
    import redis
    from dramatiq.brokers.redis import RedisBroker

    from jamono.platform.logs import guard_root_handlers

    namespace = f"logs-test-{uuid.uuid4().hex[:8]}"
    broker = RedisBroker(client=redis.Redis.from_url(redis_url), namespace=namespace)
    broker.add_middleware(dramatiq.middleware.CurrentMessage())

    def explode(payload: dict) -> None:
        raise ValueError("the job failed")

    actor = dramatiq.actor(explode, broker=broker, actor_name="explode_for_logs", max_retries=0, queue_name="logs")
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    for fmt in ("json", "text"):
        setup_logging("INFO", fmt, stream)
        root.handlers[0].filters.clear()  # as Dramatiq's CLI handler would come: without our filter…
        guard_root_handlers()  # …until workers.all puts it on
        worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
        worker.start()
        try:
            message = actor.send({"text": "our db password is hunter2, see the wiki"})
            broker.join("logs", timeout=10_000)
        finally:
            worker.stop()
            root.handlers[:] = saved[0]
            root.setLevel(saved[1])
        out = stream.getvalue()
        assert f"explode_for_logs[{message.message_id}]" in out, out
        assert "Failed to process message" in out
        assert "hunter2" not in out and "wiki" not in out
    broker.close()
