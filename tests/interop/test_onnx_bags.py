"""ONNX export of ``nn.EmbeddingBag`` (every mode, 2-D bags and 1-D entries cut at offsets,
per_sample_weights, padding_idx, include_last_offset) and of ``AdaptiveLogSoftmaxWithLoss``'s
``log_prob``/``predict`` through a wrapper module (issue 18); run in onnxruntime at two sizes of
every dynamic axis against ember."""
import io

import numpy as np
import pytest

import ember
from ember import nn

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
import ember.onnx  # noqa: E402


class Bags(nn.Module):
    """An EmbeddingBag over 1-D entries and offsets, weights given by keyword (mode='sum'),
    then a linear head."""

    def __init__(self, **options):
        super().__init__()
        self.bag = nn.EmbeddingBag(12, 5, **options)
        self.head = nn.Linear(5, 3)

    def forward(self, entries, offsets, weights=None):
        return self.head(self.bag(entries, offsets, per_sample_weights=weights))


def _session(model, args, names):
    buffer = io.BytesIO()
    ember.onnx.export(model, tuple(ember.tensor(a) for a in args), buffer, input_names=names,
                      output_names=["y"], dynamic_axes={**{n: {0: n} for n in names}, "y": {0: "bags"}})
    return ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])


def _check(session, model, feeds):
    for feed in feeds:
        got = session.run(None, feed)[0]
        with ember.no_grad():
            expected = model(*[ember.tensor(v) for v in feed.values()]).numpy()
        assert got.dtype == expected.dtype == np.float32 and got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


# (options, offsets for 9 entries, offsets for 4 entries): empty bags included
OFFSETS = {False: ([0, 3, 3, 7], [0, 0, 1]), True: ([0, 3, 3, 7, 9], [0, 0, 1, 4])}


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 0])
@pytest.mark.parametrize("include_last_offset", [False, True])
def test_embedding_bag_with_offsets(mode, padding_idx, include_last_offset):
    ember.manual_seed(0)
    model = Bags(mode=mode, padding_idx=padding_idx, include_last_offset=include_last_offset).eval()
    rng = np.random.default_rng(0)
    weighted = mode == "sum"
    names = ["entries", "offsets"] + (["weights"] if weighted else [])

    def feed(n, offsets):
        entries = rng.integers(0, 12, n).astype(np.int64)
        entries[:2] = 0  # padding entries (a bag of padding only, when padding_idx=0)
        values = [entries, np.asarray(offsets, np.int64)]
        if weighted:
            values.append(rng.standard_normal(n).astype(np.float32))
        return dict(zip(names, values))

    first = feed(6, [0, 2, 2] + ([6] if include_last_offset else []))
    session = _session(model, list(first.values()), names)
    sizes = OFFSETS[include_last_offset]
    _check(session, model, [feed(9, sizes[0]), feed(4, sizes[1])])


class FixedBags(nn.Module):
    def __init__(self, mode, padding_idx):
        super().__init__()
        self.bag = nn.EmbeddingBag(7, 4, mode=mode, padding_idx=padding_idx)

    def forward(self, tokens, weights=None):
        return self.bag(tokens, None, weights)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, -1])
def test_embedding_bag_of_fixed_length_rows(mode, padding_idx):
    ember.manual_seed(1)
    model = FixedBags(mode, padding_idx).eval()
    rng = np.random.default_rng(1)
    weighted = mode == "sum"
    names = ["tokens"] + (["weights"] if weighted else [])

    def feed(batch, length):
        tokens = rng.integers(0, 7, (batch, length)).astype(np.int64)
        tokens[0] = 6  # a bag of padding only when padding_idx=-1
        values = [tokens] + ([rng.standard_normal((batch, length)).astype(np.float32)]
                             if weighted else [])
        return dict(zip(names, values))

    buffer = io.BytesIO()
    first = feed(2, 3)
    ember.onnx.export(model, tuple(ember.tensor(v) for v in first.values()), buffer,
                      input_names=names, dynamic_axes={n: {0: "batch", 1: "length"} for n in names})
    session = ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
    _check(session, model, [feed(3, 5), feed(1, 2)])


class Renormed(nn.Module):
    """An Embedding and an EmbeddingBag with ``max_norm`` over the same tokens."""

    def __init__(self, norm_type):
        super().__init__()
        self.embed = nn.Embedding(12, 5, max_norm=1.5, norm_type=norm_type)
        self.bag = nn.EmbeddingBag(12, 5, max_norm=1.5, norm_type=norm_type, mode="mean")

    def forward(self, tokens):
        return self.embed(tokens), self.bag(tokens)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
