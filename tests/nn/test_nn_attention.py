"""MultiheadAttention, TransformerEncoder/Decoder layers and Transformer against torch from the
same weights (outputs, attention weights, every gradient), with masks, batch_first, norm_first,
activations, kdim/vdim, bias_kv, zero_attn; F.scaled_dot_product_attention's options; init,
repr and torch's errors."""
import re

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from nn_helpers import copy_state, error_of

torch = pytest.importorskip("torch")

E_, H_ = 8, 2


def _inputs(rng, *shapes):
    arrays = [rng.standard_normal(s) for s in shapes]
    return ([ember.tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


def _t(v):
    return torch.tensor(v.numpy()) if isinstance(v, ember.Tensor) else v


def _compare(em, tm, e_in, t_in, tol=dict(rtol=1e-9, atol=1e-11), **kw):
    eo, to = em(*e_in, **kw), tm(*t_in, **{k: _t(v) for k, v in kw.items()})
    e_main, t_main = (eo[0], to[0]) if isinstance(eo, tuple) else (eo, to)
    np.testing.assert_allclose(e_main.detach().numpy(), t_main.detach().numpy(), **tol)
    if isinstance(eo, tuple):
        assert (eo[1] is None) == (to[1] is None)
        if eo[1] is not None:
            np.testing.assert_allclose(eo[1].detach().numpy(), to[1].detach().numpy(), **tol)
    up = np.random.default_rng(9).standard_normal(e_main.shape)
    (e_main * ember.tensor(up)).sum().backward(), (t_main * torch.tensor(up)).sum().backward()
    for a, b in zip(e_in, t_in):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **tol)
    for (n, p), (_, q) in zip(em.named_parameters(), tm.named_parameters()):
        if q.grad is None:
            assert p.grad is None or not np.any(p.grad.numpy()), n
            continue
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), err_msg=n, **tol)


MHA_CASES = [{}, {"batch_first": True}, {"add_bias_kv": True}, {"add_zero_attn": True},
             {"kdim": 3, "vdim": 5}, {"bias": False}, {"add_bias_kv": True, "add_zero_attn": True}]
MASKS = [{}, {"key_padding_mask": "bool"}, {"attn_mask": "float"},
         {"attn_mask": "bool", "key_padding_mask": "bool", "average_attn_weights": False},
         {"key_padding_mask": "float", "need_weights": False},
         {"attn_mask": "causal", "is_causal": True, "need_weights": False},
         {"attn_mask": "3d"}]


def _masks(spec, rng, N=2, L=4, S=6):
    out = {}
    for name, kind in spec.items():
        if name not in ("attn_mask", "key_padding_mask"):
            out[name] = kind
            continue
        if name == "key_padding_mask":
            m = np.zeros((N, S), bool)
            m[1, 4:] = True
            out[name] = ember.tensor(m if kind == "bool" else np.where(m, -1e4, 0.5))
        elif kind == "bool":
            m = rng.random((L, S)) > 0.7
            m[:, 0] = False
            out[name] = ember.tensor(m)
        elif kind == "float":
            out[name] = ember.tensor(rng.standard_normal((L, S)))
        elif kind == "3d":
            out[name] = ember.tensor(rng.standard_normal((N * H_, L, S)))
        else:
            out[name] = ember.tensor(np.triu(np.full((L, S), -np.inf), 1))
    return out


MHA_GRID = [(k, m) for k in MHA_CASES for m in MASKS if k == {} or not m.get("is_causal")]


@pytest.mark.parametrize("kwargs,masks", MHA_GRID,
                         ids=[f"{k}-{'-'.join(m) or 'none'}" for k, m in MHA_GRID])
