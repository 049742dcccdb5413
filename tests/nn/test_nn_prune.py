"""nn.utils.prune against torch: masks (deterministic methods equal torch's on tie-free
weights; random ones prune as many entries), state_dict keys, forward values, gradients,
repeated pruning (PruningContainer), global pruning, remove and errors."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.utils.prune as prune
from nn_helpers import assert_same, copy_state, error_of, randn, to_torch

torch = pytest.importorskip("torch")
import torch.nn.utils.prune as tprune  # noqa: E402


def _layers(kind):
    build = {"linear": lambda lib: lib.nn.Linear(6, 5),
             "conv": lambda lib: lib.nn.Conv2d(3, 4, 3)}[kind]
    em, tm = build(ember), build(torch)
    copy_state(em, tm)
    return em, tm


INPUT = {"linear": (3, 6), "conv": (2, 3, 5, 5)}

# name -> (kind, [(function name, kwargs), ...] applied in order)
DETERMINISTIC = {
    "l1_fraction": ("linear", [("l1_unstructured", dict(name="weight", amount=0.3))]),
    "l1_count_bias": ("linear", [("l1_unstructured", dict(name="bias", amount=2))]),
    "l1_zero": ("linear", [("l1_unstructured", dict(name="weight", amount=0))]),
    "l1_all": ("conv", [("l1_unstructured", dict(name="weight", amount=1.0))]),
    "ln_structured_dim0": ("conv", [("ln_structured", dict(name="weight", amount=0.5, n=2, dim=0))]),
    "ln_structured_l1_dim1": ("conv", [("ln_structured", dict(name="weight", amount=1, n=1, dim=1))]),
    "ln_structured_inf_last": ("linear", [("ln_structured", dict(name="weight", amount=0.4,
                                                                 n=float("inf"), dim=-1))]),
    "identity": ("linear", [("identity", dict(name="weight"))]),
    "l1_then_l1": ("linear", [("l1_unstructured", dict(name="weight", amount=0.2)),
                              ("l1_unstructured", dict(name="weight", amount=0.25))]),
    "l1_then_ln": ("conv", [("l1_unstructured", dict(name="weight", amount=0.3)),
                            ("ln_structured", dict(name="weight", amount=1, n=2, dim=0))]),
    "ln_then_l1_then_custom": ("linear", [
        ("ln_structured", dict(name="weight", amount=2, n=1, dim=0)),
        ("l1_unstructured", dict(name="weight", amount=3)),
        ("custom_from_mask", dict(name="weight", mask="checker"))]),
}


def _kwargs(lib, kwargs, shape):
    if kwargs.get("mask") == "checker":
        mask = (np.indices(shape).sum(0) % 2).astype(np.float32)
        return {**kwargs, "mask": lib.tensor(mask) if lib is ember else torch.from_numpy(mask)}
    return kwargs


@pytest.mark.parametrize("case", DETERMINISTIC)
def test_deterministic_pruning_matches_torch(case):
    kind, steps = DETERMINISTIC[case]
    em, tm = _layers(kind)
    for fn, kwargs in steps:
        shape = tuple(getattr(em, kwargs["name"]).shape)
        assert getattr(prune, fn)(em, **_kwargs(ember, kwargs, shape)) is em
        getattr(tprune, fn)(tm, **_kwargs(torch, kwargs, shape))
    assert list(em.state_dict()) == list(tm.state_dict())
    for key, value in tm.state_dict().items():
        assert_same(em.state_dict()[key], value)
    assert prune.is_pruned(em)
    hooks = list(em._forward_pre_hooks.values())
    thooks = list(tm._forward_pre_hooks.values())
    assert [type(h).__name__ for h in hooks] == [type(h).__name__ for h in thooks]
    x = randn(*INPUT[kind])
    y, yt = em(x), tm(to_torch(x))
    assert_same(y, yt, rtol=1e-5, atol=1e-6)
    y.sum().backward(), yt.sum().backward()
    for (name, p), (tname, tp) in zip(em.named_parameters(), tm.named_parameters()):
        assert name == tname
        assert_same(p.grad, tp.grad, rtol=1e-5, atol=1e-6)


def test_sgd_on_a_pruned_model_matches_torch_and_keeps_pruned_entries_zero():
    em, tm = _layers("conv")
    prune.l1_unstructured(em, "weight", amount=0.5)
    tprune.l1_unstructured(tm, "weight", amount=0.5)
    opt = ember.optim.SGD(em.parameters(), lr=0.1)
    topt = torch.optim.SGD(tm.parameters(), lr=0.1)
    x = randn(*INPUT["conv"])
    for _ in range(3):
        for model, o, inp in ((em, opt, x), (tm, topt, to_torch(x))):
            o.zero_grad()
            (model(inp) ** 2).mean().backward()
            o.step()
    for key, value in tm.state_dict().items():
        assert_same(em.state_dict()[key], value, rtol=1e-5, atol=1e-6)
    em(x)
    assert float((em.weight * (1 - em.weight_mask)).abs().sum()) == 0.0


@pytest.mark.parametrize("method", ["l1", "ln"])
def test_remove_makes_pruning_permanent_like_torch(method):
    em, tm = _layers("conv")
    orig = em.weight
    if method == "l1":
        prune.l1_unstructured(em, "weight", 0.4), tprune.l1_unstructured(tm, "weight", 0.4)
    else:
        prune.ln_structured(em, "weight", 0.5, 2, 0), tprune.ln_structured(tm, "weight", 0.5, 2, 0)
    assert prune.remove(em, "weight") is em
    tprune.remove(tm, "weight")
    assert em.weight is orig and not prune.is_pruned(em)
    assert list(em.state_dict()) == list(tm.state_dict()) == ["bias", "weight"]
    assert_same(em.weight, tm.weight)


def test_global_unstructured_matches_torch():
    em = nn.Sequential(nn.Linear(6, 5), nn.Linear(5, 3))
    tm = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.Linear(5, 3))
    copy_state(em, tm)
    prune.l1_unstructured(em[0], "bias", 1), tprune.l1_unstructured(tm[0], "bias", 1)
    pairs = [(em[0], "weight"), (em[1], "weight"), (em[0], "bias")]
    tpairs = [(tm[0], "weight"), (tm[1], "weight"), (tm[0], "bias")]
    scores = {(em[1], "weight"): em[1].weight * 3}
    tscores = {(tm[1], "weight"): tm[1].weight * 3}
    prune.global_unstructured(pairs, prune.L1Unstructured, importance_scores=scores, amount=0.5)
    tprune.global_unstructured(tpairs, tprune.L1Unstructured, importance_scores=tscores, amount=0.5)
    assert list(em.state_dict()) == list(tm.state_dict())
    for key, value in tm.state_dict().items():
        assert_same(em.state_dict()[key], value)


@pytest.mark.parametrize("fn,kwargs,axis", [
    ("random_unstructured", dict(amount=0.4), None),
    ("random_unstructured", dict(amount=7), None),
    ("random_structured", dict(amount=0.5, dim=0), 0),
    ("random_structured", dict(amount=1, dim=1), 1),
])
def test_random_methods_prune_as_many_entries_as_torch(fn, kwargs, axis):
    em, tm = _layers("conv")
    getattr(prune, fn)(em, "weight", **kwargs)
    getattr(tprune, fn)(tm, "weight", **kwargs)
    mask, tmask = em.weight_mask._data, tm.weight_mask.numpy()
    assert mask.dtype == tmask.dtype and set(np.unique(mask)) <= {0.0, 1.0}
    assert mask.sum() == tmask.sum()
    if axis is not None:  # whole channels
        other = tuple(d for d in range(mask.ndim) if d != axis)
        assert set(np.unique(mask.mean(axis=other))) <= {0.0, 1.0}


def test_pruning_container_holds_the_methods():
    m = nn.Linear(4, 4)
    prune.l1_unstructured(m, "weight", 0.25)
    prune.random_structured(m, "weight", 1, 0)
    (hook,) = m._forward_pre_hooks.values()
    assert isinstance(hook, prune.PruningContainer) and len(hook) == 2
    assert [type(h) for h in hook] == [prune.L1Unstructured, prune.RandomStructured]
    assert int(m.weight_mask.sum()) <= 12


def _norm(msg):
    return msg.replace("torch.", "ember.").replace("ember.Size", "Size") if msg else msg


ERRORS = {
    "amount_negative": lambda P, lib: P.l1_unstructured(lib.nn.Linear(2, 2), "weight", -1),
    "amount_above_one": lambda P, lib: P.l1_unstructured(lib.nn.Linear(2, 2), "weight", 1.5),
    "amount_type": lambda P, lib: P.random_unstructured(lib.nn.Linear(2, 2), "weight", "half"),
    "amount_too_many": lambda P, lib: P.l1_unstructured(lib.nn.Linear(2, 2), "weight", 5),
    "structured_1d": lambda P, lib: P.ln_structured(lib.nn.Linear(2, 2), "bias", 1, 2, 0),
    "structured_dim": lambda P, lib: P.ln_structured(lib.nn.Linear(2, 2), "weight", 1, 2, 2),
    "remove_unpruned": lambda P, lib: P.remove(lib.nn.Linear(2, 2), "weight"),
    "scores_shape": lambda P, lib: P.l1_unstructured(lib.nn.Linear(2, 2), "weight", 1,
                                                     importance_scores=lib.ones(3)),
    "global_structured": lambda P, lib: P.global_unstructured(
        [(lib.nn.Linear(2, 2), "weight")], P.LnStructured, amount=1, n=2, dim=0),
    "global_not_iterable": lambda P, lib: P.global_unstructured(3, P.L1Unstructured, amount=1),
    "custom_mask_shape": lambda P, lib: P.custom_from_mask(lib.nn.Linear(2, 2), "weight",
                                                           lib.ones(3)),
    "container_other_name": lambda P, lib: _container_mixing(P),
}


def _container_mixing(P):
    a, b = P.L1Unstructured(0.5), P.L1Unstructured(0.5)
    a._tensor_name, b._tensor_name = "weight", "bias"
    P.PruningContainer(a).add_pruning_method(b)


@pytest.mark.parametrize("case", ERRORS)
def test_errors_match_torch(case):
    kind, msg = error_of(lambda: ERRORS[case](prune, ember))
    tkind, tmsg = error_of(lambda: ERRORS[case](tprune, torch))
    assert tkind is not None
    if case == "container_other_name":  # the message quotes the container's repr
        assert kind is tkind and msg.split(" to PruningContainer")[0] == tmsg.split(" to Pruning")[0]
        return
    assert (kind, _norm(msg)) == (tkind, _norm(tmsg))


def test_failed_pruning_restores_the_parameter():
    m = nn.Linear(2, 2)
    w = m.weight
    with pytest.raises(ValueError):
        prune.l1_unstructured(m, "weight", 5)
    assert m.weight is w and set(m.state_dict()) == {"weight", "bias"} and not prune.is_pruned(m)
