"""The egress guard: outbound HTTP to addresses a tenant or a user chose.
Why and how: docs/design/integrations.md."""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from jamono.integrations.base import IntegrationError
from jamono.platform.addresses import Network, parse_allow_list

__all__ = [
    "DEFAULT_MAX_BYTES",
    "EgressPolicy",
    "EgressRefused",
    "default_policy",
    "guard_session",
    "guarded_httplib2",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_MAX_SECONDS = 30.0
DEFAULT_MAX_REDIRECTS = 3

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]

# Named explicitly although "not global" already covers them: the addresses an attacker aims at.
_ALWAYS_BLOCKED = (
    ipaddress.ip_network("169.254.169.254/32"),  # cloud metadata (AWS, GCP, Azure, …)
    ipaddress.ip_network("fd00:ec2::254/128"),  # AWS metadata over IPv6
    ipaddress.ip_network("100.64.0.0/10"),  # carrier-grade NAT (Alibaba's metadata lives there)
)


class EgressRefused(IntegrationError):
    """NOX will not connect there. `reason` is ours (safe to show); never retried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


def _plain(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_public(address: IPAddress) -> bool:
    """A global unicast address, and none of the ones always refused."""
    address = _plain(address)
    if any(address in net for net in _ALWAYS_BLOCKED if net.version == address.version):
        return False
    return address.is_global and not address.is_multicast and not address.is_reserved


@dataclass(frozen=True)
class EgressPolicy:
    """Where guarded connections may go: public addresses, plus the operator's allow-list."""

    networks: tuple[Network, ...] = ()
    hosts: tuple[str, ...] = ()  # exact names, or ".suffix" for a domain
    max_bytes: int = DEFAULT_MAX_BYTES
    max_seconds: float = DEFAULT_MAX_SECONDS
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    resolver: Resolver = field(default=_system_resolver, compare=False, repr=False)

    @classmethod
    def parse(cls, allow: str | None, **kwargs: Any) -> EgressPolicy:
        """`10.0.0.0/8, jira.internal, .corp.example` → a policy; a malformed entry is an error."""
        networks, hosts = parse_allow_list(allow)
        return cls(networks=tuple(networks), hosts=tuple(hosts), **kwargs)

    def host_allowed(self, host: str) -> bool:
        name = host.lower().rstrip(".")
        return any(name == h or (h.startswith(".") and name.endswith(h)) for h in self.hosts)

    def address_allowed(self, address: str | IPAddress) -> bool:
        ip = _plain(ipaddress.ip_address(address)) if isinstance(address, str) else _plain(address)
        if any(ip in net for net in self.networks if net.version == ip.version):
            return True
        return is_public(ip)

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses NOX may connect to for `host`, or EgressRefused. Resolves once."""
        host = host.strip("[]")
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        resolved = [str(literal)] if literal is not None else list(dict.fromkeys(self.resolver(host, port)))
        if literal is None and self.host_allowed(host):
            return resolved
        allowed = [a for a in resolved if self.address_allowed(a)]
        if not allowed:
            log.warning("egress refused", extra={"host": host, "addresses": resolved[:4]})
            raise EgressRefused(
                f"NOX may not connect to {host[:80]}: it is a private, loopback or otherwise internal address "
                "(an operator can allow it with JAMONO_EGRESS_ALLOW)"
            )
        return allowed

    def check_peer(self, host: str, sock: socket.socket) -> None:
        """After connecting: the socket's peer is one NOX may talk to (belt and braces)."""
        peer = sock.getpeername()[0]
        if not (self.host_allowed(host) or self.address_allowed(peer)):
            sock.close()
            log.warning("egress refused after connect", extra={"host": host, "peer": peer})
            raise EgressRefused(f"NOX may not connect to {host[:80]}: it is an internal address")


def default_policy() -> EgressPolicy:
    """The process's policy, from `JAMONO_EGRESS_ALLOW` (settings, environment or .env)."""
    from jamono.platform.settings import get_settings

    return EgressPolicy.parse(get_settings().egress_allow)


def policy_from_settings(settings: Any) -> EgressPolicy:
    return EgressPolicy.parse(getattr(settings, "egress_allow", "") or "")


def _connect(policy: EgressPolicy, host: str, port: int, connect: Callable[[str], socket.socket]) -> socket.socket:
    """Connect to the first reachable checked address; the last error if none answers."""
    error: Exception | None = None
    for address in policy.addresses(host, port):
        try:
            sock = connect(address)
        except OSError as exc:
            error = exc
            continue
        policy.check_peer(host, sock)
        return sock
    assert error is not None
    raise error


# -- requests / urllib3 (Jira) --