def test_max_norm_rows_are_scaled_as_the_in_place_renormalization_scales_them(norm_type):
    """ember (as torch) rescales looked-up rows of the table in place; the export scales the
    gathered rows the same way, rows the example did not look up included."""
    ember.manual_seed(4)
    model = Renormed(norm_type).eval()
    shrink = ember.tensor(np.where(np.arange(12) % 2, 2.0, 0.25).astype(np.float32)[:, None])
    with ember.no_grad():  # odd rows over the limit, even rows under it
        for table in (model.embed.weight, model.bag.weight):
            table.mul_(shrink)
    norms = np.linalg.norm(model.embed.weight.detach().numpy(), ord=norm_type, axis=1)
    assert (norms[1::2] > 1.5).all() and (norms[::2] < 1.5).all()
    buffer = io.BytesIO()
    ember.onnx.export(model, ember.tensor([[0, 1, 2]]), buffer, input_names=["tokens"],
                      dynamic_axes={"tokens": {0: "batch", 1: "length"}})
    session = ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
    tokens = np.arange(12, dtype=np.int64).reshape(3, 4)
    got = session.run(None, {"tokens": tokens})
    with ember.no_grad():
        expected = model(ember.tensor(tokens))
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-5, atol=1e-6)
    norms = np.linalg.norm(got[0].reshape(-1, 5), ord=norm_type, axis=1)
    assert norms.max() <= 1.5 + 1e-5


class Inference(nn.Module):
    """What torch users export: a wrapper whose forward calls an inference method."""

    def __init__(self, asm, method):
        super().__init__()
        self.asm, self.method = asm, method

    def forward(self, x):
        return getattr(self.asm, self.method)(x)


@pytest.mark.parametrize("method", ["log_prob", "predict"])
@pytest.mark.parametrize("head_bias", [False, True])
def test_adaptive_log_softmax_inference_methods(method, head_bias):
    ember.manual_seed(2)
    asm = nn.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs=[4, 10], div_value=2.0, head_bias=head_bias)
    with ember.no_grad():  # steer the head so that predict meets both of its branches
        asm.head.weight[5] *= 4.0
    model = Inference(asm, method).eval()
    buffer = io.BytesIO()
    ember.onnx.export(model, ember.randn(3, 8), buffer, input_names=["x"],
                      dynamic_axes={"x": {0: "batch"}})
    session = ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(2)
    for batch in (64, 1):
        x = (rng.standard_normal((batch, 8)) * 3).astype(np.float32)
        got = session.run(None, {"x": x})[0]
        with ember.no_grad():
            expected = getattr(asm, method)(ember.tensor(x)).numpy()
        assert got.dtype == expected.dtype == (np.float32 if method == "log_prob" else np.int64)
        if method == "predict" and batch > 1:
            rare = asm.head(ember.tensor(x)).argmax(dim=1).numpy() >= asm.shortlist_size
            assert rare.any() and not rare.all()
            np.testing.assert_array_equal(got, expected)
        else:
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


class Unbatched(nn.Module):
    def __init__(self, asm):
        super().__init__()
        self.asm = asm

    def forward(self, x):
        return self.asm.log_prob(x), self.asm.predict(x)


def test_adaptive_log_softmax_unbatched_input():
    ember.manual_seed(3)
    model = Unbatched(nn.AdaptiveLogSoftmaxWithLoss(6, 9, cutoffs=[3])).eval()
    x = np.random.default_rng(3).standard_normal(6).astype(np.float32)
    buffer = io.BytesIO()
    ember.onnx.export(model, ember.tensor(x), buffer, input_names=["x"])
    got = ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"]).run(None, {"x": x})
    with ember.no_grad():
        log_prob, best = model(ember.tensor(x))
    assert got[0].shape == (9,) and got[1].shape == ()
    np.testing.assert_allclose(got[0], log_prob.numpy(), rtol=1e-5, atol=1e-5)
    assert int(got[1]) == int(best.item())


class Training(nn.Module):
    def __init__(self):
        super().__init__()
        self.asm = nn.AdaptiveLogSoftmaxWithLoss(4, 6, cutoffs=[2])

    def forward(self, x, target):
        return self.asm(x, target).loss


def test_adaptive_log_softmax_forward_names_the_methods_to_export(tmp_path):
    path = tmp_path / "asm.onnx"
    with pytest.raises(ember.onnx.ExportError,
                       match=r"AdaptiveLogSoftmaxWithLoss \('asm'\).*log_prob\(input\) or "
                             r"predict\(input\)"):
        ember.onnx.export(Training(), (ember.randn(2, 4), ember.tensor([0, 5])), str(path))
    assert not list(tmp_path.iterdir())
