"""nn.RNN/LSTM/GRU and their cells against torch from the same weights: parameter names, shapes
and order, repr, initial range, outputs, final states and every gradient, over a table of
options (layers, directions, batch_first, bias, proj_size, initial states, unbatched input,
dropout between layers, float64); torch's errors for bad input."""
import numpy as np
import pytest

import ember
import ember.nn as nn
from nn_helpers import copy_state, error_of, to_torch

torch = pytest.importorskip("torch")

LAYER_CASES = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2}),
    ("RNN", {"bidirectional": True, "batch_first": True, "bias": False}),
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"batch_first": True, "bias": False}),
    ("LSTM", {"proj_size": 3, "num_layers": 2, "bidirectional": True}),
    ("GRU", {}),
    ("GRU", {"num_layers": 3, "batch_first": True}),
    ("GRU", {"bidirectional": True, "bias": False}),
]
IDS = [f"{n}-" + "-".join(f"{k}={v}" for k, v in kw.items()) for n, kw in LAYER_CASES]
INPUT, HIDDEN, T, B = 4, 5, 6, 3


def _pair(name, kwargs, dtype=np.float32):
    em = getattr(nn, name)(INPUT, HIDDEN, **kwargs)
    tm = getattr(torch.nn, name)(INPUT, HIDDEN, **kwargs)
    if dtype == np.float64:
        em.double(), tm.double()
    copy_state(em, tm)
    return em, tm


def _states(name, kwargs, rng, dtype, batch=B):
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    h = rng.standard_normal((layers, batch, kwargs.get("proj_size") or HIDDEN)).astype(dtype)
    if name == "LSTM":
        return h, rng.standard_normal((layers, batch, HIDDEN)).astype(dtype)
    return h


def _to_ember(x, grad=True):
    if isinstance(x, tuple):
        return tuple(_to_ember(a, grad) for a in x)
    return ember.tensor(x, requires_grad=grad)


def _to_torch(x):
    if isinstance(x, tuple):
        return tuple(_to_torch(a) for a in x)
    return torch.tensor(x, requires_grad=True)


def _flat(h):
    return list(h) if isinstance(h, tuple) else [h]


