"""ONNX export of Keras masks, initial states and attention masks (issue 18): masks made by
``Embedding(mask_zero=True)`` and ``Masking`` travel through the graph and are applied where
ember applies them (recurrent layers, ``Bidirectional``, attention, ``GlobalAveragePooling1D``);
``initial_state`` and attention masks can be inputs of the model. Run in onnxruntime at two
batch sizes, on masks with leading, inner and trailing gaps and fully masked rows, against
ember within 1e-5."""
import io
import warnings

import numpy as np
import pytest

import ember
from ember import keras

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
import ember.onnx  # noqa: E402

from ._onnx_check import assert_runs_as_ember  # noqa: E402

L = keras.layers


def tokens(batch, steps, rng, vocab=10):
    """Ids with 0 (masked) at the start, inside and at the end of rows; row 1 fully masked."""
    x = rng.integers(1, vocab, (batch, steps))
    for i in range(batch):
        x[i, rng.integers(1, steps + 1):] = 0
    x[0, :2] = 0
    x[0, steps // 2 + 1] = 0
    if batch > 1:
        x[1] = 0
    return x.astype(np.int64)


def _recurrent():
    inputs = keras.Input((7,), dtype="int64")
    x = L.Embedding(10, 4, mask_zero=True)(inputs)
    seq = L.LSTM(5, return_sequences=True)(x)
    back = L.GRU(3, return_sequences=True, go_backwards=True, zero_output_for_mask=True)(seq)
    last = L.SimpleRNN(3, activation="relu")(back)
    out, h, c = L.LSTM(2, return_state=True, go_backwards=True, recurrent_activation="hard_sigmoid")(seq)
    plain = L.GRU(2, reset_after=False, return_sequences=True)(L.Dense(4, activation="tanh")(x))
    return keras.Model(inputs, [last, out, h, c, L.GlobalAveragePooling1D()(plain)])


def _bidirectional():
    inputs = keras.Input((6,), dtype="int64")
    x = L.Embedding(10, 4, mask_zero=True)(inputs)
    seq = L.Bidirectional(L.LSTM(3, return_sequences=True))(x)
    both = L.Bidirectional(L.GRU(2, return_state=True), merge_mode=None)(seq)
    summed = L.Bidirectional(L.SimpleRNN(2), merge_mode="sum")(x)
    return keras.Model(inputs, [seq, *both, summed])


def _attention():
    q, v = keras.Input((5,), dtype="int64"), keras.Input((4,), dtype="int64")
    qe, ve = L.Embedding(10, 8, mask_zero=True)(q), L.Embedding(10, 8, mask_zero=True)(v)
    fused = L.MultiHeadAttention(2, 4)(qe, ve)
    explicit, scores = L.MultiHeadAttention(2, 4)(qe, ve, return_attention_scores=True)
    causal = L.MultiHeadAttention(2, 3)(qe, qe, use_causal_mask=True)
    single = L.Attention()([qe, ve])
    additive = L.AdditiveAttention()([qe, ve], use_causal_mask=True)
    return keras.Model([q, v], [fused, explicit, scores, causal, single, additive])


def _masking(rng, batch):
    x = rng.standard_normal((batch, 6, 3)).astype(np.float32)
    x[0, 4:] = 0.0
    x[0, 1] = 0.0
    if batch > 1:
        x[1] = 0.0
    return x


MODELS = {
    "recurrent": (_recurrent, lambda rng, batch: tokens(batch, 7, rng)),
    "rnn_layer": (lambda: keras.Sequential([
        keras.Input((7,), dtype="int64"), L.Embedding(10, 4, mask_zero=True),
        L.RNN(L.LSTMCell(3), return_sequences=True, zero_output_for_mask=True),
        L.RNN(L.GRUCell(2), go_backwards=True)]), lambda rng, batch: tokens(batch, 7, rng)),
    "stacked_cells": (lambda: keras.Sequential([
        keras.Input((7,), dtype="int64"), L.Embedding(10, 4, mask_zero=True),
        L.RNN([L.LSTMCell(3), L.GRUCell(2)], return_sequences=True, zero_output_for_mask=True),
        L.RNN([L.SimpleRNNCell(3), L.GRUCell(2, reset_after=False)], go_backwards=True)]),
        lambda rng, batch: tokens(batch, 7, rng)),
    "bidirectional_rnn": (lambda: keras.Sequential([
        keras.Input((7,), dtype="int64"), L.Embedding(10, 4, mask_zero=True),
        L.Bidirectional(L.RNN([L.LSTMCell(3), L.GRUCell(2)], return_sequences=True)),
        L.Bidirectional(L.RNN(L.SimpleRNNCell(2)), merge_mode="ave")]),
        lambda rng, batch: tokens(batch, 7, rng)),
    "bidirectional": (_bidirectional, lambda rng, batch: tokens(batch, 6, rng)),
    "attention": (_attention, lambda rng, batch: [tokens(batch, 5, rng), tokens(batch, 4, rng)]),
    "masking": (lambda: keras.Sequential([
        keras.Input((6, 3)), L.Masking(0.0), L.Dense(4), L.LSTM(3, return_sequences=True),
        L.Dropout(0.2), L.GlobalAveragePooling1D()]), _masking),
}


def _check(model, make_input, path, batches=(4, 1), rng=None):
    rng = rng or np.random.default_rng(0)
    model.export(str(path), format="onnx", verbose=False)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    for batch in batches:
        x = make_input(rng, batch)
        xs = x if isinstance(x, list) else [x]
        got = session.run(None, dict(zip(names, xs)))
        expected = model.predict(x, verbose=0)
        expected = expected if isinstance(expected, list) else [expected]
        assert len(got) == len(expected)
        for a, b in zip(got, expected):
            assert a.dtype == b.dtype == np.float32 and a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)  # NaN where ember has NaN


