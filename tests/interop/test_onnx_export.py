"""ONNX export of ember.nn models, checked in onnxruntime (issue 18, part 1).

Every module class in ``ember.onnx.SUPPORTED`` appears in a model below; each model is exported
with a dynamic batch axis and run in onnxruntime on random inputs at two batch sizes, its
outputs equal to ember's within 1e-5. Every other ``ember.nn`` layer raises an error naming it.
"""
import inspect
import io

import numpy as np
import pytest

import ember
from ember import nn

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
import ember.onnx  # noqa: E402

from ._onnx_check import assert_runs_as_ember  # noqa: E402


def floats(*shape):
    return lambda rng, batch: rng.standard_normal((batch,) + shape).astype(np.float32)


def tokens(vocab, seq):
    return lambda rng, batch: rng.integers(0, vocab, size=(batch, seq)).astype(np.int64)


class Tagger(nn.Module):
    """Embedding, a 2-layer bidirectional LSTM, a GRU and an RNN; returns sequences and states."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(11, 6, padding_idx=0)
        self.lstm = nn.LSTM(6, 7, num_layers=2, batch_first=True, bidirectional=True)
        self.gru = nn.GRU(14, 5, batch_first=True)
        self.rnn = nn.RNN(5, 4, nonlinearity="relu", batch_first=True)
        self.head = nn.Linear(4, 3)

    def forward(self, tokens):
        out, (h, c) = self.lstm(self.embed(tokens))
        out, h_gru = self.gru(out)
        out, _ = self.rnn(out)
        return self.head(out), h, c, h_gru


class Attention(nn.Module):
    """Cross-attention with separate key/value widths, then a TransformerEncoder of two
    post-norm layers and a final norm (batch-first)."""

    def __init__(self):
        super().__init__()
        self.cross = nn.MultiheadAttention(8, 4, kdim=6, vdim=5, batch_first=True, bias=False)
        self.to_k, self.to_v = nn.Linear(8, 6), nn.Linear(8, 5)
        layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8))

    def forward(self, x):
        out, _ = self.cross(x, self.to_k(x), self.to_v(x), need_weights=False)
        return self.encoder(out)


class TimeMajorAttention(nn.Module):
    """Time-major self-attention returning its per-head weights, then a pre-norm GELU layer."""

    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(8, 2)
        self.layer = nn.TransformerEncoderLayer(8, 4, dim_feedforward=12, activation="gelu",
                                                norm_first=True)

    def forward(self, x):
        out, weights = self.attn(x, x, x, average_attn_weights=False)
        return self.layer(out), weights


class TimeMajor(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(3, 4, num_layers=2, bias=False)
        self.lstm = nn.LSTM(4, 2)

    def forward(self, x):
        out, _ = self.rnn(x)
        out, _ = self.lstm(out)
        return out


class Cells(nn.Module):
    """RNNCell (relu), LSTMCell and GRUCell steps, with and without given states."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNNCell(4, 5, nonlinearity="relu")
        self.lstm = nn.LSTMCell(5, 6)
        self.gru = nn.GRUCell(6, 6)
        self.lstm2 = nn.LSTMCell(6, 6, bias=False)
        self.tanh_cell = nn.RNNCell(6, 3)

    def forward(self, x):
        h, c = self.lstm(self.rnn(x))
        h2 = self.gru(h, c)
        h3, c3 = self.lstm2(h2, (h, c))
        return self.tanh_cell(c3), h3


class Pairs(nn.Module):
    """The two-input layers on two projections of the input (3-D, so that the distances keep a
    middle axis), and cosine similarity of broadcast shapes."""

    def __init__(self):
        super().__init__()
        self.a, self.b, self.row = nn.Linear(4, 5), nn.Linear(4, 5), nn.Linear(4, 1)
        self.bilinear = nn.Bilinear(5, 5, 3)
        self.bilinear_plain = nn.Bilinear(5, 5, 2, bias=False)
        self.l2, self.l1 = nn.PairwiseDistance(), nn.PairwiseDistance(p=1.0, keepdim=True)
        self.linf, self.l3 = nn.PairwiseDistance(p=float("inf")), nn.PairwiseDistance(p=3.0)
        self.cos, self.cos_last = nn.CosineSimilarity(), nn.CosineSimilarity(dim=-1)

    def forward(self, x):
        a, b, row = self.a(x), self.b(x), self.row(x)
        return (self.bilinear(a, b), self.bilinear_plain(a, b), self.l2(a, b), self.l1(a, b),
                self.linf(a, b), self.l3(a, b), self.cos(a, b), self.cos_last(a, row))


