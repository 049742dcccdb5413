"""ember covers torch's public API: every name of the checked modules is present in ember or
listed, with its reason, in ``torch_scope.py``; names present in both take the same parameters
(names, positions, literal defaults); classes report the same module path (``torch.nn.modules.
linear`` → ``ember.nn.modules.linear``).

The names come from the installed torch, so a new torch release that adds a name makes this test
fail until the name is implemented or listed.

Run ``python tests/api_coverage/test_torch_coverage.py`` for the coverage figures.
"""
from __future__ import annotations

import inspect
import sys

import pytest

import ember

torch = pytest.importorskip("torch")

from api_signatures import (callable_of, compare, coverage_table, is_module, public_names,  # noqa: E402
                            reference_overloads, signature_overload)
import torch_scope as scope  # noqa: E402

# torch's namespace beyond __all__: submodules and names code uses that __all__ leaves out
_TORCH_EXTRA = """broadcast_shapes set_default_dtype set_grad_enabled unique HalfTensor strided
    contiguous_format preserve_format channels_last channels_last_3d cuda backends accelerator
    autograd nn optim utils random mps cpu amp""".split()


def _modules():
    import torch.distributions
    import torch.linalg
    import torch.nn.functional
    import torch.nn.init
    import torch.nn.utils.parametrizations
    import torch.nn.utils.parametrize
    import torch.nn.utils.prune
    import torch.optim.lr_scheduler
    import torch.optim.swa_utils
    import torch.utils.checkpoint
    import torch.special
    import torch.utils.data

    import ember.distributions
    import ember.linalg
    import ember.nn.functional
    import ember.nn.init
    import ember.nn.utils.parametrizations
    import ember.nn.utils.parametrize
    import ember.nn.utils.prune
    import ember.optim.lr_scheduler
    import ember.optim.swa_utils
    import ember.utils.checkpoint
    import ember.special
    import ember.utils.data
    return {
        "torch": (torch, ember, sorted(set(torch.__all__) | set(_TORCH_EXTRA))),
        "torch.Tensor": (torch.Tensor, ember.Tensor, public_names(torch.Tensor, use_all=False)),
        "torch.nn": (torch.nn, ember.nn, public_names(torch.nn)),
        "torch.nn.functional": (torch.nn.functional, ember.nn.functional,
                                public_names(torch.nn.functional)),
        "torch.nn.init": (torch.nn.init, ember.nn.init, public_names(torch.nn.init)),
        "torch.optim.lr_scheduler": (torch.optim.lr_scheduler, ember.optim.lr_scheduler,
                                     public_names(torch.optim.lr_scheduler)),
        "torch.optim.swa_utils": (torch.optim.swa_utils, ember.optim.swa_utils,
                                  public_names(torch.optim.swa_utils)),
        "torch.utils.data": (torch.utils.data, ember.utils.data, public_names(torch.utils.data)),
        "torch.autograd": (torch.autograd, ember.autograd, public_names(torch.autograd)),
        "torch.linalg": (torch.linalg, ember.linalg, public_names(torch.linalg)),
        "torch.distributions": (torch.distributions, ember.distributions,
                                public_names(torch.distributions)),
        "torch.nn.utils": (torch.nn.utils, ember.nn.utils, public_names(torch.nn.utils)),
        "torch.nn.utils.parametrize": (torch.nn.utils.parametrize, ember.nn.utils.parametrize,
                                       public_names(torch.nn.utils.parametrize)),
        "torch.nn.utils.parametrizations": (torch.nn.utils.parametrizations,
                                            ember.nn.utils.parametrizations,
                                            public_names(torch.nn.utils.parametrizations)),
        "torch.nn.utils.prune": (torch.nn.utils.prune, ember.nn.utils.prune,
                                 public_names(torch.nn.utils.prune)),
        "torch.utils.checkpoint": (torch.utils.checkpoint, ember.utils.checkpoint,
                                   public_names(torch.utils.checkpoint)),
        "torch.special": (torch.special, ember.special, public_names(torch.special)),
    }


MODULES = list(_modules())


