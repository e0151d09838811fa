"""`jamono` — the operator's command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from jamono.platform.crypto import require_keys_for_shared_database
from jamono.platform.db import require_database_url
from jamono.platform.settings import (
    EXPOSE_SANDBOX_FLAG,
    SettingsError,
    get_settings,
    require_broker_url,
    require_sandbox_private,
)
from jamono.platform.shutdown import sigterm_as_ctrl_c

IDLE_WAKE_MS = 500
SHUTDOWN_MARGIN_S = 10


def _with_services(func: Callable[[], int]) -> int:
    """Run a command against the configured services, starting embedded ones when none are set."""
    from jamono.platform.embedded import EmbeddedServices
    from migrations.runner import apply_migrations

    settings = get_settings()
    services = EmbeddedServices(
        settings.data_dir,
        database_url=settings.database_url,
        redis_url=settings.redis_url,
        rabbitmq_url=settings.rabbitmq_url,
    )
    services.start()
    get_settings.cache_clear()
    try:
        apply_migrations(get_settings().database_url or "")
        return func()
    finally:
        services.stop()


def cmd_migrate(args: argparse.Namespace) -> int:
    from migrations.runner import apply_migrations

    def run() -> int:
        applied = apply_migrations(get_settings().database_url or "")
        print(
            f"migrations: {len(applied)} applied"
            + (": " + ", ".join(f"{m.version:04d}_{m.name}" for m in applied) if applied else " (up to date)")
        )
        return 0

    if args.no_embedded:  # a release step: migrating a throw-away database would hide the misconfiguration
        require_database_url(get_settings())
        return run()  # and it needs no broker (the image carries no embedded PostgreSQL or Redis)
    return _with_services(run)


def cmd_housekeeping(_: argparse.Namespace) -> int:
    """The workers' hourly upkeep, now (e.g. from cron when workers run with it off)."""
    from datetime import timedelta

    from jamono.platform.db import open_pool
    from jamono.queue.housekeeping import run_once

    def run() -> int:
        settings = get_settings()
        pool = open_pool(settings, max_size=2, name="jamono-housekeeping")
        try:
            report = run_once(
                pool,
                retention=timedelta(days=settings.event_retention_days),
                grace=timedelta(days=settings.uninstall_grace_days),
            )
        finally:
            pool.close()
        print(
            f"housekeeping: {report.workspaces} workspaces, {report.metric_rows} agent_metrics rows refreshed,"
            f" {report.events_forgotten} Slack event ids forgotten, {report.texts_blanked} old texts blanked,"
            f" {report.workspaces_purged} uninstalled workspaces deleted, {report.failed_tenants} failed"
        )
        return 1 if report.failed_tenants else 0

    return _with_services(run)


def cmd_serve(_: argparse.Namespace) -> int:
    import app

    require_keys_for_shared_database(get_settings())
    require_sandbox_private(get_settings())

    app.main()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    settings = get_settings()  # checked before this process's environment is touched
    require_broker_url(settings)
    require_database_url(settings)
    require_keys_for_shared_database(settings)
    processes = args.processes or settings.worker_processes
    threads = args.threads or settings.worker_threads
    # The worker processes (forked) size their database pools from it: settings read again.
    os.environ["WORKER_THREADS"] = str(threads)
    get_settings.cache_clear()
    # How often an idle worker thread wakes to check for a stop (Dramatiq's default: 1000 ms); read
    # when Dramatiq is first imported. How soon a new job is picked up is the broker's own poll
    # (jamono.queue.connection.IDLE_POLL_MS), not this.
    os.environ.setdefault("dramatiq_worker_timeout", str(IDLE_WAKE_MS))
    # Each queue's consumer holds at most this many fetched jobs (Dramatiq's default: 2 × threads).
    # One per thread keeps every thread busy, and a tenant flooding its answers shard then holds no
    # job waiting in the process's work queue ahead of another tenant's (jamono.queue.names).
    os.environ.setdefault("dramatiq_queue_prefetch", str(threads))
    # Before anything imports prometheus_client: every worker process records into one directory,
    # served merged on WORKER_METRICS_PORT by a process Dramatiq forks (jamono.observability).
    from jamono.queue.job_metrics import prepare_multiprocess

    prepare_multiprocess(settings.worker_metrics_port)
    from dramatiq.cli import main as dramatiq_main

    # On SIGTERM Dramatiq lets running jobs finish; a job cannot outlive its time limit, so neither
    # does the stop (a process manager's grace period should exceed this; see the README).
    shutdown_ms = (settings.job_time_limit_s + SHUTDOWN_MARGIN_S) * 1000
    argv = [
        "dramatiq",
        "workers.all",
        "--processes",
        str(processes),
        "--threads",
        str(threads),
        "--worker-shutdown-timeout",
        str(shutdown_ms),
    ]
    if settings.log_format == "json":
        argv.append("--skip-logging")
    sys.argv = argv
    return dramatiq_main() or 0


