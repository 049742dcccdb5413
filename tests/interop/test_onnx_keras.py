"""ONNX export of ember.keras models (``model.export(path, format="onnx")``), run in onnxruntime.

Every Keras layer class with a converter appears in a model below; outputs equal ember's within
1e-5 at two batch sizes (the batch axis is dynamic).
"""
import numpy as np
import pytest

import ember
from ember import keras

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from ember.keras import _onnx_export  # noqa: E402

L = keras.layers


def floats(*shape):
    return lambda rng, batch: rng.standard_normal((batch,) + shape).astype(np.float32)


def _activations():
    names = [n for n in _onnx_export.ACTIVATIONS if n != "linear"]
    return keras.Sequential([keras.Input((6,))] + [L.Dense(6, activation=n) for n in names]
                            + [L.Dense(3)])


def _functional():
    inputs = keras.Input((6,))
    a, b = L.Dense(4, activation="relu")(inputs), L.Dense(4)(inputs)
    merged = [L.Add()([a, b]), L.Subtract()([a, b]), L.Multiply()([a, b]), L.Average()([a, b]),
              L.Maximum()([a, b]), L.Minimum()([a, b]), L.Dot(1)([a, b]),
              L.Dot(-1, normalize=True)([a, b])]
    return keras.Model(inputs, L.Dense(2)(L.Concatenate()(merged)))


def _attention():
    inputs = keras.Input((5, 8))
    context = keras.Input((3, 6))
    x = L.MultiHeadAttention(2, 4)(inputs, inputs)
    x = L.LayerNormalization()(L.Add()([inputs, x]))
    out = L.MultiHeadAttention(4, 3, value_dim=2, use_bias=False)(x, context)
    return keras.Model([inputs, context], L.Dense(2)(out))


def _grouped_attention():
    """GroupQueryAttention (2 and 1 key/value heads, causal, scores, gates, sliding windows;
    MultiHeadAttention's too) and ReversibleEmbedding both ways (tied with a soft cap, untied)."""
    tokens = keras.Input((5,), dtype="int64")
    tied = L.ReversibleEmbedding(11, 8, logit_soft_cap=2.0)
    x = tied(tokens)
    x = L.GroupQueryAttention(3, 4, 2)(x, x, use_causal_mask=True)
    y, scores = L.GroupQueryAttention(2, 2, 1, use_bias=False)(x, x, return_attention_scores=True)
    y = L.GroupQueryAttention(2, 4, 1, use_gate=True, sliding_window=2)(y, x, use_causal_mask=True)
    y = L.MultiHeadAttention(2, 3, use_gate=True, sliding_window=3)(
        y, y, return_attention_scores=True)[0]
    untied = L.ReversibleEmbedding(11, 8, tie_weights=False)
    untied(tokens)
    return keras.Model(tokens, [tied(y, reverse=True), untied(x, reverse=True), scores])


def _conv_lstm():
    """ConvLSTM1D/2D/3D: strides, 'same' padding, dilation, channels first, go_backwards,
    states (returned and given), a mask from Masking."""
    x = keras.Input((4, 6, 5, 2))
    seq, h, c = L.ConvLSTM2D(3, (3, 2), padding="same", return_sequences=True,
                             return_state=True)(x)
    a = L.ConvLSTM2D(2, 3, strides=2, go_backwards=True, recurrent_activation="hard_sigmoid")(seq)
    b = L.ConvLSTM2D(3, (3, 2), padding="same")(x, initial_state=[h, c])
    cf = L.ConvLSTM2D(2, 2, data_format="channels_first", activation="relu",
                      return_sequences=True)(L.Permute((1, 4, 2, 3))(x))
    flat = L.Reshape((4, 30, 2))(x)
    d = L.ConvLSTM1D(2, 3, dilation_rate=2, return_sequences=True, go_backwards=True)(flat)
    vol = L.ConvLSTM3D(2, 2, padding="same", use_bias=False)(L.Reshape((4, 3, 2, 5, 2))(x))
    outs = [a, b, cf, d, vol]
    return keras.Model(x, L.Concatenate()([L.Flatten()(o) for o in outs]))