class Seq2Seq(nn.Module):
    """nn.Transformer (batch-first, 1 encoder + 2 decoder layers) on a 5-token source and a
    3-token target made from it."""

    def __init__(self):
        super().__init__()
        self.to_tgt = nn.Sequential(nn.Flatten(), nn.Linear(40, 24), nn.Unflatten(1, (3, 8)))
        self.transformer = nn.Transformer(8, 2, num_encoder_layers=1, num_decoder_layers=2,
                                          dim_feedforward=16, batch_first=True)

    def forward(self, x):
        return self.transformer(x, self.to_tgt(x))


class TimeMajorDecoder(nn.Module):
    """A pre-norm GELU TransformerDecoder (time-major) over an encoder layer's memory."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.TransformerEncoderLayer(8, 2, dim_feedforward=12)
        layer = nn.TransformerDecoderLayer(8, 4, dim_feedforward=12, activation="gelu",
                                           norm_first=True, bias=False)
        self.decoder = nn.TransformerDecoder(layer, 2, norm=nn.LayerNorm(8))
        self.query = nn.Linear(8, 8)

    def forward(self, x):
        return self.decoder(self.query(x), self.encoder(x))


class Projected(nn.Module):
    """LSTMs with proj_size (2 bidirectional layers), the second from the first's states."""

    def __init__(self):
        super().__init__()
        self.first = nn.LSTM(4, 6, num_layers=2, bidirectional=True, proj_size=3, batch_first=True)
        self.second = nn.LSTM(6, 6, num_layers=2, bidirectional=True, proj_size=3,
                              batch_first=True, bias=False)
        self.time_major = nn.LSTM(6, 4, proj_size=2)  # on (N, T, 6): N walked as the steps

    def forward(self, x):
        out, (h, c) = self.first(x)
        out, (h, _) = self.second(out, (h, c))
        return out, h, self.time_major(out)[0]


class Unpooled(nn.Module):
    """Max pooling with indices, then unpooling to the pooled input's size (2-D, with
    output_size), to the default size (1-D) and both ways in 3-D."""

    def __init__(self, n: int, output_size: bool):
        super().__init__()
        pool, unpool = getattr(nn, f"MaxPool{n}d"), getattr(nn, f"MaxUnpool{n}d")
        self.pool = pool(3, stride=2, padding=1, return_indices=True, ceil_mode=n == 3)
        self.unpool = unpool(3, stride=2, padding=1)
        self.output_size = output_size

    def forward(self, x):
        y, indices = self.pool(x)
        if self.output_size:
            return self.unpool(y, indices, output_size=x.shape)
        return self.unpool(y, indices)


ACTIVATIONS = [nn.ReLU(), nn.Sigmoid(), nn.Tanh(), nn.SELU(), nn.Softsign(), nn.Hardswish(),
               nn.LeakyReLU(0.1), nn.ELU(0.7), nn.CELU(1.3), nn.GELU(), nn.GELU("tanh"),
               nn.Softplus(), nn.Softplus(beta=2.0, threshold=3.0), nn.SiLU(), nn.Mish(),
               nn.Hardtanh(-0.5, 0.7), nn.ReLU6(), nn.Hardsigmoid(), nn.Hardshrink(0.3),
               nn.Softshrink(0.3), nn.Tanhshrink(), nn.LogSigmoid(), nn.Threshold(0.1, -2.0),
               nn.PReLU(), nn.Softmax(dim=-1), nn.LogSoftmax(dim=1), nn.Softmin(dim=1),
               nn.RReLU(0.1, 0.4)]

