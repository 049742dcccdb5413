"""L-BFGS against torch: the same closure-driven steps, with and without the strong-Wolfe search."""
import numpy as np
import pytest

import ember
from ._mlp import batches, ember_loss, ember_params, initial_weights, torch_loss, torch_params

torch = pytest.importorskip("torch")

CASES = [
    {},
    {"line_search_fn": "strong_wolfe"},
    {"lr": 0.5, "max_iter": 5, "history_size": 3},
    {"lr": 1.0, "max_iter": 7, "history_size": 4, "line_search_fn": "strong_wolfe", "tolerance_change": 1e-12},
]


def _run(lib, params, loss_fn, kwargs, dtype, steps=4):
    opt = lib.optim.LBFGS(params, **kwargs)
    x, y = batches(dtype)[0]
    losses = []

    def closure():
        opt.zero_grad()
        loss = loss_fn(params, x, y)
        loss.backward()
        return loss
    for _ in range(steps):
        losses.append(float(opt.step(closure).detach()))
    return opt, losses


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kwargs", CASES, ids=lambda k: "-".join(f"{a}={b}" for a, b in k.items()) or "defaults")
def test_lbfgs_follows_torch(kwargs, dtype):
    # float32 runs one step only: near the optimum L-BFGS amplifies rounding (float32 dot products)
    weights = initial_weights(dtype)
    ep, tp = ember_params(weights), torch_params(torch, weights)
    steps = 4 if dtype == np.float64 else 1
    e_opt, e_losses = _run(ember, ep, ember_loss, kwargs, dtype, steps)
    t_opt, t_losses = _run(torch, tp, lambda *a: torch_loss(torch, *a), kwargs, dtype, steps)
    rtol, atol = (1e-7, 1e-10) if dtype == np.float64 else (1e-3, 1e-5)
    np.testing.assert_allclose(e_losses, t_losses, rtol=rtol, atol=atol)
    for e, t in zip(ep, tp):
        assert e._data.dtype == dtype
        np.testing.assert_allclose(e._data, t.detach().numpy(), rtol=rtol, atol=atol)
    e_state, t_state = e_opt.state[ep[0]], t_opt.state[tp[0]]
    assert set(e_state) == set(t_state)
    assert e_state["func_evals"] == t_state["func_evals"] and e_state["n_iter"] == t_state["n_iter"]


def test_lbfgs_needs_a_closure_and_one_group():
    w = ember.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="closure"):
        ember.optim.LBFGS([w]).step(None)
    with pytest.raises(ValueError, match="parameter groups"):
        ember.optim.LBFGS([{"params": [w]}, {"params": [ember.zeros(1, requires_grad=True)]}])


def test_lbfgs_state_dict_round_trip_resumes_identically():
    weights = initial_weights(np.float64)
    a, b = ember_params(weights), ember_params(weights)
    opt_a, _ = _run(ember, a, ember_loss, {"history_size": 5}, np.float64, steps=2)
    opt_b = ember.optim.LBFGS(b, history_size=5)
    for p, q in zip(a, b):
        q._data[...] = p._data
    opt_b.load_state_dict(opt_a.state_dict())
    x, y = batches(np.float64)[0]
    for opt, params in ((opt_a, a), (opt_b, b)):
        def closure():
            opt.zero_grad()
            loss = ember_loss(params, x, y)
            loss.backward()
            return loss
        opt.step(closure)
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p._data, q._data)
