"""Jira as a TicketTracker, through the `jira` client library.
Why and how: docs/design/integrations.md."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import urlsplit

import requests
from jira import JIRA, JIRAError
from urllib3.exceptions import NewConnectionError

from jamono.integrations.base import (
    FINGERPRINT_LABEL_PREFIX,
    IntegrationError,
    Ticket,
    TicketRequest,
    check_fingerprint,
    check_project_key,
    has_marker,
    with_marker,
)
from jamono.integrations.egress import EgressPolicy, default_policy, guard_session
from jamono.integrations.priorities import DEFAULT_PRIORITIES, map_priority
from jamono.integrations.retry import RetryPolicy, call_with_retries, parse_retry_after
from jamono.integrations.ticket_text import render_description

__all__ = ["DEFAULT_PRIORITIES", "JiraTracker", "classify_jira_error", "map_priority"]

log = logging.getLogger(__name__)

_CLOUD_HOSTS = (".atlassian.net", ".jira.com")


_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]{0,39}")


def _jira_messages(response: requests.Response | None) -> str:
    """Jira's own words (errorMessages, field errors): for our logs only, never for Slack."""
    if response is None:
        return ""
    try:
        body = response.json()
    except ValueError:
        text = (response.text or "").strip()
        return text[:300] if text and not text.lstrip().startswith("<") else ""
    if not isinstance(body, dict):
        return ""
    parts = [str(m) for m in body.get("errorMessages") or [] if m]
    errors = body.get("errors")
    if isinstance(errors, dict):
        parts += [f"{field}: {message}" for field, message in errors.items()]
    if not parts and body.get("message"):
        parts.append(str(body["message"]))
    return "; ".join(parts)[:500]


def _field_names(response: requests.Response | None) -> str:
    """The names of the fields Jira complained about, when they look like field names: the one
    part of Jira's answer shown to people (its sentences are the server's, not ours)."""
    try:
        errors = response.json().get("errors") if response is not None else None
    except (ValueError, AttributeError):
        return ""
    if not isinstance(errors, dict):
        return ""
    names = [str(k) for k in errors if _FIELD_NAME.fullmatch(str(k))][:5]
    return f"; check the field{'s' if len(names) > 1 else ''} {', '.join(names)}" if names else ""