def _compare_run(em, tm, x, hx, tol):
    ex, th = _to_ember(x), _to_torch(x)
    eh = None if hx is None else _to_ember(hx)
    thx = None if hx is None else _to_torch(hx)
    eo, ehn = em(ex, eh)
    to, thn = tm(th, thx)
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), **tol)
    assert eo.dtype.name == str(to.dtype).replace("torch.", "")
    for a, b in zip(_flat(ehn), _flat(thn)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), **tol)
    rng = np.random.default_rng(1)
    up = rng.standard_normal(eo.shape).astype(x.dtype)
    loss_e = (eo * ember.tensor(up)).sum() + sum((h * h).sum() for h in _flat(ehn))
    loss_t = (to * torch.tensor(up)).sum() + sum((h * h).sum() for h in _flat(thn))
    loss_e.backward(), loss_t.backward()
    np.testing.assert_allclose(ex.grad.numpy(), th.grad.numpy(), **tol)
    if hx is not None:
        for a, b in zip(_flat(eh), _flat(thx)):
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **tol)
    for (n, p), (_, q) in zip(em.named_parameters(), tm.named_parameters()):
        assert p.grad.dtype == p.dtype
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), err_msg=n, **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("name,kwargs", LAYER_CASES, ids=IDS)
def test_layer_matches_torch(name, kwargs, with_h0, dtype):
    em, tm = _pair(name, kwargs, dtype)
    assert [(n, tuple(p.shape)) for n, p in em.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    assert repr(em) == repr(tm)
    rng = np.random.default_rng(0)
    shape = (B, T, INPUT) if kwargs.get("batch_first") else (T, B, INPUT)
    x = rng.standard_normal(shape).astype(dtype)
    hx = _states(name, kwargs, rng, dtype) if with_h0 else None
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    _compare_run(em, tm, x, hx, tol)


UNBATCHED = [c for c in LAYER_CASES if "proj_size" not in c[1]][::2]


@pytest.mark.parametrize("name,kwargs", UNBATCHED, ids=[c[0] + str(i) for i, c in enumerate(UNBATCHED)])
def test_unbatched_input(name, kwargs):
    em, tm = _pair(name, kwargs, np.float64)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((T, INPUT))
    hx = _states(name, kwargs, rng, np.float64, batch=1)
    hx = tuple(h[:, 0] for h in hx) if isinstance(hx, tuple) else hx[:, 0]
    _compare_run(em, tm, x, hx, dict(rtol=1e-10, atol=1e-12))


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_dropout_between_layers(name):
    """p=1 zeroes the first layer's output in training (deterministic, so comparable), and
    dropout is off in eval mode."""
    kwargs = {"num_layers": 2, "dropout": 1.0}
    em, tm = _pair(name, kwargs, np.float64)
    x = np.random.default_rng(3).standard_normal((T, B, INPUT))
    for mode in ("train", "eval"):
        getattr(em, mode)(), getattr(tm, mode)()
        _compare_run(em, tm, x, None, dict(rtol=1e-10, atol=1e-12))
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.LSTM(2, 3, dropout=0.5)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_initial_values_in_torch_range(name):
    ember.manual_seed(0)
    m = getattr(nn, name)(3, 16, num_layers=2, bidirectional=True)
    bound = 1 / np.sqrt(16)
    values = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    assert values.dtype == np.float32
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.9 * bound
    assert abs(values.mean()) < 0.05 * bound


# ------------------------------------------------------------------------ cells
CELL_CASES = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu", "bias": False}),
              ("LSTMCell", {}), ("LSTMCell", {"bias": False}), ("GRUCell", {}),
              ("GRUCell", {"bias": False})]


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_h", [True, False])
@pytest.mark.parametrize("name,kwargs", CELL_CASES, ids=[f"{n}-{k}" for n, k in CELL_CASES])
def test_cell_matches_torch(name, kwargs, with_h, batched):
    em, tm = getattr(nn, name)(INPUT, HIDDEN, **kwargs), getattr(torch.nn, name)(INPUT, HIDDEN, **kwargs)
    copy_state(em, tm)
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert repr(em) == repr(tm)
    rng = np.random.default_rng(4)
    lead = (B,) if batched else ()
    x = rng.standard_normal(lead + (INPUT,)).astype(np.float32)
    hx = None
    if with_h:
        hx = rng.standard_normal(lead + (HIDDEN,)).astype(np.float32)
        if name == "LSTMCell":
            hx = (hx, rng.standard_normal(lead + (HIDDEN,)).astype(np.float32))
    ex, tx = _to_ember(x), _to_torch(x)
    eo = em(ex) if hx is None else em(ex, _to_ember(hx, grad=False))
    to = tm(tx) if hx is None else tm(tx, _to_torch(hx))
    for a, b in zip(_flat(eo), _flat(to)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)
    sum((a * a).sum() for a in _flat(eo)).backward()
    sum((b * b).sum() for b in _flat(to)).backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    for p, q in zip(em.parameters(), tm.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_cell_loop_equals_layer():
    """Stepping an LSTMCell by hand gives nn.LSTM's output (same weights)."""
    ember.manual_seed(1)
    cell, layer = nn.LSTMCell(3, 4), nn.LSTM(3, 4)
    for a, b in (("weight_ih", "weight_ih_l0"), ("weight_hh", "weight_hh_l0"),
                 ("bias_ih", "bias_ih_l0"), ("bias_hh", "bias_hh_l0")):
        getattr(layer, b)._data[...] = getattr(cell, a)._data
    x = ember.randn(5, 2, 3)
    h = c = ember.zeros(2, 4)
    outs = []
    for t in range(5):
        h, c = cell(x[t], (h, c))
        outs.append(h)
    out, (hn, cn) = layer(x)
    np.testing.assert_allclose(ember.stack(outs).detach().numpy(), out.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(cn[0].detach().numpy(), c.detach().numpy(), rtol=1e-6, atol=1e-6)


# ----------------------------------------------------------------------- errors
ERROR_CASES = [
    ("rank", lambda m: m.LSTM(4, 5), lambda m: m.randn(2, 3, 4, 4), None),
    ("rank_rnn", lambda m: m.RNN(4, 5), lambda m: m.randn(4), None),
    ("rank_gru", lambda m: m.GRU(4, 5), lambda m: m.randn(1, 2, 3, 4), None),
    ("features", lambda m: m.GRU(4, 5), lambda m: m.randn(3, 2, 7), None),
    ("hidden_shape", lambda m: m.RNN(4, 5), lambda m: m.randn(3, 2, 4), lambda m: m.randn(1, 3, 5)),
    ("hidden_rank", lambda m: m.RNN(4, 5), lambda m: m.randn(3, 2, 4), lambda m: m.randn(2, 5)),
    ("lstm_h", lambda m: m.LSTM(4, 5), lambda m: m.randn(3, 2, 4),
     lambda m: (m.randn(1, 2, 4), m.randn(1, 2, 5))),
    ("lstm_c", lambda m: m.LSTM(4, 5), lambda m: m.randn(3, 2, 4),
     lambda m: (m.randn(1, 2, 5), m.randn(2, 2, 5))),
    ("dtype", lambda m: m.LSTM(4, 5), lambda m: m.randn(3, 2, 4, dtype=m.float64), None),
    ("cell_rank", lambda m: m.LSTMCell(4, 5), lambda m: m.randn(2, 3, 4), None),
    ("cell_features", lambda m: m.GRUCell(4, 5), lambda m: m.randn(2, 3), None),
    ("cell_hidden", lambda m: m.RNNCell(4, 5), lambda m: m.randn(2, 4), lambda m: m.randn(2, 3)),
    ("cell_batch", lambda m: m.GRUCell(4, 5), lambda m: m.randn(2, 4), lambda m: m.randn(3, 5)),
]


@pytest.mark.parametrize("name,make,x,h", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_bad_input_raises_torcherror_of(name, make, x, h):
    def run(m, lib):
        layer = make(lib)
        args = (x(m),) if h is None else (x(m), h(m))
        return layer(*args)
    want = error_of(lambda: run(torch, torch.nn))
    got = error_of(lambda: run(ember, ember.nn))
    assert want[0] is not None
    assert got[0] is want[0]
    assert got[1] == want[1].replace("torch.", "ember.")


@pytest.mark.parametrize("kwargs,exc,text", [
    ({"nonlinearity": "sigmoid"}, ValueError, "Unknown nonlinearity 'sigmoid'"),
    ({"dropout": 1.5}, ValueError, "dropout should be a number in range [0, 1]"),
    ({"num_layers": 0}, ValueError, "num_layers must be greater than zero"),
    ({"proj_size": 2}, ValueError, "proj_size argument is only supported for LSTM"),
    ({"bias": 1}, TypeError, "bias should be of type bool, got: int"),
])
def test_bad_hyperparameters(kwargs, exc, text):
    with pytest.raises(exc, match=text.replace("[", r"\[").replace("]", r"\]")):
        nn.RNN(3, 4, **kwargs)
    with pytest.raises(exc):
        torch.nn.RNN(3, 4, **kwargs)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)
