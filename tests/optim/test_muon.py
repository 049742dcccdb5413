"""ember.optim.Muon against torch.optim.Muon (2.13), and its Newton-Schulz iteration."""
import math

import numpy as np
import pytest
import torch

import ember
from ember.optim.muon import newton_schulz, round_to_bfloat16

CASES = [
    ((8, 5), {}),
    ((5, 8), {"nesterov": False}),
    ((16, 16), {"weight_decay": 0.0, "momentum": 0.9}),
    ((24, 12), {"adjust_lr_fn": "match_rms_adamw", "ns_steps": 3}),
    ((12, 24), {"adjust_lr_fn": "original", "eps": 1e-5, "ns_coefficients": (3.0, -3.2, 1.2)}),
]


@pytest.mark.parametrize("shape,kwargs", CASES, ids=str)
def test_steps_match_torch(shape, kwargs):
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=shape).astype(np.float32)
    grads = [rng.normal(size=shape).astype(np.float32) for _ in range(6)]
    tw = torch.tensor(w0.copy(), requires_grad=True)
    ew = ember.tensor(w0.copy(), requires_grad=True)
    t_opt, e_opt = torch.optim.Muon([tw], lr=0.02, **kwargs), ember.optim.Muon([ew], lr=0.02, **kwargs)
    rows, cols = shape
    ratio = 0.2 * math.sqrt(max(shape)) if kwargs.get("adjust_lr_fn") == "match_rms_adamw" \
        else math.sqrt(max(1, rows / cols))
    for step, g in enumerate(grads, 1):
        tw.grad, ew.grad = torch.tensor(g), ember.tensor(g)
        t_opt.step()
        e_opt.step()
        ours = ew.detach().numpy()
        assert ours.dtype == np.float32
        # torch orthogonalises in bfloat16: an accumulation order that flips one rounding moves
        # the update by one bfloat16 step (2^-8 relative), so allow a few of those per step
        np.testing.assert_allclose(ours, tw.detach().numpy(), rtol=0, atol=0.02 * 0.02 * ratio * step)
    np.testing.assert_allclose(e_opt.state[ew]["momentum_buffer"].numpy(),
                               t_opt.state[tw]["momentum_buffer"].numpy(), rtol=1e-5, atol=1e-6)
    assert list(e_opt.state_dict()["param_groups"][0]) == list(t_opt.state_dict()["param_groups"][0])


def test_state_dict_round_trip_continues_identically():
    rng = np.random.default_rng(1)
    w = ember.tensor(rng.normal(size=(6, 4)).astype(np.float32), requires_grad=True)
    opt = ember.optim.Muon([w], lr=0.05)
    w.grad = ember.tensor(rng.normal(size=(6, 4)).astype(np.float32))
    opt.step()
    w2 = ember.tensor(w.detach().numpy().copy(), requires_grad=True)
    opt2 = ember.optim.Muon([w2], lr=0.05)
    opt2.load_state_dict(opt.state_dict())
    g = rng.normal(size=(6, 4)).astype(np.float32)
    for p, o in ((w, opt), (w2, opt2)):
        p.grad = ember.tensor(g)
        o.step()
    np.testing.assert_array_equal(w.detach().numpy(), w2.detach().numpy())


@pytest.mark.parametrize("shape,kwargs,message", [
    ((3, 2), {"lr": -1.0}, "Learning rate should be >= 0 but is: -1.0"),
    ((3, 2), {"momentum": -0.1}, "momentum should be >= 0 but is: -0.1"),
    ((3, 2), {"weight_decay": -1.0}, "weight decay should be >= 0 but is: -1.0"),
    ((3, 2), {"adjust_lr_fn": "x"}, "Adjust learning rate function x is not supported"),
    ((3,), {}, "Muon only supports 2D parameters"),
])
def test_bad_arguments_raise_torchs_messages(shape, kwargs, message):
    for mod in (torch, ember):
        with pytest.raises(ValueError, match=message):
            mod.optim.Muon([mod.zeros(*shape, requires_grad=True)], **kwargs)


@pytest.mark.parametrize("shape", [(3, 7), (7, 3), (6, 6)])
def test_newton_schulz_orthogonalises(shape):
    g = np.random.default_rng(2).normal(size=shape).astype(np.float32)
    out = newton_schulz(g, steps=10)
    assert out.dtype == np.float32 and out.shape == shape
    s = np.linalg.svd(out, compute_uv=False)
    assert np.all((s > 0.5) & (s < 1.5))  # the quintic's band, not exactly 1
    u, _, vt = np.linalg.svd(g, full_matrices=False)
    core = u.T @ out @ vt.T  # diagonal when out keeps g's singular vectors
    assert np.abs(core - np.diag(np.diag(core))).max() < 1e-4


def test_round_to_bfloat16_matches_torch():
    x = np.random.default_rng(3).normal(size=1000).astype(np.float32) * 1e3
    x[:4] = [1.0 + 2 ** -8, 1.0 + 3 * 2 ** -8, -0.0, np.inf]  # ties go to even
    np.testing.assert_array_equal(round_to_bfloat16(x), torch.tensor(x).bfloat16().float().numpy())