# (batch dim, builder, input): batch is axis 0 except for the time-major recurrent model.
MODELS = {
    "mlp": (0, lambda: nn.Sequential(
        nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.3), nn.AlphaDropout(0.1),
        nn.FeatureAlphaDropout(0.1), nn.Linear(16, 8, bias=False), nn.LayerNorm(8), nn.Identity(),
        nn.RMSNorm(8), nn.GLU(), nn.Linear(4, 3)), floats(6)),
    "activations": (0, lambda: nn.Sequential(*[nn.Sequential(a, nn.Linear(5, 5)) for a in ACTIVATIONS]),
                    floats(5)),
    "cnn": (0, lambda: nn.Sequential(
        nn.Conv2d(2, 6, 3, padding=1), nn.BatchNorm2d(6), nn.PReLU(6), nn.MaxPool2d(2),
        nn.Dropout2d(0.2), nn.Conv2d(6, 4, 3, padding="same", dilation=2, groups=2,
                                     padding_mode="reflect"),
        nn.GroupNorm(2, 4), nn.Softmax2d(), nn.ZeroPad2d((1, 0, 2, 1)), nn.AvgPool2d(2, ceil_mode=True),
        nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False, divisor_override=5),
        nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1),
        nn.ReflectionPad2d(1), nn.ReplicationPad2d((0, 1, 1, 0)), nn.ConstantPad2d(1, 0.5),
        nn.CircularPad2d(1), nn.AdaptiveMaxPool2d((5, None)), nn.AdaptiveAvgPool2d(1),
        nn.ZeroPad3d(1), nn.ConstantPad3d(1, 2.0),
        nn.Flatten(), nn.Unflatten(1, (7, -1)), nn.Flatten(0, 1)), floats(2, 9, 9)),
    "cnn1d": (0, lambda: nn.Sequential(
        nn.Conv1d(3, 4, 3, stride=2), nn.BatchNorm1d(4, track_running_stats=False),
        nn.MaxPool1d(2, padding=1), nn.Dropout1d(0.2),
        nn.ZeroPad1d(2), nn.ConstantPad1d((1, 0), -1.0), nn.ReflectionPad1d(1),
        nn.ReplicationPad1d(1), nn.CircularPad1d(1), nn.AvgPool1d(3, stride=1, padding=1,
                                                                   count_include_pad=False),
        nn.Flatten(1, 2), nn.Unflatten(1, (6, -1)),
        nn.AdaptiveAvgPool1d(2), nn.AdaptiveMaxPool1d(1), nn.Flatten(), nn.Linear(6, 2)),
        floats(3, 16)),
    "cnn3d": (0, lambda: nn.Sequential(
        nn.Conv3d(2, 4, 3, padding=1), nn.BatchNorm3d(4), nn.MaxPool3d(2, ceil_mode=True),
        nn.BatchNorm3d(4, affine=False, track_running_stats=False), nn.SyncBatchNorm(4),
        nn.Dropout3d(0.2), nn.ConvTranspose3d(4, 3, 2, stride=2, padding=(1, 0, 0)),
        nn.AvgPool3d(3, stride=1, padding=1, count_include_pad=False), nn.AdaptiveMaxPool3d((2, 3, None)),
        nn.AdaptiveAvgPool3d((1, 3, 1)), nn.Flatten(2), nn.ConvTranspose1d(3, 2, 3, stride=2, output_padding=1),
        nn.Flatten(), nn.Linear(16, 2)), floats(2, 5, 6, 6)),
    "upsample3d": (0, lambda: nn.Sequential(
        nn.Conv3d(1, 2, 1), nn.Upsample(scale_factor=(2, 1.5, 1), mode="trilinear"),
        nn.Upsample(size=(3, 5, 4), mode="trilinear", align_corners=True),
        nn.Upsample(scale_factor=2, mode="nearest"), nn.Flatten(), nn.Linear(960, 2)),
        floats(1, 2, 3, 3)),
    "image_layers": (0, lambda: nn.Sequential(
        nn.Conv2d(2, 8, 3, padding=1), nn.InstanceNorm2d(8, affine=True), nn.LocalResponseNorm(3),
        nn.LocalResponseNorm(2, alpha=0.5, beta=0.6, k=1.5), nn.LocalResponseNorm(4, alpha=0.3),
        nn.PixelShuffle(2), nn.InstanceNorm2d(2, track_running_stats=True), nn.PixelUnshuffle(2),
        nn.Unflatten(1, (2, 4)), nn.ReflectionPad3d((1, 0, 0, 1, 1, 1)), nn.ReplicationPad3d(1),
        nn.CircularPad3d((0, 1, 1, 0, 0, 0)), nn.InstanceNorm3d(2), nn.Flatten(2),
        nn.InstanceNorm1d(2, affine=True, track_running_stats=True)), floats(2, 6, 6)),
    "channels": (0, lambda: nn.Sequential(
        nn.Conv2d(2, 6, 3, padding=1), nn.ChannelShuffle(3), nn.CrossMapLRN2d(5, 0.5, 0.75, 1.5),
        nn.CrossMapLRN2d(2), nn.Unflatten(1, (2, 3)), nn.ChannelShuffle(2), nn.Flatten(1, 2)),
        floats(2, 4, 5)),
    "recurrent": (0, Tagger, tokens(11, 7)),
    "bags": (0, lambda: nn.Sequential(nn.EmbeddingBag(11, 4, mode="max", padding_idx=0),
                                      nn.Linear(4, 2)), tokens(11, 5)),
    "attention": (0, Attention, floats(5, 8)),
    "attention_time_major": (1, TimeMajorAttention,
                             lambda rng, batch: rng.standard_normal((4, batch, 8)).astype(np.float32)),
    "cells": (0, Cells, floats(4)),
    "pairs": (0, Pairs, floats(3, 4)),
    "transformer": (0, Seq2Seq, floats(5, 8)),
    "decoder_time_major": (1, TimeMajorDecoder,
                           lambda rng, batch: rng.standard_normal((4, batch, 8)).astype(np.float32)),
    "upsample2d": (0, lambda: nn.Sequential(
        nn.Upsample(scale_factor=2), nn.Upsample(size=(5, 7), mode="bilinear"),
        nn.UpsamplingBilinear2d(scale_factor=1.5), nn.UpsamplingNearest2d(size=(9, 4)),
        nn.Upsample(scale_factor=(1.5, 2), mode="nearest-exact"),
        nn.Upsample(size=(13, 4), mode="area"), nn.Upsample(size=(6, 5), mode="area")), floats(2, 3, 3)),
    "upsample_bicubic": (0, lambda: nn.Sequential(
        nn.Upsample(size=(7, 9), mode="bicubic"), nn.Upsample(scale_factor=0.5, mode="bicubic"),
        nn.Upsample(size=(6, 5), mode="bicubic", align_corners=True)), floats(2, 4, 5)),
    "upsample1d": (0, lambda: nn.Sequential(
        nn.Upsample(scale_factor=2.5, mode="linear"),
        nn.Upsample(size=7, mode="linear", align_corners=True),
        nn.Upsample(scale_factor=1.7, recompute_scale_factor=True),
        nn.Upsample(size=4, mode="nearest-exact"), nn.Upsample(scale_factor=1.5, mode="area")),
        floats(3, 4)),
    "blocks": (0, lambda: nn.Sequential(
        nn.Unfold((2, 3), padding=1, stride=(2, 1)), nn.Fold((5, 4), (2, 3), padding=1, stride=(2, 1)),
        nn.Unfold(2, dilation=2)), floats(2, 5, 4)),
    "projected_lstm": (0, Projected, floats(5, 4)),
    "unpool2d": (0, lambda: Unpooled(2, output_size=True), floats(3, 8, 7)),
    "unpool1d": (0, lambda: Unpooled(1, output_size=False), floats(2, 9)),
    "unpool3d": (0, lambda: nn.Sequential(Unpooled(3, output_size=True), Unpooled(3, output_size=False)),
                 floats(2, 5, 4, 5)),
    # torch's x ** p: an odd p keeps the sign of a negative window sum (a root of one is NaN
    # for p = 3, as in torch); ceil_mode's cut windows are scaled by the whole kernel's size
    "lp_pool": (0, lambda: nn.Sequential(
        nn.LPPool2d(1, (2, 3), stride=(3, 2), ceil_mode=True), nn.LPPool2d(2, 2, ceil_mode=True),
        nn.Flatten(2), nn.LPPool1d(3, 2), nn.LPPool1d(float("inf"), 2, stride=1),
        nn.Unflatten(2, (1, 1, -1)), nn.LPPool3d(1.5, (1, 1, 2), ceil_mode=True)), floats(3, 12, 13)),
    "time_major": (1, TimeMajor, lambda rng, batch: rng.standard_normal((5, batch, 3)).astype(np.float32)),
    # a mask computed in forward from the input (x[:, :, 0] > 0) is traced (ember.onnx.op_trace)
    "padding_from_input": (0, lambda: PaddingFromInput(), lambda rng, batch: _one_key_kept(rng, batch)),
    # pruning, weight norm, spectral norm, orthogonal (parametrizations and the old hooks): the exported
    # weight is the computed one
    "reparametrized": (0, lambda: _reparametrized(), floats(2, 6, 6)),
    # activation checkpointing in forward (both use_reentrant forms, checkpoint_sequential)
    "checkpointed": (0, lambda: Checkpointed(), floats(3)),
}