def _listed(module: str) -> dict:
    out = {}
    for kind, table in (("out of scope", scope.OUT_OF_SCOPE), ("owned", scope.OWNED),
                        ("todo", scope.TODO)):
        for name, reason in scope.names(table, module).items():
            assert name not in out, f"{module}.{name} is listed twice ({out[name]} and {kind})"
            out[name] = kind
    return out


def coverage(module: str) -> dict:
    """Counts for one module: present / in scope (owned names count as in scope)."""
    ref, mine, names = _modules()[module]
    listed = _listed(module)
    present = [n for n in names if hasattr(mine, n)]
    oos = [n for n in names if n not in present and listed.get(n) == "out of scope"]
    owned = [n for n in names if n not in present and listed.get(n) == "owned"]
    todo = [n for n in names if n not in present and listed.get(n) == "todo"]
    unlisted = [n for n in names if n not in present and n not in listed]
    in_scope = len(names) - len(oos)
    return {"names": len(names), "present": len(present), "out_of_scope": len(oos),
            "in_scope": in_scope, "owned": len(owned), "todo": len(todo), "unlisted": unlisted,
            "without_owned": in_scope - len(owned)}


@pytest.mark.parametrize("module", MODULES)
def test_every_public_name_is_present_or_listed_with_a_reason(module):
    assert coverage(module)["unlisted"] == [], (
        f"{module}: these names are neither in ember nor in torch_scope.py")


@pytest.mark.parametrize("module", MODULES)
def test_todo_names_are_really_missing(module):
    _, mine, names = _modules()[module]
    done = [n for n in scope.names(scope.TODO, module) if hasattr(mine, n)]
    assert done == [], f"{module}: now present, remove them from TODO in torch_scope.py: {done}"
    stale = [n for kind in (scope.OUT_OF_SCOPE, scope.OWNED, scope.TODO)
             for n in scope.names(kind, module) if n not in names]
    assert stale == [], f"{module}: listed but not a public name of torch: {stale}"


def _ember_overload(value, method: bool):
    if isinstance(value, property) or not callable(value):
        return None
    func, drop = callable_of(value)
    if func is object.__init__:
        return None
    return signature_overload(func, drop_first=drop or method)


@pytest.mark.parametrize("module", MODULES)
def test_shared_names_take_torchs_parameters(module):
    ref, mine, names = _modules()[module]
    method = module == "torch.Tensor"
    problems = []
    for name in names:
        if not hasattr(mine, name) or (module, name) in scope.SIGNATURE_EXCEPTIONS:
            continue
        theirs = inspect.getattr_static(ref, name) if method else getattr(ref, name)
        if isinstance(theirs, (property, staticmethod)) or is_module(theirs) or not callable(theirs):
            continue
        ours = inspect.getattr_static(mine, name) if method else getattr(mine, name)
        theirs_fn = getattr(ref, name)
        prefix = {"torch.linalg": "linalg_", "torch.special": "special_"}.get(module, "")
        aten_name = prefix + name                      # aten::linalg_svd, aten::special_erf
        found = compare(reference_overloads(theirs_fn, aten_name, method),
                        _ember_overload(ours, method))
        problems += [f"{module}.{name}: {p}" for p in found]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("module", MODULES)
def test_classes_report_torchs_module_path(module):
    ref, mine, names = _modules()[module]
    if module == "torch.Tensor":
        return
    wrong = []
    for name in names:
        theirs = getattr(ref, name, None)
        ours = getattr(mine, name, None)
        if not (isinstance(theirs, type) and isinstance(ours, type)):
            continue
        if name in scope.MODULE_EXCEPTIONS or not theirs.__module__.startswith("torch"):
            continue
        want = "ember" + theirs.__module__[len("torch"):]
        if ours.__module__ != want:
            wrong.append(f"{name}: {ours.__module__} (torch: {theirs.__module__})")
    assert wrong == [], "\n".join(wrong)


def test_tensor_itself_reports_torchs_module():
    assert ember.Tensor.__module__ == "ember" and torch.Tensor.__module__ == "torch"


def figures() -> str:
    """The coverage table (markdown): present / in scope per module."""
    return coverage_table(MODULES, coverage)


if __name__ == "__main__":  # pragma: no cover - prints the figures for the README
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    print(figures())
