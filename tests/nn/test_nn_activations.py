"""Activation modules and functionals against torch: values, dtypes, input and parameter grads,
plus a float64 gradcheck of each new primitive."""
import re

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from nn_helpers import assert_same, copy_state, randn, to_torch

torch = pytest.importorskip("torch")
tnn = torch.nn

# (ember module, torch module) built by name so each row is readable
MODULES = [
    ("ReLU", lambda m: m.ReLU()),
    ("LeakyReLU", lambda m: m.LeakyReLU()),
    ("LeakyReLU_0.2", lambda m: m.LeakyReLU(negative_slope=0.2)),
    ("PReLU", lambda m: m.PReLU()),
    ("PReLU_channels", lambda m: m.PReLU(num_parameters=5, init=0.1)),
    ("ELU", lambda m: m.ELU()),
    ("ELU_alpha", lambda m: m.ELU(alpha=0.5)),
    ("SELU", lambda m: m.SELU()),
    ("GELU", lambda m: m.GELU()),
    ("GELU_tanh", lambda m: m.GELU(approximate="tanh")),
    ("Sigmoid", lambda m: m.Sigmoid()),
    ("Tanh", lambda m: m.Tanh()),
    ("Softmax", lambda m: m.Softmax(dim=-1)),
    ("Softmax_0", lambda m: m.Softmax(dim=0)),
    ("LogSoftmax", lambda m: m.LogSoftmax(dim=1)),
    ("Softmin", lambda m: m.Softmin(dim=1)),
    ("Softplus", lambda m: m.Softplus()),
    ("Softplus_beta", lambda m: m.Softplus(beta=2.0, threshold=3.0)),
    ("Softsign", lambda m: m.Softsign()),
    ("Hardtanh", lambda m: m.Hardtanh()),
    ("Hardtanh_range", lambda m: m.Hardtanh(-2.0, 0.5)),
    ("ReLU6", lambda m: m.ReLU6()),
    ("SiLU", lambda m: m.SiLU()),
    ("LogSigmoid", lambda m: m.LogSigmoid()),
    ("Threshold", lambda m: m.Threshold(0.1, 20.0)),
    ("Identity", lambda m: m.Identity()),
    ("CELU", lambda m: m.CELU()),
    ("CELU_alpha", lambda m: m.CELU(alpha=2.5)),
    ("Hardsigmoid", lambda m: m.Hardsigmoid()),
    ("Hardswish", lambda m: m.Hardswish()),
    ("Hardshrink", lambda m: m.Hardshrink()),
    ("Hardshrink_lambd", lambda m: m.Hardshrink(lambd=2.0)),
    ("Softshrink", lambda m: m.Softshrink()),
    ("Softshrink_lambd", lambda m: m.Softshrink(1.5)),
    ("Tanhshrink", lambda m: m.Tanhshrink()),
    ("Mish", lambda m: m.Mish()),
    ("RReLU_eval", lambda m: m.RReLU(0.1, 0.6).eval()),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,make", MODULES, ids=[m[0] for m in MODULES])
def test_module_matches_torch(name, make, dtype):
    em, tm = make(nn), make(tnn)
    if dtype == np.float64:
        em.double(), tm.double()
    copy_state(em, tm)
    x = randn(4, 5, dtype=dtype, seed=1) * 4        # spans every activation's kinks and ranges
    x = x.detach().requires_grad_()
    xt = to_torch(x, requires_grad=True)
    out, out_t = em(x), tm(xt)
    assert_same(out, out_t)
    g = randn(4, 5, dtype=dtype, seed=2)
    out.backward(g)
    out_t.backward(to_torch(g))
    # float32 gradients differ by rounding where 1 - tanh² cancels (GELU tanh near -5); torch's
    # float64 hardsigmoid slope is a float32 1/6
    gtol = {} if dtype == np.float64 else {"rtol": 1e-5, "atol": 1e-5}
    if name == "Hardsigmoid" and dtype == np.float64:
        gtol = {"rtol": 1e-7, "atol": 0}
    assert_same(x.grad, xt.grad, **gtol)
    for (n, p), (_, pt) in zip(em.named_parameters(), tm.named_parameters()):
        assert_same(p.grad, pt.grad, **gtol)
    assert repr(em) == repr(tm)


@pytest.mark.parametrize("fn,kwargs", [
    (F.leaky_relu, {"negative_slope": 0.1}), (F.elu, {"alpha": 0.7}), (F.selu, {}),
    (F.gelu, {}), (F.gelu, {"approximate": "tanh"}), (F.softplus, {"beta": 1.5}),
    (F.softsign, {}), (F.hardtanh, {"min_val": -0.5, "max_val": 0.8}), (F.relu6, {}),
    (F.silu, {}), (F.logsigmoid, {}),
])
def test_gradcheck_float64(fn, kwargs):
    # values kept away from the kinks, where finite differences are not defined
    x = ember.tensor([[-2.3, -0.7, 0.4], [1.1, 3.2, 7.5]], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: fn(t, **kwargs), (x,))


def test_prelu_gradcheck_weight_and_input():
    x = ember.tensor([[-2.3, 0.4], [1.1, -3.2]], dtype=ember.float64, requires_grad=True)
    w = ember.tensor([0.3, 0.1], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b: F.prelu(a, b), (x, w))


@pytest.mark.parametrize("shape,dim", [((6,), 0), ((2, 6), 1), ((2, 3, 4), 0), ((2, 3, 4, 5), 1)])
def test_softmax_implicit_dim_warns_like_torch(shape, dim):
    x = randn(*shape)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = nn.Softmax()(x)
    assert_same(out, torch.softmax(to_torch(x), dim=dim))


def test_softmax_seed_values():
    x = ember.tensor([[1.0, -6.0, 2.5, -0.3, 1.2, 0.8]])
    with pytest.warns(UserWarning):
        out = nn.Softmax()(x)
    assert repr(out) == ("tensor([[1.2828e-01, 1.1698e-04, 5.7492e-01, 3.4961e-02, 1.5669e-01, "
                         "1.0503e-01]])")
    assert repr(nn.Sigmoid()(ember.tensor([[2.4]]))) == "tensor([[0.9168]])"


@pytest.mark.parametrize("make,value,expected", [
    (lambda: nn.ReLU(), 2.0, "tensor(2.)"),
    (lambda: nn.ReLU(), -3.0, "tensor(0.)"),
    (lambda: nn.LeakyReLU(negative_slope=0.05), -2.0, "tensor(-0.1000)"),
])
def test_seed_scalar_activations(make, value, expected):
    assert repr(make()(ember.tensor(value))) == expected


@pytest.mark.parametrize("x", [[-1000.0, 1000.0, 0.0], [-80.0, 80.0, 20.5]])
def test_extreme_inputs_stay_finite(x):
    t = ember.tensor(x, requires_grad=True)
    for fn in (F.softplus, F.logsigmoid, F.silu, F.elu, F.gelu, F.sigmoid):
        out = fn(t)
        out.sum().backward()
        assert np.all(np.isfinite(out._data)) and np.all(np.isfinite(t.grad._data)), fn.__name__
        xt = torch.tensor(x, requires_grad=True)
        ref = getattr(torch.nn.functional, fn.__name__)(xt)
        np.testing.assert_allclose(out._data, ref.detach().numpy(), rtol=1e-5, atol=1e-6)
        t.grad = None


@pytest.mark.parametrize("inplace_fn", [F.relu, F.leaky_relu, F.elu, F.silu, F.relu6])
def test_inplace_writes_into_input(inplace_fn):
    x = ember.tensor([-1.0, 2.0])
    out = inplace_fn(x, inplace=True)
    assert out is x
    ref = getattr(torch.nn.functional, inplace_fn.__name__)(torch.tensor([-1.0, 2.0]))
    np.testing.assert_allclose(x._data, ref.numpy(), rtol=1e-6)


def test_heaviside_has_no_gradient_and_matches_torch():
    x = ember.tensor([-1.0, 0.0, 2.0])
    out = ember.heaviside(x, ember.tensor(0.5))
    assert_same(out, torch.heaviside(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor(0.5)))


@pytest.mark.parametrize("call,err,match", [
    (lambda: nn.GELU(approximate="fast"), ValueError, "approximate must be 'none' or 'tanh', got 'fast'"),
    (lambda: nn.Hardtanh(1.0, -1.0), ValueError, "min_val=1.0, max_val=-1.0"),
    (lambda: nn.PReLU(num_parameters=0), ValueError, "num_parameters must be a positive integer, got 0"),
    (lambda: nn.PReLU(num_parameters=3)(ember.zeros(2, 4)), RuntimeError,
     "parameter numbers = 3 and channel size = 4"),  # torch's wording
])
def test_bad_arguments_raise(call, err, match):
    with pytest.raises(err, match=re.escape(match)):
        call()


@pytest.mark.parametrize("shape", [(2, 3, 4), (7,)])
def test_prelu_on_other_ranks_matches_torch(shape):
    n = shape[1] if len(shape) > 1 else 1
    em, tm = nn.PReLU(num_parameters=n, init=0.2), torch.nn.PReLU(num_parameters=n, init=0.2)
    x = randn(*shape, requires_grad=True)
    xt = to_torch(x, requires_grad=True)
    out, ref = em(x), tm(xt)
    assert_same(out, ref)
    out.sum().backward()
    ref.sum().backward()
    assert_same(x.grad, xt.grad)
    assert_same(em.weight.grad, tm.weight.grad, rtol=1e-5, atol=1e-6)
