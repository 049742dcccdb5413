"""Indexing and index assignment against torch, with and without gradients."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

KEYS = [
    ("int", lambda m: 1), ("neg_int", lambda m: -1), ("tuple_ints", lambda m: (1, 2)),
    ("slice", lambda m: slice(1, None)), ("step_slice", lambda m: (slice(None), slice(None, None, 2))),
    ("none", lambda m: None), ("ellipsis", lambda m: (Ellipsis, 0)),
    ("none_ellipsis", lambda m: (None, Ellipsis, None)),
    ("list", lambda m: [0, 2, 2]), ("int_tensor", lambda m: m.tensor([2, 0, 2])),
    ("int_tensor_2d", lambda m: m.tensor([[0, 1], [1, 1]])),
    ("two_int_tensors", lambda m: (m.tensor([0, 1, 1]), m.tensor([3, 3, 0]))),
    ("slice_then_list", lambda m: (slice(None), [1, 1, 3])),
    ("bool_rows", lambda m: m.tensor([True, False, True])),
    ("bool_full", lambda m: m.arange(12).reshape(3, 4) % 3 == 0),
    ("zero_d_int_tensor", lambda m: m.tensor(1)),
    ("empty_selection", lambda m: m.tensor([False, False, False])),
]


def _base(m):
    return m.arange(12.0).reshape(3, 4)


@pytest.mark.parametrize("name,key", KEYS, ids=[k[0] for k in KEYS])
def test_getitem_matches_torch(name, key):
    e, t = _base(ember)[key(ember)], _base(torch)[key(torch)]
    assert e.shape == tuple(t.shape)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("name,key", KEYS, ids=[k[0] for k in KEYS])
def test_getitem_gradient_scatter_adds(name, key):
    e = _base(ember).requires_grad_()
    t = _base(torch).requires_grad_()
    out_e, out_t = e[key(ember)], t[key(torch)]
    weights = np.arange(1, out_e.numel() + 1, dtype=np.float32).reshape(out_e.shape)
    (out_e * ember.tensor(weights)).sum().backward()
    (out_t * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(e.grad.numpy(), t.grad.numpy())


def test_repeated_index_accumulates():
    x = ember.zeros(3, requires_grad=True)
    x[[0, 0, 0, 2]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


VALUES = [
    ("scalar", lambda m: 1, lambda m: -5.0), ("row", lambda m: 0, lambda m: m.tensor([9.0, 8.0, 7.0, 6.0])),
    ("column_broadcast", lambda m: (slice(None), 1), lambda m: m.tensor(3.0)),
    ("mask", lambda m: _base(m) > 6, lambda m: 0.0),
    ("int_list", lambda m: [0, 2], lambda m: m.tensor([[1.0, 2.0, 3.0, 4.0]])),
    ("ellipsis", lambda m: (Ellipsis, -1), lambda m: m.tensor([1.0, 2.0, 3.0])),
    ("int_tensor_value_on_float", lambda m: 2, lambda m: m.tensor([1, 2, 3, 4])),
]


@pytest.mark.parametrize("name,key,value", VALUES, ids=[v[0] for v in VALUES])
def test_setitem_without_grad_matches_torch(name, key, value):
    e, t = _base(ember), _base(torch)
    memory = e._data
    e[key(ember)] = value(ember)
    t[key(torch)] = value(torch)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    assert e._data is memory and e.dtype == ember.float32


def test_setitem_on_int_tensor_truncates_floats_like_torch():
    e, t = ember.tensor([1, 2, 3]), torch.tensor([1, 2, 3])
    e[0] = 7.9
    t[0] = 7.9
    assert e.tolist() == t.tolist() and e.dtype == ember.int64


@pytest.mark.parametrize("name,key,value", VALUES[1:], ids=[v[0] for v in VALUES[1:]])
def test_setitem_with_grad_matches_torch(name, key, value):
    def run(m):
        a = (_base(m) / 10).requires_grad_()
        v = value(m)
        v = (v.float() if isinstance(v, (ember.Tensor, torch.Tensor)) else m.tensor(float(v))).requires_grad_()
        y = a * 2
        y[key(m)] = v * 3
        w = m.arange(12.0).reshape(3, 4)
        (y * w).sum().backward()
        return y, a.grad, v.grad
    (ye, ae, ve), (yt, at, vt) = run(ember), run(torch)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(ae.numpy(), at.numpy(), rtol=1e-6)
    np.testing.assert_allclose(ve.numpy(), vt.numpy(), rtol=1e-6)


def test_setitem_on_leaf_under_no_grad_keeps_memory():
    w = ember.ones(3, requires_grad=True)
    memory = w._data
    with ember.no_grad():
        w[1] = 5.0
    assert w.tolist() == [1.0, 5.0, 1.0] and w._data is memory and w.is_leaf


def test_setitem_of_plain_tensor_with_grad_value_records():
    v = ember.tensor(2.0, requires_grad=True)
    x = ember.zeros(3)
    x[1] = v
    assert x.requires_grad and not x.is_leaf
    (x * ember.tensor([1.0, 5.0, 1.0])).sum().backward()
    assert v.grad.item() == 5.0


def test_unbind_split_chunk_match_torch():
    e, t = _base(ember), _base(torch)
    for fe, ft in [(e.unbind(1), t.unbind(1)), (e.split(2, 1), t.split(2, 1)), (e.chunk(2), t.chunk(2)),
                   (e.split([1, 3], dim=1), t.split([1, 3], dim=1))]:
        assert len(fe) == len(ft)
        for a, b in zip(fe, ft):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
