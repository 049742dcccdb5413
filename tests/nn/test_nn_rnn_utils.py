"""nn.utils.rnn against torch: pad_sequence, pack_padded_sequence / pad_packed_sequence,
pack_sequence, unpad/unpack, and every recurrent layer on packed input (outputs, final
states and gradients for variable lengths, sorted or not); torch's errors."""
import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn.utils import rnn as E
from nn_helpers import copy_state, error_of

torch = pytest.importorskip("torch")
from torch.nn.utils import rnn as R  # noqa: E402


def _seqs(lengths, feat=2, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((n, feat)).astype(np.float32) for n in lengths]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("value", [0.0, -1.5])
def test_pad_sequence(batch_first, side, value):
    arrays = _seqs([3, 1, 4])
    e_in = [ember.tensor(a, requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    e = E.pad_sequence(e_in, batch_first=batch_first, padding_value=value, padding_side=side)
    t = R.pad_sequence(t_in, batch_first=batch_first, padding_value=value, padding_side=side)
    np.testing.assert_array_equal(e.detach().numpy(), t.detach().numpy())
    up = np.random.default_rng(1).standard_normal(e.shape).astype(np.float32)
    (e * ember.tensor(up)).sum().backward(), (t * torch.tensor(up)).sum().backward()
    for a, b in zip(e_in, t_in):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


@pytest.mark.parametrize("lengths,sorted_", [([4, 3, 3, 1], True), ([2, 4, 1, 3], False),
                                             ([3, 3, 1, 3], False), ([4, 4, 4, 4], True)])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_and_pad_round_trip(lengths, sorted_, batch_first):
    padded = R.pad_sequence([torch.tensor(a) for a in _seqs(lengths)], batch_first=batch_first)
    x = padded.numpy()
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ep = E.pack_padded_sequence(ex, lengths, batch_first=batch_first, enforce_sorted=sorted_)
    tp = R.pack_padded_sequence(tx, lengths, batch_first=batch_first, enforce_sorted=sorted_)
    np.testing.assert_array_equal(ep.data.detach().numpy(), tp.data.detach().numpy())
    np.testing.assert_array_equal(ep.batch_sizes.numpy(), tp.batch_sizes.numpy())
    for a, b in ((ep.sorted_indices, tp.sorted_indices), (ep.unsorted_indices, tp.unsorted_indices)):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    for total in (None, max(lengths) + 2):
        eo, el = E.pad_packed_sequence(ep, batch_first=batch_first, padding_value=9.0, total_length=total)
        to, tl = R.pad_packed_sequence(tp, batch_first=batch_first, padding_value=9.0, total_length=total)
        np.testing.assert_array_equal(eo.detach().numpy(), to.detach().numpy())
        np.testing.assert_array_equal(el.numpy(), tl.numpy())
        assert el.dtype == ember.int64
    up = np.random.default_rng(2).standard_normal(eo.shape).astype(np.float32)
    (eo * ember.tensor(up)).sum().backward(), (to * torch.tensor(up)).sum().backward()
    np.testing.assert_array_equal(ex.grad.numpy(), tx.grad.numpy())


def test_pack_sequence_unpack_and_unpad():
    arrays = _seqs([2, 5, 3])
    ep = E.pack_sequence([ember.tensor(a) for a in arrays], enforce_sorted=False)
    tp = R.pack_sequence([torch.tensor(a) for a in arrays], enforce_sorted=False)
    np.testing.assert_array_equal(ep.data.numpy(), tp.data.numpy())
    for a, b in zip(E.unpack_sequence(ep), R.unpack_sequence(tp)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    padded = R.pad_sequence([torch.tensor(a) for a in arrays], batch_first=True)
    for a, b in zip(E.unpad_sequence(ember.tensor(padded.numpy()), [2, 5, 3], batch_first=True),
                    R.unpad_sequence(padded, torch.tensor([2, 5, 3]), batch_first=True)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


PACKED_LAYERS = [("RNN", {}), ("RNN", {"bidirectional": True, "num_layers": 2}),
                 ("LSTM", {"bidirectional": True}), ("LSTM", {"num_layers": 2, "proj_size": 2}),
                 ("GRU", {"bidirectional": True, "num_layers": 2}), ("GRU", {"batch_first": True})]


@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("lengths,sorted_", [([5, 3, 2, 2], True), ([2, 5, 1, 4], False)])
@pytest.mark.parametrize("name,kwargs", PACKED_LAYERS, ids=[f"{n}{k}" for n, k in PACKED_LAYERS])
def test_layers_on_packed_sequences_match_torch(name, kwargs, lengths, sorted_, with_h0):
    em, tm = getattr(nn, name)(2, 4, **kwargs).double(), getattr(torch.nn, name)(2, 4, **kwargs).double()
    copy_state(em, tm)
    bf = kwargs.get("batch_first", False)
    padded = R.pad_sequence([torch.tensor(a, dtype=torch.float64) for a in _seqs(lengths)],
                            batch_first=bf).numpy()
    ex, tx = ember.tensor(padded, requires_grad=True), torch.tensor(padded, requires_grad=True)
    e_in = E.pack_padded_sequence(ex, lengths, batch_first=bf, enforce_sorted=sorted_)
    t_in = R.pack_padded_sequence(tx, lengths, batch_first=bf, enforce_sorted=sorted_)
    layers = kwargs.get("num_layers", 1) * (1 + kwargs.get("bidirectional", False))
    rng = np.random.default_rng(3)
    args_e, args_t = (), ()
    if with_h0:
        h = rng.standard_normal((layers, 4, kwargs.get("proj_size") or 4))
        hx = (h, rng.standard_normal((layers, 4, 4))) if name == "LSTM" else h
        eh = tuple(ember.tensor(a) for a in hx) if name == "LSTM" else ember.tensor(hx)
        th = tuple(torch.tensor(a) for a in hx) if name == "LSTM" else torch.tensor(hx)
        args_e, args_t = (eh,), (th,)
    eo, eh = em(e_in, *args_e)
    to, th = tm(t_in, *args_t)
    assert isinstance(eo, E.PackedSequence)
    np.testing.assert_allclose(eo.data.detach().numpy(), to.data.detach().numpy(), rtol=1e-10, atol=1e-12)
    e_states, t_states = (eh, th) if name == "LSTM" else ((eh,), (th,))
    for a, b in zip(e_states, t_states):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)
    ep, _ = E.pad_packed_sequence(eo, batch_first=bf)
    tp, _ = R.pad_packed_sequence(to, batch_first=bf)
    up = rng.standard_normal(ep.shape)
    ((ep * ember.tensor(up)).sum() + sum((s * s).sum() for s in e_states)).backward()
    ((tp * torch.tensor(up)).sum() + sum((s * s).sum() for s in t_states)).backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    for p, q in zip(em.parameters(), tm.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-9, atol=1e-11)


PACK_ERRORS = [
    ("unsorted", lambda m, R_: R_.pack_padded_sequence(m.zeros(4, 3, 2), [2, 4, 1])),
    ("count", lambda m, R_: R_.pack_padded_sequence(m.zeros(4, 3, 2), [4, 2])),
    ("zero_length", lambda m, R_: R_.pack_padded_sequence(m.zeros(4, 3, 2), [4, 2, 0])),
    ("total_length", lambda m, R_: R_.pad_packed_sequence(
        R_.pack_padded_sequence(m.zeros(4, 3, 2), [4, 2, 1]), total_length=2)),
    ("empty", lambda m, R_: R_.pad_sequence([])),
]


@pytest.mark.parametrize("name,fn", PACK_ERRORS, ids=[c[0] for c in PACK_ERRORS])
def test_pack_errors_are_torchs(name, fn):
    want = error_of(lambda: fn(torch, R))
    got = error_of(lambda: fn(ember, E))
    assert want[0] is not None and got == want


def test_length_beyond_padding_is_refused():
    with pytest.raises(RuntimeError, match="length of 6 for 4 steps"):
        E.pack_padded_sequence(ember.zeros(4, 2, 3), [6, 2])
