"""F.linear_cross_entropy and nn.LinearCrossEntropyLoss (torch 2.13's fused linear head and
cross-entropy) against torch: values, dtypes and the gradients of input, weight and bias, for
class-index and probability targets, K-dimensional heads, every reduction and the options."""
import numpy as np
import pytest

import ember
from nn_helpers import error_of

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(3)
X = RNG.standard_normal((5, 4)).astype(np.float32)
W = RNG.standard_normal((3, 4)).astype(np.float32)
W_K = RNG.standard_normal((3, 2, 4)).astype(np.float32)
B = RNG.standard_normal(3).astype(np.float32)
B_K = RNG.standard_normal((3, 2)).astype(np.float32)
T = np.array([0, 2, 1, 2, 0])
T_K = np.array([[0, 1], [2, 2], [1, 0], [2, 1], [0, 0]])
T_IGNORED = np.array([0, 7, 1, 2, 7])
P = RNG.dirichlet(np.ones(3), size=5).astype(np.float32)

CASES = [
    ("plain", X, W, None, T, {}),
    ("bias_sum", X, W, B, T, {"reduction": "sum"}),
    ("none_smoothing", X, W, B, T, {"reduction": "none", "label_smoothing": 0.2}),
    ("class_weight", X, W, None, T, {"weight": np.array([1.0, 2.0, 0.5], np.float32)}),
    ("ignore_index", X, W, None, T_IGNORED, {"ignore_index": 7}),
    ("probabilities", X, W, B, P, {}),
    ("unbatched", X[0], W, B, T[0], {}),
    ("k_dimensional", X, W_K, B_K, T_K, {}),
    ("options", X, W, None, T, {"options": "default"}),
]


def _run(m, x, w, b, t, kwargs):
    xs = [m.tensor(a, requires_grad=True) for a in (x, w) + ((b,) if b is not None else ())]
    kw = dict(kwargs)
    if "weight" in kw:
        kw["weight"] = m.tensor(kw["weight"])
    if kw.get("options") == "default":
        kw["options"] = m.nn.LinearCrossEntropyOptions(batch_chunk_size=2)
    out = m.nn.functional.linear_cross_entropy(
        xs[0], xs[1], m.tensor(t), linear_bias=xs[2] if b is not None else None, **kw)
    out.sum().backward()
    return out, [a.grad for a in xs]


@pytest.mark.parametrize("name,x,w,b,t,kwargs", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, x, w, b, t, kwargs):
    e_out, e_grads = _run(ember, x, w, b, t, kwargs)
    t_out, t_grads = _run(torch, x, w, b, t, kwargs)
    assert e_out.dtype == ember.float32 and e_out.shape == tuple(t_out.shape)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-5, atol=1e-6)
    for e, tg in zip(e_grads, t_grads):
        np.testing.assert_allclose(e.numpy(), tg.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs", [{}, {"bias": True, "out_features": (2,), "reduction": "sum"},
                                    {"label_smoothing": 0.1, "ignore_index": 1}])
def test_module_matches_torch(kwargs):
    target = T_K if "out_features" in kwargs else T
    e = ember.nn.LinearCrossEntropyLoss(4, 3, **kwargs)
    t = torch.nn.LinearCrossEntropyLoss(4, 3, **kwargs)
    assert sorted(e.state_dict()) == sorted(t.state_dict())
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    e_loss, t_loss = e(ember.tensor(X), ember.tensor(target)), t(torch.tensor(X), torch.tensor(target))
    np.testing.assert_allclose(e_loss.item(), t_loss.item(), rtol=1e-5)
    e_loss.backward()
    t_loss.backward()
    np.testing.assert_allclose(e.linear.weight.grad.numpy(), t.linear.weight.grad.numpy(),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("call", [
    lambda m: m.nn.functional.linear_cross_entropy(m.ones(2, 3, 4), m.ones(3, 4), m.tensor([0, 1])),
    lambda m: m.nn.functional.linear_cross_entropy(m.ones(2, 4), m.ones(4), m.tensor([0, 1])),
    lambda m: m.nn.functional.linear_cross_entropy(m.ones(2, 5), m.ones(3, 4), m.tensor([0, 1])),
    lambda m: m.nn.functional.linear_cross_entropy(m.ones(2, 4), m.ones(3, 4), m.tensor([0, 1]),
                                                   linear_bias=m.ones(4)),
    lambda m: m.nn.functional.linear_cross_entropy(m.ones(4), m.ones(3, 2, 4), m.tensor([0, 1])),
    lambda m: m.nn.functional.linear_cross_entropy(m.ones(2, 4), m.ones(3, 4), m.ones(2, 3) / 3,
                                                   ignore_index=0),
    lambda m: m.nn.LinearCrossEntropyLoss(4, 3, weight=m.ones(2)),
    lambda m: m.nn.LinearCrossEntropyLoss(4, 3, label_smoothing=1.5),
    lambda m: m.nn.LinearCrossEntropyOptions(acc_policy="fast"),
    lambda m: m.nn.LinearCrossEntropyOptions(batch_chunk_size=0),
])
def test_refuses_like_torch(call):
    theirs = error_of(lambda: call(torch))
    assert theirs[0] is not None
    assert error_of(lambda: call(ember)) == theirs
