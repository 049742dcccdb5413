"""ember.keras's modules import each other without circles (module-level imports, the ones that
run at import time; a package's ``__init__`` re-exports are not edges of the graph)."""
import ast
import pathlib

import ember.keras

ROOT = pathlib.Path(ember.keras.__file__).parent
MODULES = {".".join(("ember", "keras") + p.relative_to(ROOT).with_suffix("").parts): p
           for p in sorted(ROOT.rglob("*.py")) if p.name != "__init__.py"}


def _package(name: str, path: pathlib.Path) -> str:
    return name.rsplit(".", 1)[0] if path.name != "__init__.py" else name


def _edges(name: str, path: pathlib.Path) -> set:
    out = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom):
            base = _package(name, path)
            for _ in range(node.level - 1):
                base = base.rsplit(".", 1)[0]
            module = (base + ("." + node.module if node.module else "")) if node.level else \
                node.module
            targets = [module] + [f"{module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        out |= {t for t in targets if t in MODULES and t != name}
    return out


def test_keras_modules_import_each_other_without_circles():
    graph = {name: _edges(name, path) for name, path in MODULES.items()}
    assert sum(map(len, graph.values())) > 100  # the graph was really read
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            assert state.get(nxt) != "open", f"import circle: {' -> '.join(stack + [nxt])}"
            if nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node, [node])
