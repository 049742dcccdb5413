"""torch's bare kernels (``torch.lstm``/``gru``/``rnn_tanh``/``rnn_relu`` from a flat weight
tuple, padded or packed, batch-first, bidirectional, with projections; the four ``*_cell``
steps; ``torch.embedding``, ``embedding_renorm_``, ``ctc_loss`` with an integer reduction)
against torch: outputs and the gradients of the input and of every weight."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
T, B, I, H = 5, 3, 4, 6
RNG = np.random.default_rng(0)
X = RNG.standard_normal((T, B, I)).astype(np.float32)
H0 = RNG.standard_normal((4, B, H)).astype(np.float32)
GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}


def _weights(layers, directions, gates, bias=True, proj=0):
    rng, out = np.random.default_rng(1), []
    width = proj or H
    for layer in range(layers):
        for _ in range(directions):
            size = I if layer == 0 else width * directions
            out += [rng.standard_normal((gates * H, size)), rng.standard_normal((gates * H, width))]
            if bias:
                out += [rng.standard_normal(gates * H) * 0.3, rng.standard_normal(gates * H) * 0.3]
            if proj:
                out.append(rng.standard_normal((proj, H)))
    return [(w * 0.3).astype(np.float32) for w in out]


def _run(call, arrays):
    """``call(m, *tensors)`` on ember and torch; compares outputs and every gradient."""
    results = []
    for m in (ember, torch):
        tensors = [m.tensor(a, requires_grad=True) for a in arrays]
        out = call(m, *tensors)
        out = [o for o in (out if isinstance(out, (tuple, list)) else [out])]
        rng = np.random.default_rng(2)
        loss = sum((o * m.tensor(rng.standard_normal(tuple(o.shape)).astype(np.float32))).sum()
                   for o in out)
        loss.backward()
        results.append(([o.detach().numpy() for o in out], [t.grad.numpy() for t in tensors]))
    (e_out, e_grad), (t_out, t_grad) = results
    assert len(e_out) == len(t_out)
    for a, b in zip(e_out + e_grad, t_out + t_grad):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


STACKS = [("lstm", 2, True, True, False, 0), ("lstm", 1, False, False, True, 0),
          ("lstm", 1, True, False, False, 3), ("gru", 2, True, True, False, 0),
          ("gru", 1, False, False, True, 0), ("rnn_tanh", 1, True, True, False, 0),
          ("rnn_relu", 2, True, False, False, 0)]


@pytest.mark.parametrize("kind,layers,bias,bidirectional,batch_first,proj", STACKS)
def test_stacks(kind, layers, bias, bidirectional, batch_first, proj):
    directions = 2 if bidirectional else 1
    weights = _weights(layers, directions, GATES[kind], bias, proj)
    x = X.transpose(1, 0, 2).copy() if batch_first else X
    h = H0[:layers * directions]
    states = [h[..., :proj] if proj else h] + ([h] if kind == "lstm" else [])

    def call(m, x, *rest):
        hx = tuple(rest[:len(states)]) if kind == "lstm" else rest[0]
        params = rest[len(states):]
        return getattr(m, kind)(x, hx, params, bias, layers, 0.0, False, bidirectional,
                                batch_first)
    _run(call, [x, *states, *weights])


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_packed_stacks(kind):
    weights = _weights(1, 1, GATES[kind])

    def call(m, x, h, *params):
        packed = m.nn.utils.rnn.pack_padded_sequence(x, [5, 4, 2])
        hx = (h, h) if kind == "lstm" else h
        return getattr(m, kind)(packed.data, packed.batch_sizes, hx, params, True, 1, 0.0, False,
                                False)
    _run(call, [X, H0[:1], *weights])
    # torch's keyword names for the packed overload reach the same code
    packed = ember.nn.utils.rnn.pack_padded_sequence(ember.tensor(X), [5, 4, 2])
    h = ember.tensor(H0[:1])
    params = [ember.tensor(w) for w in weights]
    hx = (h, h) if kind == "lstm" else h
    by_name = getattr(ember, kind)(data=packed.data, batch_sizes=packed.batch_sizes, hx=hx,
                                   params=params, has_biases=True, num_layers=1, dropout=0.0,
                                   train=False, bidirectional=False)
    by_position = getattr(ember, kind)(packed.data, packed.batch_sizes, hx, params, True, 1, 0.0,
                                       False, False)
    for a, b in zip(by_name, by_position):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


@pytest.mark.parametrize("kind,bias", [("lstm_cell", True), ("gru_cell", True),
                                       ("rnn_tanh_cell", True), ("rnn_relu_cell", False)])
def test_cells(kind, bias):
    weights = _weights(1, 1, GATES[kind.rsplit("_", 1)[0]], bias)

    lstm = kind == "lstm_cell"

    def call(m, x, h, *rest):
        hx, params = ((h, rest[0]), rest[1:]) if lstm else (h, rest)
        return getattr(m, kind)(x, hx, *params)
    _run(call, [X[0], H0[0]] + ([H0[1]] if lstm else []) + weights)
    with pytest.raises(RuntimeError, match="Dimension out of range"):
        ember.gru_cell(ember.tensor(X[0, 0]), ember.tensor(H0[0, 0]),
                       *map(ember.tensor, _weights(1, 1, 3)))


def test_embedding_renorm_and_ctc():
    table = RNG.standard_normal((10, 3)).astype(np.float32) * 3
    _run(lambda m, w: m.embedding(w, m.tensor([1, 2, 9, 2]), 2), [table])
    _run(lambda m, w: m.embedding(w, m.tensor([[1, 2], [9, 2]])), [table])
    renormed = []
    for m in (ember, torch):
        w = m.tensor(table)
        assert m.embedding_renorm_(w, m.tensor([1, 2]), 1.0, 2.0) is w
        renormed.append(w.numpy())
    np.testing.assert_allclose(renormed[0], renormed[1], rtol=1e-6)
    assert not np.allclose(renormed[0], table)
    logits = RNG.standard_normal((6, 2, 4)).astype(np.float32)
    for reduction in (0, 1, 2):
        _run(lambda m, x: m.ctc_loss(m.log_softmax(x, 2), m.tensor([[1, 2], [3, 3]]), [6, 5],
                                     [2, 2], 0, reduction, False), [logits])
