"""Tensor attributes and conversions: shape, size, dtype casts, item/tolist/numpy, iteration."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def test_shape_is_a_tuple_and_size_ndim_numel():
    x = ember.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4) and isinstance(x.shape, tuple)
    assert x.size() == (2, 3, 4)
    assert (x.size(0), x.size(-1)) == (2, 4)
    assert x.ndim == x.dim() == 3
    assert x.numel() == 24 == ember.numel(x)
    assert len(x) == 2


@pytest.mark.parametrize("method,dtype", [
    ("float", "float32"), ("double", "float64"), ("long", "int64"), ("int", "int32"), ("bool", "bool"),
])
def test_cast_methods_match_torch(method, dtype):
    data = [[-1.7, 0.0], [2.5, 3.2]]
    e, t = getattr(ember.tensor(data), method)(), getattr(torch.tensor(data), method)()
    assert e.dtype.name == dtype == str(t.dtype).replace("torch.", "")
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("target", [ember.float64, ember.int64, ember.float32, "cpu"])
def test_to(target):
    x = ember.tensor([1.5, 2.5])
    y = x.to(target)
    expected = ember.float32 if target == "cpu" else target
    assert y.dtype == expected
    assert x.to(ember.float32) is x  # no copy when nothing changes, like torch


def test_to_other_tensor_and_device_dtype_pair():
    x = ember.tensor([1, 2])
    assert x.to(ember.zeros(1, dtype=ember.float64)).dtype == ember.float64
    assert x.to("cpu", ember.float32).dtype == ember.float32


def test_cast_keeps_gradient_flowing_in_the_source_dtype():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (x.double() * 3).sum().backward()
    assert x.grad.dtype == ember.float32
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_item_tolist_and_python_conversions():
    assert ember.tensor(2.5).item() == 2.5 and isinstance(ember.tensor(2.5).item(), float)
    assert ember.tensor([7]).item() == 7 and isinstance(ember.tensor([7]).item(), int)
    assert ember.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert float(ember.tensor(1.5)) == 1.5 and int(ember.tensor(3.7)) == 3
    with pytest.raises(RuntimeError, match="3 elements"):
        ember.tensor([1.0, 2.0, 3.0]).item()


def test_numpy_refuses_tensor_requiring_grad_with_detach_hint():
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        x.numpy()
    assert x.detach().numpy().dtype == np.float32


def test_array_protocol():
    x = ember.tensor([1.0, 2.0])
    a = np.asarray(x)
    assert a.dtype == np.float32 and a.tolist() == [1.0, 2.0]
    assert np.asarray(x, dtype=np.float64).dtype == np.float64


def test_bool_of_one_element_only():
    assert bool(ember.tensor([1.0])) and not bool(ember.tensor(0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(ember.tensor([1.0, 2.0]))


def test_iteration_yields_rows():
    x = ember.tensor([[1, 2], [3, 4], [5, 6]])
    rows = list(x)
    assert len(rows) == 3 and all(isinstance(r, ember.Tensor) for r in rows)
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4], [5, 6]]
    assert [v.item() for v in ember.tensor([1.0, 2.0])] == [1.0, 2.0]
    with pytest.raises(TypeError, match="0-d"):
        iter(ember.tensor(1.0))
    with pytest.raises(TypeError, match="0-d"):
        len(ember.tensor(1.0))


def test_iteration_rows_carry_gradient():
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    total = sum(row.sum() * (i + 1) for i, row in enumerate(x))
    total.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 1], [2, 2]])


def test_unpacking_a_tensor():
    a, b = ember.tensor([3, 4])
    assert (a.item(), b.item()) == (3, 4)


def test_detach_shares_memory_and_drops_graph():
    x = ember.ones(2, requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y.grad_fn is None
    d = x.detach()
    d.add_(1.0)
    assert x.detach().tolist() == [2.0, 2.0]


def test_clone_copies_and_keeps_graph():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.requires_grad and not c.is_leaf
    (c * c).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])
    plain = ember.tensor([1.0, 2.0])
    copy = plain.clone()
    copy.add_(1.0)
    assert plain.tolist() == [1.0, 2.0] and copy.is_leaf


def test_clone_of_grad_tensor_is_a_copy():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    with ember.no_grad():
        c.add_(5.0)
    assert x.tolist() == [1.0, 2.0]


def test_requires_grad_():
    x = ember.tensor([1.0])
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        ember.tensor([1, 2]).requires_grad_()


def test_T_and_t():
    x = ember.arange(6).reshape(2, 3)
    assert x.T.shape == (3, 2) and x.t().shape == (3, 2)
    np.testing.assert_array_equal(x.T.numpy(), np.arange(6).reshape(2, 3).T)
    assert ember.arange(3).t().shape == (3,)


def test_data_attribute_is_detached_and_shared():
    w = ember.ones(2, requires_grad=True)
    w.data.mul_(3.0)
    assert w.requires_grad and w.tolist() == [3.0, 3.0]
    assert not w.data.requires_grad


def test_dtype_objects():
    assert ember.float32 == ember.float and ember.float64 == ember.double and ember.int64 == ember.long
    assert repr(ember.float32) == "ember.float32"
    assert ember.zeros(1).dtype == ember.float32
    assert ember.float32.is_floating_point and not ember.int64.is_floating_point


def test_comparisons_return_bool_tensors():
    x = ember.tensor([1.0, 2.0, 3.0])
    for r in (x > 2, x >= 2, x < 2, x <= 2, x == 2, x != 2, x > ember.tensor(1.5)):
        assert r.dtype == ember.bool
    assert (x > 1.5).tolist() == [False, True, True]
    assert (x == ember.tensor([1.0, 0.0, 3.0])).tolist() == [True, False, True]


def test_copy_with_grad_records_and_never_shares_memory():
    src = ember.tensor([1.0, 2.0], requires_grad=True)
    dst = ember.zeros(2) * 1  # a non-leaf
    dst.copy_(src)
    assert not np.shares_memory(dst._data, src._data)
    (dst * 3).sum().backward()
    assert src.grad.tolist() == [3.0, 3.0]
    with ember.no_grad():
        dst.add_(1.0)  # writable
    assert src.tolist() == [1.0, 2.0]


def test_copy_broadcasts_into_existing_memory():
    dst = ember.zeros(2, 3)
    memory = dst._data
    dst.copy_(ember.tensor([1, 2, 3]))
    assert dst._data is memory and dst.dtype == ember.float32
    assert dst.tolist() == [[1.0, 2.0, 3.0]] * 2


@pytest.mark.parametrize("dtype,name", [(ember.float32, "FloatTensor"), (ember.float64, "DoubleTensor"),
                                        (ember.int64, "LongTensor"), (ember.bool, "BoolTensor")])
def test_type_names_like_torch(dtype, name):
    assert ember.zeros(1, dtype=dtype).type() == "ember." + name
    assert torch.zeros(1, dtype=getattr(torch, dtype.name)).type() == "torch." + name


def test_empty_Tensor_constructor():
    assert ember.Tensor().shape == tuple(torch.Tensor().shape) == (0,)


def test_deepcopy_of_leaves_and_state_dicts():
    import copy
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    state = {"w": w, "again": w, "n": ember.tensor([3])}
    c = copy.deepcopy(state)
    assert c["w"] is c["again"] and c["w"] is not w
    assert c["w"].requires_grad and c["w"].grad.tolist() == [2.0, 4.0]
    assert not np.shares_memory(c["w"]._data, w._data)
    assert c["n"].dtype == ember.int64
    with pytest.raises(RuntimeError, match="leaves"):
        copy.deepcopy(w * 2)


def test_pickle_is_refused():
    import pickle
    with pytest.raises(TypeError, match="safetensors"):
        pickle.dumps(ember.ones(2))
