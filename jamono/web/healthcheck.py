"""`python -m jamono.web.healthcheck [--worker]`: the container's health, for Docker's HEALTHCHECK.
Why and how: docs/design/web.md."""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def url_for(worker: bool) -> str | None:
    if worker:
        port = os.environ.get("WORKER_METRICS_PORT", "9191")
        return None if port == "0" else f"http://127.0.0.1:{port}/metrics"
    return f"http://127.0.0.1:{os.environ.get('PORT', '3000')}/healthz"


def main(argv: list[str]) -> int:
    url = url_for("--worker" in argv)
    if url is None:
        return 0
    request = urllib.request.Request(url)
    token = os.environ.get("METRICS_TOKEN", "").strip()
    if token:  # the workers' metrics need it (/healthz ignores it)
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as exc:  # HTTPError (a 503) is a URLError
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
