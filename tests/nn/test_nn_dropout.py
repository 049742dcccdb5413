"""Dropout: inverted scaling, training-only, ember's global generator, gradients through the mask."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("p", [0.0, 0.25, 0.5, 0.9])
def test_training_zeroes_and_scales(p):
    ember.manual_seed(0)
    x = ember.ones(200, 100, requires_grad=True)
    out = nn.Dropout(p)(x)
    kept = out._data != 0
    np.testing.assert_allclose(out._data[kept], 1 / (1 - p), rtol=1e-6)
    assert abs(kept.mean() - (1 - p)) < 0.02 and out.dtype == ember.float32
    out.sum().backward()
    np.testing.assert_array_equal(x.grad._data, out._data)   # grad = mask * 1/(1-p)


def test_eval_is_identity_and_p1_is_zero():
    x = ember.randn(5, 3)
    assert nn.Dropout(0.5).eval()(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    assert np.all(F.dropout(x, 1.0)._data == 0)


def test_global_generator_makes_it_reproducible():
    x = ember.ones(10, 10)
    ember.manual_seed(3)
    a = F.dropout(x, 0.5)._data.copy()
    ember.manual_seed(3)
    b = F.dropout(x, 0.5)._data.copy()
    np.testing.assert_array_equal(a, b)


def test_float64_stays_float64_and_repr_like_torch():
    out = F.dropout(ember.ones(4, dtype=ember.float64), 0.3)
    assert out.dtype == ember.float64
    assert repr(nn.Dropout(p=0.5)) == repr(torch.nn.Dropout(p=0.5))


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_bad_probability_raises(p):
    with pytest.raises(ValueError, match=f"between 0 and 1, but got {p}"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match=f"{p}"):
        F.dropout(ember.ones(2), p)
