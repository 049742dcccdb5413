"""Dynamic axes beyond the batch (issue 18): sequence axes of recurrent, attention and 1-D
convolution models and the spatial axes of fully-convolutional models, exported once with
``dynamic_axes`` (torch door) or with None in the ``keras.Input`` shape (``model.export``), then
run in onnxruntime at two other lengths against ember within 1e-5."""
import io
import warnings

import numpy as np
import pytest

import ember
from ember import keras, nn

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
import ember.onnx  # noqa: E402
from .test_onnx_export import Attention, Tagger, TimeMajorAttention, Unpooled  # noqa: E402

L = keras.layers


def floats(*shape):
    return lambda rng: rng.standard_normal(shape).astype(np.float32)


def ids(*shape):
    return lambda rng: rng.integers(0, 11, shape).astype(np.int64)


def _fcn2d():
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1),
        nn.Upsample(scale_factor=2), nn.Upsample(scale_factor=0.5, recompute_scale_factor=True),
        nn.Conv2d(3, 4, 3, padding="same"), nn.AdaptiveMaxPool2d((2, None)), nn.Flatten(2),
        nn.Unflatten(1, (2, 2)), nn.Flatten(1, 2))


# name: (build, axes of the input "x", input at (batch, length...) for three sizes)
TORCH = {
    "recurrent": (Tagger, {0: "batch", 1: "steps"}, [ids(2, 5), ids(3, 9), ids(1, 2)]),
    "attention": (Attention, {0: "batch", 1: "steps"},
                  [floats(2, 5, 8), floats(3, 9, 8), floats(1, 2, 8)]),
    "attention_time_major": (TimeMajorAttention, {0: "steps", 1: "batch"},
                             [floats(5, 2, 8), floats(9, 3, 8), floats(2, 1, 8)]),
    "conv1d": (lambda: nn.Sequential(
        nn.Conv1d(3, 4, 3, padding=1), nn.ReLU(), nn.MaxPool1d(2),
        nn.Conv1d(4, 2, 3, padding="same", dilation=2), nn.BatchNorm1d(2), nn.AvgPool1d(2),
        nn.AdaptiveAvgPool1d(1)), {0: "batch", 2: "steps"},
        [floats(2, 3, 16), floats(3, 3, 21), floats(1, 3, 9)]),
    "fcn2d": (_fcn2d, {0: "batch", 2: "height", 3: "width"},
              [floats(2, 3, 8, 8), floats(3, 3, 12, 16), floats(1, 3, 4, 20)]),
    # odd sizes: the default unpooled size is the pooled input's
    "unpool": (lambda: Unpooled(2, output_size=False), {0: "batch", 2: "height", 3: "width"},
               [floats(2, 3, 9, 7), floats(3, 3, 5, 13), floats(1, 3, 11, 3)]),
    # exported at sizes the bins divide, run at sizes they do not
    "adaptive_pools": (lambda: nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.AdaptiveMaxPool2d((4, None)), nn.AdaptiveAvgPool2d((2, 3)),
        nn.Upsample(size=(3, 5), mode="area"), nn.LPPool2d(2, 2, ceil_mode=True)),
        {0: "batch", 2: "height", 3: "width"},
        [floats(2, 3, 8, 12), floats(3, 3, 13, 7), floats(1, 3, 5, 17)]),
}


@pytest.mark.parametrize("case", TORCH)
def test_torch_door_dynamic_axes(case):
    build, axes, inputs = TORCH[case]
    rng = np.random.default_rng(0)
    ember.manual_seed(0)
    model = build()
    with ember.no_grad():  # batch-norm statistics other than the defaults
        model(ember.tensor(inputs[0](rng)))
    model.eval()
    buffer = io.BytesIO()
    ember.onnx.export(model, ember.tensor(inputs[0](rng)), buffer, input_names=["x"],
                      dynamic_axes={"x": axes})
    session = ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
    for make in inputs[1:]:
        x = make(rng)
        with ember.no_grad():
            expected = ember.onnx.trace.flatten(model(ember.tensor(x)))
        got = session.run(None, {"x": x})
        for a, b in zip(got, expected):
            assert a.shape == tuple(b.shape)
            np.testing.assert_allclose(a, b.numpy(), rtol=1e-5, atol=1e-5)


def _keras_recurrent():
    inputs = keras.Input((None,), dtype="int64")
    x = L.Embedding(11, 4, mask_zero=True)(inputs)
    seq = L.Bidirectional(L.GRU(3, return_sequences=True))(x)
    out = L.LSTM(2, return_sequences=True)(L.LSTM(3, return_sequences=True)(L.Dense(4)(seq)))
    return keras.Model(inputs, [out, L.GlobalAveragePooling1D()(seq), L.SimpleRNN(2)(x)])


def _keras_attention():
    inputs = keras.Input((None, 8))
    x = L.MultiHeadAttention(2, 4)(inputs, inputs, use_causal_mask=True)
    x = L.LayerNormalization()(L.Add()([inputs, x]))
    y = L.Attention(use_scale=True)([x, inputs], use_causal_mask=True)
    return keras.Model(inputs, [x, y])


