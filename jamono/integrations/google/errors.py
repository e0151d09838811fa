"""What googleapiclient, google-auth and httplib2 raise, turned into IntegrationErrors."""

from __future__ import annotations

import http.client
import json
import logging
import re

import httplib2
from google.auth.exceptions import RefreshError, TransportError
from googleapiclient.errors import HttpError

from jamono.integrations.base import IntegrationError
from jamono.integrations.retry import parse_retry_after

log = logging.getLogger(__name__)

# Google Calendar signals rate limits as 403 with these reasons as well as with 429.
_RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}


def google_error_details(exc: HttpError) -> tuple[str, set[str]]:
    """Google's message and the machine-readable reasons from an error body."""
    try:
        body = json.loads(exc.content.decode("utf-8") if isinstance(exc.content, bytes) else exc.content)
    except (ValueError, AttributeError, UnicodeDecodeError):
        return "", set()
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return (str(error) if error else ""), set()
    reasons = {str(item.get("reason")) for item in error.get("errors") or [] if isinstance(item, dict)}
    return str(error.get("message") or ""), reasons


_OAUTH_CODE = re.compile(r"[a-z][a-z0-9_]{2,40}")


def _refresh_reason(exc: RefreshError) -> str:
    """The OAuth error code only (e.g. invalid_grant), when it looks like one: the token endpoint
    may be a tenant's (`token_uri`), so anything else it says stays out of the reason."""
    text = str(exc.args[0]) if exc.args else ""
    code = text.split(":", 1)[0].strip()
    return code if _OAUTH_CODE.fullmatch(code) else ""


def _from_http_error(exc: HttpError) -> IntegrationError:
    status = int(exc.resp.status)
    message, reasons = google_error_details(exc)
    if message:
        log.info("Google's answer", extra={"status": status, "google_message": message[:300]})
    # Never the server's text in the reason: the endpoint may be a tenant's.
    retry_after = parse_retry_after(exc.resp.get("retry-after"))
    if status == 401:
        return IntegrationError("Google rejected the credentials", status=401)
    if status == 429 or (status == 403 and reasons & _RATE_LIMIT_REASONS):
        return IntegrationError(
            "Google Calendar is rate limiting NOX", retryable=True, retry_after_s=retry_after, status=status
        )
    if status == 403:
        return IntegrationError("Google Calendar refused the request (HTTP 403)", status=403)
    if status == 404:
        return IntegrationError("Google Calendar could not find it (HTTP 404)", status=404)
    if status == 503:
        return IntegrationError(
            "Google Calendar is temporarily unavailable", retryable=True, retry_after_s=retry_after, status=503
        )
    if status >= 500:
        return IntegrationError(
            f"Google Calendar had an internal error (HTTP {status})",
            retryable=True,
            retry_after_s=retry_after,
            status=status,
            maybe_applied=True,
        )
    return IntegrationError(f"Google Calendar rejected the request (HTTP {status})", status=status)


def _from_refresh_error(exc: RefreshError) -> IntegrationError:
    code = _refresh_reason(exc)
    if code == "unauthorized_client":
        return IntegrationError(
            "Google refused to let NOX act for this user: domain-wide delegation is not granted for the Calendar scope"
        )
    if getattr(exc, "retryable", False):
        return IntegrationError("Google's sign-in service is temporarily unavailable", retryable=True)
    return IntegrationError(f"Google rejected the credentials ({code or 'token refresh failed'})")


def classify_google_error(exc: Exception, *, timeout_s: float) -> IntegrationError | None:
    if isinstance(exc, HttpError):
        return _from_http_error(exc)
    if isinstance(exc, RefreshError):
        return _from_refresh_error(exc)
    if isinstance(exc, TransportError):
        return IntegrationError("Could not reach Google's sign-in service", retryable=True)
    if isinstance(exc, TimeoutError):
        return IntegrationError(
            f"Google Calendar did not answer within {timeout_s:g}s", retryable=True, maybe_applied=True
        )
    if isinstance(exc, ConnectionRefusedError | httplib2.ServerNotFoundError):
        return IntegrationError("Could not reach Google Calendar", retryable=True)
    if isinstance(exc, OSError | http.client.HTTPException | httplib2.HttpLib2Error):
        return IntegrationError("Lost the connection to Google Calendar", retryable=True, maybe_applied=True)
    return None
