"""`jamono kb ingest|list|remove|search` for operators."""

from __future__ import annotations

import argparse
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from jamono.platform.settings import get_settings

if TYPE_CHECKING:
    from jamono.platform.db import Pool
    from jamono.platform.tenancy import WorkspaceContext
    from knowledge.embeddings import Embedder

DEFAULT_SANDBOX_TEAM = "T0SANDBOX"


def _team(explicit: str | None) -> str:
    """The workspace to act on: --team, else the configured bot's team, else the sandbox's."""
    if explicit:
        return explicit
    settings = get_settings()
    if settings.slack_bot_token is not None and settings.slack_configured:
        import app

        return app.identify_workspace(settings).team_id
    return DEFAULT_SANDBOX_TEAM


class ProgressBar:
    """A one-line progress bar on stderr (silent when stderr is not a terminal)."""

    def __init__(self, stream=sys.stderr) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int, source: str) -> None:
        if not self.live or total == 0:
            return
        width = 30
        filled = int(width * done / total)
        rate = done / max(1e-6, time.perf_counter() - self.started)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {rate:.1f} docs/s  {source[-40:]:<40}"
        )
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


def _fetch_urls(urls: list[str], tmp: Path) -> list[Path]:
    paths = []
    for i, url in enumerate(urls):
        suffix = ".html" if not url.lower().endswith((".md", ".txt")) else Path(url).suffix
        target = tmp / f"url-{i}{suffix}"
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 — operator-given https URL
            target.write_bytes(response.read(5 * 1024 * 1024))
        paths.append(target)
    return paths


def _audit(pool: Pool, ws: WorkspaceContext, action: str, sources: list[str]) -> None:
    """One audit entry per document the operator wrote or removed."""
    from jamono.audit.store import record
    from jamono.platform.db import tenant_tx

    if not sources:
        return
    with tenant_tx(pool, ws.tenant_id) as conn:
        for source in sources:
            record(conn, ws.workspace_id, "operator", action, source)


def _ingest(pool: Pool, ws: WorkspaceContext, items: list[str], embedder: Embedder) -> int:
    """`jamono kb ingest`: files, folders and URLs; 2 when one is missing, 1 when all failed."""
    import tempfile

    from knowledge.ingest import ingest_paths

    urls = [i for i in items if i.startswith(("https://", "http://"))]
    paths = [Path(i) for i in items if i not in urls]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"jamono kb: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        try:
            paths += _fetch_urls(urls, Path(tmp))
        except OSError as exc:
            print(f"jamono kb: could not fetch a URL: {exc}", file=sys.stderr)
            return 2
        report = ingest_paths(pool, ws.tenant_id, paths, embedder, progress=ProgressBar())
    _audit(pool, ws, "kb.saved", [*report.added, *report.updated])
    print(report.summary())
    for failure in report.failed:
        print(f"  failed: {failure.source}: {failure.reason}")
    return 1 if report.failed and not (report.added or report.updated or report.unchanged) else 0


def main(argv: list[str]) -> int:
    from jamono.container import settings_embedder
    from jamono.platform.db import open_pool
    from jamono.platform.tenancy import UnknownWorkspace, load_workspace
    from knowledge.ingest import list_documents, remove_document

    parser = argparse.ArgumentParser(prog="jamono kb")
    parser.add_argument("action", choices=["ingest", "list", "remove", "search"])
    parser.add_argument(
        "items", nargs="*", help="paths or https:// URLs (ingest), a source or id (remove), a query (search)"
    )
    parser.add_argument("--team", help="Slack team id of the workspace (default: the configured one)")
    parser.add_argument("-k", type=int, default=5, help="results to show (search)")
    args = parser.parse_args(argv)
    settings = get_settings()
    pool = open_pool(settings, max_size=2, name="jamono-kb")
    try:
        team = _team(args.team)
        try:
            ws = load_workspace(pool, team)
        except UnknownWorkspace:
            print(
                f"jamono kb: no workspace for team {team} (start NOX once with `make run`, or pass --team)",
                file=sys.stderr,
            )
            return 2
        embedder = settings_embedder(settings)
        if args.action == "ingest":
            if not args.items:
                parser.error("ingest needs at least one path or URL")
            return _ingest(pool, ws, args.items, embedder)
        if args.action == "list":
            docs = list_documents(pool, ws.tenant_id)
            for d in docs:
                print(f"{d.origin:<8} {d.lang or '--':<3} {d.chunks:>4} chunks  {d.title[:60]:<60}  {d.source}")
            print(f"{len(docs)} documents")
            return 0
        if args.action == "remove":
            if not args.items:
                parser.error("remove needs a document source or id")
            gone = [item for item in args.items if remove_document(pool, ws.tenant_id, item)]
            _audit(pool, ws, "kb.removed", gone)
            for item in set(args.items) - set(gone):
                print(f"jamono kb: no document {item}", file=sys.stderr)
            print(f"{len(gone)} removed")
            return 0 if len(gone) == len(args.items) else 1
        from jamono.platform.db import tenant_tx
        from knowledge.search import search

        query = " ".join(args.items)
        if not query:
            parser.error("search needs a query")
        with tenant_tx(pool, ws.tenant_id) as conn:
            hits = search(conn, query, embedder, k=args.k)
        for rank, hit in enumerate(hits, start=1):
            mark = "" if hit.relevant else "  (below the relevance floor)"
            print(
                f"{rank}. {hit.title} › {hit.heading}  [{hit.score:.3f}, cos {hit.similarity:.2f}]{mark}\n   {hit.source}"
            )
        if not any(h.relevant for h in hits):
            print("nothing relevant found")
        return 0
    finally:
        pool.close()
