"""The layout step's module map (issue 13), and a rewriter for code written against the old paths.

`python tools/relayout.py` rewrites old dotted module paths and file paths in the tree (idempotent);
`--move` also performs the `git mv`s (done once, on main)."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MODULES: dict[str, str] = {
    # platform: imports nothing above it
    "jamono.settings": "jamono.platform.settings",
    "jamono.db": "jamono.platform.db",
    "jamono.crypto": "jamono.platform.crypto",
    "jamono.logs": "jamono.platform.logs",
    "jamono.embedded": "jamono.platform.embedded",
    "jamono.shutdown": "jamono.platform.shutdown",
    "jamono.tenancy": "jamono.platform.tenancy",
    "jamono.egress": "jamono.integrations.egress",
    # queue: "ack first, work later"
    "jamono.jobs": "jamono.queue.client",
    "jamono.enqueue_batch": "jamono.queue.batching",
    "jamono.event_log": "jamono.queue.event_log",
    "workers.broker": "jamono.queue.broker",
    "workers.graceful": "jamono.queue.graceful",
    "jamono.housekeeping": "jamono.queue.housekeeping",
    "jamono.observability.worker_metrics": "jamono.queue.job_metrics",
    "jamono.observability.context": "jamono.platform.context",
    # web: the HTTP surface
    "jamono.web": "jamono.web.app",
    "jamono.socket_mode": "jamono.web.socket_mode",
    "jamono.authorize_cache": "jamono.web.authorize_cache",
    "jamono.healthcheck": "jamono.web.healthcheck",
    "jamono.landing": "jamono.web.landing",
    "jamono.replay": "jamono.web.replay_guard",
    # workspaces
    "jamono.installations": "jamono.workspaces.installations",
    "jamono.oauth": "jamono.workspaces.oauth",
    "jamono.onboarding": "jamono.workspaces.onboarding",
    "jamono.onboarding_text": "jamono.workspaces.onboarding_text",
    "jamono.plan_limits": "jamono.workspaces.plan_limits",
    "jamono.credentials": "jamono.workspaces.credentials",
    # conversation
    "jamono.answering": "jamono.conversation.answering",
    "jamono.thread_context": "jamono.conversation.thread_context",
    "jamono.follow_ups": "jamono.conversation.follow_ups",
    "jamono.commands": "jamono.conversation.commands",
    "jamono.status": "jamono.conversation.status",
    "jamono.interactions": "jamono.conversation.exchanges",
    "jamono.feedback": "jamono.conversation.votes",
    # kb: the Slack side of the knowledge base
    "jamono.kb_slack": "jamono.kb.flows",
    "jamono.slack.kb_views": "jamono.kb.views",
    # cli
    "jamono.cli": "jamono.cli.main",
    "jamono.kb_cli": "jamono.cli.kb",
    "jamono.keys_cli": "jamono.cli.keys",
    "jamono.devrun": "jamono.cli.devrun",
    # names that said the wrong thing
    "jamono.runtime": "jamono.container",
    "jamono.home.service": "jamono.home.flows",
    "jamono.actions.service": "jamono.actions.flows",
    "jamono.brain.nox": "jamono.brain.engine",
    "jamono.home.slack_handlers": "listeners.home.handlers",
    "workers.nox": "workers.all",
    # integrations: one folder per vendor behind one interface
    "jamono.integrations.jira_tracker": "jamono.integrations.jira.tracker",
    "jamono.integrations.google_calendar": "jamono.integrations.google.calendar",
    "jamono.integrations.google_errors": "jamono.integrations.google.errors",
}
# Symbols that left a module for a sibling when it moved.
SYMBOLS: dict[str, dict[str, str]] = {
    "knowledge.ingest": {
        "BUNDLED_DIR": "knowledge.bundle",
        "BUNDLED_PREFIX": "knowledge.bundle",
        "load_paths": "knowledge.documents",
        "IngestFailure": "knowledge.documents",
    },
    "jamono.conversation.votes": {
        "once_recorded": "jamono.conversation.exchanges",
        "InteractionNotRecordedYet": "jamono.conversation.exchanges",
        "demoted_documents": "jamono.conversation.exchanges",
    },
    "jamono.jobs": {
        "NOX_QUEUE": "jamono.queue.names",
        "HANDLE_MESSAGE": "jamono.queue.names",
        "THREAD_FOLLOW_UP": "jamono.queue.names",
        "SET_FOLLOW_UPS": "jamono.queue.names",
    },
}
TEXT_SUFFIXES = {".py", ".md", ".toml", ".cfg", ".ini", ".yaml", ".yml", ".txt", ".sh", ".json", ""}
TEXT_NAMES = {"Makefile", "Procfile", "Dockerfile"}
SKIP_DIRS = {".git", ".venv", ".tools", ".jamono", "node_modules", "__pycache__", "tools", ".mypy_cache", ".ruff_cache"}


def path_of(module: str, package: bool = False) -> str:
    return module.replace(".", "/") + ("/__init__.py" if package else ".py")


def _module_pattern(old: str) -> re.Pattern[str]:
    # Do not match inside a longer name, nor a new submodule of a module that became a package.
    children = sorted({new[len(old) + 1 :].split(".")[0] for new in MODULES.values() if new.startswith(old + ".")})
    guard = "".join(rf"(?!\.{re.escape(c)}\b)" for c in children)
    return re.compile(rf"(?<![\w.]){re.escape(old)}{guard}(?![\w])")


_PATTERNS = [(old, _module_pattern(old), new) for old, new in sorted(MODULES.items(), key=lambda kv: -len(kv[0]))]
_PATHS = [
    (re.compile(rf"(?<![\w/]){re.escape(path_of(old))}"), path_of(new))
    for old, new in sorted(MODULES.items(), key=lambda kv: -len(kv[0]))
]
_FROM_PARENT = re.compile(
    r"^(\s*)from (jamono|workers|jamono\.slack|jamono\.observability|jamono\.home|jamono\.actions|jamono\.brain) import (\w+)( as \w+)?\s*$",
    re.M,
)
_FROM_IMPORT = re.compile(
    r"^([ \t]*)from (" + "|".join(re.escape(m) for m in SYMBOLS) + r") import (\([^)]*\)|[^\n]+)", re.M
)


def _split_symbols(match: re.Match[str]) -> str:
    indent, old, names = match.group(1), match.group(2), match.group(3).strip("()").replace("\n", " ")
    names, _, comment = names.partition("#")
    comment = f"  # {comment.strip()}" if comment else ""
    moved = SYMBOLS.get(old, {})
    groups: dict[str, list[str]] = {}
    for name in (n.strip() for n in names.split(",")):
        if name:
            groups.setdefault(moved.get(name.split(" as ")[0], MODULES.get(old, old)), []).append(name)
    return "\n".join(f"{indent}from {mod} import {', '.join(ns)}{comment}" for mod, ns in groups.items())


def _from_parent(match: re.Match[str]) -> str:
    indent, parent, name, alias = match.groups()
    new = MODULES.get(f"{parent}.{name}")
    if new is None:
        return match.group(0)
    head, _, tail = new.rpartition(".")
    alias = alias or (f" as {name}" if tail != name else "")
    if head in MODULES:  # a module that became a package: `from head import` would read as the old module
        return f"{indent}import {new}{alias or f' as {name}'}"
    return f"{indent}from {head} import {tail}{alias}"


def rewrite(text: str) -> str:
    text = _FROM_IMPORT.sub(_split_symbols, text)
    text = _FROM_PARENT.sub(_from_parent, text)
    for old, pattern, new in _PATTERNS:
        if old in text:
            text = pattern.sub(new, text)
    for pattern, new in _PATHS:
        text = pattern.sub(new, text)
    return text


def files(root: Path) -> list[Path]:
    out = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info")]  # pruned, not walked
        for name in names:
            path = Path(folder) / name
            if path.suffix in TEXT_SUFFIXES or name in TEXT_NAMES:
                out.append(path)
    return out


def move(root: Path) -> None:
    packages = {new.rpartition(".")[0] for new in MODULES.values()}
    for old, new in MODULES.items():
        src = root / path_of(old)
        dst = root / path_of(new)
        if not src.exists():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "mv", str(src), str(dst)], cwd=root, check=True)
    for package in sorted(packages):
        init = root / path_of(package, package=True)
        if not init.exists():
            init.write_text("")
            subprocess.run(["git", "add", str(init)], cwd=root, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--move", action="store_true", help="git mv the modules first (once, on main)")
    parser.add_argument("root", nargs="?", default=str(ROOT))
    args = parser.parse_args(argv)
    root = Path(args.root)
    if args.move:
        move(root)
    changed = 0
    for path in files(root):
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        new = rewrite(text)
        if new != text:
            path.write_text(new)
            changed += 1
    print(f"relayout: {changed} files rewritten", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
