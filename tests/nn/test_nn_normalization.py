"""BatchNorm1d/2d and LayerNorm against torch with the same weights: several training steps
(running statistics, num_batches_tracked), eval mode, options, grads, gradchecks, errors."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from nn_helpers import assert_same, copy_state, randn, to_torch

torch = pytest.importorskip("torch")

BN_CASES = [
    ("BatchNorm1d", {}, (6, 4)),
    ("BatchNorm1d", {}, (5, 4, 3)),
    ("BatchNorm1d", {"momentum": None}, (6, 4)),
    ("BatchNorm1d", {"momentum": 0.5, "eps": 1e-3}, (6, 4)),
    ("BatchNorm1d", {"affine": False}, (6, 4)),
    ("BatchNorm1d", {"bias": False}, (6, 4)),
    ("BatchNorm1d", {"track_running_stats": False}, (6, 4)),
    ("BatchNorm2d", {}, (3, 4, 2, 2)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kwargs,shape", BN_CASES,
                         ids=[f"{c[0]}-{c[1]}-{len(c[2])}d" for c in BN_CASES])
def test_batchnorm_matches_torch_over_steps(name, kwargs, shape, dtype):
    em, tm = getattr(nn, name)(4, **kwargs), getattr(torch.nn, name)(4, **kwargs)
    if dtype == np.float64:
        em.double(), tm.double()
    rng = np.random.default_rng(0)
    if em.weight is not None:                      # non-trivial affine weights
        em.weight._data[...] = rng.random(4) + 0.5
    if em.bias is not None:
        em.bias._data[...] = rng.standard_normal(4)
    copy_state(em, tm)
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-9, "atol": 1e-10}
    for step in range(3):
        for mode in ("train", "eval"):
            getattr(em, mode)(), getattr(tm, mode)()
            x = randn(*shape, dtype=dtype, seed=10 * step + len(mode), requires_grad=True)
            x._data *= 3
            x._data += 1
            xt = to_torch(x, requires_grad=True)
            out, ref = em(x), tm(xt)
            assert_same(out, ref, **tol)
            g = randn(*shape, dtype=dtype, seed=99)
            out.backward(g)
            ref.backward(to_torch(g))
            assert_same(x.grad, xt.grad, **tol)
            for (n, p), (_, pt) in zip(em.named_parameters(), tm.named_parameters()):
                assert_same(p.grad, pt.grad, **tol)
                p.grad, pt.grad = None, None
            for (n, b), (_, bt) in zip(em.named_buffers(), tm.named_buffers()):
                assert_same(b, bt, **tol)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert repr(em) == repr(tm)


def test_num_batches_tracked_counts_training_calls_only():
    bn = nn.BatchNorm1d(2)
    for _ in range(3):
        bn(randn(4, 2))
    bn.eval()
    bn(randn(4, 2))
    assert bn.num_batches_tracked.item() == 3 and bn.num_batches_tracked.dtype == ember.int64


def test_batchnorm_single_sample_in_training_raises_like_torch():
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training, "
                                         r"got input size \(1, 4\)"):
        nn.BatchNorm1d(4)(ember.ones(1, 4))
    nn.BatchNorm1d(4).eval()(ember.ones(1, 4))       # fine in eval mode


@pytest.mark.parametrize("call,err,match", [
    (lambda: nn.BatchNorm1d(4)(ember.ones(2, 3)), RuntimeError,
     "running_mean should contain 3 elements not 4"),
    (lambda: nn.BatchNorm2d(3)(ember.ones(2, 4, 4, 4)), RuntimeError,
     "running_mean should contain 4 elements not 3"),
    (lambda: nn.BatchNorm2d(3, track_running_stats=False)(ember.ones(2, 4, 4, 4)), RuntimeError,
     "weight should contain 4 elements not 3"),
    (lambda: nn.BatchNorm2d(3)(ember.ones(2, 3, 4)), ValueError, r"expected 4D input \(got 3D input\)"),
    (lambda: nn.BatchNorm1d(4)(ember.ones(2, 4, 1, 1)), ValueError, "expected 2D or 3D input"),
    (lambda: nn.BatchNorm1d(0), ValueError, "num_features"),
    (lambda: nn.BatchNorm1d(3, momentum=2.0), ValueError, "momentum"),
    (lambda: nn.LayerNorm(3)(ember.ones(2, 4)), RuntimeError, r"normalized_shape=\[3\]"),
])
def test_bad_input_raises(call, err, match):
    with pytest.raises(err, match=match):
        call()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("normalized,shape,kwargs", [
    (5, (3, 5), {}), ((4, 5), (2, 4, 5), {}), (5, (2, 3, 5), {"elementwise_affine": False}),
    (5, (3, 5), {"bias": False}), (5, (3, 5), {"eps": 1e-2}),
])
def test_layernorm_matches_torch(normalized, shape, kwargs, dtype):
    em, tm = nn.LayerNorm(normalized, **kwargs), torch.nn.LayerNorm(normalized, **kwargs)
    if dtype == np.float64:
        em.double(), tm.double()
    rng = np.random.default_rng(1)
    for p in em.parameters():
        p._data[...] = rng.standard_normal(p.shape)
    copy_state(em, tm)
    x = randn(*shape, dtype=dtype, requires_grad=True)
    xt = to_torch(x, requires_grad=True)
    out, ref = em(x), tm(xt)
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {}
    assert_same(out, ref, **tol)
    g = randn(*shape, dtype=dtype, seed=5)
    out.backward(g)
    ref.backward(to_torch(g))
    assert_same(x.grad, xt.grad, **tol)
    for p, pt in zip(em.parameters(), tm.parameters()):
        assert_same(p.grad, pt.grad, **tol)
    assert repr(em) == repr(tm) and list(em.state_dict()) == list(tm.state_dict())


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradcheck(training):
    x = randn(4, 3, dtype=np.float64, requires_grad=True)
    w = randn(3, dtype=np.float64, seed=1, requires_grad=True)
    b = randn(3, dtype=np.float64, seed=2, requires_grad=True)
    rm = ember.tensor(np.array([0.1, -0.2, 0.3]))
    rv = ember.tensor(np.array([1.5, 0.5, 2.0]))
    fn = (lambda a, c, d: F.batch_norm(a, None, None, c, d, training=True)) if training else \
        (lambda a, c, d: F.batch_norm(a, rm, rv, c, d, training=False))
    assert ember.autograd.gradcheck(fn, (x, w, b))


def test_layer_norm_gradcheck():
    x = randn(3, 4, dtype=np.float64, requires_grad=True)
    w = randn(4, dtype=np.float64, seed=1, requires_grad=True)
    b = randn(4, dtype=np.float64, seed=2, requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, c, d: F.layer_norm(a, (4,), c, d), (x, w, b))
