"""repr like torch's: compare strings with 'torch.' replaced by 'ember.'."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

DATA = [
    ("ints", lambda m: m.tensor([1, 2, 3])),
    ("negative_ints", lambda m: m.tensor([[-10, 2], [3, 400]])),
    ("int_0d", lambda m: m.tensor(5)),
    ("int32", lambda m: m.tensor([1, 2], dtype=m.int32)),
    ("bools", lambda m: m.tensor([True, False])),
    ("floats", lambda m: m.tensor([-0.0955, 1.9813])),
    ("whole_floats", lambda m: m.tensor([1.0, 2.0, 3.0])),
    ("whole_floats_negative", lambda m: m.tensor([-1.0, 20.0])),
    ("float_0d", lambda m: m.tensor(3.5)),
    ("float64_0d", lambda m: m.tensor(8.0619, dtype=m.float64)),
    ("float64_vec", lambda m: m.tensor([1.5, -2.25], dtype=m.float64)),
    ("matrix", lambda m: m.tensor([[1.5, -2.25, 3.0], [0.125, 10.0, -7.5]])),
    ("three_d", lambda m: m.arange(12.0).reshape(2, 2, 3) / 7),
    ("mixed_magnitudes_sci", lambda m: m.tensor([1e-5, 1.0, 123456.0])),
    ("tiny_values_sci", lambda m: m.tensor([1e-6, 2e-6])),
    ("large_values", lambda m: m.tensor([1e9, 2e9])),
    ("large_whole_ratio", lambda m: m.tensor([1.0, 5000.0])),
    ("nan_inf", lambda m: m.tensor([float("nan"), float("inf"), -1.5])),
    ("zeros", lambda m: m.zeros(2, 2)),
    ("empty", lambda m: m.zeros(0)),
    ("empty_2d", lambda m: m.zeros(0, 3)),
    ("requires_grad", lambda m: m.tensor([1.0, 2.0], requires_grad=True)),
    ("requires_grad_0d", lambda m: m.tensor(2.0, requires_grad=True)),
    ("long_row", lambda m: m.arange(30.0) / 3),
    ("summarized", lambda m: m.arange(2000.0)),
    ("summarized_2d", lambda m: m.arange(1200).reshape(40, 30)),
    # grad_fn names
    ("add", lambda m: m.tensor([1.0, 2.0], requires_grad=True) + 1),
    ("sub", lambda m: m.tensor([1.0, 2.0], requires_grad=True) - m.tensor([0.5, 0.5])),
    ("mul", lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 3),
    ("div", lambda m: m.tensor([1.0, 2.0], requires_grad=True) / 3),
    ("pow", lambda m: m.tensor([1.0, 2.0], requires_grad=True) ** 2),
    ("neg", lambda m: -m.tensor([1.0, 2.0], requires_grad=True)),
    ("exp", lambda m: m.tensor([1.0, 2.0], requires_grad=True).exp()),
    ("log", lambda m: m.tensor([1.0, 2.0], requires_grad=True).log()),
    ("sum", lambda m: m.tensor([1.0, 2.0], requires_grad=True).sum()),
    ("mean", lambda m: m.tensor([1.0, 2.0], requires_grad=True).mean()),
    ("relu", lambda m: m.relu(m.tensor([1.0, -2.0], requires_grad=True))),
    ("sigmoid", lambda m: m.sigmoid(m.tensor([1.0, -2.0], requires_grad=True))),
    ("tanh", lambda m: m.tanh(m.tensor([1.0, -2.0], requires_grad=True))),
    ("mm", lambda m: m.ones(2, 2, requires_grad=True) @ m.ones(2, 2)),
    ("float64_grad_fn", lambda m: m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True) * 2),
]


@pytest.mark.parametrize("name,make", DATA, ids=[d[0] for d in DATA])
def test_repr_matches_torch(name, make):
    assert repr(make(ember)) == repr(make(torch)).replace("torch.", "ember.")


def test_str_equals_repr():
    x = ember.tensor([1.5, 2.0])
    assert str(x) == repr(x)


def test_format_of_0d_tensor_is_a_number():
    assert f"{ember.tensor(0.123456):.3f}" == "0.123"


def test_repr_in_float64_default_dtype_is_not_forced():
    assert "dtype" not in repr(ember.tensor(np.array([1.0], np.float32)))
