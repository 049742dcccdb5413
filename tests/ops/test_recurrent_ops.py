"""The recurrence nodes (ops/recurrent.py, ops/recurrent_gru.py) against a step-by-step NumPy
reference written from the equations, and float64 finite-difference gradchecks of every option:
masks (torch's zero padding, Keras's carried output), reverse walks, per-gate input and
recurrent dropout masks, Keras's GRU gate order and reset_after=False, other activations, the
LSTM projection. (The torch comparisons of the layers are in tests/nn/test_nn_rnn.py.)"""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck
from ember.nn.functional.recurrent import recurrent_layer

GATES = {"rnn": 1, "lstm": 4, "gru": 3}
ACT = {"tanh": np.tanh, "sigmoid": lambda a: 1 / (1 + np.exp(-a)), "relu": lambda a: np.maximum(a, 0),
       "linear": lambda a: a, "hard_sigmoid": lambda a: np.clip(a + 3, 0, 6) / 6}


def reference(mode, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mask=None, reverse=False,
              masked_output="zero", x_mask=None, h_mask=None, activation="tanh",
              recurrent_activation="sigmoid", order="rzn", reset_after=True):
    """The recurrence one step at a time, straight from the equations."""
    T, B, _ = x.shape
    G = GATES[mode]
    H = w_ih.shape[0] // G
    act, ract = ACT[activation], ACT[recurrent_activation]
    b_ih = np.zeros(G * H) if b_ih is None else b_ih
    b_hh = np.zeros(G * H) if b_hh is None else b_hh
    blk = [slice(g * H, (g + 1) * H) for g in range(G)]
    h, c = h0.copy(), None if c0 is None else c0.copy()
    ys = np.zeros((T, B, h0.shape[1]))
    started = np.zeros(B, bool)
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        xs = [x[t] * (1 if x_mask is None else x_mask[g]) for g in range(G)]
        hs = [h * (1 if h_mask is None else h_mask[g]) for g in range(G)]
        xg = [xs[g] @ w_ih[blk[g]].T + b_ih[blk[g]] for g in range(G)]
        hg = [hs[g] @ w_hh[blk[g]].T + b_hh[blk[g]] for g in range(G)]
        cn = None
        if mode == "rnn":
            hn = act(xg[0] + hg[0])
        elif mode == "lstm":
            i, f, g_, o = ract(xg[0] + hg[0]), ract(xg[1] + hg[1]), act(xg[2] + hg[2]), ract(xg[3] + hg[3])
            cn = f * c + i * g_
            hn = o * act(cn)
            if w_hr is not None:
                hn = hn @ w_hr.T
        else:
            ri, zi = (0, 1) if order == "rzn" else (1, 0)
            r, z = ract(xg[ri] + hg[ri]), ract(xg[zi] + hg[zi])
            if reset_after:
                n = act(xg[2] + r * hg[2])
            else:
                n = act(xg[2] + (r * hs[2]) @ w_hh[blk[2]].T + b_hh[blk[2]])
            hn = z * h + (1 - z) * n
        m = np.ones(B, bool) if mask is None else mask[t]
        h = np.where(m[:, None], hn, h)
        if c is not None:
            c = np.where(m[:, None], cn, c)
        started |= m
        ys[t] = np.where((m if masked_output == "zero" else started)[:, None], h, 0)
    return ys, h, c


def _case(mode, proj=0, seed=0, T=4, B=3, I=2, H=3, bias=True, dtype=np.float64):
    rng = np.random.default_rng(seed)
    G, W = GATES[mode], proj or H
    arrays = dict(x=rng.standard_normal((T, B, I)), h0=rng.standard_normal((B, W)),
                  c0=rng.standard_normal((B, H)) if mode == "lstm" else None,
                  w_ih=rng.standard_normal((G * H, I)) * 0.6, w_hh=rng.standard_normal((G * H, W)) * 0.6,
                  b_ih=rng.standard_normal(G * H) * 0.3 if bias else None,
                  b_hh=rng.standard_normal(G * H) * 0.3 if bias else None,
                  w_hr=rng.standard_normal((W, H)) * 0.6 if proj else None)
    return {k: (None if v is None else v.astype(dtype)) for k, v in arrays.items()}


def _keep(rng, shape, p=0.3):
    return (rng.random(shape) >= p) / (1 - p)


MASK = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]], bool)   # post-padded, lengths 3 2 1
PRE = np.array([[0, 0, 1], [0, 1, 1], [1, 1, 1], [1, 1, 1]], bool)    # pre-padded (Keras style)
OPTION_CASES = [
    ("rnn", 0, {}),
    ("rnn", 0, {"activation": "relu", "reverse": True}),
    ("rnn", 0, {"mask": MASK}),
    ("rnn", 0, {"mask": PRE, "masked_output": "carry", "reverse": True}),
    ("lstm", 0, {}),
    ("lstm", 0, {"reverse": True, "mask": MASK}),
    ("lstm", 2, {}),
    ("lstm", 2, {"mask": MASK, "reverse": True}),
    ("lstm", 0, {"mask": PRE, "masked_output": "carry"}),
    ("lstm", 0, {"x_mask": True, "h_mask": True}),
    ("lstm", 0, {"activation": "relu", "recurrent_activation": "hard_sigmoid"}),
    ("lstm", 0, {"activation": "linear", "recurrent_activation": "tanh"}),
    ("gru", 0, {}),
    ("gru", 0, {"order": "zrn", "reverse": True}),
    ("gru", 0, {"order": "zrn", "reset_after": False}),
    ("gru", 0, {"order": "zrn", "reset_after": False, "x_mask": True, "h_mask": True}),
    ("gru", 0, {"order": "zrn", "x_mask": True, "h_mask": True, "mask": MASK}),
    ("gru", 0, {"mask": PRE, "masked_output": "carry", "activation": "relu"}),
]
IDS = [f"{m}-p{p}-" + "-".join(sorted(o)) for m, p, o in OPTION_CASES]


