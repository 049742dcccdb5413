"""Shared helpers of the ember.nn tests: move values between ember and torch and compare them."""
from __future__ import annotations

import numpy as np

import ember

TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}


def tol(dtype) -> dict:
    return TOL[np.dtype(dtype).type]


def to_torch(t, requires_grad: bool = False):
    import torch
    out = torch.from_numpy(np.array(t._data, copy=True))
    return out.requires_grad_(requires_grad) if requires_grad else out


def assert_same(e, t, rtol=None, atol=None) -> None:
    """Values and dtype of ember tensor ``e`` equal torch tensor ``t``'s (to tolerance)."""
    expected = t.detach().numpy()
    assert e._data.dtype == expected.dtype, (e._data.dtype, expected.dtype)
    assert e._data.shape == expected.shape, (e._data.shape, expected.shape)
    if expected.dtype.kind != "f":
        np.testing.assert_array_equal(e._data, expected)
        return
    kw = tol(expected.dtype) if rtol is None else dict(rtol=rtol, atol=atol or 0)
    np.testing.assert_allclose(e._data, expected, **kw)


def copy_state(ember_module, torch_module) -> None:
    """Copies every parameter and buffer of the ember module into the torch module."""
    import torch
    own = dict(ember_module.state_dict())
    with torch.no_grad():
        for name, t in torch_module.state_dict(keep_vars=True).items():
            t.copy_(torch.from_numpy(np.array(own[name]._data)))


def randn(*shape, dtype=np.float32, seed=0, requires_grad=False):
    rng = np.random.default_rng(seed)
    t = ember.tensor(rng.standard_normal(shape).astype(dtype))
    return t.requires_grad_(requires_grad) if requires_grad else t


def error_of(fn):
    """``(exception type, message)`` raised by ``fn()``, or ``(None, None)``."""
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - callers compare the type and the message
        return type(exc), str(exc)
    return None, None


def train_losses(opt, loss_fn, steps: int) -> list:
    """The losses of ``steps`` plain training steps (``zero_grad``, ``loss_fn()``, backward,
    ``opt.step()``), as Python floats: run once per library to compare trajectories."""
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        out.append(loss.item())
    return out