def _masked_conv_lstm():
    """ConvLSTM1D (alone and in Bidirectional) with a mask given as a model input: masked steps
    keep the states."""
    x, mask = keras.Input((5, 6, 2)), keras.Input((5,), dtype="bool")
    a = L.ConvLSTM1D(2, 3, padding="same", return_sequences=True)(x, mask=mask)
    b, h, c = L.ConvLSTM1D(3, 2, go_backwards=True, return_state=True)(x, mask=mask)
    both = L.Bidirectional(L.ConvLSTM1D(2, 2, padding="same", return_sequences=True))(x, mask=mask)
    last = L.Bidirectional(L.ConvLSTM1D(2, 3), merge_mode="ave")(x, mask=mask)
    return keras.Model([x, mask], [a, b, c, both, last])


def _single_head_attention():
    """Attention (dot, scaled, concat, causal, with scores) and AdditiveAttention."""
    q, v = keras.Input((4, 6)), keras.Input((5, 6))
    a = L.Attention(use_scale=True)([q, v])
    b, scores = L.Attention(score_mode="concat")([q, v, v], return_attention_scores=True)
    c = L.Attention()([q, q], use_causal_mask=True)
    d = L.AdditiveAttention()([q, v])
    e = L.AdditiveAttention(use_scale=False)([q, v])
    out = L.Concatenate()([a, b, c, d, e])
    return keras.Model([q, v], [L.Dense(2)(out), scores])


def _dots():
    """Dot of sequences: along the features (scores), along time, and normalized."""
    inputs = keras.Input((5, 3))
    a, b = L.Dense(4)(inputs), L.Dense(4)(inputs)
    scores = L.Dot(axes=(2, 2))([a, b])                # (N, 5, 5)
    over_time = L.Dot(axes=1, normalize=True)([a, b])  # (N, 4, 4)
    mixed = L.Dot(axes=(1, 2))([inputs, scores])       # (N, 3, 5)
    return keras.Model(inputs, [scores, over_time, mixed])


def _preprocessing():
    """Bucketized floats and category ids, encoded every way, merged into one output."""
    values, ids = keras.Input((3,)), keras.Input((4,), dtype="int64")
    one = keras.Input((1,), dtype="int64")
    parts = [L.Discretization([-0.5, 0.0, 0.7], output_mode=m)(values)
             for m in ("one_hot", "multi_hot", "count")]
    parts += [L.Flatten()(L.CategoryEncoding(6, output_mode="one_hot")(ids)),
              L.CategoryEncoding(6, output_mode="multi_hot")(ids),
              L.CategoryEncoding(6, output_mode="count")(ids),
              L.CategoryEncoding(5, output_mode="one_hot")(one)]
    bins = L.Discretization([0.0], output_mode="int")(values)
    return keras.Model([values, ids, one], [L.Concatenate()(
        [L.Flatten()(p) if len(p.shape) > 2 else p for p in parts]), bins])


def _recurrent_states():
    inputs = keras.Input((6, 3))
    out, h_f, c_f, h_b, c_b = L.Bidirectional(L.LSTM(3, return_state=True))(inputs)
    y_f, y_b = L.Bidirectional(L.GRU(2, return_sequences=True), merge_mode=None)(inputs)
    seq, h = L.GRU(4, return_sequences=True, return_state=True)(inputs)
    last, h_l, c_l = L.LSTM(2, return_state=True)(seq)
    return keras.Model(inputs, [out, h_f, c_b, L.Concatenate()([y_f, y_b]), h, c_l])