def _options(mode, options, arrays, dtype):
    rng = np.random.default_rng(5)
    out = dict(options)
    G, B = GATES[mode], arrays["x"].shape[1]
    if out.get("x_mask") is True:
        out["x_mask"] = _keep(rng, (G, B, arrays["x"].shape[2])).astype(dtype)
    if out.get("h_mask") is True:
        out["h_mask"] = _keep(rng, (G, B, arrays["h0"].shape[1])).astype(dtype)
    return out


@pytest.mark.parametrize("mode,proj,options", OPTION_CASES, ids=IDS)
def test_matches_stepwise_reference(mode, proj, options):
    arrays = _case(mode, proj)
    opts = _options(mode, options, arrays, np.float64)
    tensors = {k: None if v is None else ember.tensor(v) for k, v in arrays.items()}
    y, h, c = recurrent_layer(mode, **tensors, **opts)
    ry, rh, rc = reference(mode, **arrays, **opts)
    np.testing.assert_allclose(y.numpy(), ry, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(h.numpy(), rh, rtol=1e-12, atol=1e-12)
    if mode == "lstm":
        np.testing.assert_allclose(c.numpy(), rc, rtol=1e-12, atol=1e-12)
    assert y.dtype == h.dtype == ember.float64


@pytest.mark.parametrize("mode,proj,options", OPTION_CASES, ids=IDS)
def test_gradcheck_float64(mode, proj, options):
    arrays = _case(mode, proj, T=3, B=2, H=2, seed=3)
    opts = _options(mode, options, arrays, np.float64)
    if "mask" in opts:
        opts["mask"] = opts["mask"][1:, :2]
    names = [k for k, v in arrays.items() if v is not None]
    inputs = [ember.tensor(arrays[k], requires_grad=True) for k in names]

    def fn(*xs):
        kw = dict(arrays, **dict(zip(names, xs)))
        kw = {k: (ember.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        y, h, c = recurrent_layer(mode, **kw, **opts)
        parts = [y.reshape(-1), h.reshape(-1)] + ([c.reshape(-1)] if c is not None else [])
        return ember.cat(parts)

    assert gradcheck(fn, inputs, eps=1e-6, atol=1e-6)


@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
def test_float32_stays_float32_and_matches_float64(mode):
    a64 = _case(mode, seed=7)
    a32 = _case(mode, seed=7, dtype=np.float32)
    y64 = recurrent_layer(mode, **{k: None if v is None else ember.tensor(v) for k, v in a64.items()})[0]
    t32 = {k: None if v is None else ember.tensor(v, requires_grad=True) for k, v in a32.items()}
    y32 = recurrent_layer(mode, **t32)[0]
    assert y32.dtype == ember.float32
    np.testing.assert_allclose(y32.detach().numpy(), y64.numpy(), rtol=1e-5, atol=1e-6)
    y32.sum().backward()
    assert all(t.grad.dtype == ember.float32 for t in t32.values() if t is not None)


@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
def test_one_node_whatever_the_length(mode):
    """The graph of a layer has the same nodes for 3 steps and for 300 (no per-step nodes)."""
    def count(T):
        arrays = _case(mode, T=T)
        t = {k: None if v is None else ember.tensor(v, requires_grad=k == "x") for k, v in arrays.items()}
        y, h, _ = recurrent_layer(mode, **t)
        seen, stack = set(), [y.grad_fn, h.grad_fn]
        while stack:
            node = stack.pop()
            if node is None or not hasattr(node, "next_functions") or node in seen:
                continue
            seen.add(node)
            stack.extend(node.next_functions)
        return len(seen)
    assert count(3) == count(300) <= 5  # the node, and a slice and a view per output


def test_ten_thousand_steps_train_without_recursion():
    """A 10,000-step LSTM trains: forward, backward and an update, one node per layer."""
    ember.manual_seed(0)
    lstm = ember.nn.LSTM(2, 4)
    head = ember.nn.Linear(4, 1)
    opt = ember.optim.SGD(list(lstm.parameters()) + list(head.parameters()), lr=0.1)
    x = ember.randn(10_000, 2, 2)
    losses = []
    for _ in range(2):
        opt.zero_grad()
        out, _ = lstm(x)
        loss = (head(out[-1]) - 1.0).pow(2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert all(np.isfinite(p.grad.numpy()).all() for p in lstm.parameters())
    assert losses[1] < losses[0]
