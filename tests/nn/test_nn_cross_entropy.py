"""cross_entropy of class indices runs one node, NllLoss, whatever the options (weight,
smoothing, ignored targets, reduction, spatial input): against torch, values, dtypes, gradients,
node names, errors."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck
from ember.ops.loss import NllLoss
from nn_helpers import assert_same, to_torch

torch = pytest.importorskip("torch")
TF = torch.nn.functional

rng = np.random.default_rng(11)

# name, logits, targets, kwargs
ROUTES = [
    ("mean", rng.standard_normal((6, 4)), [0, 3, 1, 1, 2, 0], {}),
    ("sum", rng.standard_normal((6, 4)), [0, 3, 1, 1, 2, 0], {"reduction": "sum"}),
    ("batch_of_one", rng.standard_normal((1, 3)), [2], {}),
    ("one_class", rng.standard_normal((3, 1)), [0, 0, 0], {}),
    ("unbatched", rng.standard_normal(5), 4, {}),
    ("large_logits", rng.standard_normal((4, 3)) * 1e4, [0, 1, 2, 1], {}),
    ("ignore_index_absent", rng.standard_normal((4, 3)), [0, 2, 2, 0], {"ignore_index": 1}),
    ("ignore_index_present", rng.standard_normal((4, 3)), [0, 1, 2, 1], {"ignore_index": 1}),
    ("minus_100_present", rng.standard_normal((4, 3)), [0, -100, 2, 1], {}),
    ("weight", rng.standard_normal((4, 3)), [0, 1, 2, 1], {"weight": [0.2, 1.0, 3.0]}),
    ("smoothing", rng.standard_normal((4, 3)), [0, 1, 2, 1], {"label_smoothing": 0.1}),
    ("none", rng.standard_normal((4, 3)), [0, 1, 2, 1], {"reduction": "none"}),
    ("spatial", rng.standard_normal((2, 3, 2)), [[0, 1], [2, 2]], {}),
]


def _kwargs(kwargs, lib, dtype):
    out = dict(kwargs)
    if "weight" in out:
        out["weight"] = lib.tensor(np.asarray(out["weight"], dtype))
    return out


@pytest.mark.parametrize("target_dtype", [np.int64, np.int32])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", ROUTES, ids=[r[0] for r in ROUTES])
def test_value_gradient_and_node_match_torch(case, dtype, target_dtype):
    _, logits, target, kwargs = case
    x = ember.tensor(np.asarray(logits, dtype), requires_grad=True)
    xt = to_torch(x, requires_grad=True)
    t = np.asarray(target, target_dtype)
    loss = F.cross_entropy(x, ember.tensor(t), **_kwargs(kwargs, ember, dtype))
    ref = TF.cross_entropy(xt, torch.tensor(t.astype(np.int64)), **_kwargs(kwargs, torch, dtype))
    assert isinstance(loss.grad_fn, NllLoss)
    assert loss.grad_fn.name() == ref.grad_fn.name()
    assert_same(loss, ref)
    g = np.asarray(rng.standard_normal(loss.shape) + 1.5, dtype)   # not all ones: the scale matters
    loss.backward(ember.tensor(g))
    ref.backward(torch.tensor(g))
    assert_same(x.grad, xt.grad)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_module_on_a_model_trains_like_torch(reduction):
    x = rng.standard_normal((8, 5)).astype(np.float32)
    y = rng.integers(0, 3, 8)
    w = (rng.standard_normal((3, 5)) * 0.3).astype(np.float32)
    em, tm = nn.Linear(5, 3), torch.nn.Linear(5, 3)
    for m, lib in ((em, ember), (tm, torch)):
        with lib.no_grad():
            m.weight.copy_(lib.tensor(w))
            m.bias.zero_()
    eo, to = ember.optim.SGD(em.parameters(), lr=0.5), torch.optim.SGD(tm.parameters(), lr=0.5)
    el, tl = nn.CrossEntropyLoss(reduction=reduction), torch.nn.CrossEntropyLoss(reduction=reduction)
    for _ in range(5):
        eo.zero_grad(), to.zero_grad()
        el(em(ember.tensor(x)), ember.tensor(y)).backward()
        tl(tm(torch.tensor(x)), torch.tensor(y)).backward()
        eo.step(), to.step()
    assert_same(em.weight, tm.weight, rtol=1e-5, atol=1e-6)
    assert_same(em.bias, tm.bias, rtol=1e-5, atol=1e-6)


def test_backward_twice_with_retain_graph_gives_the_same_gradient():
    x = ember.tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    loss = F.cross_entropy(x, ember.tensor([0, 1, 2, 0]))
    loss.backward(retain_graph=True)
    first = x.grad._data.copy()
    loss.backward()
    np.testing.assert_allclose(x.grad._data, 2 * first, rtol=1e-6)


def test_infinite_and_nan_logits_behave_like_torch_without_warnings():
    logits = np.array([[np.inf, 0.0, 1.0], [0.0, -np.inf, 2.0], [np.nan, 0.0, 0.0]], np.float32)
    for rows, target in (([1], [0]), ([1], [1]), ([0], [0]), ([2], [1])):
        x = ember.tensor(logits[rows], requires_grad=True)
        xt = to_torch(x, requires_grad=True)
        with np.errstate(all="raise"):
            loss = F.cross_entropy(x, ember.tensor(target))
        ref = TF.cross_entropy(xt, torch.tensor(target))
        np.testing.assert_array_equal(loss._data, ref.detach().numpy())


@pytest.mark.parametrize("target, bad", [([0, 3, 1], 3), ([-1, 0, 2], -1), ([0, 7, -5], 7)])
@pytest.mark.parametrize("ignore_index", [-100, 1])
def test_out_of_range_target_names_the_index_and_the_class_count(target, bad, ignore_index):
    x = ember.tensor(np.zeros((3, 3), np.float32), requires_grad=True)
    with pytest.raises(IndexError, match=rf"Target {bad} is out of bounds.*\[0, 3\) for 3 classes"):
        F.cross_entropy(x, ember.tensor(target), ignore_index=ignore_index)
    with pytest.raises(IndexError):      # torch refuses it too
        TF.cross_entropy(torch.zeros(3, 3), torch.tensor(target), ignore_index=ignore_index)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_gradcheck_float64(reduction):
    x = ember.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    t = ember.tensor([4, 0, 2, 2])
    assert gradcheck(lambda a: F.cross_entropy(a, t, reduction=reduction), (x,))


def test_float32_stays_float32():
    x = ember.tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    loss = F.cross_entropy(x, ember.tensor(np.array([1, 0, 3], np.uint8)))
    loss.backward()
    assert loss.dtype == ember.float32 and x.grad.dtype == ember.float32