def _export(model, x, batch_dim, **kwargs):
    buffer = io.BytesIO()
    n_out = len(ember.onnx.trace.flatten(model(ember.tensor(x))))
    outputs = [f"y{i}" for i in range(n_out)]
    axes = {"x": {batch_dim: "batch"}, **{name: {0: "dim0"} for name in outputs}}
    ember.onnx.export(model, (ember.tensor(x),), buffer, input_names=["x"], output_names=outputs,
                      dynamic_axes=axes, opset_version=19, **kwargs)
    return ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("case", MODELS)
def test_exported_model_matches_ember_in_onnxruntime(case):
    batch_dim, build, make_input = MODELS[case]
    rng = np.random.default_rng(0)
    ember.manual_seed(0)
    model = build()
    with ember.no_grad():  # non-default batch-norm statistics
        model(ember.tensor(make_input(rng, 8)))
    model.eval()
    session = _export(model, make_input(rng, 2), batch_dim)
    assert_runs_as_ember(session, model, [{"x": make_input(rng, batch)} for batch in (1, 5)])


def test_every_supported_module_is_exported_by_a_test_model():
    used = {type(m) for _, build, _ in MODELS.values() for m in build().modules()}
    missing = [cls.__name__ for cls in ember.onnx.SUPPORTED if cls not in used]
    assert not missing, f"SUPPORTED modules without an export test: {missing}"


