"""JiraTracker driven through the real `jira` library against the loopback Jira stand-in."""

from __future__ import annotations

import time

import pytest

from jamono.integrations import IntegrationError, TicketRequest, TicketTracker
from jamono.integrations.jira.tracker import JiraTracker
from tests.integrations.doubles import Closer, Sleeps
from tests.standins.jira_api import JiraStandIn


def incident(fingerprint: str = "inc-7f3a", **overrides: object) -> TicketRequest:
    values: dict = {
        "project_key": "OPS",
        "issue_type": "Incident",
        "summary": "Checkout API 5xx spike",
        "description": "Error rate above 20% since 14:02.",
        "priority": "Highest",
        "labels": ["nox", "checkout"],
        "fingerprint": fingerprint,
        "reporter_name": "Ada",
        "slack_permalink": "https://acme.slack.com/archives/C042/p1717171717",
    }
    return TicketRequest(**{**values, **overrides})


def test_is_a_ticket_tracker(tracker: JiraTracker) -> None:
    assert isinstance(tracker, TicketTracker)


def test_create_then_find_by_fingerprint(tracker: JiraTracker, jira: JiraStandIn) -> None:
    assert tracker.find_by_fingerprint("OPS", "inc-7f3a") is None
    ticket = tracker.create(incident())
    assert ticket.key == "OPS-1" and ticket.url == f"{jira.url}/browse/OPS-1" and ticket.id
    assert tracker.find_by_fingerprint("OPS", "inc-7f3a") == ticket
    assert tracker.find_by_fingerprint("OPS", "other") is None

    [issue] = jira.issues
    assert issue.labels == ["nox", "checkout", "nox-fp-inc-7f3a"]
    assert issue.fields["priority"] == {"name": "Highest"}
    assert issue.fields["issuetype"] == {"name": "Incident"}
    assert "https://acme.slack.com/archives/C042/p1717171717" in issue.fields["description"]
    search = jira.calls("GET", "/search")[1]
    assert search.query["jql"] == ['project = "OPS" AND labels = "nox-fp-inc-7f3a" ORDER BY created ASC']


def test_create_is_find_or_create(tracker: JiraTracker, jira: JiraStandIn) -> None:
    first = tracker.create(incident())
    assert tracker.create(incident()) == first
    assert len(jira.issues) == 1 and len(jira.calls("POST", "/rest/api/2/issue")) == 1


def test_comment_and_priorities(tracker: JiraTracker, jira: JiraStandIn) -> None:
    ticket = tracker.create(incident())
    tracker.comment(ticket.key, "Mitigated: rolled back to v41.")
    assert [c["body"] for c in jira.issue(ticket.key).comments] == ["Mitigated: rolled back to v41."]
    assert tracker.priorities() == ["Highest", "High", "Medium", "Low", "Lowest"]


def test_check_reports_server_and_identity(tracker: JiraTracker) -> None:
    assert tracker.check() == "Jira stand-in 9.12.2 (Server), as NOX"


def test_retries_after_500(tracker: JiraTracker, jira: JiraStandIn, sleeps: Sleeps) -> None:
    jira.fail_next(2, 500)
    assert tracker.priorities()
    assert len(jira.calls("GET", "/priority")) == 3 and len(sleeps) == 2


def test_429_honours_retry_after(tracker: JiraTracker, jira: JiraStandIn, sleeps: Sleeps) -> None:
    jira.fail_next(1, 429, retry_after=7)
    tracker.create(incident())
    assert sleeps == [7.0]
    assert len(jira.issues) == 1


def test_429_retry_after_is_really_waited(jira: JiraStandIn, closer: Closer) -> None:
    tracker = closer(JiraTracker(jira.url, jira.email, jira.api_token, timeout_s=2))
    jira.fail_next(1, 429, retry_after=1)
    started = time.monotonic()
    tracker.priorities()
    first, second = jira.calls("GET", "/priority")
    assert second.at - first.at >= 1.0 and time.monotonic() - started < 3


