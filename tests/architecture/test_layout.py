"""The layout's rules, checked on the source (`python tests/architecture/import_graph.py` prints cycles)."""

from __future__ import annotations

import ast

from jamono.queue.names import Actor
from tests.architecture.import_graph import ROOT, cycles, import_graph, our_modules


def test_no_module_imports_itself_back_through_others():
    assert cycles(import_graph()) == []


def test_platform_imports_nothing_above_it():
    graph = import_graph()
    upward = {
        (module, target)
        for module, targets in graph.items()
        if module.startswith("jamono.platform")
        for target in targets
        if not target.startswith("jamono.platform")
    }
    assert upward == set()


def test_the_queue_imports_nothing_of_fairness():
    """Fairness sits on the queue (it books turns for the jobs the queue carries), not under it:
    the web process hands its TurnBooker to the queue client instead."""
    graph = import_graph()
    upward = {
        (module, target)
        for module, targets in graph.items()
        if module.startswith("jamono.queue")
        for target in targets
        if target.startswith("jamono.fairness")
    }
    assert upward == set()


def test_listeners_and_workers_are_not_imported_by_the_core():
    graph = import_graph()
    inward = {
        (module, target)
        for module, targets in graph.items()
        # the command line is an entry point like app.py: it may start the web app and the workers
        if module.startswith(("jamono", "knowledge")) and module.split(".")[:2] != ["jamono", "cli"]
        for target in targets
        if target.startswith(("listeners", "workers", "app"))
    }
    assert inward == set()


def test_the_root_of_jamono_keeps_a_handful_of_modules():
    flat = sorted(p.name for p in (ROOT / "jamono").glob("*.py"))
    assert flat == ["__init__.py", "__main__.py", "container.py"]


def _calls(path):
    tree = ast.parse(path.read_text())
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def test_every_actor_is_named_from_the_registry():
    """A bare string would let a typo queue jobs no worker consumes."""
    bare = []
    for name, path in our_modules().items():
        for call in _calls(path):
            func = call.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            for kw in call.keywords:
                if kw.arg == "actor_name" and isinstance(kw.value, ast.Constant):
                    bare.append((name, kw.value.value))
            if called in {"enqueue", "enqueue_async", "_enqueue"} and call.args:
                first = call.args[1] if called == "_enqueue" and len(call.args) > 1 else call.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    bare.append((name, first.value))
    assert bare == []


def test_every_registered_actor_is_declared_by_a_worker():
    declared = set()
    for path in (ROOT / "workers").glob("*.py"):
        for call in _calls(path):
            for kw in call.keywords:
                value = kw.value
                if kw.arg == "actor_name" and isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
                    assert value.value.id == "Actor"
                    declared.add(Actor[value.attr])
    assert declared == set(Actor)


def test_module_docstrings_are_at_most_three_lines():
    """The reasoning lives in docs/design/, where it can be read whole."""
    long = []
    for name, path in our_modules().items():
        doc = ast.get_docstring(ast.parse(path.read_text()))
        if doc and len(doc.strip().splitlines()) > 3:
            long.append(name)
    assert long == []


def test_no_test_imports_from_a_conftest():
    """Shared fixtures are plugins (tests/plugins/); helpers live in plain modules."""
    offenders = []
    for path in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[-1] == "conftest":
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_tests_mirror_the_source_tree():
    """Every test folder is a source package's mirror, or one of the cross-cutting suites."""
    cross_cutting = {"e2e", "reliability", "security", "architecture", "plugins", "standins", "fixtures", "__pycache__"}
    sources = {p.name for base in ("jamono", ".") for p in (ROOT / base).iterdir() if p.is_dir()}
    folders = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and not p.name.startswith(".")}
    assert folders - cross_cutting - sources == set()
