"""one_hot, normalize, pad and linear of ember.nn.functional against torch."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from nn_helpers import assert_same, randn, to_torch

torch = pytest.importorskip("torch")
TF = torch.nn.functional


@pytest.mark.parametrize("labels,num_classes", [([0, 2, 1], 3), ([0, 2, 1], -1), ([[1, 0], [3, 2]], 5),
                                                (1, 3)])
def test_one_hot_matches_torch(labels, num_classes):
    out = F.one_hot(ember.tensor(labels), num_classes=num_classes)
    assert_same(out, TF.one_hot(torch.tensor(labels), num_classes=num_classes))
    assert out.dtype == ember.int64


@pytest.mark.parametrize("labels,num_classes,match", [
    ([0, 3], 3, "smaller than num_classes"), ([-1], 3, "non-negative"),
    ([0.0, 1.0], 2, "LongTensor"),
])
def test_one_hot_errors(labels, num_classes, match):
    with pytest.raises(RuntimeError, match=match):
        F.one_hot(ember.tensor(labels), num_classes=num_classes)


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, 0), (2.0, -1)])
def test_normalize_matches_torch(p, dim):
    x = randn(3, 4, dtype=np.float64, requires_grad=True)
    xt = to_torch(x, requires_grad=True)
    out, ref = F.normalize(x, p=p, dim=dim), TF.normalize(xt, p=p, dim=dim)
    assert_same(out, ref)
    g = randn(3, 4, dtype=np.float64, seed=1)
    out.backward(g)
    ref.backward(to_torch(g))
    assert_same(x.grad, xt.grad)


@pytest.mark.parametrize("pad,value", [((1, 2), 0.0), ((1, 0, 2, 1), -1.5), ((0, 0, 0, 0, 1, 1), 0.0)])
def test_pad_matches_torch(pad, value):
    x = randn(2, 3, 4, requires_grad=True)
    xt = to_torch(x, requires_grad=True)
    out, ref = F.pad(x, pad, value=value), TF.pad(xt, pad, value=value)
    assert_same(out, ref)
    g = randn(*out.shape, seed=2)
    out.backward(g)
    ref.backward(to_torch(g))
    assert_same(x.grad, xt.grad)


def test_pad_errors():
    with pytest.raises(RuntimeError, match="divisible by 2"):
        F.pad(ember.zeros(2), (1,))
    with pytest.raises(NotImplementedError, match="Padding size 2 is not supported for 1D input"):
        F.pad(ember.zeros(2), (1, 1), mode="reflect")
    with pytest.raises(RuntimeError, match="resulted in a negative output size"):
        F.pad(ember.zeros(2), (-2, -1))


def test_functional_linear_matches_torch():
    x, w, b = randn(3, 4), randn(5, 4, seed=1), randn(5, seed=2)
    assert_same(F.linear(x, w, b), TF.linear(to_torch(x), to_torch(w), to_torch(b)))
    assert_same(F.linear(x, w), TF.linear(to_torch(x), to_torch(w)))


def test_pad_and_dropout_gradcheck_float64():
    x = randn(2, 3, dtype=np.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: F.pad(t, (1, 2), value=3.0), (x,))

    def seeded_dropout(t):
        ember.manual_seed(0)            # the same mask on every evaluation
        return F.dropout(t, 0.4)

    assert ember.autograd.gradcheck(seeded_dropout, (x,))