def test_retries_are_bounded(tracker: JiraTracker, jira: JiraStandIn, sleeps: Sleeps) -> None:
    jira.fail_next(10, 503)
    with pytest.raises(IntegrationError) as caught:
        tracker.priorities()
    assert caught.value.retryable and caught.value.status == 503
    assert len(jira.calls("GET", "/priority")) == 4  # 1 + max_retries
    assert len(sleeps) == 3


def test_long_retry_after_is_left_to_the_job_queue(tracker: JiraTracker, jira: JiraStandIn, sleeps: Sleeps) -> None:
    jira.fail_next(1, 429, retry_after=600)
    with pytest.raises(IntegrationError) as caught:
        tracker.priorities()
    assert caught.value.retryable and caught.value.retry_after_s == 600 and sleeps == []


def test_401_fails_at_once_with_a_clear_reason(jira: JiraStandIn, sleeps: Sleeps, closer: Closer) -> None:
    tracker = closer(JiraTracker(jira.url, jira.email, "wrong-token-s3cr3t", sleep=sleeps))
    with pytest.raises(IntegrationError) as caught:
        tracker.create(incident())
    error = caught.value
    assert not error.retryable and error.status == 401
    assert error.reason == "Jira rejected the credentials (check the account email and API token)"
    assert len(jira.requests) == 1 and sleeps == [] and jira.issues == []
    # Nothing the caller might log carries the token or the library's request dump.
    assert error.__cause__ is None and error.__context__ is None
    assert "s3cr3t" not in f"{error!s}{error!r}"


def test_400_names_the_fields_but_never_echoes_jiras_sentences(
    tracker: JiraTracker, jira: JiraStandIn, sleeps: Sleeps
) -> None:
    with pytest.raises(IntegrationError) as caught:
        tracker.create(incident(priority="Apocalyptic", project_key="OPS"))
    assert not caught.value.retryable and caught.value.status == 400
    # The field's name helps the admin; Jira's sentence is a remote server's text and stays in our logs.
    assert caught.value.reason == "Jira rejected the request (HTTP 400; check the field priority)"
    assert sleeps == []


def test_unknown_project_is_reported(tracker: JiraTracker, sleeps: Sleeps) -> None:
    with pytest.raises(IntegrationError) as caught:
        tracker.create(incident(project_key="NOPE"))
    assert caught.value.reason == "Jira rejected the request (HTTP 400)"
    assert "NOPE" not in caught.value.reason
    assert not caught.value.retryable and sleeps == []


def test_timeout_is_retryable(tracker: JiraTracker, jira: JiraStandIn, sleeps: Sleeps) -> None:
    jira.delay_next(1.0, path_contains="/priority")
    assert tracker.priorities() == ["Highest", "High", "Medium", "Low", "Lowest"]
    assert len(jira.calls("GET", "/priority")) == 2 and len(sleeps) == 1


def test_timeout_that_keeps_happening_is_reported_as_retryable(
    jira: JiraStandIn, sleeps: Sleeps, closer: Closer
) -> None:
    tracker = closer(JiraTracker(jira.url, jira.email, jira.api_token, timeout_s=0.2, max_retries=1, sleep=sleeps))
    jira.delay_next(0.6, n=2)
    with pytest.raises(IntegrationError) as caught:
        tracker.check()
    assert caught.value.retryable and "did not answer within 0.2s" in caught.value.reason


def test_unreachable_jira_is_retryable(closer: Closer) -> None:
    standin = JiraStandIn().start()
    url = standin.url
    standin.stop()
    tracker = closer(JiraTracker(url, "a@b.c", "t", timeout_s=0.5, max_retries=1, sleep=lambda s: None))
    with pytest.raises(IntegrationError) as caught:
        tracker.priorities()
    assert caught.value.retryable and caught.value.reason == "Could not reach Jira"