def _never_sent(exc: requests.exceptions.ConnectionError) -> bool:
    """True when the connection itself failed (refused, unresolvable), so nothing reached Jira."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


def _from_jira_error(exc: JIRAError) -> IntegrationError:
    status = exc.status_code
    messages = _jira_messages(exc.response)
    if messages:
        log.info("Jira's answer", extra={"status": status, "jira_messages": messages})
    # Never Jira's text in the reason: the URL is a tenant's, so its answer is a stranger's.
    suffix = _field_names(exc.response)
    if status is None:
        return IntegrationError("Jira gave an unexpected answer", retryable=False)
    if status == 401:
        return IntegrationError("Jira rejected the credentials (check the account email and API token)", status=401)
    if status == 403:
        return IntegrationError("Jira refused the request: the account lacks permission", status=403)
    if status == 404:
        return IntegrationError("Jira could not find it (HTTP 404)", status=404)
    if status == 429 or status == 503:
        headers = exc.response.headers if exc.response is not None else {}
        return IntegrationError(
            "Jira is rate limiting NOX" if status == 429 else "Jira is temporarily unavailable",
            retryable=True,
            retry_after_s=parse_retry_after(headers.get("Retry-After")),
            status=status,
        )
    if status >= 500:
        return IntegrationError(
            f"Jira had an internal error (HTTP {status})", retryable=True, status=status, maybe_applied=True
        )
    return IntegrationError(f"Jira rejected the request (HTTP {status}{suffix})", status=status)


def classify_jira_error(exc: Exception, *, timeout_s: float) -> IntegrationError | None:
    """Turn what the jira/requests stack raises into a user-safe, retry-aware IntegrationError."""
    if isinstance(exc, JIRAError):
        return _from_jira_error(exc)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return IntegrationError(f"Could not connect to Jira within {timeout_s:g}s", retryable=True)
    if isinstance(exc, requests.exceptions.Timeout):
        return IntegrationError(f"Jira did not answer within {timeout_s:g}s", retryable=True, maybe_applied=True)
    if isinstance(exc, requests.exceptions.ConnectionError):
        # Refused before sending is harmless to repeat; a reset after sending is not known to be.
        return IntegrationError("Could not reach Jira", retryable=True, maybe_applied=not _never_sent(exc))
    if isinstance(exc, requests.exceptions.RequestException):
        return IntegrationError("Could not talk to Jira", retryable=True, maybe_applied=True)
    return None


class JiraTracker:
    """TicketTracker for Jira Cloud and Jira Server/Data Center (REST API v2, basic auth)."""

    def __init__(
        self,
        url: str,
        email: str,
        api_token: str,
        *,
        timeout_s: float = 10,
        max_retries: int = 3,
        deployment: Literal["auto", "cloud", "server"] = "auto",
        retry_policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        egress: EgressPolicy | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self._policy = retry_policy or RetryPolicy(max_retries=max_retries)
        self._sleep = sleep
        # max_retries=0: the library would otherwise sleep up to a minute per 429, inside our worker.
        self._client = JIRA(
            server=self.url,
            basic_auth=(email, api_token),
            timeout=timeout_s,
            max_retries=0,
            get_server_info=False,
        )
        # The URL is a tenant's: every request (and redirect hop) goes through the egress guard.
        guard_session(self._client._session, egress or default_policy())  # noqa: SLF001
        if deployment == "auto":
            host = urlsplit(self.url).hostname or ""
            deployment = "cloud" if host.endswith(_CLOUD_HOSTS) else "server"
        # Jira Cloud removed GET /search; the library routes to /search/jql when it knows it is Cloud.
        self._client.deploymentType = "Cloud" if deployment == "cloud" else "Server"

    def __repr__(self) -> str:
        return f"JiraTracker({self.url!r})"

    def close(self) -> None:
        """Release pooled connections; workers build a tracker per job, so this runs often."""
        self._client.close()

    def __enter__(self) -> JiraTracker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the TicketTracker protocol --

    def find_by_fingerprint(self, project_key: str, fingerprint: str) -> Ticket | None:
        key, label = check_project_key(project_key), FINGERPRINT_LABEL_PREFIX + check_fingerprint(fingerprint)
        return self._retry(lambda: self._find(key, label), "Jira search")

    def create(self, request: TicketRequest) -> Ticket:
        """Find-or-create: every attempt first looks for the fingerprint label."""

        def attempt() -> Ticket:
            existing = self._find(request.project_key, request.fingerprint_label)
            return existing if existing is not None else self._post_issue(request)

        return self._retry(attempt, "Jira create issue")

    def comment(self, ticket_key: str, body: str, *, marker: str | None = None) -> None:
        """With a marker, find-or-comment: every attempt first looks for it among the issue's
        comments, so a request that may have landed is retried safely (and a crashed worker's
        redelivery does not comment twice). Without one, a request that may have landed is not
        repeated."""
        text = with_marker(body, marker)
        if marker is None:
            self._retry(lambda: self._client.add_comment(ticket_key, text), "Jira comment", idempotent=False)
            return

        def attempt() -> None:
            if not any(has_marker(str(c.body), marker) for c in self._client.comments(ticket_key)):
                self._client.add_comment(ticket_key, text)

        self._retry(attempt, "Jira comment")

    def set_priority(self, ticket_key: str, priority: str) -> None:
        """PUT the issue's priority (idempotent: the same value twice is one change)."""
        url = f"{self.url}/rest/api/2/issue/{ticket_key}"
        body = json.dumps({"fields": {"priority": {"name": priority}}})
        self._retry(lambda: self._client._session.put(url, data=body), "Jira priority")

    def transition_to(self, ticket_key: str, status: str) -> str | None:
        """Move the issue to `status` when its workflow offers a transition there; the issue's
        status afterwards (None when it could not be read). Already there: nothing to do."""

        def attempt() -> str | None:
            current = self._status(ticket_key)
            if current is not None and current.lower() == status.lower():
                return current
            for transition in self._client.transitions(ticket_key):
                if str((transition.get("to") or {}).get("name", "")).lower() == status.lower():
                    self._client.transition_issue(ticket_key, transition["id"])
                    return self._status(ticket_key)
            return current  # the workflow does not allow it from here

        return self._retry(attempt, "Jira transition")

    def status(self, ticket_key: str) -> str | None:
        return self._retry(lambda: self._status(ticket_key), "Jira issue")

    def _status(self, ticket_key: str) -> str | None:
        issue = self._client.issue(ticket_key, fields="status")
        status = getattr(issue.fields, "status", None)
        return getattr(status, "name", None) if status is not None else None

    def priorities(self) -> list[str]:
        return self._retry(lambda: [p.name for p in self._client.priorities()], "Jira priorities")

    def check(self) -> str:
        """Server title and version, and who NOX is there: serverInfo alone answers anonymously."""

        def attempt() -> str:
            info = self._client.server_info()
            me = self._client.myself()
            who = me.get("displayName") or me.get("emailAddress") or me.get("name") or "?"
            title, version = info.get("serverTitle", "Jira"), info.get("version", "?")
            return f"{title} {version} ({info.get('deploymentType', '?')}), as {who}"

        return self._retry(attempt, "Jira check")

    # -- internals --

    def _retry(self, attempt: Callable[[], Any], what: str, *, idempotent: bool = True) -> Any:
        return call_with_retries(
            attempt,
            classify=lambda exc: classify_jira_error(exc, timeout_s=self.timeout_s),
            policy=self._policy,
            what=what,
            idempotent=idempotent,
            sleep=self._sleep,
        )

    def _find(self, project_key: str, label: str) -> Ticket | None:
        # Both values are pattern-checked, so quoting cannot be broken out of.
        jql = f'project = "{project_key}" AND labels = "{label}" ORDER BY created ASC'
        result = self._client.search_issues(jql, maxResults=1, fields=["summary"], json_result=True)
        issues = result.get("issues") or []
        if not issues:
            return None
        return self._ticket(issues[0])

    def _post_issue(self, request: TicketRequest) -> Ticket:
        fields: dict[str, Any] = {
            # Dicts, not bare names: a bare project or type name costs the library extra lookups.
            "project": {"key": request.project_key},
            "issuetype": {"name": request.issue_type},
            "summary": request.summary,
            "description": render_description(request),
            "labels": request.all_labels(),
        }
        if request.priority:
            fields["priority"] = {"name": request.priority}
        issue = self._client.create_issue(fields=fields, prefetch=False)
        return self._ticket(issue.raw)

    def _ticket(self, raw: dict[str, Any]) -> Ticket:
        return Ticket(key=raw["key"], id=str(raw["id"]), url=f"{self.url}/browse/{raw['key']}")