def _keras_conv1d():
    return keras.Sequential([
        keras.Input((None, 3)), L.Conv1D(4, 3, padding="causal", dilation_rate=2),
        L.Conv1D(4, 3, strides=2, padding="same", activation="relu"),
        L.MaxPooling1D(2, padding="same"), L.ZeroPadding1D((1, 2)), L.Cropping1D((2, 1)),
        L.UpSampling1D(2), L.AveragePooling1D(3, strides=2, padding="same"),
        L.Conv1D(2, 1), L.GlobalMaxPooling1D()])


def _keras_fcn():
    return keras.Sequential([
        keras.Input((None, None, 3)), L.Conv2D(4, 3, strides=2, padding="same", activation="relu"),
        L.BatchNormalization(), L.MaxPooling2D(3, strides=2, padding="same"),
        L.SeparableConv2D(4, 3, padding="same"), L.DepthwiseConv2D(3, strides=2, padding="same"),
        L.Conv2DTranspose(3, 3, strides=2, padding="same"), L.UpSampling2D(2),
        L.UpSampling2D(2, interpolation="bilinear"), L.ZeroPadding2D((1, 2)),
        L.Cropping2D(((1, 0), (2, 1))), L.Conv2D(2, 1), L.GlobalAveragePooling2D()])


def _token_rows(batch, steps):
    def make(rng):
        x = rng.integers(1, 11, (batch, steps))
        x[0, steps // 2:] = 0
        return x.astype(np.int64)
    return make


def _keras_adaptive():
    return keras.Sequential([
        keras.Input((None, None, 3)), L.AdaptiveAveragePooling2D((3, 4)), L.AdaptiveMaxPooling2D(2),
        L.Reshape((4, 3)), L.AdaptiveMaxPooling1D(3)])


KERAS = {
    "recurrent": (_keras_recurrent, [_token_rows(3, 5), _token_rows(2, 12)]),
    "attention": (_keras_attention, [floats(3, 5, 8), floats(2, 11, 8)]),
    "conv1d": (_keras_conv1d, [floats(3, 9, 3), floats(2, 20, 3)]),
    "fcn": (_keras_fcn, [floats(2, 9, 13, 3), floats(1, 16, 7, 3)]),
    "adaptive_pools": (_keras_adaptive, [floats(2, 9, 13, 3), floats(1, 16, 7, 3)]),
}


@pytest.mark.parametrize("case", KERAS)
def test_keras_none_dimensions_are_dynamic(case, tmp_path):
    build, inputs = KERAS[case]
    rng = np.random.default_rng(1)
    ember.manual_seed(1)
    model = build()
    path = tmp_path / "m.onnx"
    model.export(str(path), format="onnx", verbose=False)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    assert session.get_inputs()[0].shape[1] != 8  # symbolic, not the traced example size
    for make in inputs:
        x = make(rng)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras's warning where a layer drops a mask
            expected = model.predict(x, verbose=0)
        expected = expected if isinstance(expected, list) else [expected]
        got = session.run(None, {name: x})
        for a, b in zip(got, expected):
            assert a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def _masked_inputs(case, rng, batch, src, tgt):
    from .test_onnx_masks import _padding
    x = lambda length: rng.standard_normal((batch, length, 8)).astype(np.float32)  # noqa: E731
    if case == "causal_encoder":
        return {"x": x(src), "padding": _padding(rng, batch, src)}
    return {"src": x(src), "tgt": x(tgt), "padding": _padding(rng, batch, src)}


@pytest.mark.parametrize("case", ["causal_encoder", "seq2seq"])
def test_causal_masks_made_in_forward_follow_the_length(case):
    """The causal triangle a forward makes for its input's length (is_causal, or a mask from
    ``generate_square_subsequent_mask``) is rebuilt for each length in the graph."""
    from .test_onnx_masks import CASES
    build = CASES[case][0]
    rng = np.random.default_rng(2)
    ember.manual_seed(2)
    model = build().eval()
    example = _masked_inputs(case, rng, 2, 5, 3)
    axes = {name: {0: "batch", 1: f"{name}_steps"} for name in example}
    buffer = io.BytesIO()
    ember.onnx.export(model, tuple(ember.tensor(v) for v in example.values()), buffer,
                      input_names=list(example), dynamic_axes=axes)
    session = ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
    for batch, src, tgt in ((3, 7, 4), (1, 2, 6)):
        feed = _masked_inputs(case, rng, batch, src, tgt)
        with ember.no_grad():
            expected = ember.onnx.trace.flatten(model(*(ember.tensor(v) for v in feed.values())))
        for a, b in zip(session.run(None, feed), expected):
            assert a.shape == tuple(b.shape) and np.isfinite(a).all()
            np.testing.assert_allclose(a, b.numpy(), rtol=1e-5, atol=1e-5)