def test_multihead_attention_matches_torch(kwargs, masks):
    em = nn.MultiheadAttention(E_, H_, **kwargs).double()
    tm = torch.nn.MultiheadAttention(E_, H_, **kwargs).double()
    copy_state(em, tm)
    assert [(n, tuple(p.shape)) for n, p in em.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    assert repr(em) == repr(tm)
    rng = np.random.default_rng(0)
    L, S = (4, 4) if masks.get("is_causal") else (4, 6)
    kd, vd = kwargs.get("kdim", E_), kwargs.get("vdim", E_)
    if kwargs.get("batch_first"):
        shapes = [(2, L, E_), (2, S, kd), (2, S, vd)]
    else:
        shapes = [(L, 2, E_), (S, 2, kd), (S, 2, vd)]
    e_in, t_in = _inputs(rng, *shapes)
    _compare(em, tm, e_in, t_in, **_masks(masks, rng, L=L, S=S))


@pytest.mark.parametrize("batch_first", [False, True])
def test_self_attention_on_one_tensor_and_unbatched(batch_first):
    em = nn.MultiheadAttention(E_, H_, batch_first=batch_first).double()
    tm = torch.nn.MultiheadAttention(E_, H_, batch_first=batch_first).double()
    copy_state(em, tm)
    rng = np.random.default_rng(1)
    (ex,), (tx,) = _inputs(rng, (3, 5, E_))
    _compare(em, tm, [ex, ex, ex], [tx, tx, tx])
    (ex,), (tx,) = _inputs(rng, (5, E_))
    kpm = np.array([False, False, False, True, False])
    _compare(em, tm, [ex, ex, ex], [tx, tx, tx], key_padding_mask=ember.tensor(kpm))


def test_mha_init_and_dropout():
    ember.manual_seed(0)
    m = nn.MultiheadAttention(64, 4, dropout=1.0, add_bias_kv=True)
    bound = np.sqrt(6 / (64 + 3 * 64))  # xavier on the packed (3E, E) weight
    w = m.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert not m.in_proj_bias.detach().numpy().any() and not m.out_proj.bias.detach().numpy().any()
    x = ember.randn(3, 2, 64)
    out, weights = m(x, x, x)                   # every weight dropped: only the output bias
    np.testing.assert_array_equal(weights.detach().numpy(), 0)
    m.eval()
    out, weights = m(x, x, x)
    np.testing.assert_allclose(weights.detach().numpy().sum(-1), 1, rtol=1e-5)


LAYER_CASES = [{}, {"norm_first": True, "batch_first": True, "activation": "gelu"},
               {"dim_feedforward": 16, "bias": False}, {"activation": "tanh", "layer_norm_eps": 1e-3}]


@pytest.mark.parametrize("kwargs", LAYER_CASES, ids=["default", "prenorm-gelu", "nobias", "callable"])
@pytest.mark.parametrize("kind", ["Encoder", "Decoder"])
def test_transformer_layers_match_torch(kind, kwargs):
    e_kw, t_kw = dict(kwargs), dict(kwargs)
    if kwargs.get("activation") == "tanh":  # a callable activation
        e_kw["activation"], t_kw["activation"] = F.tanh, torch.tanh
    em = getattr(nn, f"Transformer{kind}Layer")(E_, H_, dropout=0.0, **e_kw).double()
    tm = getattr(torch.nn, f"Transformer{kind}Layer")(E_, H_, dropout=0.0, **t_kw).double()
    copy_state(em, tm)
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    rng = np.random.default_rng(2)
    shape = (2, 5, E_) if kwargs.get("batch_first") else (5, 2, E_)
    kpm = ember.tensor(np.array([[False] * 5, [False] * 3 + [True] * 2]))
    causal = nn.Transformer.generate_square_subsequent_mask(5, dtype=ember.float64)
    if kind == "Encoder":
        e_in, t_in = _inputs(rng, shape)
        _compare(em, tm, e_in, t_in, src_key_padding_mask=kpm, src_mask=causal)
    else:
        e_in, t_in = _inputs(rng, shape, shape)
        _compare(em, tm, e_in, t_in, tgt_mask=causal, memory_key_padding_mask=kpm)


def test_stacks_and_full_transformer_match_torch():
    kw = dict(d_model=E_, nhead=H_, num_encoder_layers=2, num_decoder_layers=2,
              dim_feedforward=16, dropout=0.0)
    em, tm = nn.Transformer(**kw).double(), torch.nn.Transformer(**kw).double()
    copy_state(em, tm)
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert repr(em) == repr(tm)
    rng = np.random.default_rng(3)
    e_in, t_in = _inputs(rng, (6, 2, E_), (4, 2, E_))
    _compare(em, tm, e_in, t_in, tgt_mask=nn.Transformer.generate_square_subsequent_mask(
        4, dtype=ember.float64))
    layer = nn.TransformerEncoderLayer(E_, H_, dim_feedforward=16)
    stack = nn.TransformerEncoder(layer, 3, norm=nn.LayerNorm(E_))
    p0 = [p.detach().numpy() for p in stack.layers[0].parameters()]
    p2 = [p.detach().numpy() for p in stack.layers[2].parameters()]
    assert all(np.array_equal(a, b) for a, b in zip(p0, p2))  # deep copies start equal, as in torch
    assert stack.layers[0].linear1.weight is not stack.layers[2].linear1.weight


def test_square_subsequent_mask():
    e = nn.Transformer.generate_square_subsequent_mask(4)
    t = torch.nn.Transformer.generate_square_subsequent_mask(4)
    assert e.dtype == ember.float32
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_sdpa_dropout_and_fully_masked_rows():
    q = k = v = ember.randn(2, 3, 4)
    np.testing.assert_array_equal(F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).numpy(), 0)
    mask = ember.tensor(np.array([[True, True, True], [False, False, False], [True, False, True]]))
    e = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    t = torch.nn.functional.scaled_dot_product_attention(*(torch.tensor(q.numpy()),) * 3,
                                                         attn_mask=torch.tensor(mask.numpy()))
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-5, atol=1e-6)   # the middle row: 0
    ember.manual_seed(0)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    ember.manual_seed(0)
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.allclose(a.numpy(), F.scaled_dot_product_attention(q, k, v).numpy())


