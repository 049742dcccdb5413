"""Every optimizer, several hyper-parameter sets: 200 steps on an MLP match torch's parameters."""
import numpy as np
import pytest

import ember
from ._mlp import (batches, ember_loss, ember_params, initial_weights, torch_loss, torch_params, train_ember,
                   train_torch)

torch = pytest.importorskip("torch")

CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-2}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 1e-3}),
    ("SGD", {"lr": 1e-3, "maximize": True}),
    ("Adam", {"lr": 1e-2}),
    ("Adam", {"lr": 1e-2, "amsgrad": True, "weight_decay": 0.1}),
    ("Adam", {"lr": 1e-3, "betas": (0.8, 0.99), "eps": 1e-6, "maximize": True}),
    ("Adam", {"lr": 1e-2, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 1e-2}),
    ("AdamW", {"lr": 1e-2, "weight_decay": 0.1, "amsgrad": True}),
    ("Adamax", {"lr": 1e-2}),
    ("Adamax", {"lr": 1e-2, "weight_decay": 1e-2, "betas": (0.85, 0.99)}),
    ("NAdam", {"lr": 1e-2}),
    ("NAdam", {"lr": 1e-2, "weight_decay": 1e-2, "momentum_decay": 1e-2}),
    ("NAdam", {"lr": 1e-2, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RMSprop", {"lr": 1e-3}),
    ("RMSprop", {"lr": 1e-3, "centered": True}),
    ("RMSprop", {"lr": 1e-3, "momentum": 0.9, "weight_decay": 1e-2}),
    ("RMSprop", {"lr": 1e-3, "momentum": 0.5, "centered": True, "alpha": 0.9}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 1e-2, "weight_decay": 1e-2}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.1, "eps": 1e-8}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.95, "weight_decay": 1e-2}),
    ("Adadelta", {"lr": 0.01, "eps": 1e-4, "maximize": True}),
    ("RAdam", {"lr": 1e-2}),
    ("RAdam", {"lr": 1e-2, "weight_decay": 1e-2, "betas": (0.8, 0.99)}),
    ("RAdam", {"lr": 1e-2, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("ASGD", {"lr": 0.05}),
    ("ASGD", {"lr": 0.05, "t0": 50, "lambd": 1e-3, "alpha": 0.5, "weight_decay": 1e-2}),
    ("Rprop", {"lr": 1e-3}),
    ("Rprop", {"lr": 1e-2, "etas": (0.4, 1.3), "step_sizes": (1e-4, 1.0), "maximize": True}),
    ("Adafactor", {"lr": 1e-2}),
    ("Adafactor", {"lr": 0.05, "beta2_decay": -0.5, "weight_decay": 1e-2, "eps": (1e-4, 1e-3), "d": 1.5}),
]


def _ids(case):
    name, kwargs = case
    return name + "-" + "-".join(f"{k}={v}" for k, v in kwargs.items())


def _run_both(name, kwargs, dtype, steps, groups=None):
    weights, data = initial_weights(dtype), batches(dtype)
    ep, tp = ember_params(weights), torch_params(torch, weights)
    if groups is not None:
        ep, tp = groups(ep), groups(tp)
    e_opt = getattr(ember.optim, name)(ep, **kwargs)
    t_opt = getattr(torch.optim, name)(tp, **kwargs)
    e_list = ep if groups is None else [p for g in ep for p in g["params"]]
    t_list = tp if groups is None else [p for g in tp for p in g["params"]]
    train_ember(e_opt, e_list, data, steps)
    train_torch(torch, t_opt, t_list, data, steps)
    return e_opt, t_opt, e_list, t_list


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_200_steps_match_torch(case, dtype):
    name, kwargs = case
    _, _, ep, tp = _run_both(name, kwargs, dtype, steps=200)
    rtol, atol = (2e-5, 2e-6) if dtype == np.float32 else (1e-10, 1e-12)
    for e, t in zip(ep, tp):
        assert e._data.dtype == dtype
        np.testing.assert_allclose(e._data, t.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("case", CASES[::3], ids=_ids)
def test_state_layout_and_dtypes_match_torch(case):
    name, kwargs = case
    e_opt, t_opt, _, _ = _run_both(name, kwargs, np.float32, steps=3)
    e_sd, t_sd = e_opt.state_dict(), t_opt.state_dict()
    assert set(e_sd["param_groups"][0]) == set(t_sd["param_groups"][0])
    assert e_sd["param_groups"][0]["params"] == t_sd["param_groups"][0]["params"]
    assert list(e_sd["state"]) == list(t_sd["state"])
    for i in t_sd["state"]:
        assert list(e_sd["state"][i]) == list(t_sd["state"][i])
        for key, value in e_sd["state"][i].items():
            t_value = t_sd["state"][i][key]
            assert value._data.shape == tuple(t_value.shape)
            assert str(value.dtype).split(".")[-1] == str(t_value.dtype).split(".")[-1]
            np.testing.assert_allclose(value._data, t_value.numpy(), rtol=1e-4, atol=1e-6)


def test_param_groups_with_their_own_hyper_parameters():
    def groups(params):
        return [{"params": params[:2], "lr": 0.05}, {"params": params[2:], "momentum": 0.5}]
    _, _, ep, tp = _run_both("SGD", {"lr": 0.1, "momentum": 0.9}, np.float64, steps=50, groups=groups)
    for e, t in zip(ep, tp):
        np.testing.assert_allclose(e._data, t.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "NAdam"])
def test_parameters_without_grad_are_skipped_like_torch(name):
    weights, data = initial_weights(np.float64), batches(np.float64)
    ep, tp = ember_params(weights), torch_params(torch, weights)
    kwargs = {"lr": 0.05, "momentum": 0.9} if name == "SGD" else {"lr": 0.01}
    e_opt, t_opt = getattr(ember.optim, name)(ep, **kwargs), getattr(torch.optim, name)(tp, **kwargs)
    for step in range(30):
        x, y = data[step % len(data)]
        for opt, params, loss_fn in ((e_opt, ep, ember_loss), (t_opt, tp, lambda *a: torch_loss(torch, *a))):
            opt.zero_grad()
            loss_fn(params, x, y).backward()
            if step % 3 == 0:
                params[1].grad = None  # b1 skips every third step
            opt.step()
    for e, t in zip(ep, tp):
        np.testing.assert_allclose(e._data, t.detach().numpy(), rtol=1e-10)
    assert len(e_opt.state) == len(t_opt.state)


ALL_NAMES = ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Rprop", "Adagrad", "Adadelta", "ASGD",
             "Adafactor"]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_non_finite_gradients_propagate_like_torch(name):
    values = np.array([1.0, -2.0, 3.0, 0.5], dtype=np.float32)
    grad = np.array([np.nan, 1.0, np.inf, -np.inf], dtype=np.float32)
    kwargs = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}
    e = ember.tensor(values.copy(), requires_grad=True)
    t = torch.tensor(values.copy(), requires_grad=True)
    e_opt, t_opt = getattr(ember.optim, name)([e], **kwargs), getattr(torch.optim, name)([t], **kwargs)
    for _ in range(2):
        e.grad = ember.tensor(grad.copy())
        t.grad = torch.tensor(grad.copy())
        with np.errstate(all="ignore"):
            e_opt.step()
        t_opt.step()
    got, want = e._data, t.detach().numpy()
    if name != "Rprop":   # Rprop reads only signs, and torch's sign(NaN) is 0
        assert not np.isfinite(got[0])  # a NaN gradient never becomes a finite update
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    finite = np.isfinite(want)
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-6)


