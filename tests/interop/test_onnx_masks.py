"""ONNX export of attention masks (issue 18): ``attn_mask``, ``key_padding_mask`` and
``is_causal`` of MultiheadAttention and the transformer layers, bool and float, as inputs of the
graph or (a 2-D attention mask made in ``forward``) as constants; run in onnxruntime at two batch
sizes against ember."""
import io

import numpy as np
import pytest

import ember
from ember import nn

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
import ember.onnx  # noqa: E402

HEADS = 2


def _padding(rng, batch, length, dtype=bool):
    """True (masked) at random keys, never the first key of a row."""
    mask = rng.random((batch, length)) < 0.4
    mask[:, 0] = False
    return mask if dtype is bool else np.where(mask, -1e4, 0.0).astype(dtype)


class CausalPadded(nn.Module):
    """Batch-first self-attention with a causal float mask made in forward and a bool key
    padding mask given as an input; returns the head-averaged weights too."""

    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(8, HEADS, batch_first=True)

    def forward(self, x, padding):
        causal = nn.Transformer.generate_square_subsequent_mask(x.shape[1])
        return self.attn(x, x, x, attn_mask=causal, key_padding_mask=padding)


class PerHeadMask(nn.Module):
    """Time-major attention with a per-head float mask (N*H, L, S) and a float padding mask."""

    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(8, HEADS)

    def forward(self, x, mask, padding):
        return self.attn(x, x, x, attn_mask=mask, key_padding_mask=padding,
                         average_attn_weights=False)


class CausalEncoder(nn.Module):
    """TransformerEncoder with is_causal=True (the causal triangle) and a bool causal mask
    made in forward, then one with a padding mask."""

    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(8, HEADS, dim_feedforward=16, batch_first=True)
        self.causal = nn.TransformerEncoder(layer, 2)
        self.padded = nn.TransformerEncoderLayer(8, HEADS, dim_feedforward=16, batch_first=True,
                                                 norm_first=True)

    def forward(self, x, padding):
        mask = ember.ones(x.shape[1], x.shape[1], dtype=ember.bool).triu(1)
        y = self.causal(x, mask=mask, is_causal=True)
        return self.padded(y, src_key_padding_mask=padding)


class MaskedSeq2Seq(nn.Module):
    """nn.Transformer with a causal target mask and source/memory padding masks."""

    def __init__(self):
        super().__init__()
        self.model = nn.Transformer(8, HEADS, num_encoder_layers=1, num_decoder_layers=1,
                                    dim_feedforward=16, batch_first=True)

    def forward(self, src, tgt, padding):
        causal = nn.Transformer.generate_square_subsequent_mask(tgt.shape[1])
        return self.model(src, tgt, tgt_mask=causal, tgt_is_causal=True,
                          src_key_padding_mask=padding, memory_key_padding_mask=padding)


def _seq(length, time_major=False):
    def make(rng, batch):
        shape = (length, batch, 8) if time_major else (batch, length, 8)
        return rng.standard_normal(shape).astype(np.float32)
    return make


# name -> (build, [(input name, batch axis, make(rng, batch))])
CASES = {
    "causal_padded": (CausalPadded, [("x", 0, _seq(5)),
                                     ("padding", 0, lambda r, b: _padding(r, b, 5))]),
    "per_head": (PerHeadMask, [
        ("x", 1, _seq(4, time_major=True)),
        ("mask", 0, lambda r, b: r.standard_normal((b * HEADS, 4, 4)).astype(np.float32)),
        ("padding", 0, lambda r, b: _padding(r, b, 4, np.float32))]),
    "causal_encoder": (CausalEncoder, [("x", 0, _seq(6)),
                                       ("padding", 0, lambda r, b: _padding(r, b, 6))]),
    "seq2seq": (MaskedSeq2Seq, [("src", 0, _seq(5)), ("tgt", 0, _seq(3)),
                                ("padding", 0, lambda r, b: _padding(r, b, 5))]),
}


@pytest.mark.parametrize("case", CASES)
def test_masked_attention_matches_ember_in_onnxruntime(case):
    build, inputs = CASES[case]
    rng = np.random.default_rng(0)
    ember.manual_seed(0)
    model = build().eval()
    example = tuple(ember.tensor(make(rng, 2)) for _, _, make in inputs)
    with ember.no_grad():
        n_out = len(ember.onnx.trace.flatten(model(*example)))
    names = [f"y{i}" for i in range(n_out)]
    axes = {name: {axis: "batch"} for name, axis, _ in inputs}
    buffer = io.BytesIO()
    ember.onnx.export(model, example, buffer, input_names=[n for n, _, _ in inputs],
                      output_names=names, dynamic_axes=axes)
    session = ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
    for batch in (1, 4):
        feed = {name: make(rng, batch) for name, _, make in inputs}
        with ember.no_grad():
            expected = ember.onnx.trace.flatten(model(*(ember.tensor(v) for v in feed.values())))
        got = session.run(None, feed)
        assert len(got) == len(expected)
        for a, b in zip(got, expected):
            assert a.dtype == np.float32 and a.shape == tuple(b.shape)
            assert np.isfinite(a).all()
            np.testing.assert_allclose(a, b.numpy(), rtol=1e-5, atol=1e-5)