def _stacked_cells():
    """Stacked cells from given initial states (nested as the cells' states), returning the
    last output and every cell's final states; a stack walking backwards; a bidirectional
    stack returning both directions' states."""
    inputs, h1, h2, c2 = keras.Input((5, 3)), keras.Input((2,)), keras.Input((4,)), keras.Input((4,))
    seq = L.RNN(L.StackedRNNCells([L.GRUCell(2), L.LSTMCell(4)]), return_sequences=True)(
        inputs, initial_state=[h1, [h2, c2]])
    back = L.RNN([L.LSTMCell(3), L.GRUCell(3, reset_after=False), L.SimpleRNNCell(2)],
                 go_backwards=True, return_sequences=True)(seq)
    last, s1, (s2, s3) = L.RNN([L.SimpleRNNCell(3, activation="relu"), L.LSTMCell(2)],
                               go_backwards=True, return_state=True)(back)
    both, f1, (f2, f3), b1, (b2, b3) = L.Bidirectional(
        L.RNN([L.GRUCell(2), L.LSTMCell(2)], return_state=True))(inputs)
    return keras.Model([inputs, h1, h2, c2], [seq, last, s1, s2, s3, both, f1, f3, b1, b2])


class CrossAttention(keras.Model):
    def __init__(self):
        super().__init__()
        self.attention = L.MultiHeadAttention(2, 3, output_shape=4)

    def call(self, x, context):
        return self.attention(x, context, context, return_attention_scores=True)


def test_subclassed_model_with_attention_scores_through_ember_onnx(tmp_path):
    rng = np.random.default_rng(0)
    x, context = floats(5, 8)(rng, 3), floats(4, 6)(rng, 3)
    model = CrossAttention()
    expected = model(x, context)
    ember.onnx.export(model, (ember.tensor(x), ember.tensor(context)), str(tmp_path / "m.onnx"),
                      input_names=["x", "context"])
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    got = session.run(None, {"x": x, "context": context})
    assert [g.shape for g in got] == [(3, 5, 4), (3, 2, 5, 4)]
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b.detach().numpy(), rtol=1e-5, atol=1e-5)