def test_export_keeps_training_mode_and_writes_atomically(tmp_path):
    model = nn.Sequential(nn.Linear(3, 2), nn.Dropout(0.5))
    model.train()
    path = tmp_path / "m.onnx"
    ember.onnx.export(model, ember.randn(4, 3), str(path))
    assert model.training and model[1].training
    assert [p.name for p in tmp_path.iterdir()] == ["m.onnx"]
    onnx.checker.check_model(onnx.load(str(path)))


# ------------------------------------------------------------------------------- unsupported
def _one_key_kept(rng, batch):
    """(batch, 3, 4) whose first key is never masked (x[:, 0, 0] <= 0; ember gives 0 for a fully
    masked row where onnxruntime gives NaN)."""
    x = rng.standard_normal((batch, 3, 4)).astype(np.float32)
    x[:, 0, 0] = -np.abs(x[:, 0, 0]) - 0.1
    return x


def _reparametrized():
    import warnings

    from ember.nn.utils import parametrizations as P
    from ember.nn.utils import prune
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # the deprecated nn.utils.weight_norm
        return nn.Sequential(
            prune.ln_structured(prune.l1_unstructured(nn.Conv2d(2, 2, 1), "weight", 0.5), "weight",
                                1, 2, 0),
            P.weight_norm(nn.Conv2d(2, 3, 3)), nn.utils.spectral_norm(nn.Conv2d(3, 2, 3)),
            nn.Flatten(), P.orthogonal(nn.Linear(8, 5)), P.spectral_norm(nn.Linear(5, 5)),
            nn.utils.weight_norm(nn.Linear(5, 4), dim=None),
            P.orthogonal(nn.Linear(4, 4), orthogonal_map="cayley"))