class _GuardedConnectionMixin:
    egress_policy: EgressPolicy

    def _new_conn(self) -> socket.socket:  # urllib3's own, with the checked address pinned
        host, port = self._dns_host, self.port  # type: ignore[attr-defined]

        def connect(address: str) -> socket.socket:
            return urllib3_connection.create_connection(
                (address, port),
                self.timeout,  # type: ignore[attr-defined]
                source_address=self.source_address,  # type: ignore[attr-defined]
                socket_options=self.socket_options,  # type: ignore[attr-defined]
            )

        try:
            return _connect(self.egress_policy, host, port, connect)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[attr-defined,arg-type]
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out") from exc  # type: ignore[attr-defined]
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc  # type: ignore[arg-type]


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose every connection (every redirect hop too) goes through the guard,
    and whose answers are read whole but capped in size and time."""

    def __init__(self, policy: EgressPolicy, **kwargs: Any) -> None:
        self.policy = policy
        http_conn = type("GuardedHTTPConnection", (_GuardedConnectionMixin, HTTPConnection), {"egress_policy": policy})
        https_conn = type(
            "GuardedHTTPSConnection", (_GuardedConnectionMixin, HTTPSConnection), {"egress_policy": policy}
        )
        self._pool_classes = {
            "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pool_classes

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        raise EgressRefused("NOX does not send guarded requests through a proxy")

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        response = super().send(request, stream=True, timeout=timeout, verify=verify, cert=cert, proxies=proxies)
        deadline = time.monotonic() + self.policy.max_seconds
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.policy.max_bytes or time.monotonic() > deadline:
                    what = "too large" if size > self.policy.max_bytes else "too slow"
                    log.warning(
                        "egress answer refused",
                        extra={"host": request.url and request.url.split("/")[2][:80], "why": what},
                    )
                    raise EgressRefused(
                        f"The server's answer was {what} (NOX reads at most "
                        f"{self.policy.max_bytes // 1024} KiB in {self.policy.max_seconds:g}s)"
                    )
                chunks.append(chunk)
        finally:
            response.close()
        response._content = b"".join(chunks)  # noqa: SLF001 - what Response.content would have read
        response._content_consumed = True  # noqa: SLF001
        return response


def guard_session(session: requests.Session, policy: EgressPolicy) -> requests.Session:
    """Route every request of `session` through the guard (used on the jira client's session)."""
    adapter = GuardedAdapter(policy)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.trust_env = False  # no proxies or .netrc from the environment
    session.proxies = {}
    session.max_redirects = policy.max_redirects
    return session


# -- httplib2 (Google) --


def guarded_httplib2(policy: EgressPolicy, *, timeout: float | None) -> Any:
    """An httplib2.Http that connects only through the guard, follows no redirects and caps
    answers. google-auth refreshes tokens (the credentials' `token_uri`) through the same object."""
    import httplib2

    class CappedResponse(http.client.HTTPResponse):
        def read(self, amt: int | None = None) -> bytes:
            if amt is not None:
                return super().read(amt)
            deadline = time.monotonic() + policy.max_seconds
            chunks: list[bytes] = []
            size = 0
            while chunk := super().read(64 * 1024):
                size += len(chunk)
                if size > policy.max_bytes or time.monotonic() > deadline:
                    self.close()
                    raise EgressRefused("The server's answer was too large or too slow for NOX to read")
                chunks.append(chunk)
            return b"".join(chunks)

    class Conn(httplib2.HTTPConnectionWithTimeout):
        response_class = CappedResponse

        def connect(self) -> None:
            self.sock = _connect(
                policy, self.host, self.port, lambda a: socket.create_connection((a, self.port), self.timeout)
            )

    class SConn(httplib2.HTTPSConnectionWithTimeout):
        response_class = CappedResponse

        def connect(self) -> None:
            sock = _connect(
                policy, self.host, self.port, lambda a: socket.create_connection((a, self.port), self.timeout)
            )
            try:
                self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
            except BaseException:
                sock.close()
                raise

    class GuardedHttp(httplib2.Http):
        def request(
            self,
            uri: str,
            method: str = "GET",
            body: Any = None,
            headers: Any = None,
            redirections: int = httplib2.DEFAULT_MAX_REDIRECTS,
            connection_type: Any = None,
        ) -> Any:
            scheme = uri.split(":", 1)[0].lower()
            if scheme not in ("http", "https"):
                raise EgressRefused("NOX only speaks http and https to other services")
            return super().request(uri, method, body, headers, redirections, Conn if scheme == "http" else SConn)

    guarded = GuardedHttp(timeout=timeout, proxy_info=None)
    guarded.follow_redirects = False  # a 3xx becomes an error; no hop to an unchecked place
    guarded.follow_all_redirects = False
    return guarded
