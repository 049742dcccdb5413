"""ember's base classes have torch's public methods: every public attribute of ``torch.nn.Module``
and ``torch.optim.Optimizer`` is on ember's class or listed in :data:`OUT_OF_SCOPE` with its
reason, and each method present in both takes torch's parameters (names, positions, literal
defaults; read with ``api_signatures``)."""
from __future__ import annotations

import inspect

import pytest

import ember

torch = pytest.importorskip("torch")

from api_signatures import compare, signature_overload  # noqa: E402

CLASSES = {"torch.nn.Module": (torch.nn.Module, ember.nn.Module),
           "torch.optim.Optimizer": (torch.optim.Optimizer, ember.optim.Optimizer)}

# {class: {reason: "names ..."}}
OUT_OF_SCOPE = {
    "torch.nn.Module": {
        "ember has no bfloat16 dtype (NumPy has none)": "bfloat16",
        "devices ember does not have (it is CPU-only; only cuda/mps keep torch's CPU-only errors)":
            "ipu xpu mtia",
    },
    "torch.optim.Optimizer": {},
}

# {class: {method: reason}}: methods whose parameters differ from torch's on purpose
SIGNATURE_EXCEPTIONS: dict = {"torch.nn.Module": {}, "torch.optim.Optimizer": {}}


def _public(cls) -> list[str]:
    return sorted(n for n in dir(cls) if not n.startswith("_"))


def _out_of_scope(name: str) -> dict:
    return {n: reason for reason, text in OUT_OF_SCOPE[name].items() for n in text.split()}


@pytest.mark.parametrize("name", CLASSES)
def test_every_public_attribute_is_present_or_listed(name):
    theirs, ours = CLASSES[name]
    listed = _out_of_scope(name)
    missing = [n for n in _public(theirs) if not hasattr(ours, n) and n not in listed]
    assert missing == [], f"{name}: add these or list them in OUT_OF_SCOPE with a reason: {missing}"
    stale = [n for n in listed if hasattr(ours, n) or not hasattr(theirs, n)]
    assert stale == [], f"{name}: listed in OUT_OF_SCOPE but present in ember or not in torch: {stale}"


def _overload(cls, attr: str):
    raw = inspect.getattr_static(cls, attr)
    if isinstance(raw, staticmethod):
        return signature_overload(raw.__func__)
    if isinstance(raw, classmethod):
        return signature_overload(raw.__func__, drop_first=True)
    if inspect.isfunction(raw):
        return signature_overload(raw, drop_first=True)
    return None


@pytest.mark.parametrize("name", CLASSES)
def test_methods_take_torchs_parameters(name):
    theirs, ours = CLASSES[name]
    problems, checked = [], 0
    for attr in _public(theirs):
        if not hasattr(ours, attr) or attr in SIGNATURE_EXCEPTIONS[name]:
            continue
        ref = _overload(theirs, attr)
        if ref is None:
            continue
        mine = _overload(ours, attr)
        assert mine is not None, f"{name}.{attr}: a method in torch, not one in ember"
        checked += 1
        problems += [f"{name}.{attr}: {p}" for p in compare([ref], mine)]
        # keyword-only in torch must stay keyword-only (``to_empty(*, device)``)
        problems += [f"{name}.{attr}: {k!r} is keyword-only in torch" for k in ref.keyword_only
                     if k in mine.positional]
    assert checked > 10
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", CLASSES)
def test_class_attributes_have_torchs_values(name):
    theirs, ours = CLASSES[name]
    for attr in _public(theirs):
        value = inspect.getattr_static(theirs, attr, None)
        if isinstance(value, (bool, int, str)) and hasattr(ours, attr):
            assert getattr(ours, attr) == value, f"{name}.{attr}"
