"""Every optimizer on 0-d, 1-d and non-contiguous parameters, and on gradients that arrive as
NumPy scalars, step for step against torch (issue 12: a 0-d parameter's momentum buffer stopped
updating after the first step, and RMSprop crashed on a 0-d parameter)."""
import math

import numpy as np
import pytest

import ember
from ember import Tensor
from ._cases import CASES, case_id

torch = pytest.importorskip("torch")


def _pair(array, transpose=False):
    e = Tensor._make(array.copy().T if transpose else array.copy())
    e.requires_grad = True
    t = torch.tensor(array.copy())
    t = (t.t() if transpose else t).requires_grad_()
    return e, t


def _layouts():
    rng = np.random.default_rng(0)
    return {
        "0-d": [rng.standard_normal(()).astype(np.float32) for _ in range(3)],
        "1-d": [rng.standard_normal(5).astype(np.float32), rng.standard_normal(1).astype(np.float32)],
        "non-contiguous": [rng.standard_normal((4, 3)).astype(np.float32),
                           rng.standard_normal((2, 5)).astype(np.float32)],
    }


@pytest.mark.parametrize("layout, scalar_grads", [("0-d", False), ("0-d", True), ("1-d", False),
                                                  ("non-contiguous", False)],
                         ids=["0-d", "0-d-numpy-scalar-grads", "1-d", "non-contiguous"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_step_by_step_against_torch(case, layout, scalar_grads):
    name, kwargs = case
    pairs = [_pair(a, transpose=layout == "non-contiguous") for a in _layouts()[layout]]
    ep, tp = [e for e, _ in pairs], [t for _, t in pairs]
    if layout == "non-contiguous":
        assert not any(p._data.flags.c_contiguous for p in ep)
    e_opt, t_opt = getattr(ember.optim, name)(ep, **kwargs), getattr(torch.optim, name)(tp, **kwargs)
    rng = np.random.default_rng(1)
    for step in range(6):
        for e, t in zip(ep, tp):
            g = rng.standard_normal(e._data.shape).astype(np.float32)
            t.grad = torch.tensor(g)
            if scalar_grads:
                e.grad = Tensor._make(np.float32(g))           # a NumPy scalar, not an array
            elif layout == "non-contiguous":
                e.grad = Tensor._make(np.asfortranarray(g))    # a non-contiguous gradient too
            else:
                e.grad = ember.tensor(g)
        e_opt.step()
        t_opt.step()
        for e, t in zip(ep, tp):
            assert type(e._data) is np.ndarray and e._data.dtype == np.float32
            assert e._data.shape == tuple(t.shape)
            np.testing.assert_allclose(e._data, t.detach().numpy(), rtol=1e-5, atol=1e-6,
                                       err_msg=f"{name} step {step}")
    for e, t in zip(ep, tp):
        e_state, t_state = e_opt.state[e], t_opt.state[t]
        assert list(e_state) == list(t_state)
        for key, value in e_state.items():
            np.testing.assert_allclose(value._data, t_state[key].detach().numpy(), rtol=1e-5, atol=1e-6,
                                       err_msg=f"{name} state {key}")


def _dynamic_net(lib, seed):
    """PyTorch's "dynamic net" tutorial, shortened: 0-d parameters used as ``a + a * x``."""
    lib.manual_seed(seed)
    rng = np.random.default_rng(seed)
    params = [lib.nn.Parameter(lib.tensor(float(v))) for v in rng.standard_normal(4) * 0.1]
    a, b, c, d = params
    x = lib.linspace(-math.pi, math.pi, 200)
    y = lib.sin(x)
    opt = lib.optim.SGD(params, lr=1e-6, momentum=0.9)
    for step in range(300):
        y_pred = a + a * x + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return [float(p.detach()) for p in params], float(loss.detach())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dynamic_net_with_momentum_follows_torch(seed):
    ours, ours_loss = _dynamic_net(ember, seed)
    ref, ref_loss = _dynamic_net(torch, seed)
    np.testing.assert_allclose(ours, ref, rtol=1e-4, atol=1e-5)
    assert math.isfinite(ours_loss) and ours_loss == pytest.approx(ref_loss, rel=1e-4)
