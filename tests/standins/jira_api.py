"""A loopback Jira REST API (v2) that the real `jira` client library can drive.

It speaks just enough of Jira for NOX: serverInfo, myself, field, priority, issue create/get,
search (classic /search and Cloud's /search/jql) with the JQL NOX sends, and comments. Basic auth
is checked like Jira does. Faults can be injected per request: failures with Retry-After, slow
answers (timeouts) and "crashes" where the issue is created but the answer is lost.

    with JiraStandIn() as jira:
        tracker = JiraTracker(jira.url, jira.email, jira.api_token)
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from typing import Any

from ._http import Fault, LoggedRequest, LoopbackStandIn, Reply

API = "/rest/api/2"
NOT_AUTHENTICATED = {
    "errorMessages": ["You are not authenticated. Authentication required to perform this operation."],
    "errors": {},
}


@dataclass
class JiraIssue:
    id: str
    key: str
    fields: dict[str, Any]
    created: str
    comments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def project(self) -> str:
        return self.key.split("-", 1)[0]

    @property
    def labels(self) -> list[str]:
        return list(self.fields.get("labels") or [])


class JiraStandIn(LoopbackStandIn):
    thread_name = "jira-standin"
    methods = ("GET", "POST", "PUT", "DELETE")
    content_type = "application/json;charset=UTF-8"

    def __init__(
        self,
        *,
        email: str = "nox-bot@example.com",
        api_token: str = "jira-token-not-secret",
        projects: tuple[str, ...] = ("OPS",),
        issue_types: tuple[str, ...] = ("Task", "Bug", "Incident"),
        priorities: tuple[str, ...] = ("Highest", "High", "Medium", "Low", "Lowest"),
        deployment: str = "Server",  # or "Cloud": then GET /search answers 410 like Jira Cloud
    ) -> None:
        super().__init__()
        self.email = email
        self.api_token = api_token
        self.projects = set(projects)
        self.issue_types = set(issue_types)
        self.priority_names = list(priorities)
        self.deployment = deployment
        self.issues: list[JiraIssue] = []

    # -- faults (and the lifecycle, request log, fail_next, delay_next: LoopbackStandIn) --

    def crash_after_create(self, n: int = 1, *, mode: str = "500") -> None:
        """The next `n` issue creations happen, but the answer is a 500 ("500") or never comes ("drop")."""
        self._add(Fault("crash", n, mode=mode, method="POST", path_contains=f"{API}/issue"))

    # -- inspection --

    def issues_with_label(self, label: str) -> list[JiraIssue]:
        with self._lock:
            return [issue for issue in self.issues if label in issue.labels]

    def issue(self, key: str) -> JiraIssue | None:
        with self._lock:
            return next((issue for issue in self.issues if issue.key == key), None)

    # -- the API --

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Any, auth: str | None) -> Reply:
        authenticated = self._auth_ok(auth)
        if authenticated is False or (authenticated is None and path != f"{API}/serverInfo"):
            return (
                401,
                NOT_AUTHENTICATED,
                {"WWW-Authenticate": 'Basic realm="protected-area"', "X-Seraph-LoginReason": "AUTHENTICATED_FAILED"},
            )
        routes: list[tuple[str, str, Any]] = [
            ("GET", rf"{API}/serverInfo", self._server_info),
            ("GET", rf"{API}/myself", self._myself),
            ("GET", rf"{API}/field", self._fields),
            ("GET", rf"{API}/priority", self._priorities),
            ("POST", rf"{API}/issue", self._create_issue),
            ("GET", rf"{API}/issue/(?P<key>[^/]+)", self._get_issue),
            ("PUT", rf"{API}/issue/(?P<key>[^/]+)", self._edit_issue),
            ("GET", rf"{API}/issue/(?P<key>[^/]+)/transitions", self._transitions),
            ("POST", rf"{API}/issue/(?P<key>[^/]+)/transitions", self._transition),
            ("POST", rf"{API}/issue/(?P<key>[^/]+)/comment", self._add_comment),
            ("GET", rf"{API}/issue/(?P<key>[^/]+)/comment", self._list_comments),
            ("GET", rf"{API}/search", self._search_classic),
            ("POST", rf"{API}/search", self._search_classic),
            ("GET", rf"{API}/search/jql", self._search_jql),
            ("POST", rf"{API}/search/jql", self._search_jql),
        ]
        for route_method, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if match and route_method == method:
                return handler(query=query, body=body, **match.groupdict())
        return 404, {"errorMessages": [f"No resource at {method} {path}"], "errors": {}}, {}

    def _auth_ok(self, header: str | None) -> bool | None:
        """True for the configured account, False for anyone else, None for no credentials."""
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(value).decode("utf-8").partition(":")
        except ValueError:
            return False
        return user == self.email and password == self.api_token

    def _server_info(self, **_: Any) -> Reply:
        version = "1001.0.0-SNAPSHOT" if self.deployment == "Cloud" else "9.12.2"
        return (
            200,
            {
                "baseUrl": self.url,
                "version": version,
                "versionNumbers": [int(p) for p in version.split("-")[0].split(".")],
                "deploymentType": self.deployment,
                "buildNumber": 100234,
                "serverTitle": "Jira stand-in",
            },
            {},
        )

    def _myself(self, **_: Any) -> Reply:
        return (
            200,
            {
                "accountId": "5b10ac8d82e05b22cc7d4ef5",
                "name": "nox-bot",
                "emailAddress": self.email,
                "displayName": "NOX",
                "active": True,
            },
            {},
        )

    def _fields(self, **_: Any) -> Reply:
        names = ["summary", "description", "labels", "priority", "project", "issuetype", "created"]
        return 200, [{"id": n, "key": n, "name": n.title(), "custom": False, "clauseNames": [n]} for n in names], {}

    def _priorities(self, **_: Any) -> Reply:
        return (
            200,
            [
                {
                    "self": f"{self.url}{API}/priority/{i}",
                    "id": str(i),
                    "name": name,
                    "iconUrl": f"{self.url}/images/icons/priorities/{name.lower()}.svg",
                }
                for i, name in enumerate(self.priority_names, start=1)
            ],
            {},
        )

    def _create_issue(self, body: Any, **_: Any) -> Reply:
        fields = (body or {}).get("fields") or {}
        errors: dict[str, str] = {}
        project = (fields.get("project") or {}).get("key")
        if project not in self.projects:
            errors["project"] = "valid project is required"
        if (fields.get("issuetype") or {}).get("name") not in self.issue_types:
            errors["issuetype"] = "valid issue type is required"
        summary = fields.get("summary")
        if not summary:
            errors["summary"] = "You must specify a summary of the issue."
        elif len(summary) > 255:
            errors["summary"] = "Summary must be less than 255 characters."
        elif "\n" in summary or "\r" in summary:
            errors["summary"] = "The summary is invalid because it contains newline characters."
        priority = fields.get("priority")
        if priority is not None and priority.get("name") not in self.priority_names:
            errors["priority"] = "The priority selected is invalid."
        for label in fields.get("labels") or []:
            if " " in label:
                errors["labels"] = f"The label '{label}' contains spaces which is invalid."
        if errors:
            return 400, {"errorMessages": [], "errors": errors}, {}
        with self._lock:
            number = sum(1 for issue in self.issues if issue.project == project) + 1
            issue = JiraIssue(
                id=str(10000 + len(self.issues)),
                key=f"{project}-{number}",
                fields=fields,
                created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            )
            self.issues.append(issue)
        return 201, {"id": issue.id, "key": issue.key, "self": f"{self.url}{API}/issue/{issue.id}"}, {}

    def _issue_json(self, issue: JiraIssue) -> dict[str, Any]:
        return {
            "id": issue.id,
            "key": issue.key,
            "self": f"{self.url}{API}/issue/{issue.id}",
            "fields": {"status": {"name": "To Do"}, **issue.fields, "created": issue.created},
        }

    def _get_issue(self, key: str, **_: Any) -> Reply:
        issue = self.issue(key) or next((i for i in self.issues if i.id == key), None)
        if issue is None:
            return (
                404,
                {"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}},
                {},
            )
        return 200, self._issue_json(issue), {}

    # A small workflow: To Do → In Progress → Done (and Done → To Do). Statuses live in fields.
    WORKFLOW = {
        "11": ("Start progress", "In Progress", ("To Do",)),
        "21": ("Done", "Done", ("To Do", "In Progress")),
        "31": ("Reopen", "To Do", ("Done",)),
    }

    def _status_of(self, issue: JiraIssue) -> str:
        return ((issue.fields.get("status") or {}).get("name")) or "To Do"

    def _edit_issue(self, key: str, body: Any, **_: Any) -> Reply:
        issue = self.issue(key) or next((i for i in self.issues if i.id == key), None)
        if issue is None:
            return (
                404,
                {"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}},
                {},
            )
        fields = (body or {}).get("fields") or {}
        priority = fields.get("priority")
        if priority is not None and priority.get("name") not in self.priority_names:
            return 400, {"errorMessages": [], "errors": {"priority": "The priority selected is invalid."}}, {}
        with self._lock:
            issue.fields.update(fields)
        return 204, None, {}

    def _transitions(self, key: str, **_: Any) -> Reply:
        issue = self.issue(key)
        if issue is None:
            return 404, {"errorMessages": ["Issue does not exist"], "errors": {}}, {}
        status = self._status_of(issue)
        return (
            200,
            {
                "transitions": [
                    {"id": tid, "name": name, "to": {"name": to}}
                    for tid, (name, to, sources) in self.WORKFLOW.items()
                    if status in sources
                ]
            },
            {},
        )

    def _transition(self, key: str, body: Any, **_: Any) -> Reply:
        issue = self.issue(key)
        if issue is None:
            return 404, {"errorMessages": ["Issue does not exist"], "errors": {}}, {}
        tid = str(((body or {}).get("transition") or {}).get("id", ""))
        step = self.WORKFLOW.get(tid)
        if step is None or self._status_of(issue) not in step[2]:
            return 400, {"errorMessages": [f"Transition id '{tid}' is not valid for this issue."], "errors": {}}, {}
        with self._lock:
            issue.fields["status"] = {"name": step[1]}
        return 204, None, {}

    def _add_comment(self, key: str, body: Any, **_: Any) -> Reply:
        issue = self.issue(key)
        if issue is None:
            return (
                404,
                {"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}},
                {},
            )
        with self._lock:
            comment = {
                "id": str(20000 + len(issue.comments)),
                "body": (body or {}).get("body", ""),
                "author": {"displayName": "NOX"},
                "created": datetime.now(UTC).isoformat(),
            }
            issue.comments.append(comment)
        return 201, {**comment, "self": f"{self.url}{API}/issue/{issue.id}/comment/{comment['id']}"}, {}

    def _list_comments(self, key: str, **_: Any) -> Reply:
        issue = self.issue(key) or next((i for i in self.issues if i.id == key), None)
        if issue is None:
            return (
                404,
                {"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}},
                {},
            )
        with self._lock:
            comments = [{**c, "self": f"{self.url}{API}/issue/{issue.id}/comment/{c['id']}"} for c in issue.comments]
        return 200, {"startAt": 0, "maxResults": len(comments), "total": len(comments), "comments": comments}, {}

    def _matching(self, query: dict[str, list[str]], body: Any) -> list[JiraIssue] | Reply:
        jql = (body or {}).get("jql") if isinstance(body, dict) else None
        jql = jql or (query.get("jql") or [""])[0]
        try:
            clauses, descending = parse_jql(jql)
        except ValueError as exc:
            return 400, {"errorMessages": [f"Error in the JQL Query: {exc}"], "errors": {}}, {}
        for name, value in clauses:
            if name == "project" and value.upper() not in self.projects:  # as Jira does
                return (
                    400,
                    {"errorMessages": [f"The value '{value}' does not exist for the field 'project'."], "errors": {}},
                    {},
                )
        with self._lock:
            found = [issue for issue in self.issues if all(_clause_holds(issue, c) for c in clauses)]
        return sorted(found, key=lambda i: int(i.id), reverse=descending)

    def _max_results(self, query: dict[str, list[str]], body: Any) -> int:
        value = (body or {}).get("maxResults") if isinstance(body, dict) else None
        return int(value or (query.get("maxResults") or ["50"])[0])

    def _search_classic(self, query: dict[str, list[str]], body: Any, **_: Any) -> Reply:
        if self.deployment == "Cloud":
            return (
                410,
                {
                    "errorMessages": [
                        "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."
                    ],
                    "errors": {},
                },
                {},
            )
        found = self._matching(query, body)
        if isinstance(found, tuple):
            return found
        limit = self._max_results(query, body)
        return (
            200,
            {
                "startAt": 0,
                "maxResults": limit,
                "total": len(found),
                "issues": [self._issue_json(i) for i in found[:limit]],
            },
            {},
        )

    def _search_jql(self, query: dict[str, list[str]], body: Any, **_: Any) -> Reply:
        found = self._matching(query, body)
        if isinstance(found, tuple):
            return found
        limit = self._max_results(query, body)
        return 200, {"issues": [self._issue_json(i) for i in found[:limit]], "isLast": True}, {}

    # -- serving: every request, the fault plan around the API --

    def _reply(self, logged: LoggedRequest, body: Any, headers: Message) -> Reply | None:
        failure = self._take("fail", logged.method, logged.path)
        if failure is not None:
            return failure.reply({"errorMessages": [f"Injected failure {failure.status}"], "errors": {}})
        reply = self.handle(logged.method, logged.path, logged.query, body, headers.get("Authorization"))
        created = reply[0] == 201 and logged.method == "POST" and logged.path == f"{API}/issue"
        return self._lost_or_late(
            logged, reply, created=created, crash=(500, {"errorMessages": ["Internal server error"], "errors": {}}, {})
        )


# -- JQL: just the shapes NOX sends: `field = "value"` joined by AND, optional ORDER BY created --

_CLAUSE = re.compile(r'\s*(?P<field>project|labels)\s*=\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[A-Za-z0-9_.-]+))\s*', re.I)
_ORDER = re.compile(r"\s+ORDER\s+BY\s+created(?:\s+(?P<dir>ASC|DESC))?\s*$", re.I)


def parse_jql(jql: str) -> tuple[list[tuple[str, str]], bool]:
    """[(field, value)], descending? — or ValueError for anything beyond that small grammar."""
    descending = False
    order = _ORDER.search(jql)
    if order:
        descending = (order.group("dir") or "ASC").upper() == "DESC"
        jql = jql[: order.start()]
    clauses = []
    for part in re.split(r"\s+AND\s+", jql.strip(), flags=re.I):
        match = _CLAUSE.fullmatch(part)
        if not match:
            raise ValueError(f"the stand-in does not understand {part!r}")
        value = match.group("quoted") if match.group("quoted") is not None else match.group("bare")
        clauses.append((match.group("field").lower(), value))
    return clauses, descending


def _clause_holds(issue: JiraIssue, clause: tuple[str, str]) -> bool:
    name, value = clause
    if name == "project":
        return issue.project == value.upper()
    return value in issue.labels