MODELS = {
    "dense": (lambda: keras.Sequential([
        keras.Input((6,)), L.Dense(16, activation="relu"), L.BatchNormalization(), L.Dropout(0.3),
        L.GaussianNoise(0.1), L.GaussianDropout(0.1), L.AlphaDropout(0.1),
        L.ActivityRegularization(0.01), L.Dense(8, use_bias=False), L.ReLU(max_value=2.0, threshold=0.1,
                                                                            negative_slope=0.1),
        L.LeakyReLU(0.2), L.ELU(0.5), L.PReLU(), L.LayerNormalization(), L.Activation("tanh"),
        L.Reshape((2, 4)), L.Softmax(), L.Flatten(), L.Dense(3, activation="softmax")]), floats(6)),
    "activations": (_activations, floats(6)),
    "conv2d": (lambda: keras.Sequential([
        keras.Input((9, 9, 2)), L.Conv2D(4, 3, padding="same", strides=2, activation="relu"),
        L.BatchNormalization(), L.MaxPooling2D(2, padding="same"),
        L.Conv2D(4, 2, dilation_rate=1, groups=2), L.AveragePooling2D(2, strides=1, padding="same"),
        L.GlobalMaxPooling2D(keepdims=True), L.Flatten(), L.Dense(2)]), floats(9, 9, 2)),
    "conv1d": (lambda: keras.Sequential([
        keras.Input((12, 3)), L.Conv1D(4, 3, padding="causal", dilation_rate=2),
        L.MaxPooling1D(2), L.AveragePooling1D(2, padding="same"), L.Conv1D(2, 2, padding="same"),
        L.GlobalAveragePooling1D()]), floats(12, 3)),
    "conv3d": (lambda: keras.Sequential([
        keras.Input((4, 6, 6, 2)), L.Conv3D(4, 3, padding="same", activation="relu"),
        L.MaxPooling3D(2, padding="same"), L.SpatialDropout3D(0.2),
        L.Conv3DTranspose(3, 2, strides=(1, 2, 2), padding="same"),
        L.AveragePooling3D(2, strides=1, padding="same"), L.GlobalMaxPooling3D(keepdims=True),
        L.GlobalAveragePooling3D(), L.Reshape((3, 1)), L.Conv1DTranspose(4, 3, strides=2, padding="same"),
        L.SpatialDropout1D(0.1), L.DepthwiseConv1D(2, depth_multiplier=2),
        L.SeparableConv1D(3, 2, padding="same"), L.Flatten(), L.Dense(2)]), floats(4, 6, 6, 2)),
    "pooled2d": (lambda: keras.Sequential([
        keras.Input((6, 6, 3)), L.GlobalAveragePooling2D()]), floats(6, 6, 3)),
    "pooled1d": (lambda: keras.Sequential([keras.Input((6, 3)), L.GlobalMaxPooling1D()]), floats(6, 3)),
    "reshaping": (lambda: keras.Sequential([
        keras.Input((4, 5, 2)), L.Rescaling(1 / 255.0, offset=-0.5), L.ZeroPadding2D(((1, 2), (0, 1))),
        L.SpatialDropout2D(0.3), L.Identity(), L.Permute((3, 1, 2)), L.Flatten(), L.Dense(3),
        L.RepeatVector(2), L.Permute((2, 1))]), floats(4, 5, 2)),
    "recurrent": (lambda: keras.Sequential([
        keras.Input((7,), dtype="int64"), L.Embedding(10, 4), L.LSTM(5, return_sequences=True),
        L.GRU(4, return_sequences=True), L.SimpleRNN(3), L.Dense(2)]),
        lambda rng, batch: rng.integers(0, 10, (batch, 7)).astype(np.int64)),
    "functional": (_functional, floats(6)),
    "masking": (lambda: keras.Sequential([
        keras.Input((5, 3)), L.Masking(0.5), L.SimpleRNN(2, return_sequences=True),
        L.GlobalAveragePooling1D()]), floats(5, 3)),  # (tests/interop/test_onnx_keras_masks.py)
    "norms": (lambda: keras.Sequential([
        keras.Input((6, 4)), L.GroupNormalization(2), L.UnitNormalization(),
        L.Normalization(mean=[0.1, -0.2, 0.3, 0.0], variance=1.0), L.RMSNormalization(),
        L.Normalization(axis=1, mean=0.5, variance=1.0, invert=True), L.UnitNormalization((1, 2)),
        L.GroupNormalization(-1, axis=1, center=False), L.RMSNormalization(axis=(1, 2)),
        L.LayerNormalization(axis=1), L.LayerNormalization(axis=-2, scale=False, epsilon=0.1),
        L.LayerNormalization(center=False)]), floats(6, 4)),
    "bidirectional": (lambda: keras.Sequential([
        keras.Input((6, 3)), L.Bidirectional(L.LSTM(4, return_sequences=True)),
        L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode="sum"),
        L.Bidirectional(L.SimpleRNN(2, return_sequences=True), merge_mode="ave"),
        L.Bidirectional(L.LSTM(2), merge_mode="mul"), L.Dense(2)]), floats(6, 3)),
    "recurrent_states": (_recurrent_states, floats(6, 3)),
    "recurrent_options": (lambda: keras.Sequential([
        keras.Input((6, 3)), L.GRU(4, reset_after=False, return_sequences=True),
        L.LSTM(3, activation="relu", recurrent_activation="hard_sigmoid", return_sequences=True,
               go_backwards=True),
        L.GRU(3, go_backwards=True, reset_after=False, recurrent_activation="relu",
              return_sequences=True),
        L.Bidirectional(L.SimpleRNN(2, activation="relu", return_sequences=True)),
        L.Bidirectional(L.GRU(2, reset_after=False, recurrent_activation="hard_sigmoid")),
        L.Dense(2)]), floats(6, 3)),
    "dots": (_dots, floats(5, 3)),
    "preprocessing": (_preprocessing, lambda rng, batch: [
        floats(3)(rng, batch), rng.integers(0, 6, (batch, 4)).astype(np.int64),
        rng.integers(0, 5, (batch, 1)).astype(np.int64)]),
    "time_distributed": (lambda: keras.Sequential([
        keras.Input((3, 6, 6, 2)), L.TimeDistributed(L.Conv2D(2, 3, activation="relu")),
        L.TimeDistributed(L.Flatten()), L.TimeDistributed(L.Dense(4, activation="tanh")),
        L.TimeDistributed(L.Dense(2))]), floats(3, 6, 6, 2)),
    "conv_transpose_depthwise": (lambda: keras.Sequential([
        keras.Input((7, 7, 3)), L.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu"),
        L.Conv2DTranspose(3, 3, strides=2, output_padding=1, use_bias=False),
        L.Conv2DTranspose(3, 2, dilation_rate=2), L.Conv2DTranspose(2, 4, strides=3, padding="same"),
        L.DepthwiseConv2D(3, depth_multiplier=2, padding="same", strides=2),
        L.SeparableConv2D(4, 3, depth_multiplier=2, strides=2, padding="same", activation="relu"),
        L.DepthwiseConv2D(2, use_bias=False, dilation_rate=2), L.SeparableConv2D(3, 2, use_bias=False),
        L.UpSampling2D(2), L.UpSampling2D((2, 3), interpolation="bilinear"),
        L.GlobalAveragePooling2D()]), floats(7, 7, 3)),
    "channels_first": (lambda: keras.Sequential([
        keras.Input((3, 6, 5)),
        L.Conv2DTranspose(2, 3, strides=2, padding="same", data_format="channels_first"),
        L.DepthwiseConv2D(3, data_format="channels_first"),
        L.SeparableConv2D(2, 3, data_format="channels_first"),
        L.UpSampling2D((1, 2), data_format="channels_first", interpolation="bilinear"),
        L.Flatten(), L.Dense(2)]), floats(3, 6, 5)),
    "padding_cropping_upsampling": (lambda: keras.Sequential([
        keras.Input((6, 3)), L.ZeroPadding1D((1, 2)), L.Cropping1D((2, 1)), L.UpSampling1D(3),
        L.ZeroPadding1D(1, data_format="channels_first"), L.Cropping1D(1)]), floats(6, 3)),
    "volumes": (lambda: keras.Sequential([
        keras.Input((3, 4, 5, 2)), L.ZeroPadding3D((1, (0, 2), 1)), L.UpSampling3D((2, 1, 3)),
        L.Cropping3D(((1, 0), 2, (3, 1))), L.ZeroPadding3D(1, data_format="channels_first"),
        L.UpSampling3D(2, data_format="channels_first"), L.Flatten(), L.Dense(3)]),
        floats(3, 4, 5, 2)),
    "cropping2d": (lambda: keras.Sequential([
        keras.Input((6, 7, 2)), L.Cropping2D(((0, 1), (2, 1))),
        L.Cropping2D(((1, 0), (0, 1)), data_format="channels_first"), L.Flatten()]), floats(6, 7, 2)),
    "single_head_attention": (_single_head_attention,
                              lambda rng, batch: [floats(4, 6)(rng, batch), floats(5, 6)(rng, batch)]),
    "attention": (_attention, lambda rng, batch: [floats(5, 8)(rng, batch), floats(3, 6)(rng, batch)]),
    "conv_lstm": (_conv_lstm, floats(4, 6, 5, 2)),
    "masked_conv_lstm": (_masked_conv_lstm, lambda rng, batch: [
        floats(5, 6, 2)(rng, batch), rng.random((batch, 5)) > 0.3]),
    "grouped_attention": (_grouped_attention,
                          lambda rng, batch: rng.integers(0, 11, (batch, 5)).astype(np.int64)),
    "rnn_layer": (lambda: keras.Sequential([
        keras.Input((5, 3)), L.RNN(L.LSTMCell(4), return_sequences=True),
        L.RNN(L.GRUCell(3, reset_after=False), go_backwards=True, return_sequences=True),
        L.RNN(L.SimpleRNNCell(2))]), floats(5, 3)),
    "stacked_cells": (_stacked_cells, lambda rng, batch: [
        floats(5, 3)(rng, batch), floats(2)(rng, batch), floats(4)(rng, batch), floats(4)(rng, batch)]),
    "bidirectional_rnn": (lambda: keras.Sequential([
        keras.Input((5, 3)), L.Bidirectional(L.RNN(L.LSTMCell(3), return_sequences=True)),
        L.Bidirectional(L.RNN([L.GRUCell(2), L.SimpleRNNCell(2)], return_sequences=True),
                        merge_mode="sum"),
        L.Bidirectional(L.RNN(L.GRUCell(2, reset_after=False)), merge_mode="mul")]), floats(5, 3)),
    "adaptive_pooling": (lambda: keras.Sequential([
        keras.Input((9, 7, 3)), L.AdaptiveAveragePooling2D((3, 4)), L.AdaptiveMaxPooling2D(2),
        L.Reshape((4, 3)), L.AdaptiveMaxPooling1D(3), L.AdaptiveAveragePooling1D(2),
        L.Reshape((2, 1, 1, 3)), L.AdaptiveMaxPooling3D((2, 1, 1)),
        L.AdaptiveAveragePooling3D((1, 1, 1), data_format="channels_first"), L.Flatten()]),
        floats(9, 7, 3)),
    "adaptive_pooling_channels_first": (lambda: keras.Sequential([
        keras.Input((2, 7, 6)), L.AdaptiveMaxPooling2D((3, 2), data_format="channels_first"),
        L.AdaptiveAveragePooling2D((2, 2), data_format="channels_first"), L.Reshape((2, 4)),
        L.AdaptiveMaxPooling1D(3, data_format="channels_first"), L.Reshape((1, 2, 3, 1)),
        L.AdaptiveMaxPooling3D((1, 2, 2), data_format="channels_first"), L.Flatten()]),
        floats(2, 7, 6)),
    # a Lambda is exported through the ops its function runs (ember.onnx.op_trace)
    "lambda": (lambda: keras.Sequential([
        keras.Input((3, 4)), L.Dense(6), L.Lambda(lambda t: keras.ops.relu(t) * 2 + 1),
        L.Lambda(lambda t: keras.ops.concatenate([t, keras.ops.mean(t, axis=1, keepdims=True)], axis=1)),
        L.Lambda(lambda t: keras.ops.reshape(t, (-1, 24))), L.Dense(2)]), floats(3, 4)),
    "einsum_dense": (lambda: keras.Sequential([
        keras.Input((5, 6)), L.EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="de", activation="relu"),
        L.EinsumDense("...de,dea->...a", 4, bias_axes="a")]), floats(5, 6)),
    "wrappers_pipeline": (lambda: keras.Sequential([
        keras.Input((6, 6, 2)), L.SpectralNormalization(L.Conv2D(3, 3), power_iterations=2),
        L.Pipeline([L.Rescaling(0.5, offset=0.1), L.Flatten(), L.Dropout(0.2)]),
        L.SpectralNormalization(L.Dense(4)), L.Dense(2)]), floats(6, 6, 2)),
    "image_preprocessing": (lambda: keras.Sequential([
        keras.Input((12, 10, 3)), L.RandomFlip(), L.RandomRotation(0.2), L.RandomTranslation(0.1, 0.1),
        L.RandomZoom(0.2), L.RandomContrast(0.3), L.RandomBrightness(0.2), L.RandomCrop(6, 6),
        L.Resizing(9, 8), L.Resizing(7, 7, interpolation="nearest", crop_to_aspect_ratio=True),
        L.CenterCrop(5, 6), L.Resizing(8, 6, interpolation="bicubic", pad_to_aspect_ratio=True,
                                       fill_value=0.5),
        L.CenterCrop(10, 7), L.Resizing(5, 7, interpolation="area"), L.Flatten(), L.Dense(2)]),
        floats(12, 10, 3)),
    "image_preprocessing_channels_first": (lambda: keras.Sequential([
        keras.Input((2, 9, 11)), L.RandomFlip(data_format="channels_first"),
        L.Resizing(6, 5, data_format="channels_first"),
        L.CenterCrop(4, 4, data_format="channels_first"),
        L.Resizing(8, 8, interpolation="bicubic", crop_to_aspect_ratio=True,
                   data_format="channels_first"), L.Flatten()]), floats(2, 9, 11)),
    "einsum_dense_right_ellipsis": (lambda: keras.Sequential([
        keras.Input((4, 5)), L.EinsumDense("ab...,bc->ac...", (3, None), bias_axes="c")]), floats(4, 5)),
}


