"""A loopback Google Calendar API (v3) and OAuth token endpoint for googleapiclient/gcsa.

It speaks enough of Google for NOX: the token endpoint (service-account JWT exchange with
domain-wide delegation, and refresh-token grants), calendars.get, events insert/list/get/delete
(client-chosen ids, private extended properties, Google Meet conference creation) and freeBusy.
Bearer tokens are checked. Faults can be injected per request: failures with Retry-After, slow
answers (timeouts) and "crashes" where the event is created but the answer is lost.

    with CalendarStandIn() as google:
        info = google.new_service_account()
        calendar = GoogleCalendar.from_service_account(info, "ada@example.com", api_endpoint=google.api_endpoint)
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
from datetime import UTC, datetime
from email.message import Message
from typing import Any
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ._http import Fault, LoggedRequest, LoopbackStandIn, Reply

CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
API = "/calendar/v3"
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")


def new_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def google_error(code: int, message: str, reason: str, status: str) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"domain": "global", "reason": reason, "message": message}],
            "status": status,
        }
    }


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class CalendarStandIn(LoopbackStandIn):
    thread_name = "calendar-standin"
    content_type = "application/json; charset=UTF-8"

    def __init__(self, *, domain: str = "example.com", time_zone: str = "UTC") -> None:
        super().__init__()
        self.domain = domain
        self.time_zone = time_zone
        # calendar owner -> event id -> event resource (as Google would return it)
        self.events: dict[str, dict[str, dict[str, Any]]] = {}
        self.insert_params: dict[str, dict[str, str]] = {}  # event id -> query of the insert
        self.busy: dict[str, list[tuple[datetime, datetime]]] = {}
        self.unknown_calendars: set[str] = set()  # freeBusy answers notFound for these
        self.conference_pending_reads = 0  # >0: Meet links appear only on a later read
        self._service_accounts: dict[str, Any] = {}  # client_email -> public key
        self._delegation_denied: set[str] = set()
        self._oauth_clients: dict[str, tuple[str, str, str]] = {}  # refresh token -> (id, secret, user)
        self._tokens: dict[str, str] = {}  # access token -> user email

    # -- endpoints (and the lifecycle, `url`, the request log: LoopbackStandIn) --

    @property
    def api_endpoint(self) -> str:
        """What to give googleapiclient as `api_endpoint` (the API root including its path)."""
        return f"{self.url}{API}/"

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    # -- identities --

    def new_service_account(
        self,
        client_email: str | None = None,
        *,
        delegation: bool = True,
        private_key: rsa.RSAPrivateKey | None = None,
    ) -> dict[str, Any]:
        """A service-account key file (as JSON info) whose tokens this stand-in issues.

        Pass `private_key` to reuse one across tests: generating an RSA key takes ~0.1 s.
        """
        client_email = client_email or f"nox-{secrets.token_hex(3)}@nox-project.iam.gserviceaccount.com"
        key = private_key or new_private_key()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        with self._lock:
            self._service_accounts[client_email] = key.public_key()
            if not delegation:
                self._delegation_denied.add(client_email)
        return {
            "type": "service_account",
            "project_id": "nox-project",
            "private_key_id": secrets.token_hex(20),
            "private_key": pem,
            "client_email": client_email,
            "client_id": str(secrets.randbelow(10**20)),
            "token_uri": self.token_uri,
        }

    def new_oauth_grant(self, user_email: str) -> dict[str, str]:
        """An OAuth client plus a user's refresh token, as from an installed-app consent."""
        grant = {
            "client_id": f"{secrets.token_hex(6)}.apps.googleusercontent.com",
            "client_secret": secrets.token_urlsafe(18),
            "refresh_token": "1//" + secrets.token_urlsafe(24),
            "token_uri": self.token_uri,
        }
        with self._lock:
            self._oauth_clients[grant["refresh_token"]] = (grant["client_id"], grant["client_secret"], user_email)
        return grant

    def revoke_access_tokens(self) -> None:
        """Every issued access token stops working (clients must refresh)."""
        with self._lock:
            self._tokens.clear()

    # -- calendars --

    def add_busy(self, email: str, start: datetime, end: datetime) -> None:
        with self._lock:
            self.busy.setdefault(email.lower(), []).append((start.astimezone(UTC), end.astimezone(UTC)))

    def events_of(self, owner: str, *, include_cancelled: bool = False) -> list[dict[str, Any]]:
        with self._lock:
            return [
                e
                for e in self.events.get(owner.lower(), {}).values()
                if include_cancelled or e["status"] != "cancelled"
            ]

    def all_events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [e for calendar in self.events.values() for e in calendar.values()]

    # -- faults (delay_next too: LoopbackStandIn) --

    def fail_next(
        self,
        n: int,
        status: int,
        retry_after: float | str | None = None,
        *,
        method: str | None = None,
        path_contains: str | None = None,
        reason: str | None = None,
    ) -> None:
        """As for any stand-in, with `reason` (backendError by default) the reason in Google's error body."""
        self._add(
            Fault(
                "fail",
                n,
                status=status,
                retry_after=None if retry_after is None else str(retry_after),
                reason=reason or "backendError",
                method=method,
                path_contains=path_contains,
            )
        )

    def crash_after_create(self, n: int = 1, *, mode: str = "500") -> None:
        """The next `n` event inserts happen, but the answer is a 500 ("500") or never comes ("drop")."""
        self._add(Fault("crash", n, mode=mode, method="POST", path_contains="/events"))

    # -- token endpoint --

    def token(self, form: dict[str, str]) -> Reply:
        grant = form.get("grant_type")
        if grant == JWT_GRANT:
            return self._jwt_grant(form.get("assertion", ""))
        if grant == "refresh_token":
            known = self._oauth_clients.get(form.get("refresh_token", ""))
            if known is None:
                return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}, {}
            if (form.get("client_id"), form.get("client_secret")) != known[:2]:
                return 401, {"error": "invalid_client", "error_description": "Unauthorized"}, {}
            return 200, {**self._issue(known[2]), "scope": CALENDAR_SCOPE}, {}
        return 400, {"error": "unsupported_grant_type", "error_description": f"Invalid grant_type: {grant}"}, {}

    def _jwt_grant(self, assertion: str) -> Reply:
        invalid = (400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, {})
        try:
            header_b64, payload_b64, signature_b64 = assertion.split(".")
            header = json.loads(_b64url_decode(header_b64))
            claims = json.loads(_b64url_decode(payload_b64))
        except ValueError:
            return invalid
        public_key = self._service_accounts.get(claims.get("iss", ""))
        if public_key is None or header.get("alg") != "RS256":
            return 401, {"error": "invalid_client", "error_description": "The OAuth client was not found."}, {}
        try:
            public_key.verify(
                _b64url_decode(signature_b64),
                f"{header_b64}.{payload_b64}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return invalid
        now = time.time()
        # google-auth always addresses the assertion to Google's endpoint, whatever token_uri is.
        in_time = claims.get("iat", 0) - 300 <= now <= claims.get("exp", 0) + 300
        if claims.get("aud") not in (self.token_uri, GOOGLE_TOKEN_AUDIENCE) or not in_time:
            return (
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "Invalid JWT: Token must be a short-lived "
                    "token and in a reasonable timeframe.",
                },
                {},
            )
        if CALENDAR_SCOPE not in str(claims.get("scope", "")).split():
            return 400, {"error": "invalid_scope", "error_description": "Invalid OAuth scope."}, {}
        subject = claims.get("sub")
        if subject and claims["iss"] in self._delegation_denied:
            return (
                401,
                {
                    "error": "unauthorized_client",
                    "error_description": "Client is unauthorized to retrieve "
                    "access tokens using this method, or client not authorized for any of the scopes "
                    "requested.",
                },
                {},
            )
        return 200, self._issue(subject or claims["iss"]), {}

    def _issue(self, user: str) -> dict[str, Any]:
        token = "ya29." + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = user.lower()
        return {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def user_for(self, authorization: str | None) -> str | None:
        scheme, _, token = (authorization or "").partition(" ")
        with self._lock:
            return self._tokens.get(token) if scheme.lower() == "bearer" else None

    # -- the API --

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Any, user: str) -> Reply:
        routes: list[tuple[str, str, Any]] = [
            ("GET", rf"{API}/calendars/(?P<cal>[^/]+)", self._get_calendar),
            ("POST", rf"{API}/calendars/(?P<cal>[^/]+)/events", self._insert),
            ("GET", rf"{API}/calendars/(?P<cal>[^/]+)/events", self._list),
            ("GET", rf"{API}/calendars/(?P<cal>[^/]+)/events/(?P<event_id>[^/]+)", self._get_event),
            ("DELETE", rf"{API}/calendars/(?P<cal>[^/]+)/events/(?P<event_id>[^/]+)", self._delete_event),
            ("POST", rf"{API}/freeBusy", self._free_busy),
        ]
        for route_method, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if match and route_method == method:
                params = match.groupdict()
                if "cal" in params:
                    owner = user if params["cal"] == "primary" else params["cal"].lower()
                    if owner != user:
                        return 404, google_error(404, "Not Found", "notFound", "NOT_FOUND"), {}
                    params["cal"] = owner
                return handler(query=query, body=body, user=user, **params)
        return 404, google_error(404, f"No handler for {method} {path}", "notFound", "NOT_FOUND"), {}

    def _get_calendar(self, cal: str, **_: Any) -> Reply:
        return 200, {"kind": "calendar#calendar", "id": cal, "summary": cal, "timeZone": self.time_zone}, {}

    def _insert(self, cal: str, query: dict[str, list[str]], body: Any, user: str, **_: Any) -> Reply:
        body = dict(body or {})
        try:
            start = _parse_time(body["start"]["dateTime"])
            end = _parse_time(body["end"]["dateTime"])
        except (KeyError, TypeError, ValueError):
            return (
                400,
                google_error(400, "Missing time zone definition for start time.", "required", "INVALID_ARGUMENT"),
                {},
            )
        if end <= start:
            return (
                400,
                google_error(400, "The specified time range is empty.", "timeRangeEmpty", "INVALID_ARGUMENT"),
                {},
            )
        event_id = body.get("id") or secrets.token_hex(13)
        if not _EVENT_ID.match(event_id):
            return 400, google_error(400, "Invalid resource id value.", "invalid", "INVALID_ARGUMENT"), {}
        with self._lock:
            calendar = self.events.setdefault(cal, {})
            if event_id in calendar:
                return (
                    409,
                    google_error(409, "The requested identifier already exists.", "duplicate", "ALREADY_EXISTS"),
                    {},
                )
            now = _rfc3339(datetime.now(UTC))
            event = {
                **body,
                "kind": "calendar#event",
                "etag": f'"{secrets.randbelow(10**16)}"',
                "id": event_id,
                "status": "confirmed",
                "htmlLink": "https://www.google.com/calendar/event?eid="
                + base64.urlsafe_b64encode(f"{event_id} {cal}".encode()).decode().rstrip("="),
                "created": now,
                "updated": now,
                "creator": {"email": user, "self": True},
                "organizer": {"email": user, "self": True},
                "iCalUID": f"{event_id}@google.com",
                "sequence": 0,
                "attendees": [{**a, "responseStatus": "needsAction"} for a in body.get("attendees") or []],
            }
            conference = (body.get("conferenceData") or {}).get("createRequest")
            event.pop("conferenceData", None)
            if conference and (query.get("conferenceDataVersion") or ["0"])[0] == "1":
                pending = self.conference_pending_reads > 0
                event["conferenceData"] = _conference(event_id, conference, pending)
                event["_pending_reads"] = self.conference_pending_reads
                if not pending:
                    event["hangoutLink"] = event["conferenceData"]["entryPoints"][0]["uri"]
            calendar[event_id] = event
            self.insert_params[event_id] = {k: v[0] for k, v in query.items()}
        return 200, _public(event), {}

    def _list(self, cal: str, query: dict[str, list[str]], **_: Any) -> Reply:
        wanted = [p.split("=", 1) for p in query.get("privateExtendedProperty", [])]
        time_min = _parse_time(query["timeMin"][0]) if "timeMin" in query else None
        time_max = _parse_time(query["timeMax"][0]) if "timeMax" in query else None
        show_deleted = (query.get("showDeleted") or ["false"])[0] == "true"
        items = []
        for event in self.events_of(cal, include_cancelled=show_deleted):
            private = (event.get("extendedProperties") or {}).get("private") or {}
            if any(len(pair) != 2 or private.get(pair[0]) != pair[1] for pair in wanted):
                continue
            if time_min and _parse_time(event["end"]["dateTime"]) <= time_min:
                continue
            if time_max and _parse_time(event["start"]["dateTime"]) >= time_max:
                continue
            items.append(_public(event))
        items.sort(key=lambda e: _parse_time(e["start"]["dateTime"]))
        return 200, {"kind": "calendar#events", "summary": cal, "timeZone": self.time_zone, "items": items}, {}

    def _get_event(self, cal: str, event_id: str, **_: Any) -> Reply:
        with self._lock:
            event = self.events.get(cal, {}).get(event_id)
            if event is None:
                return 404, google_error(404, "Not Found", "notFound", "NOT_FOUND"), {}
            if event.get("_pending_reads", 0) > 0:
                event["_pending_reads"] -= 1
                if event["_pending_reads"] == 0:
                    event["conferenceData"] = _conference(event_id, event["conferenceData"]["createRequest"], False)
                    event["hangoutLink"] = event["conferenceData"]["entryPoints"][0]["uri"]
            return 200, _public(event), {}

    def _delete_event(self, cal: str, event_id: str, **_: Any) -> Reply:
        with self._lock:
            event = self.events.get(cal, {}).get(event_id)
            if event is None or event["status"] == "cancelled":
                return (
                    410 if event else 404,
                    google_error(410 if event else 404, "Resource has been deleted", "deleted", "GONE"),
                    {},
                )
            event["status"] = "cancelled"
        return 204, None, {}

    def _free_busy(self, body: Any, **_: Any) -> Reply:
        body = body or {}
        try:
            time_min, time_max = _parse_time(body["timeMin"]), _parse_time(body["timeMax"])
        except (KeyError, ValueError):
            return 400, google_error(400, "Bad Request", "badRequest", "INVALID_ARGUMENT"), {}
        calendars: dict[str, Any] = {}
        for item in body.get("items") or []:
            email = str(item.get("id", "")).lower()
            if email in self.unknown_calendars:
                calendars[email] = {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
                continue
            spans = [(s, e) for s, e in self.busy.get(email, [])]
            for event in self.all_events():
                involved = event["organizer"]["email"] == email or any(
                    a.get("email", "").lower() == email for a in event.get("attendees", [])
                )
                if involved and event["status"] != "cancelled" and event.get("transparency") != "transparent":
                    spans.append((_parse_time(event["start"]["dateTime"]), _parse_time(event["end"]["dateTime"])))
            clipped = sorted((max(s, time_min), min(e, time_max)) for s, e in spans if s < time_max and e > time_min)
            calendars[email] = {"busy": [{"start": _rfc3339(s), "end": _rfc3339(e)} for s, e in clipped]}
        return (
            200,
            {
                "kind": "calendar#freeBusy",
                "timeMin": _rfc3339(time_min),
                "timeMax": _rfc3339(time_max),
                "calendars": calendars,
            },
            {},
        )

    # -- serving: the token endpoint, then the fault plan around the authenticated API --

    def _parse_body(self, raw: bytes, content_type: str) -> tuple[Any, Any]:
        if "application/x-www-form-urlencoded" not in content_type:
            return super()._parse_body(raw, content_type)
        try:
            form: Any = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        except ValueError:
            form = None
        return form, {"grant_type": form.get("grant_type")}  # the log keeps no secrets

    def _reply(self, logged: LoggedRequest, body: Any, headers: Message) -> Reply | None:
        method, path = logged.method, logged.path
        if path == "/token" and method == "POST":
            return self.token(body or {})  # the token endpoint takes no injected faults
        failure = self._take("fail", method, path)
        if failure is not None:
            return failure.reply(
                google_error(failure.status, f"Injected failure {failure.status}", failure.reason, "UNAVAILABLE")
            )
        user = self.user_for(headers.get("Authorization"))
        if user is None:
            message = (
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
                "cookie or other valid authentication credential."
            )
            return (
                401,
                google_error(401, message, "authError", "UNAUTHENTICATED"),
                {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
            )
        logged.user = user
        reply = self.handle(method, path, logged.query, body, user)
        created = reply[0] == 200 and method == "POST" and path.endswith("/events")
        return self._lost_or_late(
            logged,
            reply,
            created=created,
            crash=(500, google_error(500, "Backend Error", "backendError", "INTERNAL"), {}),
        )


def _conference(event_id: str, create_request: dict[str, Any], pending: bool) -> dict[str, Any]:
    digest = hashlib.sha256(event_id.encode()).hexdigest()
    letters = "".join(chr(ord("a") + int(c, 16) % 26) for c in digest[:10])
    code = f"{letters[:3]}-{letters[3:7]}-{letters[7:10]}"
    request = {**create_request, "status": {"statusCode": "pending" if pending else "success"}}
    if pending:
        return {"createRequest": request}
    return {
        "createRequest": request,
        "entryPoints": [
            {"entryPointType": "video", "uri": f"https://meet.google.com/{code}", "label": f"meet.google.com/{code}"}
        ],
        "conferenceSolution": {
            "key": {"type": "hangoutsMeet"},
            "name": "Google Meet",
            "iconUri": "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/"
            "logo_meet_2020q4_color_2x_web_512dp.png",
        },
        "conferenceId": code,
    }


def _public(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if not k.startswith("_")}
