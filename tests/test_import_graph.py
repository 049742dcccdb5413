"""No import circles in ember (DESIGN.md: data flows down). The graph is built from the source
with ``ast``: one edge per module-level import (inside ``try``/``if`` blocks too, but not under
``if TYPE_CHECKING:``), from the importing module to the module it names (``from pkg import name``
points at ``pkg.name`` when that is a module, else at ``pkg``'s ``__init__``). Imports inside
functions and methods are lazy: they run at call time and are allowed."""
import ast
import pathlib

import pytest

SRC = pathlib.Path(__file__).resolve().parent.parent / "src"


def _module_name(path: pathlib.Path, src: pathlib.Path) -> str:
    parts = path.relative_to(src).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(tree: ast.Module):
    """The import statements that run when the module is imported (function bodies excluded)."""
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
                    or isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING"):
                todo += node.body
            todo += node.orelse
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            todo += node.body + node.orelse + node.finalbody
            for handler in node.handlers:
                todo += handler.body
        elif isinstance(node, (ast.With, ast.For, ast.While)):
            todo += node.body + getattr(node, "orelse", [])
        elif isinstance(node, ast.ClassDef):  # a class body runs at import time
            todo += node.body


def graph(src: pathlib.Path = SRC, package: str = "ember") -> dict:
    """``{module: set of ember modules it imports at module level}``."""
    paths = {_module_name(p, src): p for p in (src / package).rglob("*.py")}
    edges: dict = {}
    for name, path in paths.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rpartition(".")[0]
        found = set()
        for node in _top_level_imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base = here.split(".")
                    base = base[:len(base) - (node.level - 1)]
                    origin = ".".join(base + ([node.module] if node.module else []))
                else:
                    origin = node.module
                targets = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in paths else origin for a in node.names]
            found.update(t for t in targets if t in paths and t != name)
        edges[name] = found
    return edges


def find_cycle(edges: dict):
    """One import circle as ``[a, b, ..., a]``, or None."""
    state: dict = {}
    for start in sorted(edges):
        if start in state:
            continue
        state[start] = "open"
        trail, stack = [start], [iter(sorted(edges[start]))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[trail.pop()] = "done"
                stack.pop()
            elif state.get(nxt) == "open":
                return trail[trail.index(nxt):] + [nxt]
            elif nxt not in state:
                state[nxt] = "open"
                trail.append(nxt)
                stack.append(iter(sorted(edges[nxt])))
    return None


def test_ember_has_no_import_circle():
    edges = graph()
    assert len(edges) > 100 and edges["ember.nn"], "the graph must hold ember's modules and their imports"
    cycle = find_cycle(edges)
    assert cycle is None, "import circle: " + " -> ".join(cycle)


CASES = [
    ({"a": {"b"}, "b": {"a"}}, ["a", "b", "a"]),
    ({"a": {"b"}, "b": {"c"}, "c": {"b"}}, ["b", "c", "b"]),
    ({"a": {"a"}}, ["a", "a"]),
    ({"a": {"b", "c"}, "b": {"c"}, "c": set()}, None),
]


@pytest.mark.parametrize("edges,cycle", CASES)
def test_the_check_finds_circles(edges, cycle):
    assert find_cycle(edges) == cycle


def test_the_graph_reads_relative_and_lazy_imports(tmp_path):
    pkg = tmp_path / "ember"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from .sub import thing\nfrom . import util\n")
    (pkg / "util.py").write_text("import os\ndef f():\n    from . import sub\n")
    (pkg / "sub" / "__init__.py").write_text("from ..util import helper\ntry:\n    from .. import other\n"
                                             "except ImportError:\n    pass\n")
    (pkg / "other.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import ember.util\n")
    assert graph(tmp_path) == {"ember": {"ember.sub", "ember.util"}, "ember.util": set(),
                               "ember.sub": {"ember.util", "ember.other"}, "ember.other": set()}
