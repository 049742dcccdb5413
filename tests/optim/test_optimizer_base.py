"""The Optimizer base: validation, groups, zero_grad, closures, state dicts and exact resuming."""
import json
import re

import numpy as np
import pytest

import ember
from ember import optim
from ._mlp import batches, ember_loss, ember_params, initial_weights, train_ember

ALL = {
    "SGD": {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3},
    "Adam": {"lr": 1e-2, "amsgrad": True},
    "AdamW": {"lr": 1e-2},
    "Adamax": {"lr": 1e-2},
    "NAdam": {"lr": 1e-2, "weight_decay": 1e-2},
    "RMSprop": {"lr": 1e-3, "momentum": 0.9, "centered": True},
    "Adagrad": {"lr": 0.1, "lr_decay": 1e-3},
    "Adadelta": {"lr": 0.5},
    "RAdam": {"lr": 1e-2, "weight_decay": 1e-2},
    "ASGD": {"lr": 0.05, "t0": 10},
    "Rprop": {"lr": 1e-3},
    "Adafactor": {"lr": 1e-2, "weight_decay": 1e-2},
}


def _w():
    return ember.zeros(2, requires_grad=True)


@pytest.mark.parametrize("make, message", [
    (lambda: optim.SGD([_w()], lr=-1.0), "Invalid learning rate: -1.0"),
    (lambda: optim.SGD([_w()], lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda: optim.SGD([_w()], lr=0.1, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda: optim.SGD([_w()], lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (lambda: optim.SGD([_w()], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda: optim.Adam([_w()], lr=-0.01), "Invalid learning rate: -0.01"),
    (lambda: optim.Adam([_w()], eps=-1e-8), "Invalid epsilon value: -1e-08"),
    (lambda: optim.Adam([_w()], betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (lambda: optim.Adam([_w()], betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (lambda: optim.AdamW([_w()], weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    (lambda: optim.Adamax([_w()], betas=(0.9, 1.5)), "Invalid beta parameter at index 1: 1.5"),
    (lambda: optim.NAdam([_w()], momentum_decay=-1.0), "Invalid momentum_decay value: -1.0"),
    (lambda: optim.RMSprop([_w()], alpha=-0.9), "Invalid alpha value: -0.9"),
    (lambda: optim.RMSprop([_w()], momentum=-1), "Invalid momentum value: -1"),
    (lambda: optim.Adagrad([_w()], lr_decay=-1), "Invalid lr_decay value: -1"),
    (lambda: optim.Adagrad([_w()], initial_accumulator_value=-1),
     "Invalid initial_accumulator_value value: -1"),
    (lambda: optim.Adadelta([_w()], rho=1.5), "Invalid rho value: 1.5"),
    (lambda: optim.RAdam([_w()], betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    (lambda: optim.ASGD([_w()], lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda: optim.Rprop([_w()], etas=(1.5, 1.2)), "Invalid eta values: 1.5, 1.2"),
    (lambda: optim.Adafactor([_w()], beta2_decay=0.5), "beta2_decay should be <= 0 but is: 0.5"),
    (lambda: optim.Adafactor([_w()], d=0.5), "Clipping threshold d should be >= 1 but is: 0.5"),
    (lambda: optim.SGD([], lr=0.1), "optimizer got an empty parameter list"),
    (lambda: optim.Adam([_w()], fused=True), "fused=True is not supported"),
])
def test_bad_hyper_parameters_raise_torchs_messages(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


@pytest.mark.parametrize("make, error, message", [
    (lambda w: optim.SGD(w, lr=0.1), TypeError, "iterable of Tensors or dicts"),
    (lambda w: optim.SGD([w, w], lr=0.1), ValueError, "duplicate parameters"),
    (lambda w: optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1), ValueError, "more than one parameter group"),
    (lambda w: optim.SGD([{"params": {w}}], lr=0.1), TypeError, "ordered collections"),
    (lambda w: optim.SGD([np.zeros(2)], lr=0.1), TypeError, "can only optimize Tensors"),
    (lambda w: optim.SGD([w * 2], lr=0.1), ValueError, "can't optimize a non-leaf Tensor"),
])
def test_bad_params_raise(make, error, message):
    with pytest.raises(error, match=re.escape(message)):
        make(_w())


def test_param_groups_fill_defaults_and_add_param_group():
    a, b, c = _w(), _w(), _w()
    opt = optim.SGD([{"params": [a], "lr": 0.5}, {"params": b}], lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[1]["lr"] == 0.1
    assert opt.param_groups[1]["params"] == [b] and opt.param_groups[1]["momentum"] == 0.9
    opt.add_param_group({"params": [c], "lr": 0.01})
    assert [g["lr"] for g in opt.param_groups] == [0.5, 0.1, 0.01]
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    assert opt.defaults["lr"] == 0.1


def test_named_parameters_keep_their_names():
    a, b = _w(), _w()
    opt = optim.Adam([("a", a), ("b", b)])
    assert opt.param_groups[0]["param_names"] == ["a", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["a", "b"]


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    w = _w()
    opt = optim.SGD([w], lr=0.1)
    (w * 3.0).sum().backward()
    opt.zero_grad(set_to_none=set_to_none)
    if set_to_none:
        assert w.grad is None
    else:
        assert w.grad is not None and np.array_equal(w.grad._data, np.zeros(2, np.float32))
        assert w.grad.dtype == ember.float32


def test_step_with_closure_returns_loss_and_enables_grad():
    w = ember.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w ** 2).sum()
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert loss.item() == pytest.approx(5.0)
    np.testing.assert_allclose(w._data, [0.8, -1.6], rtol=1e-6)


def test_updates_are_in_place_so_views_see_them():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    alias = w.data
    opt = optim.Adam([w], lr=0.1)
    (w ** 2).sum().backward()
    opt.step()
    assert np.shares_memory(alias._data, w._data)
    np.testing.assert_array_equal(alias._data, w._data)
    assert not np.array_equal(alias._data, [1.0, 2.0])


def test_adagrad_state_exists_from_construction_like_torch():
    w = _w()
    opt = optim.Adagrad([w], initial_accumulator_value=0.5)
    assert float(opt.state[w]["step"]) == 0.0
    np.testing.assert_array_equal(opt.state[w]["sum"]._data, [0.5, 0.5])


def test_repr_lists_groups_like_torch():
    opt = optim.SGD([_w()], lr=0.1)
    text = repr(opt)
    assert text.startswith("SGD (\nParameter Group 0\n    dampening: 0\n")
    assert "    lr: 0.1\n" in text and text.endswith(")")


# ------------------------------------------------------------------ resuming exactly
def _fresh(name, dtype):
    params = ember_params(initial_weights(dtype))
    return params, getattr(optim, name)(params, **ALL[name])


def _to_json_and_arrays(state_dict):
    """Splits a state dict into JSON text and a flat dict of arrays (as a checkpoint file would)."""
    arrays, state = {}, {}
    for index, entry in state_dict["state"].items():
        state[index] = {}
        for key, value in entry.items():
            if value is None:
                state[index][key] = None
            elif value._data.ndim == 0:
                state[index][key] = {"scalar": value.item(), "dtype": str(value._data.dtype)}
            else:
                arrays[f"{index}.{key}"] = value._data.copy()
                state[index][key] = {"array": f"{index}.{key}"}
    return json.dumps({"state": state, "param_groups": state_dict["param_groups"]}), arrays


def _from_json_and_arrays(text, arrays):
    raw = json.loads(text)
    state = {}
    for index, entry in raw["state"].items():
        state[index] = {}
        for key, value in entry.items():
            if value is None:
                state[index][key] = None
            elif "scalar" in value:
                state[index][key] = np.array(value["scalar"], dtype=value["dtype"])
            else:
                state[index][key] = arrays[value["array"]]
    return {"state": state, "param_groups": raw["param_groups"]}


@pytest.mark.parametrize("through_json", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(ALL))
def test_save_load_continue_equals_uninterrupted_bit_for_bit(name, dtype, through_json):
    data = batches(dtype)
    params, opt = _fresh(name, dtype)
    train_ember(opt, params, data, 60)

    half, opt_half = _fresh(name, dtype)
    train_ember(opt_half, half, data, 25)
    saved_weights = [p._data.copy() for p in half]
    saved = opt_half.state_dict()
    if through_json:
        saved = _from_json_and_arrays(*_to_json_and_arrays(saved))
    train_ember(opt_half, half, data, 5)  # keeps training: the loaded copy must not be affected

    resumed, opt_resumed = _fresh(name, dtype)
    for p, w in zip(resumed, saved_weights):
        p._data[...] = w
    opt_resumed.load_state_dict(saved)
    train_ember(opt_resumed, resumed, data, 35, start=25)
    for a, b in zip(params, resumed):
        np.testing.assert_array_equal(a._data, b._data)
        assert b._data.dtype == dtype
    for state in opt_resumed.state.values():
        for value in state.values():
            if value is not None and value._data.ndim:
                assert value._data.dtype == dtype


def test_load_state_dict_rejects_mismatches():
    a, b = _w(), _w()
    opt = optim.Adam([a, b])
    other = optim.Adam([a])
    with pytest.raises(ValueError, match="doesn't match the size"):
        opt.load_state_dict(other.state_dict())
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        opt.load_state_dict({"lr": 0.1})
    a.grad = ember.ones(2)
    other.step()
    big = optim.Adam([ember.zeros(3, requires_grad=True)])
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        big.load_state_dict(other.state_dict())


def test_load_state_dict_restores_hyper_parameters():
    w = _w()
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    sd = opt.state_dict()
    sd["param_groups"][0]["lr"] = 0.01
    opt2 = optim.SGD([_w()], lr=0.5)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == 0.01 and opt2.param_groups[0]["momentum"] == 0.9


def test_loss_decreases_with_every_optimizer():
    data = batches(np.float32)
    for name in ALL:
        params, opt = _fresh(name, np.float32)
        x, y = data[0]
        before = ember_loss(params, x, y).item()
        train_ember(opt, params, [data[0]], 50)
        assert ember_loss(params, x, y).item() < before, name


@pytest.mark.parametrize("grad", [np.ones(2, np.float64), np.ones(3, np.float32)])
def test_gradient_of_wrong_dtype_or_shape_is_refused(grad):
    w = _w()
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = ember.tensor(grad)
    with pytest.raises(RuntimeError, match="they must match"):
        opt.step()


def test_rmsprop_momentum_and_centered_can_be_switched_on_later():
    w = ember.tensor([1.0, -1.0], requires_grad=True)
    opt = optim.RMSprop([w], lr=0.01)
    w.grad = ember.tensor([0.5, -0.25])
    opt.step()
    opt.param_groups[0].update(momentum=0.9, centered=True)
    opt.step()
    assert set(opt.state[w]) == {"step", "square_avg", "momentum_buffer", "grad_avg"}
    assert np.isfinite(w._data).all()


def test_a_torch_style_subclass_that_overrides_step_works_with_schedulers():
    class PlainSGD(optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, {"lr": lr})

        @ember.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.sub_(p.grad * group["lr"])
                        self.state[p]["updates"] = self.state[p].get("updates", 0) + 1

    w = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = PlainSGD([w], lr=0.5)
    sched = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.1)
    for _ in range(2):
        w.grad = ember.tensor([1.0, 1.0])
        opt.step()
        sched.step()
    np.testing.assert_allclose(w._data, [0.45, 1.45], rtol=1e-6)
    assert opt.state_dict()["state"] == {0: {"updates": 2}}
    with pytest.raises(NotImplementedError, match="must override step"):
        optim.Optimizer([w], {"lr": 0.1}).step()
