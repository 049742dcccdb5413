"""ONNX export of custom forwards: the ops between the modules (``ember.onnx.op_trace``).

Each model below is written as PyTorch users write theirs (``F.relu(self.conv1(x))``,
``x.view(x.size(0), -1)``, ``x + self.fc(x)``, ``torch.cat``...), exported with a dynamic batch
axis at batch 2 and run in onnxruntime at batches 1 and 5: outputs equal ember's within 1e-5
and float32 stays float32 (no float64 initializer or output). An op without a converter is
refused with a message naming it and the module whose forward called it.
"""
import io
import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
import ember.onnx  # noqa: E402

from ._onnx_check import assert_runs_as_ember  # noqa: E402


class MnistNet(nn.Module):
    """The PyTorch MNIST example's network, smaller."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 4, 3, 1), nn.Conv2d(4, 8, 3, 1)
        self.dropout1, self.dropout2 = nn.Dropout(0.25), nn.Dropout(0.5)
        self.fc1, self.fc2 = nn.Linear(8 * 4 * 4, 16), nn.Linear(16, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = ember.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


class ResidualMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc, self.out = nn.Linear(6, 6), nn.Linear(6, 3)

    def forward(self, x):
        x = x + self.fc(x)
        x = F.gelu(x, approximate="tanh") * 0.5 + 1
        return F.softmax(self.out(x), dim=-1)


class ViewHead(nn.Module):
    """view(x.size(0), -1), reshape(-1, n), x.shape in view, permute, contiguous."""

    def __init__(self):
        super().__init__()
        self.conv, self.fc = nn.Conv2d(2, 3, 3, padding=1), nn.Linear(3 * 4 * 4, 5)

    def forward(self, x):
        y = self.conv(x)
        flat = self.fc(y.view(y.size(0), -1))
        rows = y.permute(0, 2, 3, 1).contiguous().reshape(-1, 3)
        n, c, h, w = y.shape
        grid = y.view(n, c, h * w).transpose(1, 2)
        return flat, rows, grid.mean(dim=1)


class Pieces(nn.Module):
    """cat, stack, split, chunk, unbind, getitem with ints/slices/None/Ellipsis/negative steps."""

    def forward(self, x):
        a, b = x.split(3, dim=1)
        c, d = ember.chunk(x, 2, dim=-1)
        first, *_ = x.unbind(2)
        mixed = ember.cat([a * 2, b - a], dim=1) + ember.cat([d, c], dim=2)
        stacked = ember.stack([a, b], dim=1)
        picked = x[:, 1:5:2, None, -1]
        tail = x[..., ::-1][:, -2:]
        return mixed, stacked[:, :, None].squeeze(2), picked, tail.unsqueeze(0), first


class Reductions(nn.Module):
    def forward(self, x):
        return (x.sum(dim=1), x.mean(dim=(1, 2), keepdim=True), x.max(dim=2)[0],
                ember.min(x, 1, keepdim=True).values, x.amax(-1), x.sum(), x.mean(),
                F.log_softmax(x, dim=1), F.softmax(x, dim=0), x.abs().max())


class Arithmetic(nn.Module):
    """Python numbers on both sides, float32 throughout."""

    def forward(self, x):
        y = (2 - x) / 3 + x ** 2 - 0.5 * -x
        z = 1 / (1 + ember.exp(-y))
        return ember.maximum(z, ember.tensor(0.3)).clamp(max=0.9), ember.sqrt(x * x + 1e-3), \
            (x @ ember.ones(4, 2)) * 1.5


class Activations(nn.Module):
    def forward(self, x):
        return (F.silu(x), ember.sigmoid(x), ember.tanh(x), F.leaky_relu(x, 0.2), F.elu(x),
                F.softplus(x), F.relu6(x * 4), F.gelu(x), F.selu(x), F.hardswish(x), F.mish(x))


class Functional(nn.Module):
    """Layers called as functions on the module's own parameters and buffers."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(ember.randn(4, 2, 3, 3) * 0.3)
        self.bias = nn.Parameter(ember.randn(4))
        self.register_buffer("mean", ember.randn(4) * 0.1)
        self.register_buffer("var", ember.rand(4) + 0.5)
        self.proj = nn.Parameter(ember.randn(3, 4))

    def forward(self, x):
        y = F.conv2d(x, self.weight, self.bias, padding=1)
        y = F.batch_norm(y, self.mean, self.var, training=False)
        y = F.dropout(y, 0.5, training=self.training)
        pooled = F.avg_pool2d(y, 2) + F.max_pool2d(y, 3, stride=1, padding=1)[:, :, ::2, ::2]
        g = F.adaptive_avg_pool2d(pooled, 1).flatten(1)
        h = F.layer_norm(F.linear(g, self.proj), (3,))
        up = F.conv_transpose2d(y, self.weight, stride=2, padding=1, output_padding=1)
        picked = ember.gather(y.flatten(2), 2, y.flatten(2).argmax(dim=2, keepdim=True))
        return h, F.adaptive_avg_pool2d(y, (2, 3)), up, picked, F.adaptive_max_pool2d(y, (4, 3))


