"""`jamono kb ingest|list|remove|search`: the knowledge base from the operator's terminal.

    jamono kb ingest PATH... --team T0123 [--relative-to DIR] [--bundled]
    jamono kb list --team T0123 [--origin bundled|ingest|slack] [--json]
    jamono kb remove SOURCE_OR_ID --team T0123
    jamono kb search "pods crash looping" --team T0123 [-k 5] [--lang fr] [--mode hybrid|vector|text] [--json]

The workspace is named by its Slack team id (--team, with --enterprise for Enterprise Grid)
or by its tenant id (--tenant). Runs inside `jamono kb`, which starts embedded services when
DATABASE_URL is not set.
"""

from __future__ import annotations

import argparse
import json
import sys
from uuid import UUID

from psycopg_pool import ConnectionPool


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jamono kb", description="manage NOX's knowledge base")
    sub = parser.add_subparsers(dest="action", required=True)

    def workspace(p: argparse.ArgumentParser) -> None:
        p.add_argument("--team", help="Slack team id of the workspace")
        p.add_argument("--enterprise", help="Slack enterprise id (Enterprise Grid)")
        p.add_argument("--tenant", type=UUID, help="tenant id instead of a team")

    ingest = sub.add_parser("ingest", help="ingest files or folders (.md .markdown .txt .html .htm)")
    ingest.add_argument("paths", nargs="*")
    ingest.add_argument("--relative-to", help="name documents by their path relative to this folder")
    ingest.add_argument("--bundled", action="store_true", help="(re)load the runbooks shipped with Jamono")
    workspace(ingest)
    listing = sub.add_parser("list", help="list documents")
    listing.add_argument("--origin", choices=["bundled", "ingest", "slack"])
    listing.add_argument("--json", action="store_true")
    workspace(listing)
    remove = sub.add_parser("remove", help="remove a document by source or id")
    remove.add_argument("document")
    workspace(remove)
    find = sub.add_parser("search", help="search like NOX does")
    find.add_argument("query")
    find.add_argument("-k", type=int, default=5)
    find.add_argument("--lang")
    find.add_argument("--mode", choices=["hybrid", "vector", "text"], default="hybrid")
    find.add_argument("--json", action="store_true")
    workspace(find)
    return parser


def _tenant(pool: ConnectionPool, args: argparse.Namespace) -> UUID:
    from jamono.tenancy import resolve_ids

    if args.tenant:
        return args.tenant
    if not args.team:
        raise SystemExit("jamono kb: name the workspace with --team (or --tenant)")
    ids = resolve_ids(pool, args.team, args.enterprise)
    if ids is None:
        raise SystemExit(f"jamono kb: no workspace for team {args.team} (install NOX there first)")
    return ids[0]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from jamono.db import open_pool, tenant_tx
    from jamono.settings import get_settings
    from knowledge.embeddings import get_embedder

    settings = get_settings()
    pool = open_pool(settings, max_size=2, name="jamono-kb")
    try:
        tenant = _tenant(pool, args)
        embedder = get_embedder(
            openai_api_key=settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
            openai_base_url=settings.openai_base_url, redis_url=settings.redis_url,
        )
        if args.action == "ingest":
            from knowledge.ingest import ingest_paths, load_bundled

            if not args.paths and not args.bundled:
                raise SystemExit("jamono kb ingest: give paths, or --bundled")

            def progress(done: int, total: int, source: str) -> None:
                print(f"\r[{done}/{total}] {source[-60:]:<60}", end="", file=sys.stderr, flush=True)

            if args.bundled:
                print(f"bundled: {load_bundled(pool, tenant, embedder, progress=progress).summary()}")
            if args.paths:
                report = ingest_paths(pool, tenant, args.paths, embedder, relative_to=args.relative_to,
                                      progress=progress)
                print(file=sys.stderr)
                print(report.summary())
                for failure in report.failed:
                    print(f"  failed {failure.source}: {failure.reason}")
                return 1 if report.failed else 0
            return 0
        if args.action == "list":
            from knowledge.ingest import list_documents

            docs = list_documents(pool, tenant, origin=args.origin)
            if args.json:
                print(json.dumps([d.model_dump(mode="json") for d in docs], ensure_ascii=False))
            for d in docs if not args.json else []:
                print(f"{d.origin:<8} {d.lang or '--':<3} {d.chunks:>4} chunks  {d.source}  — {d.title}")
            return 0
        if args.action == "remove":
            from knowledge.ingest import remove_document

            if remove_document(pool, tenant, args.document):
                print(f"removed {args.document}")
                return 0
            print(f"no document {args.document}", file=sys.stderr)
            return 1
        from knowledge.search import search

        with tenant_tx(pool, tenant) as conn:
            hits = search(conn, args.query, embedder, k=args.k, lang=args.lang, mode=args.mode)
        if args.json:
            print(json.dumps([h.model_dump(mode="json") for h in hits], ensure_ascii=False))
            return 0
        if not any(h.relevant for h in hits):
            print("(nothing relevant: NOX would say it found nothing)")
        for i, h in enumerate(hits, 1):
            mark = "*" if h.relevant else " "
            print(f"{i}.{mark} {h.score:.3f} sim {h.similarity:.2f}  {h.title}"
                  + (f" › {h.heading}" if h.heading else "") + f"  [{h.source}]")
        return 0
    finally:
        pool.close()
