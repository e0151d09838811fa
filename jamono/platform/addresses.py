"""Where an address points: loopback, a shared database host, an operator's allow-list entry."""

from __future__ import annotations

import ipaddress
import os

from psycopg.conninfo import conninfo_to_dict

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: a listener only this machine can reach."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def shared_database(database_url: str | None) -> bool:
    """A database other machines may use too (a host that is neither a unix socket nor loopback):
    then every web and worker process must hold the same keys, which a per-machine development
    key cannot give. Hosts are read as libpq reads them (query `host=`, lists, PGHOST)."""
    if not database_url:
        return False
    params = conninfo_to_dict(database_url)
    hosts = [h.strip() for key in ("host", "hostaddr") for h in str(params.get(key) or "").split(",")]
    if not any(hosts):
        hosts = [h.strip() for h in os.environ.get("PGHOST", "").split(",")]

    def local(host: str) -> bool:
        if not host or host.startswith(("/", "@")) or host == "localhost":
            return True
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return False
        mapped = getattr(address, "ipv4_mapped", None)
        return address.is_loopback or bool(mapped and mapped.is_loopback)

    return not all(local(h) for h in hosts)


def parse_allow_list(allow: str | None) -> tuple[tuple[Network, ...], tuple[str, ...]]:
    """`10.0.0.0/8, jira.internal, .corp.example` → (networks, host names); a malformed entry is an error."""
    networks: list[Network] = []
    hosts: list[str] = []
    for raw in (allow or "").split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
            continue
        except ValueError:
            pass
        name = entry.removeprefix(".")
        if not name or any(not part or not all(c.isalnum() or c == "-" for c in part) for part in name.split(".")):
            raise ValueError(f"{raw.strip()!r} is neither a network nor a host name")
        hosts.append(entry)
    return tuple(networks), tuple(hosts)
