"""ember.keras covers Keras 3's public API: every public name of ``keras``, ``keras.layers``,
``keras.losses``, ``keras.metrics``, ``keras.callbacks``, ``keras.optimizers`` (and
``schedules``), ``keras.ops``, ``keras.utils``, ``keras.random``, ``keras.initializers`` and
``keras.regularizers`` is present in ember.keras or listed, with its reason, in
``keras_scope.py``; names present in both take the same parameters (names, positions, literal
defaults).

The names come from the installed Keras, so a Keras release that adds a name makes this test fail
until the name is implemented or listed.

Run ``python tests/api_coverage/test_keras_coverage.py`` for the coverage figures.
"""
from __future__ import annotations

import os
import sys

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

import ember.keras as ek  # noqa: E402
from api_signatures import (callable_of, compare, coverage_table, is_module, public_names,  # noqa: E402
                            signature_overload)
import keras_scope as scope  # noqa: E402

SUBMODULES = ["", "layers", "losses", "metrics", "callbacks", "optimizers", "optimizers.schedules",
              "ops", "ops.image", "utils", "random", "initializers", "regularizers"]
MODULES = ["keras" + ("." + m if m else "") for m in SUBMODULES]


def _resolve(root, dotted: str):
    for part in dotted.split(".")[1:]:
        root = getattr(root, part)
    return root


def _modules():
    return {m: (_resolve(keras, m), _resolve(ek, m), public_names(_resolve(keras, m), use_all=False))
            for m in MODULES}


def _listed(module: str) -> dict:
    out = {}
    for kind, table in (("out of scope", scope.OUT_OF_SCOPE), ("owned", scope.OWNED),
                        ("todo", scope.TODO)):
        for name in scope.names(table, module):
            assert name not in out, f"{module}.{name} is listed twice ({out[name]} and {kind})"
            out[name] = kind
    return out


def coverage(module: str) -> dict:
    """Counts for one module: present / in scope (owned names count as in scope)."""
    _, mine, names = _modules()[module]
    listed = _listed(module)
    present = [n for n in names if hasattr(mine, n)]
    oos = [n for n in names if n not in present and listed.get(n) == "out of scope"]
    owned = [n for n in names if n not in present and listed.get(n) == "owned"]
    todo = [n for n in names if n not in present and listed.get(n) == "todo"]
    unlisted = [n for n in names if n not in present and n not in listed]
    return {"names": len(names), "present": len(present), "out_of_scope": len(oos),
            "in_scope": len(names) - len(oos), "owned": len(owned), "todo": len(todo),
            "unlisted": unlisted}


@pytest.mark.parametrize("module", MODULES)
def test_every_public_name_is_present_or_listed_with_a_reason(module):
    assert coverage(module)["unlisted"] == [], (
        f"{module}: these names are neither in ember.keras nor in keras_scope.py")


@pytest.mark.parametrize("module", MODULES)
def test_listed_names_are_really_missing_and_really_keras(module):
    _, mine, names = _modules()[module]
    tables = (scope.OUT_OF_SCOPE, scope.OWNED, scope.TODO)
    done = [n for table in tables for n in scope.names(table, module) if hasattr(mine, n)]
    assert done == [], f"{module}: now present in ember.keras, remove them from keras_scope.py: {done}"
    stale = [n for table in tables for n in scope.names(table, module) if n not in names]
    assert stale == [], f"{module}: listed but not a public name of Keras: {stale}"


def _overload(value):
    if isinstance(value, property) or not callable(value) or is_module(value):
        return None
    func, drop = callable_of(value)
    if func is object.__init__:
        return None
    return signature_overload(func, drop_first=drop)


@pytest.mark.parametrize("module", MODULES)
def test_shared_names_take_keras_parameters(module):
    ref, mine, names = _modules()[module]
    problems = []
    for name in names:
        if not hasattr(mine, name) or (module, name) in scope.SIGNATURE_EXCEPTIONS:
            continue
        theirs = _overload(getattr(ref, name))
        if theirs is None:
            continue
        found = compare([theirs], _overload(getattr(mine, name)))
        problems += [f"{module}.{name}: {p.replace('torch', 'Keras')}" for p in found]
    assert problems == [], "\n".join(problems)


def test_signature_exceptions_name_real_shared_callables():
    modules = _modules()
    for module, name in scope.SIGNATURE_EXCEPTIONS:
        ref, mine, names = modules[module]
        assert name in names and hasattr(mine, name), f"{module}.{name}: stale exception"


def figures() -> str:
    """The coverage table (markdown): present / in scope per module."""
    return coverage_table(MODULES, coverage)


if __name__ == "__main__":  # pragma: no cover - prints the figures for the README
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    print(figures())
