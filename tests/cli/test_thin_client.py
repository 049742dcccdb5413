"""The CLI is a thin client: it imports only ember's public API (names in ``__all__`` of public
modules), touches no private attribute, compares no class names, reads every parameter it is
given, and its modules import each other without circles."""
import ast
import importlib
import pathlib

import pytest

import ember
import ember.cli.trainer

CLI = pathlib.Path(ember.__file__).parent / "cli"
MODULES = sorted(CLI.glob("*.py"))
PUBLIC = {"ember", "ember.nn", "ember.nn.utils", "ember.optim", "ember.optim.lr_scheduler",
          "ember.optim.swa_utils", "ember.onnx",
          "ember.utils.data", "ember.io", "ember.io.schema", "ember.datasets", "ember.diagnostics",
          "ember.utils.tensorboard", "ember.models", "ember.distributed", "ember.nn.parallel"}
COMMAND_PROTOCOL = {"add_arguments", "run"}  # fixed signatures every command module provides


def _tree(path):
    return ast.parse(path.read_text(), str(path))


def _absolute(node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = ["ember", "cli"][: 3 - node.level]  # level 1: ember.cli, level 2: ember
    return ".".join(base + ([node.module] if node.module else []))


def _imports(path):
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom):
            yield node.lineno, _absolute(node), [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_cli_imports_only_public_names(path):
    for line, module, names in _imports(path):
        if not module.startswith("ember") or module.startswith("ember.cli"):
            continue
        assert module in PUBLIC, f"{path.name}:{line} imports from {module}, not a public module"
        imported = importlib.import_module(module)
        exported = set(getattr(imported, "__all__", ()))
        if module == "ember":  # the torch-like top level has no __all__: its public names
            exported = {n for n in dir(imported) if not n.startswith("_") or n.startswith("__")}
        for name in names:
            assert name in exported or f"{module}.{name}" in PUBLIC, \
                f"{path.name}:{line} imports {name} from {module}, which does not export it"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_cli_touches_no_private_attribute_and_compares_no_class_name(path):
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            assert owner in ("self", "cls"), f"{path.name}:{node.lineno} reads .{node.attr}"
        if isinstance(node, ast.Compare):
            text = ast.unparse(node)
            assert "__name__" not in text or "__main__" in text, f"{path.name}:{node.lineno}: {text}"


def _unread_parameters(function):
    names = {a.arg for a in function.args.args + function.args.kwonlyargs} - {"self", "cls"}
    used = {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}
    return sorted(names - used)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_every_parameter_is_read(path):
    for node in ast.walk(_tree(path)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name not in COMMAND_PROTOCOL:
            is_stub = len(node.body) == 1 and isinstance(node.body[0], (ast.Raise, ast.Pass))
            assert is_stub or not _unread_parameters(node), \
                f"{path.name}:{node.lineno} {node.name}() never reads {_unread_parameters(node)}"


def test_cli_modules_import_each_other_without_circles():
    graph = {}
    for path in MODULES:
        name = f"ember.cli.{path.stem}"
        graph[name] = set()
        for node in _tree(path).body:  # module-level imports only: those run at import time
            if isinstance(node, ast.ImportFrom):
                module = _absolute(node)
                targets = [module] + [f"{module}.{a.name}" for a in node.names]
                graph[name] |= {t for t in targets if t.startswith("ember.cli.") and t != name}
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in graph.get(node, ()):
            assert state.get(nxt) != "open", f"import circle: {' -> '.join(stack + [nxt])}"
            if nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node, [node])


def test_clipping_and_schedules_come_from_the_library():
    import ember.nn.utils
    assert ember.cli.trainer.clip_grad_norm_ is ember.nn.utils.clip_grad_norm_
    assert ember.cli.trainer.clip_grad_value_ is ember.nn.utils.clip_grad_value_
    source = (CLI / "train.py").read_text() + (CLI / "trainer.py").read_text()
    assert "initial_lr" not in source and "param_groups" not in source.replace(
        'optimizer.param_groups[0]["lr"]', "")


def test_lr_auto_builds_the_schedule_after_the_rate_is_known(tmp_path):
    """``--lr auto`` with a schedule: the scheduler starts from the suggested rate (no patching)."""
    from ember.cli.main import main
    out = tmp_path / "run"
    assert main(["train", "iris", "--lr", "auto", "--lr-schedule", "step", "--epochs", "1",
                 "--out", str(out), "--quiet", "--no-plots"]) == 0
    saved = ember.load(out / "checkpoint.safetensors")
    lr = __import__("json").loads((out / "config.json").read_text())["config"]["lr"]
    assert saved["scheduler"]["base_lrs"] == [pytest.approx(lr)]
    assert saved["optimizer"]["param_groups"][0]["initial_lr"] == pytest.approx(lr)