def cmd_run(args: argparse.Namespace) -> int:
    from jamono.cli.devrun import run_all

    return run_all(chat=not args.no_chat, expose_sandbox=args.expose_sandbox)


def cmd_sandbox(args: argparse.Namespace) -> int:
    from jamono.cli.devrun import run_all

    return run_all(chat=True, force_sandbox=True, expose_sandbox=args.expose_sandbox)


def cmd_train(args: argparse.Namespace) -> int:
    from jamono.brain.training import main_train

    return main_train(args.rest)


def cmd_eval(args: argparse.Namespace) -> int:
    if args.what == "intents":
        from jamono.evals.intents import main as eval_intents

        return eval_intents(args.rest)
    if args.what == "similar":
        from jamono.evals.similar import main as eval_similar

        return eval_similar(args.rest)
    if args.what == "answers":
        from jamono.evals.answers import main as eval_answers

        return eval_answers(args.rest)
    from jamono.evals.kb import main as eval_kb

    return eval_kb(args.rest)


def cmd_kb(args: argparse.Namespace) -> int:
    if args.action == "bundle-vectors":
        from knowledge.embeddings import local_embedder
        from knowledge.shipped_vectors import VECTORS_FILE, build

        print(f"{build(local_embedder())} bundled chunks embedded into {VECTORS_FILE}")
        return 0
    if args.action == "index":
        return _with_services(lambda: _kb_index(args.rest))
    from jamono.cli.kb import main as kb_main

    return _with_services(lambda: kb_main([args.action, *args.rest]))


def _kb_index(rest: list[str]) -> int:
    """Large tenants' own HNSW indexes: built and dropped as tenants grow and shrink (owner rights)."""
    from knowledge.search import TENANT_INDEX_MIN_ROWS
    from knowledge.tenant_index import sync_tenant_indexes

    parser = argparse.ArgumentParser(prog="jamono kb index", description=_kb_index.__doc__)
    parser.add_argument("--min-rows", type=_positive, default=TENANT_INDEX_MIN_ROWS)
    parser.add_argument("--maintenance-work-mem", help="for the builds, e.g. 2GB (the graph should fit)")
    args = parser.parse_args(rest)
    report = sync_tenant_indexes(
        get_settings().database_url or "", min_rows=args.min_rows, maintenance_work_mem=args.maintenance_work_mem
    )
    print(
        f"tenant indexes: {len(report.created)} built, {len(report.dropped)} dropped, {len(report.kept)} kept"
        f" ({report.seconds:.0f} s)"
    )
    return 0


def cmd_actions(args: argparse.Namespace) -> int:
    from jamono.actions.cli import main as actions_main

    return _with_services(lambda: actions_main([args.action, *args.rest]))


def cmd_incidents(args: argparse.Namespace) -> int:
    from jamono.incidents.cli import main as incidents_main

    return _with_services(lambda: incidents_main([args.action, *args.rest]))


def cmd_keys(args: argparse.Namespace) -> int:
    from jamono.cli.keys import main as keys_main

    if args.action == "generate":
        return keys_main(["generate", *args.rest])
    return _with_services(lambda: keys_main([args.action, *args.rest]))


def cmd_integrations(args: argparse.Namespace) -> int:
    from jamono.integrations.cli import main as integrations_main

    return _with_services(lambda: integrations_main([args.action, *args.rest]))


def cmd_audit(args: argparse.Namespace) -> int:
    from jamono.audit.cli import main as audit_main

    return _with_services(lambda: audit_main([args.action, *args.rest]))