class Checkpointed(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
        self.b = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))

    def forward(self, x):
        import warnings

        from ember.utils.checkpoint import checkpoint, checkpoint_sequential
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # no input requires grad (as torch)
            h = checkpoint(self.a, x, use_reentrant=True)
        return checkpoint_sequential(self.b, 2, h, use_reentrant=False)


class PaddingFromInput(nn.Module):
    """A key padding mask computed in forward (not an input of the export)."""

    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(4, 2, batch_first=True)

    def forward(self, x):
        return self.attn(x, x, x, key_padding_mask=x[:, :, 0] > 0)[0]


UNSUPPORTED = {
    # containers: exported through their layers (see the transformer models above)
    "TransformerEncoder": None, "TransformerDecoder": None, "Transformer": None,
    "RNNBase": None, "RNNCellBase": None,
    # windows drawn at random on every call, in eval mode too, or fixed by _random_samples for
    # one batch size only (torch.onnx refuses them as well)
    "FractionalMaxPool2d": None, "FractionalMaxPool3d": None,
    # issue 15: a lazy module exports as the class it becomes at its first call (Conv2d, ...)
    **dict.fromkeys(f"Lazy{kind}{d}d" for kind in ("Conv", "ConvTranspose", "BatchNorm", "InstanceNorm")
                    for d in (1, 2, 3)),
}
# exported through log_prob/predict, not forward (ember.onnx.METHODS; tests/interop/test_onnx_bags.py)
THROUGH_METHODS = {"AdaptiveLogSoftmaxWithLoss"}


def _layer_classes():
    from ember.nn.modules import container, loss
    skip = set(container.__all__) | set(loss.__all__)
    return [n for n in nn.modules.__all__ if n not in skip and inspect.isclass(getattr(nn, n))
            and issubclass(getattr(nn, n), nn.Module)]


def test_every_layer_is_supported_or_listed_as_unsupported():
    assert {c.__name__ for c in ember.onnx.METHODS} == THROUGH_METHODS
    unlisted = [n for n in _layer_classes() if getattr(nn, n) not in ember.onnx.SUPPORTED
                and n not in UNSUPPORTED and n not in THROUGH_METHODS]
    assert not unlisted, f"nn layers neither exported nor listed in UNSUPPORTED: {unlisted}"
    wrongly = [n for n in UNSUPPORTED if getattr(nn, n) in ember.onnx.SUPPORTED]
    assert not wrongly, f"now supported, remove from UNSUPPORTED: {wrongly}"


def test_a_module_without_converter_raises_naming_it(tmp_path, monkeypatch):
    """One of ember's own modules without a converter is refused by name (a user's module is
    exported through the ops of its forward: tests/interop/test_onnx_ops_trace.py)."""
    monkeypatch.delitem(ember.onnx.SUPPORTED, nn.Tanh)
    model = nn.Sequential(nn.Linear(4, 4), nn.Tanh())
    path = tmp_path / "m.onnx"
    with pytest.raises(ember.onnx.ExportError, match=r"Tanh \('1'\).*has no ONNX converter"):
        ember.onnx.export(model, ember.randn(2, 4), str(path))
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("model, x, message", [
    (nn.MaxUnpool2d(2), (ember.randn(1, 4, 4), ember.zeros(1, 4, 4, dtype=ember.int64)),
     r"MaxUnpool2d: input of rank 3 \(export a batch: \(N, C, \*spatial\) of rank 4\)"),
    (nn.Sequential(nn.AvgPool2d(2, ceil_mode=True, divisor_override=3)), ember.randn(1, 1, 5, 5),
     "AvgPool2d: divisor_override with ceil_mode=True"),
])
def test_unexportable_configurations_raise(model, x, message):
    with pytest.raises(ember.onnx.ExportError, match=message):
        ember.onnx.export(model, x, io.BytesIO())


