"""ember.autograd.gradcheck catches wrong gradients and passes right ones."""
import numpy as np
import pytest

import ember
from ember.autograd import Function


class _WrongSquare(Function):
    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, g):
        return (g * self.x,)  # should be 2 * x


class _RightSquare(_WrongSquare):
    def backward(self, g):
        return (2 * g * self.x,)


def _x():
    return ember.tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)


def test_gradcheck_passes_a_correct_function():
    assert ember.autograd.gradcheck(lambda t: _RightSquare.apply(t), (_x(),))


def test_gradcheck_raises_on_a_wrong_gradient():
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        ember.autograd.gradcheck(lambda t: _WrongSquare.apply(t), (_x(),))


def test_gradcheck_returns_false_without_raise():
    assert ember.autograd.gradcheck(lambda t: _WrongSquare.apply(t), (_x(),), raise_exception=False) is False


def test_gradcheck_multiple_inputs_and_non_tensor_args():
    a, b = _x(), _x().detach().requires_grad_()
    assert ember.autograd.gradcheck(lambda p, q, k: (p * q + k).sum(), (a, b, 3.0))


def test_gradcheck_warns_on_float32():
    x = ember.randn(3, requires_grad=True)
    with pytest.warns(UserWarning, match="Input #0 requires gradient and is not a double precision"):
        ember.autograd.gradcheck(lambda t: t * 2, (x,), eps=1e-2, atol=1e-2, rtol=1e-2)


def test_gradcheck_leaves_inputs_unchanged():
    x = _x()
    before = x.detach().numpy().copy()
    ember.autograd.gradcheck(lambda t: (t.exp() * t).sum(), (x,))
    np.testing.assert_array_equal(x.detach().numpy(), before)
    assert x.grad is None