class Blocks(nn.Module):
    """A ResNet basic block: ``out += identity`` and in-place ReLUs."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(3, 3, 3, padding=1), nn.Conv2d(3, 3, 3, padding=1)
        self.bn = nn.BatchNorm2d(3)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        identity = x
        out = self.relu(self.bn(self.conv1(x)))
        out = self.conv2(out)
        out += identity
        out = F.relu(out, inplace=True)
        out.mul_(2)
        return out


class Tokens(nn.Module):
    def __init__(self):
        super().__init__()
        self.table = nn.Parameter(ember.randn(7, 4))
        self.fc = nn.Linear(4, 2)

    def forward(self, idx):
        return self.fc(F.embedding(idx, self.table).mean(1))


class MoreMath(nn.Module):
    def forward(self, x):
        return (x.var(1), x.std(dim=(1, 2), keepdim=True), x.norm(dim=-1), F.normalize(x, dim=1),
                ember.linalg.vector_norm(x, ord=1, dim=2), x.cumsum(2), x.floor() + x.sign(),
                ember.log1p(x.abs()) - ember.expm1(x * 0.1), ember.erf(x), ember.atan(x),
                ember.einsum("bij,bkj->bik", x, x), x.square().sum(-1).rsqrt())


class Attention(nn.Module):
    """Multi-head self-attention written with F.scaled_dot_product_attention."""

    def __init__(self):
        super().__init__()
        self.qkv, self.out, self.heads = nn.Linear(8, 24), nn.Linear(8, 8), 2
        self.register_buffer("bias", ember.randn(5, 5) * 0.1)

    def forward(self, x):
        b, t, _ = x.shape
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        q, k, v = (y.view(b, t, self.heads, 4).transpose(1, 2) for y in (q, k, v))
        causal = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        biased = F.scaled_dot_product_attention(q, k, v, attn_mask=self.bias)
        y = (causal + biased).transpose(1, 2).reshape(b, t, -1)
        return self.out(y)


class Spatial(nn.Module):
    def __init__(self):
        super().__init__()
        self.gn_weight = nn.Parameter(ember.rand(4) + 0.5)
        self.gn_bias = nn.Parameter(ember.randn(4))

    def forward(self, x):
        y = F.group_norm(F.pad(x, (1, 2, 0, 1)), 2, self.gn_weight, self.gn_bias)
        up = F.interpolate(y, scale_factor=2) + F.interpolate(y, scale_factor=2, mode="bilinear")
        return F.pixel_shuffle(up, 2), F.pixel_unshuffle(y[..., :4, :6], 2), \
            F.adaptive_avg_pool2d(up, (3, 2))


class Logic(nn.Module):
    """Comparisons, masks and argmax/argmin (no gradient: functions, not ops)."""

    def forward(self, x):
        inside = (x > -0.5) & (x <= 0.5) | (x == 0)
        y = x.masked_fill(~inside, 0.0) + ember.where(x != 0, x, 1.0)
        ranked = x.argmax(1, keepdim=True).float() + x.argmin(-1).float().unsqueeze(-1)
        return y * ember.logical_not(x < -1).float(), ranked, (x >= 0).sum(1).float(), \
            x.argmax().float()


class Padded(nn.Module):
    """A key padding mask from token ids (0 is padding)."""

    def __init__(self):
        super().__init__()
        self.embed, self.attn = nn.Embedding(7, 4), nn.MultiheadAttention(4, 2, batch_first=True)

    def forward(self, idx):
        x = self.embed(idx)
        keep = (idx != 0).unsqueeze(-1).float()
        return self.attn(x, x, x)[0] * keep


def tokens(rng, batch):
    ids = rng.integers(0, 7, size=(batch, 3)).astype(np.int64)
    ids[:, 0] = 1
    return ids


def tokens32(rng, batch):
    return tokens(rng, batch).astype(np.int32)


class WordLM(nn.Module):
    """The PyTorch word language model's Transformer, smaller: (seq, batch) token ids, a causal
    mask made for the length, a sinusoidal table sliced to it, scaling by sqrt(d)."""

    def __init__(self, ntoken=7, d=8):
        super().__init__()
        position = ember.arange(0, 64, dtype=ember.float32).unsqueeze(1)
        div = ember.exp(ember.arange(0, d, 2).float() * (-math.log(10000.0) / d))
        pe = ember.zeros(64, d)
        pe[:, 0::2], pe[:, 1::2] = ember.sin(position * div), ember.cos(position * div)
        self.register_buffer("pe", pe.unsqueeze(1))
        self.embed, self.d = nn.Embedding(ntoken, d), d
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(d, 2, 16), 1)
        self.decoder = nn.Linear(d, ntoken)

    def forward(self, src):
        mask = nn.Transformer.generate_square_subsequent_mask(src.size(0))
        x = self.embed(src) * math.sqrt(self.d) + self.pe[:src.size(0), :]
        return F.log_softmax(self.decoder(self.encoder(x, mask)), dim=-1)


class LSTMClassifier(nn.Module):
    """States made for the batch in forward, the last step taken by indexing."""

    def __init__(self):
        super().__init__()
        self.lstm, self.fc = nn.LSTM(4, 5, 2, batch_first=True), nn.Linear(5, 3)

    def forward(self, x):
        h0, c0 = ember.zeros(2, x.size(0), 5), ember.zeros(2, x.size(0), 5)
        out, _ = self.lstm(x, (h0, c0))
        return self.fc(out[:, -1, :])


class Pools(nn.Module):
    """Pooling called with its options: ceil_mode, padding, count_include_pad, dilation."""

    def forward(self, x):
        return (F.max_pool2d(x, 3, stride=2, ceil_mode=True),
                F.max_pool2d(x, 2, dilation=2, padding=1),
                F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False),
                F.avg_pool2d(x, 2, ceil_mode=True), F.max_pool1d(x.flatten(2), 4), x % 0.75)


class Sizes(nn.Module):
    """Sizes read from the input in other ops: a class token expanded to the batch, a state of
    zeros made for the batch, positions sliced to the length, a reshape merging two axes."""

    def __init__(self):
        super().__init__()
        self.token = nn.Parameter(ember.randn(1, 1, 4))
        self.register_buffer("positions", ember.randn(1, 64, 4))
        self.rnn = nn.GRU(4, 3, batch_first=True)

    def forward(self, x):
        n, t, _ = x.shape
        x = x + self.positions[:, :t]
        x = ember.cat([self.token.expand(n, -1, -1), x], dim=1)
        h0 = ember.zeros(1, n, 3)
        out, _ = self.rnn(x, h0)
        return out.reshape(n * (t + 1), 3), ember.ones(x.size(0), 2) * out[:, -1, :2]


def floats(*shape):
    return lambda rng, batch: rng.standard_normal((batch,) + shape).astype(np.float32)


MODELS = {
    "mnist_net": (MnistNet, floats(1, 12, 12)),
    "residual_mlp": (ResidualMLP, floats(6)),
    "view_head": (ViewHead, floats(2, 4, 4)),
    "pieces": (Pieces, floats(6, 4)),
    "reductions": (Reductions, floats(3, 4)),
    "arithmetic": (Arithmetic, floats(3, 4)),
    "activations": (Activations, floats(5)),
    "functional": (Functional, floats(2, 6, 6)),
    "blocks": (Blocks, floats(3, 5, 5)),
    "more_math": (MoreMath, floats(3, 4)),
    "attention": (Attention, floats(5, 8)),
    "spatial": (Spatial, floats(4, 5, 5)),
    "tokens": (Tokens, tokens),
    "tokens_int32": (Tokens, tokens32),  # F.embedding reads an int64 copy of int32 ids
    "logic": (Logic, floats(4, 3)),
    "padded": (Padded, tokens),
    "sizes": (Sizes, floats(5, 4)),
    "pools": (Pools, floats(2, 7, 7)),
    "word_lm": (WordLM, tokens),  # its first axis (the dynamic one) is the sequence
    "lstm_classifier": (LSTMClassifier, floats(6, 4)),
}


def _export(model, x):
    n_out = len(ember.onnx.trace.flatten(model(ember.tensor(x))))
    outputs = [f"y{i}" for i in range(n_out)]
    buffer = io.BytesIO()
    proto = ember.onnx.export(model, (ember.tensor(x),), buffer, input_names=["x"],
                              output_names=outputs, dynamic_axes={"x": {0: "batch"}})
    return proto, ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("case", MODELS)
def test_custom_forward_matches_ember_in_onnxruntime(case):
    build, make_input = MODELS[case]
    rng = np.random.default_rng(0)
    ember.manual_seed(0)
    model = build().eval()
    proto, session = _export(model, make_input(rng, 2))
    double = onnx.TensorProto.DOUBLE
    assert not [t.name for t in proto.graph.initializer if t.data_type == double]
    assert_runs_as_ember(session, model, [{"x": make_input(rng, batch)} for batch in (1, 5)])


class Special(nn.Module):
    def forward(self, x):
        return ember.lgamma(x.abs() + 1) * 2


class Encoded(nn.Module):
    def forward(self, x):
        return F.one_hot(x.argmax(1), 4).float()


class SideWork(nn.Module):
    """Computes a value the output does not use (no converter needed for it)."""

    def forward(self, x):
        self.seen = F.one_hot(ember.lgamma(x).argmax(), 9)
        return x * 2


@pytest.mark.parametrize("model, message", [
    (Special(), "ember.onnx.export cannot export Special: its forward calls the op Lgamma, "
                "which has no ONNX converter (see ember.onnx.OPS for the ops it can export)"),
    (nn.Sequential(nn.Linear(4, 4), Special()),
     "ember.onnx.export cannot export Special ('1'): its forward calls the op Lgamma, which "
     "has no ONNX converter (see ember.onnx.OPS for the ops it can export)"),
    (nn.Sequential(nn.Linear(4, 4), nn.Sequential(Special())),
     "ember.onnx.export cannot export Special ('1.0'): its forward calls the op Lgamma, which "
     "has no ONNX converter (see ember.onnx.OPS for the ops it can export)"),
    (Encoded(), "ember.onnx.export cannot export Encoded: its forward calls one_hot, which has "
                "no ONNX converter (see ember.onnx.OPS for the ops it can export)"),
])
def test_an_op_without_converter_is_named(model, message, tmp_path):
    with pytest.raises(ember.onnx.ExportError) as info:
        ember.onnx.export(model, ember.randn(2, 4), str(tmp_path / "m.onnx"))
    assert str(info.value) == message
    assert not list(tmp_path.iterdir())


def test_values_the_output_does_not_use_are_left_out():
    proto, session = _export(SideWork(), np.ones((2, 4), np.float32))
    assert [n.op_type for n in proto.graph.node] == ["Mul", "Identity"]
    np.testing.assert_allclose(session.run(None, {"x": np.ones((3, 4), np.float32)})[0], 2.0)


class Halves(nn.Module):
    def forward(self, x):
        return x.reshape(x.size(0) // 2, -1)


def test_a_size_the_batch_does_not_give_is_exported_static():
    """``reshape(x.size(0) // 2, -1)`` runs at even batches only: it is traced at the example's
    batch, and the file keeps its sizes (1 row of 16 at batch 4, where ember gives 2 of 8)."""
    with pytest.warns(UserWarning, match="exported as constants"):
        proto, session = _export(Halves(), np.ones((2, 4), np.float32))
    assert session.run(None, {"x": np.ones((2, 4), np.float32)})[0].shape == (1, 8)
    assert session.run(None, {"x": np.ones((4, 4), np.float32)})[0].shape == (1, 16)


def test_sizes_of_two_dynamic_axes():
    """Batch and length both dynamic: each is read from its own axis at run time."""
    rng = np.random.default_rng(1)
    ember.manual_seed(1)
    model = Sizes().eval()
    buffer = io.BytesIO()
    ember.onnx.export(model, ember.randn(2, 5, 4), buffer, input_names=["x"],
                      dynamic_axes={"x": {0: "batch", 1: "time"}})
    session = ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
    assert_runs_as_ember(session, model, [{"x": rng.standard_normal(s).astype(np.float32)}
                                          for s in ((1, 3, 4), (6, 9, 4))])