@pytest.mark.parametrize("case", [CASES[1], CASES[6], CASES[15], CASES[19], CASES[21], CASES[24], CASES[27],
                                  CASES[30], CASES[32], CASES[34]], ids=_ids)
def test_torch_state_dict_loads_into_ember_and_continues(case):
    name, kwargs = case
    weights, data = initial_weights(np.float32), batches(np.float32)
    tp = torch_params(torch, weights)
    t_opt = getattr(torch.optim, name)(tp, **kwargs)
    train_torch(torch, t_opt, tp, data, 50)
    ep = ember_params({k: t.detach().numpy().copy() for k, t in zip(weights, tp)})
    e_opt = getattr(ember.optim, name)(ep, **kwargs)
    e_opt.load_state_dict(t_opt.state_dict())
    train_torch(torch, t_opt, tp, data[2:] + data[:2], 50)
    train_ember(e_opt, ep, data, 50, start=50)
    for e, t in zip(ep, tp):
        np.testing.assert_allclose(e._data, t.detach().numpy(), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_numpy_float64_hyper_parameters_keep_float32(name):
    lr = np.float64(0.01)
    w = ember.tensor([1.0, -2.0, 3.0], requires_grad=True)
    kwargs = {} if name == "Rprop" else {"weight_decay": np.float64(0.1)}
    opt = getattr(ember.optim, name)([w], lr=lr, **kwargs)
    for _ in range(3):
        w.grad = ember.tensor([0.5, -0.25, 1.0])
        opt.step()
    assert w._data.dtype == np.float32
    for value in opt.state[w].values():
        assert value._data.dtype == np.float32