@pytest.mark.parametrize("mode", ["500", "drop"])
def test_lost_create_response_still_gives_exactly_one_ticket(
    tracker: JiraTracker, jira: JiraStandIn, sleeps: Sleeps, mode: str
) -> None:
    jira.crash_after_create(mode=mode)
    ticket = tracker.create(incident())
    assert [issue.key for issue in jira.issues] == [ticket.key]
    assert len(jira.calls("POST", "/rest/api/2/issue")) == 1  # the retry found it instead of posting again


def test_create_timeout_after_the_issue_landed_gives_exactly_one_ticket(
    tracker: JiraTracker, jira: JiraStandIn
) -> None:
    jira.delay_next(1.0, method="POST", path_contains="/rest/api/2/issue")
    ticket = tracker.create(incident())
    assert [issue.key for issue in jira.issues] == [ticket.key]


def test_worker_crash_between_create_and_record_then_redelivery(
    tracker: JiraTracker, jira: JiraStandIn, closer: Closer
) -> None:
    """The actor created the ticket, died before recording it, and the job ran again."""
    tracker.create(incident())  # result lost with the worker
    again = closer(JiraTracker(jira.url, jira.email, jira.api_token))  # a fresh worker process
    assert again.find_by_fingerprint("OPS", "inc-7f3a") is not None
    assert again.create(incident()).key == "OPS-1"
    assert len(jira.issues) == 1


def test_comment_is_not_repeated_when_it_may_have_landed(tracker: JiraTracker, jira: JiraStandIn) -> None:
    ticket = tracker.create(incident())
    jira.delay_next(1.0, method="POST", path_contains="/comment")
    with pytest.raises(IntegrationError) as caught:
        tracker.comment(ticket.key, "Update")
    assert caught.value.maybe_applied
    assert len(jira.issue(ticket.key).comments) == 1  # one, not two
    jira.fail_next(1, 503, method="POST", path_contains="/comment")  # refused, so safe to repeat
    tracker.comment(ticket.key, "Second update")
    assert len(jira.issue(ticket.key).comments) == 2


def test_jira_cloud_uses_the_new_search_endpoint(sleeps: Sleeps, closer: Closer) -> None:
    with JiraStandIn(deployment="Cloud") as cloud:
        tracker = closer(JiraTracker(cloud.url, cloud.email, cloud.api_token, deployment="cloud", sleep=sleeps))
        ticket = tracker.create(incident())
        assert tracker.find_by_fingerprint("OPS", "inc-7f3a") == ticket
        assert cloud.calls("GET", "/rest/api/2/search/jql") and not [
            c for c in cloud.calls(path_contains="/search") if c.path.endswith("/search")
        ]


def test_cloud_is_detected_from_the_host() -> None:
    with JiraTracker("https://acme.atlassian.net", "a@b.c", "t") as cloud:
        assert cloud._client._is_cloud
    with JiraTracker("https://jira.acme.internal", "a@b.c", "t") as server:
        assert not server._client._is_cloud


def test_a_marked_comment_is_retried_safely_and_never_doubled(tracker: JiraTracker, jira: JiraStandIn) -> None:
    ticket = tracker.create(incident("inc-marked"))
    jira.delay_next(1.0, method="POST", path_contains="/comment")  # it lands, the answer is lost
    tracker.comment(ticket.key, "Reported again", marker="nox-action-1")  # the retry looks first and finds it
    tracker.comment(ticket.key, "Reported again", marker="nox-action-1")  # a redelivered job: found again
    assert [(r.method, r.status) for r in jira.calls(path_contains="/comment")] == [
        ("GET", 200),
        ("POST", 201),
        ("GET", 200),
        ("GET", 200),
    ]  # the lost answer was not posted again
    assert [c["body"] for c in jira.issue(ticket.key).comments] == ["Reported again\n\n(ref nox-action-1)"]
    tracker.comment(ticket.key, "Another report", marker="nox-action-2")
    assert len(jira.issue(ticket.key).comments) == 2
