"""The apps depend one way (docs/architecture.md): every import between them, at module level or inside a function,
follows the map below, and no two apps import each other, directly or round a circle."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["newsroom", "articles", "photos", "mailinglist", "newsletters", "wire", "wpimport", "website"]

# Who may import whom. newsroom is infrastructure (settings, the page cache, the admin site, roles): it imports no app.
ALLOWED = {
    "newsroom": set(),
    "photos": {"newsroom"},
    "articles": {"newsroom", "photos"},
    "mailinglist": {"newsroom"},
    "newsletters": {"newsroom", "mailinglist", "articles"},
    "wire": {"newsroom", "articles", "photos"},
    "wpimport": {"newsroom", "articles", "photos"},
    "website": {"newsroom", "articles", "photos", "mailinglist", "newsletters", "wire", "wpimport"},
}


def imports_between_apps():
    """(importing app, imported app) -> the files that import it."""
    edges = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    target = name.split(".")[0]
                    if target in APPS and target != app:
                        edges.setdefault((app, target), set()).add(str(path.relative_to(ROOT)))
    return edges


def test_every_app_listed_exists():
    assert [app for app in APPS if not (ROOT / app / "apps.py").exists()] == []


def test_apps_import_only_what_the_map_allows():
    wrong = {edge: sorted(files) for edge, files in imports_between_apps().items() if edge[1] not in ALLOWED[edge[0]]}
    assert wrong == {}, "an app imports one it must not (docs/architecture.md)"


def find_cycle(edges):
    graph = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
    visiting, done = [], set()

    def visit(node):
        if node in visiting:
            return visiting[visiting.index(node) :] + [node]
        if node in done:
            return None
        visiting.append(node)
        for nxt in sorted(graph.get(node, ())):
            cycle = visit(nxt)
            if cycle:
                return cycle
        visiting.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        cycle = visit(node)
        if cycle:
            return cycle
    return None


def test_no_import_cycle_between_apps():
    assert find_cycle(imports_between_apps()) is None


@pytest.mark.parametrize(
    ("edges", "cycle"),
    [
        ({("a", "b"), ("b", "c")}, None),
        ({("a", "b"), ("b", "c"), ("c", "a")}, ["a", "b", "c", "a"]),
    ],
)
def test_the_cycle_check_finds_circles(edges, cycle):
    assert find_cycle(edges) == cycle