def cmd_privacy(args: argparse.Namespace) -> int:
    from jamono.privacy.cli import main as privacy_main

    return _with_services(lambda: privacy_main([args.action, *args.rest]))


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jamono", description="NOX, the AI DevOps teammate in Slack")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start everything (embedded services, migrations, web, worker, sandbox)")
    run.add_argument("--no-chat", action="store_true", help="do not open the terminal chat with the sandbox")
    sub.add_parser("serve", help="serve Slack over HTTP ($PORT)")
    worker = sub.add_parser("worker", help="run Dramatiq workers")
    worker.add_argument("--processes", type=_positive, help="default: WORKER_PROCESSES, else 1")
    worker.add_argument("--threads", type=_positive, help="default: WORKER_THREADS, else 8")
    sub.add_parser("migrate", help="apply database migrations").add_argument(
        "--no-embedded", action="store_true", help="fail when DATABASE_URL is unset instead of starting an embedded one"
    )
    sandbox = sub.add_parser("sandbox", help="start everything with the Slack sandbox and chat with NOX")
    for command in (run, sandbox):
        command.add_argument(
            EXPOSE_SANDBOX_FLAG,
            dest="expose_sandbox",
            action="store_true",
            help="let the sandbox (its signing secret is public) serve a non-loopback HOST"
            " or use a shared DATABASE_URL",
        )
    sub.add_parser(
        "housekeeping", help="refresh agent_metrics and forget old Slack event ids now (workers do it hourly)"
    )
    train = sub.add_parser("train", help="train NOX's offline intent classifier")
    train.add_argument("rest", nargs=argparse.REMAINDER)
    ev = sub.add_parser("eval", help="measure NOX")
    ev.add_argument("what", choices=["kb", "intents", "answers", "similar"])
    ev.add_argument("rest", nargs=argparse.REMAINDER)
    kb = sub.add_parser("kb", help="manage the knowledge base")
    kb.add_argument("action", choices=["ingest", "list", "remove", "search", "bundle-vectors", "index"])
    kb.add_argument("rest", nargs=argparse.REMAINDER)
    actions = sub.add_parser("actions", help="Jira tickets and meetings NOX opened; dead letters (list --failed)")
    actions.add_argument("action", choices=["list", "retry"])
    actions.add_argument("rest", nargs=argparse.REMAINDER)
    incidents = sub.add_parser("incidents", help="open incidents; the workspace's incident settings (reminders…)")
    incidents.add_argument("action", choices=["list", "settings"])
    incidents.add_argument("rest", nargs=argparse.REMAINDER)
    keys = sub.add_parser("keys", help="encryption keys for secrets at rest: generate, rotate")
    keys.add_argument("action", choices=["generate", "rotate"])
    keys.add_argument("rest", nargs=argparse.REMAINDER)
    integrations = sub.add_parser("integrations", help="connect, list, test, disconnect Jira and Google Calendar")
    integrations.add_argument("action", choices=["connect", "list", "test", "disconnect"])
    integrations.add_argument("rest", nargs=argparse.REMAINDER)
    audit = sub.add_parser("audit", help="the workspace's audit log (export --since DATE, as JSON lines)")
    audit.add_argument("action", choices=["export"])
    audit.add_argument("rest", nargs=argparse.REMAINDER)
    privacy = sub.add_parser("privacy", help="erase a person's stored words (erase --user U)")
    privacy.add_argument("action", choices=["erase"])
    privacy.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": cmd_run,
    "serve": cmd_serve,
    "worker": cmd_worker,
    "migrate": cmd_migrate,
    "sandbox": cmd_sandbox,
    "train": cmd_train,
    "eval": cmd_eval,
    "kb": cmd_kb,
    "actions": cmd_actions,
    "keys": cmd_keys,
    "housekeeping": cmd_housekeeping,
    "incidents": cmd_incidents,
    "integrations": cmd_integrations,
    "audit": cmd_audit,
    "privacy": cmd_privacy,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"jamono: configuration error: {exc}", file=sys.stderr)
        return 2
    from jamono.platform.logs import setup_logging

    setup_logging(settings.log_level, settings.log_format)
    # A process manager's SIGTERM stops us as Ctrl-C does (`serve` and `worker` then install their
    # own handlers: asyncio's, Dramatiq's).
    sigterm_as_ctrl_c()
    try:
        return COMMANDS[args.command](args)
    except SettingsError as exc:  # found once running: an unset URL, a token Slack refuses
        print(f"jamono: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
