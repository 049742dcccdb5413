"""Module system against torch: registration, iterators, state_dict order, load_state_dict
errors and atomicity, modes, zero_grad, apply, dtype conversion, hooks, repr, containers."""
import copy
from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as nn
from nn_helpers import assert_same, copy_state, randn, to_torch

torch = pytest.importorskip("torch")


def build(m):
    """The same architecture in ember (m = ember.nn) or torch (m = torch.nn)."""

    class Net(m.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = m.Linear(4, 6)
            self.bn = m.BatchNorm1d(6)
            self.act = m.ReLU()
            self.drop = m.Dropout(0.25)
            self.blocks = m.ModuleList([m.Linear(6, 6), m.Sequential(m.Linear(6, 6), m.Tanh())])
            self.heads = m.ModuleDict({"a": m.Linear(6, 2), "b": m.Linear(6, 1, bias=False)})
            self.ln = m.LayerNorm(2)
            self.register_buffer("scale", (ember if m is nn else torch).ones(2))
            self.register_buffer("tmp", (ember if m is nn else torch).zeros(1), persistent=False)

        def forward(self, x):
            x = self.drop(self.act(self.bn(self.fc1(x))))
            for block in self.blocks:
                x = block(x)
            return self.ln(self.heads["a"](x)) * self.scale

    return Net()


def test_state_dict_keys_and_order_match_torch():
    em, tm = build(nn), build(torch.nn)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert [n for n, _ in em.named_buffers()] == [n for n, _ in tm.named_buffers()]
    assert [n for n, _ in em.named_modules()] == [n for n, _ in tm.named_modules()]
    assert [n for n, _ in em.named_children()] == [n for n, _ in tm.named_children()]
    assert em.state_dict()["bn.num_batches_tracked"].dtype == ember.int64


def test_repr_matches_torch():
    assert repr(build(nn)) == repr(build(torch.nn))
    assert repr(nn.ModuleList([nn.Linear(2, 2)] * 3)) == repr(torch.nn.ModuleList([torch.nn.Linear(2, 2)] * 3))


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_forward_backward_match_torch(mode):
    ember.manual_seed(0)
    em, tm = build(nn), build(torch.nn)
    copy_state(em, tm)
    em.drop.p = tm.drop.p = 0.0           # randomness differs between frameworks
    getattr(em, mode)(), getattr(tm, mode)()
    x = randn(5, 4, requires_grad=True)
    xt = to_torch(x, requires_grad=True)
    out, ref = em(x), tm(xt)
    assert_same(out, ref, rtol=1e-4, atol=1e-5)
    g = randn(*out.shape, seed=4)        # a plain sum would give LayerNorm a zero gradient
    out.backward(g)
    ref.backward(to_torch(g))
    assert_same(x.grad, xt.grad, rtol=1e-4, atol=1e-5)
    for (name, p), (_, pt) in zip(em.named_parameters(), tm.named_parameters()):
        if pt.grad is None:
            assert p.grad is None, name
        elif name == "fc1.bias" and mode == "train":
            # exactly 0 (train-mode BatchNorm subtracts the batch mean): both give float32
            # rounding noise, small next to the weight's gradient
            scale = np.abs(tm.fc1.weight.grad.numpy()).max()
            assert np.abs(p.grad._data).max() <= 1e-5 * scale
            assert np.abs(pt.grad.numpy()).max() <= 1e-5 * scale
        else:
            assert_same(p.grad, pt.grad, rtol=1e-4, atol=1e-5)
    for (name, b), (_, bt) in zip(em.named_buffers(), tm.named_buffers()):
        assert_same(b, bt, rtol=1e-5, atol=1e-6)


def test_load_state_dict_round_trip_and_sharing():
    a, b = build(nn), build(nn)
    b.load_state_dict(a.state_dict())
    for (k, va), (_, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        np.testing.assert_array_equal(va._data, vb._data)
    sd = a.state_dict()
    sd["fc1.weight"]._data[0, 0] = 123.0      # state_dict shares memory, like torch
    assert a.fc1.weight._data[0, 0] == 123.0


def test_load_state_dict_lists_missing_unexpected_and_mismatched_keys_atomically():
    model = build(nn)
    before = {k: v._data.copy() for k, v in model.state_dict().items()}
    sd = OrderedDict((k, ember.tensor(np.full(v.shape, 7, v._data.dtype)))
                     for k, v in model.state_dict().items())
    del sd["bn.running_var"]
    sd["extra.weight"] = ember.zeros(1)
    sd["fc1.bias"] = ember.zeros(5)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(sd)
    msg = str(info.value)
    assert msg.startswith("Error(s) in loading state_dict for Net:")
    assert 'Missing key(s) in state_dict: "bn.running_var".' in msg
    assert 'Unexpected key(s) in state_dict: "extra.weight".' in msg
    assert ("size mismatch for fc1.bias: copying a param with shape ember.Size([5]) from checkpoint, "
            "the shape in current model is ember.Size([6]).") in msg
    for k, v in model.state_dict().items():       # nothing was half-loaded
        np.testing.assert_array_equal(v._data, before[k])


def test_load_state_dict_non_strict_reports_keys():
    model = nn.Sequential(nn.Linear(2, 2))
    result = model.load_state_dict({"0.weight": ember.ones(2, 2), "x": ember.ones(1)}, strict=False)
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == ["x"]
    np.testing.assert_array_equal(model[0].weight._data, np.ones((2, 2)))


def test_load_state_dict_from_torch_numbers():
    em, tm = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    assert_same(em(ember.ones(1, 3)), tm(torch.ones(1, 3)))


def test_train_eval_flags_recursive():
    model = build(nn)
    assert model.training and model.bn.training
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="boolean"):
        model.train("yes")


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    model = nn.Linear(3, 2)
    model(ember.ones(1, 3)).sum().backward()
    model.zero_grad(set_to_none=set_to_none)
    for p in model.parameters():
        if set_to_none:
            assert p.grad is None
        else:
            np.testing.assert_array_equal(p.grad._data, 0)


def test_apply_visits_children_first():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU()))
    seen = []
    model.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Sequential", "Sequential"]


