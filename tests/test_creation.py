"""Tensor creation: dtype inference like torch.tensor, sizes as varargs or a tuple, the _like forms."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("data", [
    1.5, 3, True, [1.0, 2.0], [1, 2, 3], [True, False], [[1, 2], [3, 4]], [1, 2.5], [True, 2],
    [[1.0, 2.0], [3.0, 4.0]], [], np.float64(2.0), np.float32(1.0), np.int32(4),
    np.array([1.0, 2.0]), np.array([1.0], np.float32), np.array([1, 2], np.int32),
    np.array([1, 2], np.int64), np.array([True]), np.array([[1, 2]], np.uint8),
    np.array([1.0, 2.0], np.float16), [np.float32(1.0), np.float32(2.0)],
], ids=repr)
def test_tensor_infers_dtype_like_torch(data):
    e = ember.tensor(data)
    t = torch.tensor(data)
    assert e.dtype.name == str(t.dtype).replace("torch.", "")
    assert e.shape == tuple(t.shape)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("data,dtype", [
    ([1, 2], ember.float32), ([1.5, 2.5], ember.int64), ([1.0], ember.float64),
    (np.array([1.0, 2.0]), ember.float32), ([0, 1], ember.bool), ([1, 2], ember.int32),
])
def test_tensor_explicit_dtype(data, dtype):
    assert ember.tensor(data, dtype=dtype).dtype == dtype


def test_tensor_copies_numpy_data_and_from_numpy_shares():
    a = np.array([1.0, 2.0], np.float32)
    copied, shared = ember.tensor(a), ember.from_numpy(a)
    a[0] = 9.0
    assert copied[0].item() == 1.0
    assert shared[0].item() == 9.0
    shared.add_(1.0)
    assert a[1] == 3.0


def test_from_numpy_rejects_other_types():
    with pytest.raises(TypeError, match="list"):
        ember.from_numpy([1.0, 2.0])


@pytest.mark.parametrize("args,shape", [((2, 3), (2, 3)), ((4,), (4,)), ((np.int64(2), 1), (2, 1))])
def test_Tensor_constructor_with_sizes_is_float32(args, shape):
    t = ember.Tensor(*args)
    assert t.shape == shape
    assert t.dtype == ember.float32


@pytest.mark.parametrize("data", [[1, 2, 3], [[1.0, 2.0]], np.array([1.0, 2.0]), np.array([1, 2]),
                                  [True, False], 2.5])
def test_Tensor_of_data_is_float32_like_torch(data):
    e = ember.Tensor(data)
    t = torch.Tensor(data) if not isinstance(data, float) else torch.tensor(data, dtype=torch.float32)
    assert e.dtype == ember.float32
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_Tensor_sizes_varargs_matches_torch():
    assert ember.Tensor(2, 3).shape == tuple(torch.Tensor(2, 3).shape) == (2, 3)
    assert ember.Tensor([2, 3]).shape == (2,)


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty", "rand", "randn"])
@pytest.mark.parametrize("size", [(2, 3), ((2, 3),), ([2, 3],), (4,), ((),)])
def test_sizes_as_varargs_or_tuple(fn, size):
    e = getattr(ember, fn)(*size)
    t = getattr(torch, fn)(*size)
    assert e.shape == tuple(t.shape)
    assert e.dtype == ember.float32


@pytest.mark.parametrize("fn", ["zeros", "ones", "rand", "randn"])
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_float_creation_dtype_and_requires_grad(fn, dtype):
    t = getattr(ember, fn)(2, 2, dtype=dtype, requires_grad=True)
    assert t.dtype == dtype and t.requires_grad and t.is_leaf


@pytest.mark.parametrize("call,expected", [
    (lambda m: m.zeros(2, dtype=m.int64), "int64"),
    (lambda m: m.full((2, 2), 1.5), "float32"),
    (lambda m: m.full((2,), 7), "int64"),
    (lambda m: m.full((2,), True), "bool"),
    (lambda m: m.arange(5), "int64"),
    (lambda m: m.arange(0.0, 1.0, 0.25), "float32"),
    (lambda m: m.arange(1, 7, 2), "int64"),
    (lambda m: m.linspace(0, 1, 5), "float32"),
    (lambda m: m.eye(3), "float32"),
    (lambda m: m.eye(2, 3, dtype=m.float64), "float64"),
    (lambda m: m.randint(0, 10, (3,)), "int64"),
    (lambda m: m.randint(5, (2, 2)), "int64"),
    (lambda m: m.zeros_like(m.ones(2, dtype=m.int64)), "int64"),
    (lambda m: m.ones_like(m.ones(2), dtype=m.float64), "float64"),
    (lambda m: m.full_like(m.ones(2, 3), 4.0), "float32"),
    (lambda m: m.rand_like(m.ones(2, dtype=m.float64)), "float64"),
    (lambda m: m.randn_like(m.ones(2, 3)), "float32"),
    (lambda m: m.empty_like(m.ones(2, 3)), "float32"),
])
def test_creation_dtypes_and_shapes_match_torch(call, expected):
    e, t = call(ember), call(torch)
    assert e.dtype.name == expected == str(t.dtype).replace("torch.", "")
    assert e.shape == tuple(t.shape)


@pytest.mark.parametrize("call", [
    lambda m: m.arange(5), lambda m: m.arange(0.0, 1.0, 0.25), lambda m: m.arange(1, 7, 2),
    lambda m: m.linspace(0, 1, 5), lambda m: m.linspace(-2, 2, 3), lambda m: m.eye(3),
    lambda m: m.eye(2, 3), lambda m: m.full((2, 2), 1.5), lambda m: m.zeros(2, 3),
    lambda m: m.ones(3),
])
def test_deterministic_creation_values_match_torch(call):
    np.testing.assert_allclose(call(ember).numpy(), call(torch).numpy())


def test_manual_seed_makes_every_random_function_repeatable():
    def draw():
        return [ember.rand(3).tolist(), ember.randn(2, 2).tolist(), ember.randint(0, 100, (4,)).tolist(),
                ember.randperm(5).tolist(), ember.empty(3).uniform_(-1, 1).tolist()]
    ember.manual_seed(123)
    first = draw()
    ember.manual_seed(123)
    assert draw() == first
    ember.manual_seed(124)
    assert draw() != first


def test_random_ranges():
    ember.manual_seed(0)
    r = ember.rand(1000)
    assert 0.0 <= r.min().item() and r.max().item() < 1.0
    i = ember.randint(3, 6, (1000,))
    assert set(i.tolist()) == {3, 4, 5}
    assert sorted(ember.randperm(7).tolist()) == list(range(7))
    n = ember.randn(4000)
    assert abs(n.mean().item()) < 0.1 and abs(n.std().item() - 1) < 0.1


def test_generator_state_roundtrip_is_json():
    import json
    g = ember.Generator().manual_seed(5)
    state = json.loads(json.dumps(g.get_state()))
    a = ember.randn(3, generator=g).tolist()
    g.set_state(state)
    assert ember.randn(3, generator=g).tolist() == a


@pytest.mark.parametrize("bad,error,match", [
    ((-1,), RuntimeError, r"negative dimension -1: \[-1\]"),      # torch's error and words
    ((2.5,), TypeError, "float 2.5 is not an int"),
    (((2, -3),), RuntimeError, r"negative dimension -3: \[2, -3\]"),
])
def test_bad_sizes_raise_torchs_error_naming_them(bad, error, match):
    torch = pytest.importorskip("torch")
    with pytest.raises(error):
        torch.zeros(*bad)
    with pytest.raises(error, match=match):
        ember.zeros(*bad)


def test_unsupported_data_raises_type_error():
    with pytest.raises(TypeError, match="dtype"):
        ember.tensor(["a", "b"])
