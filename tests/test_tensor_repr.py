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
    ("dtype_wraps_to_new_line", lambda m: m.tensor([-0.1028, -0.0347, -0.0241, 0.1441, 0.0089, -0.1252],
                                                   dtype=m.float64)),
    ("summarized_3d", lambda m: m.arange(2400.0).reshape(2, 40, 30) / 7),
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


def _random_array(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(int(n) for n in rng.integers(1, 9, int(rng.integers(0, 4))))
    kind = seed % 4
    if kind == 0:
        return rng.standard_normal(shape).astype(np.float32)
    if kind == 1:
        return rng.standard_normal(shape) * 10.0 ** int(rng.integers(-6, 9))
    if kind == 2:
        return rng.integers(-1000, 1000, shape).astype(np.float32)
    return rng.integers(-10 ** 6, 10 ** 6, shape)


@pytest.mark.parametrize("seed", range(40))
def test_repr_of_random_tensors_matches_torch(seed):
    a = _random_array(seed)
    assert repr(ember.tensor(a)) == repr(torch.tensor(a)).replace("torch.", "ember.")


def test_str_equals_repr():
    x = ember.tensor([1.5, 2.0])
    assert str(x) == repr(x)


def test_format_of_0d_tensor_is_a_number():
    assert f"{ember.tensor(0.123456):.3f}" == "0.123"


@pytest.fixture
def float64_default():
    """Both libraries default to float64 for the test, and back to float32 afterwards, whatever happens."""
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("make", [
    lambda m: m.tensor(np.array([1.0], np.float32)), lambda m: m.tensor([1.0, 2.5]),
    lambda m: m.tensor([1.0], dtype=m.float32), lambda m: m.ones(2, dtype=m.float64), lambda m: m.tensor(3.5),
], ids=["float32_from_numpy", "python_floats", "float32_asked", "float64_asked", "float_0d"])
def test_repr_under_float64_default_dtype(make, float64_default):
    # the dtype suffix is shown for dtypes other than the current default, like torch
    assert repr(make(ember)) == repr(make(torch)).replace("torch.", "ember.")


def test_repr_under_float32_default_shows_float64_only():
    assert "dtype" not in repr(ember.tensor(np.array([1.0], np.float32)))
    assert repr(ember.tensor([1.0], dtype=ember.float64)).endswith("dtype=ember.float64)")


GRAD_FNS = [
    ("add", lambda m, x: x + 1), ("sub", lambda m, x: x - 1), ("rsub", lambda m, x: 1 - x),
    ("mul", lambda m, x: x * 2), ("div", lambda m, x: x / 2), ("pow", lambda m, x: x ** 3),
    ("square", lambda m, x: x.square()), ("neg", lambda m, x: -x), ("exp", lambda m, x: x.exp()),
    ("log", lambda m, x: x.log()), ("log1p", lambda m, x: x.log1p()), ("sqrt", lambda m, x: x.sqrt()),
    ("abs", lambda m, x: x.abs()), ("sum", lambda m, x: x.sum()), ("sum_dim", lambda m, x: x.sum(1)),
    ("mean", lambda m, x: x.mean()), ("mean_dim", lambda m, x: x.mean(0)), ("var", lambda m, x: x.var()),
    ("max", lambda m, x: x.max()), ("max_dim", lambda m, x: x.max(1)[0]), ("min", lambda m, x: x.min()),
    ("min_dim", lambda m, x: x.min(1)[0]), ("amax", lambda m, x: x.amax(1)), ("amin", lambda m, x: x.amin(1)),
    ("relu", lambda m, x: x.relu()), ("sigmoid", lambda m, x: x.sigmoid()), ("tanh", lambda m, x: x.tanh()),
    ("softmax", lambda m, x: x.softmax(1)), ("log_softmax", lambda m, x: x.log_softmax(1)),
    ("logsumexp", lambda m, x: x.logsumexp(1)), ("clamp", lambda m, x: x.clamp(0, 1)),
    ("view", lambda m, x: x.view(6)), ("reshape", lambda m, x: x.reshape(3, 2)), ("flatten", lambda m, x: x.flatten()),
    ("unsqueeze", lambda m, x: x.unsqueeze(0)), ("squeeze_dim", lambda m, x: x.unsqueeze(0).squeeze(0)),
    ("squeeze_all", lambda m, x: x.unsqueeze(0).squeeze()), ("T", lambda m, x: x.T), ("t", lambda m, x: x.t()),
    ("transpose", lambda m, x: x.transpose(0, 1)), ("permute", lambda m, x: x.permute(1, 0)),
    ("expand", lambda m, x: x[:1].expand(4, 3)), ("select", lambda m, x: x[0]), ("slice", lambda m, x: x[1:]),
    ("slice_select", lambda m, x: x[1:, 0]), ("index", lambda m, x: x[[0, 1]]), ("mask", lambda m, x: x[x > 0]),
    ("cat", lambda m, x: m.cat([x, x])), ("stack", lambda m, x: m.stack([x, x])), ("clone", lambda m, x: x.clone()),
    ("contiguous", lambda m, x: x.T.contiguous()), ("double", lambda m, x: x.double()),
    ("mm", lambda m, x: x @ x.T), ("mv", lambda m, x: x @ x[0]), ("dot", lambda m, x: x[0] @ x[1]),
    ("where", lambda m, x: m.where(x > 0, x, 0.0)), ("maximum", lambda m, x: m.maximum(x, x * 2)),
    ("prod", lambda m, x: x.prod()), ("cumsum", lambda m, x: x.cumsum(0)), ("split", lambda m, x: x.split(1)[0]),
    ("unbind", lambda m, x: x.unbind()[0]), ("flip", lambda m, x: x.flip(0)),
]


@pytest.mark.parametrize("name,fn", GRAD_FNS, ids=[g[0] for g in GRAD_FNS])
def test_grad_fn_names_match_torch_and_survive_backward(name, fn):
    e = fn(ember, ember.ones(2, 3, requires_grad=True))
    t = fn(torch, torch.ones(2, 3, requires_grad=True))
    expected = type(t.grad_fn).__name__
    assert e.grad_fn.name() == expected
    e.sum().backward()
    assert f"grad_fn=<{expected}>" in repr(e)