@pytest.mark.parametrize("case", MODELS)
def test_masked_model_matches_in_onnxruntime(case, tmp_path):
    build, make_input = MODELS[case]
    ember.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras's warning where a layer drops a mask
        _check(build(), make_input, tmp_path / "m.onnx")


def _initial_states():
    inputs, h0, c0 = keras.Input((6, 3)), keras.Input((4,)), keras.Input((4,))
    g0, hb, cb = keras.Input((2,)), keras.Input((4,)), keras.Input((4,))
    lstm = L.LSTM(4, return_sequences=True)(inputs, initial_state=[h0, c0])
    gru = L.GRU(2, go_backwards=True)(inputs, g0)  # positionally
    bi = L.Bidirectional(L.LSTM(4))(inputs, initial_state=[h0, c0, hb, cb])
    return keras.Model([inputs, h0, c0, g0, hb, cb], [lstm, gru, bi])


def _masked_initial_states():
    tokens_in, h0 = keras.Input((6,), dtype="int64"), keras.Input((3,))
    x = L.Embedding(10, 4, mask_zero=True)(tokens_in)
    return keras.Model([tokens_in, h0], L.SimpleRNN(3, return_sequences=True)(x, initial_state=h0))


def _states_input(rng, batch):
    shapes = [(6, 3), (4,), (4,), (2,), (4,), (4,)]
    return [rng.standard_normal((batch,) + s).astype(np.float32) for s in shapes]


@pytest.mark.parametrize("build, make_input", [
    (_initial_states, _states_input),
    (_masked_initial_states, lambda rng, batch: [tokens(batch, 6, rng),
                                                 rng.standard_normal((batch, 3)).astype(np.float32)]),
], ids=["initial_state", "masked_initial_state"])
def test_initial_state_inputs(build, make_input, tmp_path):
    ember.manual_seed(1)
    _check(build(), make_input, tmp_path / "m.onnx")


def _positional_masks():
    """MultiHeadAttention(query, value, key, query_mask, value_mask, key_mask, attention_mask)
    with masks given as inputs of the model, positionally."""
    q, v = keras.Input((5, 6)), keras.Input((4, 6))
    value_mask, attention_mask = keras.Input((4,), dtype="bool"), keras.Input((5, 4), dtype="bool")
    a = L.MultiHeadAttention(2, 3)(q, v, v, None, value_mask)
    b = L.MultiHeadAttention(2, 3)(q, v, None, None, None, None, attention_mask)
    c, scores = L.MultiHeadAttention(2, 3)(q, v, key=v, key_mask=value_mask,
                                            attention_mask=attention_mask,
                                            return_attention_scores=True)
    return keras.Model([q, v, value_mask, attention_mask], [a, b, c, scores])


def _mask_inputs(rng, batch):
    value_mask = rng.random((batch, 4)) < 0.7
    value_mask[0] = False  # a query row with every key masked
    return [rng.standard_normal((batch, 5, 6)).astype(np.float32),
            rng.standard_normal((batch, 4, 6)).astype(np.float32), value_mask,
            rng.random((batch, 5, 4)) < 0.7]


def test_attention_masks_as_positional_inputs(tmp_path):
    ember.manual_seed(2)
    _check(_positional_masks(), _mask_inputs, tmp_path / "m.onnx")


class OutsideMask(keras.Model):
    def __init__(self):
        super().__init__()
        self.lstm = L.LSTM(2)

    def call(self, x):
        return self.lstm(x, mask=x[:, :, 0] > 0)


class TimeDistributedMask(keras.Model):
    def __init__(self):
        super().__init__()
        self.embed = L.Embedding(5, 3, mask_zero=True)
        self.wrap = L.TimeDistributed(L.Lambda(lambda x, mask=None: x))

    def call(self, x):
        return self.wrap(self.embed(x))


def test_a_mask_computed_in_call_is_traced():
    """``mask=x[:, :, 0] > 0`` is written as ONNX nodes (ember.onnx.op_trace), batch dynamic."""
    ember.manual_seed(3)
    model, rng = OutsideMask(), np.random.default_rng(3)
    buffer = io.BytesIO()
    ember.onnx.export(model, ember.tensor(np.ones((2, 3, 4), np.float32)), buffer,
                      input_names=["x"], dynamic_axes={"x": {0: "batch"}})
    session = ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
    assert_runs_as_ember(session, model, [{"x": rng.standard_normal((b, 3, 4)).astype(np.float32)}
                                          for b in (1, 5)])


@pytest.mark.parametrize("model, x, message", [
    (TimeDistributedMask, np.ones((2, 3), np.int64),
     r"TimeDistributed 'time_distributed.*Lambda"),
])
def test_masks_that_cannot_be_exported_are_named(model, x, message, tmp_path):
    path = tmp_path / "m.onnx"
    with pytest.raises(ember.onnx.ExportError, match=message):
        ember.onnx.export(model(), ember.tensor(x), str(path))
    assert not path.exists()