def _error(fn):
    kind, text = error_of(fn)
    return kind, text and re.sub(r"torch\.Size\(\[(.*?)\]\)", r"(\1)", text)


ERRORS = [
    ("mha_2d_attn_mask", lambda m: m.nn.MultiheadAttention(8, 2)(
        m.zeros(4, 2, 8), m.zeros(6, 2, 8), m.zeros(6, 2, 8), attn_mask=m.zeros(4, 5)), True),
    ("mha_3d_attn_mask", lambda m: m.nn.MultiheadAttention(8, 2)(
        m.zeros(4, 2, 8), m.zeros(6, 2, 8), m.zeros(6, 2, 8), attn_mask=m.zeros(3, 4, 6)), True),
    ("mha_causal_without_mask", lambda m: m.nn.MultiheadAttention(8, 2)(
        m.zeros(4, 2, 8), m.zeros(4, 2, 8), m.zeros(4, 2, 8), is_causal=True), True),
    ("sdpa_causal_and_mask", lambda m: m.nn.functional.scaled_dot_product_attention(
        m.zeros(2, 3, 4, requires_grad=True), m.zeros(2, 3, 4), m.zeros(2, 3, 4),
        attn_mask=m.zeros(3, 3), is_causal=True), True),
    ("mha_key_padding_shape", lambda m: m.nn.MultiheadAttention(8, 2)(
        m.zeros(4, 2, 8), m.zeros(6, 2, 8), m.zeros(6, 2, 8),
        key_padding_mask=m.zeros(2, 5, dtype=m.bool)), False),
    ("mha_width", lambda m: m.nn.MultiheadAttention(8, 2)(
        m.zeros(4, 2, 6), m.zeros(4, 2, 6), m.zeros(4, 2, 6)), False),
    ("mha_heads", lambda m: m.nn.MultiheadAttention(8, 3), False),
    ("sdpa_widths", lambda m: m.nn.functional.scaled_dot_product_attention(
        m.zeros(2, 3, 4), m.zeros(2, 3, 5), m.zeros(2, 3, 4)), False),
]


@pytest.mark.parametrize("name,fn,same_text", ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_input(name, fn, same_text):
    want, got = _error(lambda: fn(torch)), _error(lambda: fn(ember))
    assert want[0] is not None and got[0] is not None
    if same_text:
        assert got == want
    else:  # torch's message there is an assert's or names no value; ours names the values
        assert any(ch.isdigit() for ch in got[1])