@pytest.mark.parametrize("kwargs, error, message", [
    ({"opset_version": 9}, ValueError, "opset_version must be an int from 17"),
    ({"dynamic_axes": {"input0": {3: "b"}}}, ValueError, r"names axis 3, but 'input0' has 2"),
    ({"input_names": ["a", "b"]}, ValueError, "2 input_names for 1 input"),
])
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        ember.onnx.export(nn.Linear(3, 2), ember.randn(2, 3), io.BytesIO(), **kwargs)


@pytest.mark.parametrize("model, shape, message", [
    (nn.Linear(3, 2), (2, 5), "Linear expected 3 input features, got 5 (input shape (2, 5)); "
                              "mat1 and mat2 shapes cannot be multiplied (2x5 and 3x2)"),
    (nn.Sequential(nn.Flatten(), nn.Linear(12, 2)), (2, 3, 5),
     "Linear expected 12 input features, got 15 (input shape (2, 15)); mat1 and mat2 shapes "
     "cannot be multiplied (2x15 and 12x2)"),
    (nn.Sequential(nn.Conv2d(3, 4, 3)), (2, 5, 8, 8),
     "Given groups=1, weight of size [4, 3, 3, 3], expected input[2, 5, 8, 8] to have 3 "
     "channels, but got 5 channels instead"),
    (nn.LSTM(4, 3, batch_first=True), (2, 5, 6),
     "input.size(-1) must be equal to input_size. Expected 4, got 6"),
], ids=["linear", "flattened", "conv", "lstm"])
def test_wrong_input_shape_is_named(model, shape, message, tmp_path):
    """The example input runs the model: the layer it does not fit raises torch's own message
    naming the expected and the given size, and no file is left behind."""
    with pytest.raises(RuntimeError) as info:
        ember.onnx.export(model, ember.randn(*shape), str(tmp_path / "m.onnx"))
    assert str(info.value) == message
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("pool, shape", [
    (nn.MaxPool1d(3, stride=2, padding=1), (2, 3, 9)),
    (nn.MaxPool2d((2, 3), stride=(2, 1), padding=(1, 0), dilation=(1, 2), ceil_mode=True), (2, 3, 7, 8)),
    (nn.MaxPool3d(2, ceil_mode=True), (2, 2, 3, 5, 4)),
], ids=["1d", "2d", "3d"])
def test_max_pool_indices_are_torchs(pool, shape):
    """``return_indices=True`` exports torch's per-plane int64 indices (ONNX counts over the
    whole tensor), equal to ember's at another batch size."""
    pool.return_indices = True
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    ember.onnx.export(pool, ember.randn(*shape), buffer, input_names=["x"],
                      output_names=["y", "indices"], dynamic_axes={"x": {0: "n"}})
    session = ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
    x = rng.standard_normal((3,) + shape[1:]).astype(np.float32)
    y, indices = session.run(None, {"x": x})
    expected_y, expected_indices = pool(ember.tensor(x))
    assert indices.dtype == np.int64 and indices.shape == tuple(expected_indices.shape)
    np.testing.assert_array_equal(indices, expected_indices.numpy())
    np.testing.assert_allclose(y, expected_y.numpy(), rtol=1e-6)


class UnbatchedCells(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru, self.lstm = nn.GRUCell(4, 3), nn.LSTMCell(3, 2)

    def forward(self, x):
        return self.lstm(self.gru(x))


@pytest.mark.parametrize("build, shape", [
    (UnbatchedCells, (4,)),
    (lambda: nn.Sequential(nn.Unfold(2, stride=2), nn.Fold((4, 6), 2, stride=2)), (3, 4, 6)),
], ids=["cells", "unfold_fold"])
def test_unbatched_inputs_export(build, shape):
    model = build().eval()
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    buffer = io.BytesIO()
    ember.onnx.export(model, ember.tensor(x), buffer, input_names=["x"])
    got = ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"]).run(None, {"x": x})
    with ember.no_grad():
        expected = ember.onnx.trace.flatten(model(ember.tensor(x)))
    assert [a.shape for a in got] == [tuple(b.shape) for b in expected]
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-5, atol=1e-5)