def test_apply_for_custom_init():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    model.apply(lambda m: nn.init.zeros_(m.weight) if isinstance(m, nn.Linear) else None)
    assert all(np.all(m.weight._data == 0) for m in model if isinstance(m, nn.Linear))


@pytest.mark.parametrize("method,dtype", [("double", np.float64), ("float", np.float32)])
def test_dtype_conversion_keeps_identity_and_int_buffers(method, dtype):
    model = build(nn)
    weight = model.fc1.weight
    getattr(model.double() if method == "float" else model, method)()
    assert model.fc1.weight is weight and weight._data.dtype == dtype
    assert model.bn.running_mean._data.dtype == dtype
    assert model.bn.num_batches_tracked._data.dtype == np.int64
    model.to(ember.float64)
    assert weight._data.dtype == np.float64


def test_requires_grad_and_parameters_dedup():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, shared)
    assert len(list(model.parameters())) == 2
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_forward_hooks_and_removal():
    layer = nn.Linear(2, 3)
    seen = []
    h = layer.register_forward_hook(lambda m, inp, out: seen.append(out.shape))
    pre = layer.register_forward_pre_hook(lambda m, inp: (inp[0] * 0,))
    out = layer(ember.ones(1, 2))
    assert seen == [(1, 3)]
    np.testing.assert_allclose(out._data, layer.bias._data[None], rtol=1e-6)
    h.remove(), pre.remove()
    layer(ember.ones(1, 2))
    assert seen == [(1, 3)]
    layer.register_forward_hook(lambda m, inp, out: out * 0)
    assert np.all(layer(ember.ones(1, 2))._data == 0)


def test_registration_rules():
    m = nn.Module()
    m.w = nn.Parameter(ember.ones(2))
    m.sub = nn.Linear(1, 1)
    m.register_buffer("buf", ember.zeros(1))
    m.plain = ember.ones(1)              # a plain tensor attribute is not registered
    assert list(m.state_dict()) == ["w", "buf", "sub.weight", "sub.bias"]
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'w'"):
        m.w = ember.ones(2)
    with pytest.raises(KeyError, match="contain"):
        m.register_buffer("a.b", ember.zeros(1))
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        m.missing
    del m.sub
    assert "sub.weight" not in m.state_dict()
    with pytest.raises(NotImplementedError, match="forward"):
        m(ember.ones(1))


def test_register_before_init_raises():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_deepcopy_is_independent():
    model = build(nn)
    model.plain = ember.ones(2)                      # an unregistered tensor attribute
    clone = copy.deepcopy(model)
    clone.plain._data[0] = 3
    assert model.plain._data[0] == 1
    clone.fc1.weight._data[...] = 0
    clone.bn.running_mean._data[...] = 5
    assert not np.all(model.fc1.weight._data == 0) and np.all(model.bn.running_mean._data == 0)
    assert list(clone.state_dict()) == list(model.state_dict())


def test_sequential_indexing_slicing_append():
    em = nn.Sequential(nn.Linear(16, 8), nn.Linear(8, 2))
    tm = torch.nn.Sequential(torch.nn.Linear(16, 8), torch.nn.Linear(8, 2))
    assert em[0].weight.shape == (8, 16) and em[-1] is em[1] and len(em) == 2
    assert repr(em[1:]) == repr(tm[1:])
    em.append(nn.ReLU()), tm.append(torch.nn.ReLU())
    assert repr(em) == repr(tm) and [type(m).__name__ for m in em] == ["Linear", "Linear", "ReLU"]
    od = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(od.state_dict()) == ["fc.weight", "fc.bias"] and od.act is od[1]
    with pytest.raises(IndexError, match="index 5 is out of range"):
        em[5]
    del em[0]
    assert list(em.state_dict()) == ["0.weight", "0.bias"]


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.Linear(2, 2)])
    ml.append(nn.ReLU())
    ml += [nn.Tanh()]
    assert len(ml) == 3 and isinstance(ml[-1], nn.Tanh)
    md = nn.ModuleDict({"a": nn.Linear(1, 1)})
    md["b"] = nn.Linear(1, 2)
    assert list(md.keys()) == ["a", "b"] and "b" in md
    assert list(md.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]


def test_flatten_and_identity_match_torch():
    x = randn(2, 3, 4)
    assert_same(nn.Flatten()(x), torch.nn.Flatten()(to_torch(x)))
    assert_same(nn.Flatten(0, 1)(x), torch.nn.Flatten(0, 1)(to_torch(x)))
    assert repr(nn.Flatten()) == repr(torch.nn.Flatten())
    assert nn.Identity(3, k=1)(x) is x
