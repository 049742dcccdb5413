"""Linear against torch (same weights): values, dtypes, grads for 1-D/2-D/N-D input, with and
without bias; graph node names; default init distribution; errors."""
import math

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from nn_helpers import assert_same, copy_state, randn, to_torch

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 5, 3), (2, 2, 2, 3)])
def test_linear_matches_torch(shape, bias, dtype):
    em = nn.Linear(3, 4, bias=bias)
    tm = torch.nn.Linear(3, 4, bias=bias)
    if dtype == np.float64:
        em.double(), tm.double()
    copy_state(em, tm)
    x = randn(*shape, dtype=dtype, requires_grad=True)
    xt = to_torch(x, requires_grad=True)
    out, ref = em(x), tm(xt)
    assert_same(out, ref)
    if len(shape) == 2:     # torch 2.13 names 1-D/N-D nodes differently from the seeds' torch
        assert out.grad_fn.name() == type(ref.grad_fn).__name__
    g = randn(*out.shape, dtype=dtype, seed=3)
    out.backward(g)
    ref.backward(to_torch(g))
    assert_same(x.grad, xt.grad)
    assert_same(em.weight.grad, tm.weight.grad)
    if bias:
        assert_same(em.bias.grad, tm.bias.grad)


@pytest.mark.parametrize("shape,bias,name", [
    ((3,), True, "ViewBackward0"), ((4, 3), True, "AddmmBackward0"), ((4, 3), False, "MmBackward0"),
])
def test_grad_fn_names_follow_torch(shape, bias, name):
    out = nn.Linear(3, 2, bias=bias)(ember.ones(*shape))
    assert out.grad_fn.name() == name


def test_only_needed_gradients_are_made():
    layer = nn.Linear(3, 2)
    layer.weight.requires_grad_(False)
    x = randn(4, 3, requires_grad=True)
    layer(x).sum().backward()
    assert layer.weight.grad is None and layer.bias.grad is not None and x.grad is not None


def test_gradcheck_float64():
    x = randn(2, 3, dtype=np.float64, requires_grad=True)
    w = randn(4, 3, dtype=np.float64, seed=1, requires_grad=True)
    b = randn(4, dtype=np.float64, seed=2, requires_grad=True)
    assert ember.autograd.gradcheck(F.linear, (x, w, b))
    x3 = randn(2, 2, 3, dtype=np.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, c: F.linear(a, c), (x3, w))


def test_default_init_distribution_matches_torch():
    """kaiming_uniform_(a=√5) on (out, in) is U(±1/√in); the bias is U(±1/√in) too."""
    ember.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    ref = torch.nn.Linear(400, 300)
    for p, pt in ((layer.weight, ref.weight), (layer.bias, ref.bias)):
        a, at = p._data, pt.detach().numpy()
        assert a.dtype == np.float32
        assert np.abs(a).max() <= bound and np.abs(a).max() > 0.98 * bound
        assert abs(a.mean()) < 4 * bound / math.sqrt(3 * a.size)    # 4 standard errors
        # U(-b, b) has std b/√3; both frameworks' samples must sit near it
        np.testing.assert_allclose(a.std(), bound / math.sqrt(3), rtol=0.05 if a.size < 1000 else 0.01)
        np.testing.assert_allclose(a.std(), at.std(), rtol=0.1 if a.size < 1000 else 0.02)


def test_init_uses_global_generator():
    ember.manual_seed(7)
    a = nn.Linear(5, 3).weight._data.copy()
    ember.manual_seed(7)
    b = nn.Linear(5, 3).weight._data.copy()
    np.testing.assert_array_equal(a, b)


def test_parameter_count_of_seed_model():
    model = nn.Sequential(nn.Linear(9, 4), nn.Linear(4, 2), nn.Linear(2, 1))
    assert sum(p.numel() for p in model.parameters()) == 53


@pytest.mark.parametrize("call,err,match", [
    (lambda: nn.Linear(4, 2)(ember.ones(1, 5)), RuntimeError, "Linear expected 4 input features, got 5"),
    (lambda: nn.Linear(4, 2)(ember.ones(5)), RuntimeError, "expected 4 input features, got 5"),
    (lambda: nn.Linear(2, 2)(ember.tensor([[1, 2]])), RuntimeError,
     "mat1 and mat2 must have the same dtype, but got Long and Float"),
    (lambda: nn.Linear(-1, 2), ValueError, "in_features.*-1"),
    (lambda: nn.Linear(2, 2.5), ValueError, "out_features.*2.5"),
])
def test_bad_input_raises(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_repr_and_state_dict_like_torch():
    em, tm = nn.Linear(3, 4), torch.nn.Linear(3, 4)
    assert repr(em) == repr(tm)
    assert repr(nn.Linear(3, 4, bias=False)) == repr(torch.nn.Linear(3, 4, bias=False))
    assert list(em.state_dict()) == list(tm.state_dict())
    assert repr(em.bias).startswith("Parameter containing:\ntensor([")
    assert repr(em.bias).endswith("requires_grad=True)")


def test_parameter_shares_memory():
    t = ember.zeros(3)
    p = nn.Parameter(t)
    p._data[0] = 5
    assert t._data[0] == 5 and p.requires_grad and isinstance(p, ember.Tensor)
    assert repr(nn.Parameter(ember.zeros(2))) == \
        "Parameter containing:\ntensor([0., 0.], requires_grad=True)"