def _randomize(model, rng):
    values = []
    for w in model.get_weights():
        noise = rng.standard_normal(w.shape).astype(np.float32) * 0.5
        values.append(np.abs(noise) + 0.5 if w.ndim == 1 and np.all(w == 1) else noise)
    model.set_weights(values)


@pytest.mark.parametrize("case", MODELS)
def test_keras_model_export_matches_in_onnxruntime(case, tmp_path, capsys):
    build, make_input = MODELS[case]
    ember.manual_seed(0)
    rng = np.random.default_rng(0)
    model = build()
    _randomize(model, rng)
    path = tmp_path / "model.onnx"
    model.export(str(path), format="onnx")
    assert "Saved artifact" in capsys.readouterr().out
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    for batch in (1, 4):
        x = make_input(rng, batch)
        xs = x if isinstance(x, list) else [x]
        got = session.run(None, dict(zip(names, xs)))
        expected = model.predict(x, verbose=0)
        expected = expected if isinstance(expected, list) else [expected]
        assert len(got) == len(expected)
        for a, b in zip(got, expected):
            assert a.dtype == b.dtype and a.dtype in (np.float32, np.int32) and a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


class Stepper(keras.Model):
    """The recurrent cells called one step at a time, states passed by the caller (ember.keras
    has no ``keras.layers.RNN`` to run them over a sequence)."""

    def __init__(self):
        super().__init__()
        self.simple = L.SimpleRNNCell(4, activation="relu")
        self.lstm, self.gru = L.LSTMCell(4), L.GRUCell(4)
        self.gru_before = L.GRUCell(4, reset_after=False, recurrent_activation="hard_sigmoid")

    def call(self, x, h, c):
        y, [h1] = self.simple(x, [h])
        y, [h2, c2] = self.lstm(y, [h1, c])
        y, [h3] = self.gru(y, [h2])
        y, _ = self.gru_before(y, h3)
        return y, h2, c2


def test_cells_called_step_by_step(tmp_path):
    rng = np.random.default_rng(0)
    model = Stepper()
    shapes = [(5,), (4,), (4,)]
    first = [floats(*s)(rng, 2) for s in shapes]
    model(*[ember.tensor(a) for a in first])
    _randomize(model, rng)
    ember.onnx.export(model, tuple(ember.tensor(a) for a in first), str(tmp_path / "m.onnx"),
                      input_names=["x", "h", "c"], dynamic_axes={n: {0: "batch"} for n in "xhc"})
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    x = [floats(*s)(rng, 5) for s in shapes]
    got = session.run(None, dict(zip("xhc", x)))
    expected = model(*[ember.tensor(a) for a in x])
    assert len(got) == 3
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b.detach().numpy(), rtol=1e-5, atol=1e-5)


def test_every_converter_is_exercised():
    used = {type(m) for m in Stepper().modules()}
    for build, _ in MODELS.values():
        used |= {type(m) for m in build().modules()}
    missing = [c.__name__ for c in _onnx_export.CONVERTERS if c not in used and c is not L.InputLayer]
    assert not missing, f"Keras converters without an export test: {missing}"


class MinimalCell(L.Layer):
    """A user's cell (Keras's guide's minimal RNN cell)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units))

    def call(self, inputs, states):
        output = keras.ops.matmul(inputs, self.kernel) + states[0]
        return output, [output]


@pytest.mark.parametrize("model, message", [
    (lambda: keras.Sequential([keras.Input((4,)), L.Lambda(lambda x: keras.ops.erfinv(x * 0.1))]),
     r"Lambda \('lambda\w*'\): its forward calls the op Erfinv, which has no ONNX converter"),
    (lambda: keras.Sequential([keras.Input((4,)), L.Dense(2, activation=lambda x: x * 2)]),
     "Dense 'dense.*activation"),
    (lambda: keras.Sequential([keras.Input((3, 4)), L.LSTM(2, activation="linear")]),
     r"LSTM 'lstm.*activations \['linear'\] have no ONNX recurrent equivalent"),
    (lambda: keras.Sequential([keras.Input((3, 4)), L.TimeDistributed(L.Lambda(lambda x: x))]),
     "TimeDistributed 'time_distributed.*Lambda has no ONNX converter"),
    (lambda: keras.Sequential([keras.Input((3, 4)), L.Bidirectional(L.LSTM(2, activation="linear"))]),
     "LSTM 'forward_lstm.*linear"),
    (lambda: keras.Sequential([keras.Input((3, 4)), L.RNN([L.GRUCell(2), MinimalCell(2)])]),
     "RNN 'rnn.*its cell is MinimalCell; RNN is exported around SimpleRNNCell, GRUCell or "
     "LSTMCell, or StackedRNNCells of them"),
    (lambda: keras.Sequential([keras.Input((3, 4)), L.RNN(MinimalCell(2))]),
     "RNN 'rnn.*its cell is MinimalCell"),
])
def test_unsupported_keras_layers_raise_naming_them(model, message, tmp_path):
    with pytest.raises(ember.onnx.ExportError, match=message):
        model().export(str(tmp_path / "m.onnx"), format="onnx", verbose=False)
    assert not list(tmp_path.iterdir())


def test_export_formats_and_shapes_are_checked(tmp_path):
    model = keras.Sequential([keras.Input((4,)), L.Dense(2)])
    with pytest.raises(ValueError, match="format='onnx' only"):
        model.export(str(tmp_path / "m"), format="tf_saved_model")
    unbuilt = keras.Sequential([L.Dense(2)])
    with pytest.raises(ValueError, match="needs the input shape"):
        unbuilt.export(str(tmp_path / "m.onnx"), format="onnx")


# Keras layer classes without a converter of their own, with the reason (every other layer is
# exported; configurations that cannot be are refused in test_unsupported_keras_layers_raise_naming_them).
UNSUPPORTED = {
    "StackedRNNCells": None,  # runs inside RNN layers only (exported there: "stacked_cells")
    "Layer": None,  # the base class
    "Wrapper": None,  # an abstract base class
}


def _keras_layer_classes():
    import inspect
    return sorted(n for n in dir(L) if not n.startswith("_") and inspect.isclass(getattr(L, n))
                  and issubclass(getattr(L, n), L.Layer))


def test_every_keras_layer_is_exported_or_listed():
    names = _keras_layer_classes()
    listed = {getattr(L, n) for n in UNSUPPORTED}  # Keras's other spellings are the same classes
    exported = {*_onnx_export.CONVERTERS, *_onnx_export.TRACED}  # TRACED: through their ops
    unlisted = [n for n in names if getattr(L, n) not in exported and getattr(L, n) not in listed]
    assert not unlisted, f"Keras layers neither exported nor listed in UNSUPPORTED: {unlisted}"
    wrongly = [n for n in UNSUPPORTED if getattr(L, n) in exported]
    assert not wrongly, f"now exported, remove from UNSUPPORTED: {wrongly}"

