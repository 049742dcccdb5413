"""ConvLSTM1D/2D/3D against Keras 3 (torch backend) from the same weights: outputs, states and
gradients of inputs and weights over strides, padding, dilation, both data formats,
go_backwards, return_sequences/return_state, initial states and masks; dropout masks fixed over
the steps; configs, shapes, errors and a tiny fit."""
import numpy as np
import pytest

import ember
from ember import keras as ek
from ember.keras.layers.masking import get_keras_mask, set_keras_mask
from test_sequence_layers import TOL, _flat, assert_same_error, _np, _run_both

CASES = [
    ("ConvLSTM1D", (2, 4, 7, 2), {"filters": 2, "kernel_size": 3}),
    ("ConvLSTM1D", (2, 4, 7, 2), {"filters": 2, "kernel_size": 3, "strides": 2,
                                  "go_backwards": True, "return_sequences": True}),
    ("ConvLSTM1D", (2, 4, 2, 7), {"filters": 3, "kernel_size": 2, "dilation_rate": 2,
                                  "data_format": "channels_first", "return_state": True}),
    ("ConvLSTM2D", (2, 3, 6, 5, 2), {"filters": 3, "kernel_size": (3, 2), "padding": "same",
                                     "return_sequences": True, "return_state": True}),
    ("ConvLSTM2D", (2, 3, 2, 6, 5), {"filters": 2, "kernel_size": 3, "activation": "relu",
                                     "data_format": "channels_first", "unit_forget_bias": False,
                                     "recurrent_activation": "hard_sigmoid"}),
    ("ConvLSTM2D", (1, 3, 5, 5, 1), {"filters": 2, "kernel_size": 2, "strides": (2, 1),
                                     "use_bias": False, "go_backwards": True,
                                     "return_state": True}),
    ("ConvLSTM3D", (1, 3, 4, 4, 3, 2), {"filters": 2, "kernel_size": 2, "padding": "same",
                                        "return_sequences": True}),
]


@pytest.mark.parametrize("name,shape,ctor", CASES, ids=[f"{n}-{c}" for n, _, c in CASES])
def test_conv_lstm_matches_keras(keras_ref, name, shape, ctor):
    rng = np.random.default_rng(11)
    x = rng.standard_normal(shape).astype(np.float32)
    k_layer, e_layer = (getattr(mod.layers, name)(**ctor) for mod in (keras_ref, ek))
    e_out, k_out = _run_both(keras_ref, k_layer, e_layer, [x])
    assert [w.path for w in e_layer.weights] == [w.path for w in k_layer.weights]
    expected = _shapes(k_layer.compute_output_shape(shape))
    assert _shapes(e_layer.compute_output_shape(shape)) == expected
    assert [tuple(e.shape) for e in e_out] == expected


def _shapes(shape):
    """A shape or a tuple of shapes as a list of tuples."""
    if isinstance(shape[0], (tuple, list)):
        return [tuple(s) for s in shape]
    return [tuple(shape)]


@pytest.mark.parametrize("merge_mode", ["concat", "sum"])
def test_bidirectional_conv_lstm_matches_keras(keras_ref, merge_mode):
    x = np.random.default_rng(17).standard_normal((2, 3, 5, 4, 2)).astype(np.float32)
    k_layer, e_layer = (mod.layers.Bidirectional(
        mod.layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True),
        merge_mode=merge_mode) for mod in (keras_ref, ek))
    _run_both(keras_ref, k_layer, e_layer, [x])


def test_conv_lstm_with_initial_state(keras_ref):
    import torch
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 3, 5, 2)).astype(np.float32)
    h0, c0 = (rng.standard_normal((2, 5, 3)).astype(np.float32) for _ in range(2))
    layers = [mod.layers.ConvLSTM1D(3, 3, padding="same", return_state=True)
              for mod in (keras_ref, ek)]
    layers[0](torch.tensor(x)), layers[1](ember.tensor(x))
    layers[1].set_weights(layers[0].get_weights())
    k_out = layers[0](torch.tensor(x), initial_state=[torch.tensor(h0), torch.tensor(c0)])
    e_out = layers[1](ember.tensor(x), initial_state=[ember.tensor(h0), ember.tensor(c0)])
    for a, b in zip(e_out, k_out):
        np.testing.assert_allclose(_np(a), _np(b), **TOL)


@pytest.mark.parametrize("ctor", [{"return_sequences": True}, {"return_state": True},
                                  {"go_backwards": True, "return_sequences": True}], ids=str)
def test_conv_lstm_with_a_mask(keras_ref, ctor):
    """A masked step keeps the previous output and states, as Keras's loop does; the output
    carries the mask with return_sequences."""
    import torch
    rng = np.random.default_rng(13)
    x = rng.standard_normal((3, 5, 4, 2)).astype(np.float32)
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 0, 1, 1, 0]], bool)
    layers = [mod.layers.ConvLSTM1D(2, 2, padding="same", **ctor) for mod in (keras_ref, ek)]
    layers[0](torch.tensor(x)), layers[1](ember.tensor(x))
    layers[1].set_weights(layers[0].get_weights())
    k_out = layers[0](torch.tensor(x), mask=torch.tensor(mask))
    e_out = layers[1](ember.tensor(x), mask=ember.tensor(mask))
    for a, b in zip(_flat(e_out), _flat(k_out)):
        np.testing.assert_allclose(_np(a), _np(b), **TOL)
    masked = ember.tensor(x)
    set_keras_mask(masked, ember.tensor(mask))
    out = _flat(layers[1](masked))[0]
    assert (get_keras_mask(out) is not None) == bool(ctor.get("return_sequences"))


@pytest.mark.parametrize("return_sequences", [True, False])
def test_bidirectional_conv_lstm_with_a_mask(keras_ref, return_sequences):
    """Inside Bidirectional a masked step outputs zeros (Keras sets zero_output_for_mask)."""
    import torch
    rng = np.random.default_rng(18)
    x = rng.standard_normal((3, 5, 4, 2)).astype(np.float32)
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 0, 1, 1, 0]], bool)
    layers = [mod.layers.Bidirectional(mod.layers.ConvLSTM1D(
        2, 2, padding="same", return_sequences=return_sequences)) for mod in (keras_ref, ek)]
    layers[0](torch.tensor(x)), layers[1](ember.tensor(x))
    layers[1].set_weights(layers[0].get_weights())
    k_out = layers[0](torch.tensor(x), mask=torch.tensor(mask))
    e_out = layers[1](ember.tensor(x), mask=ember.tensor(mask))
    np.testing.assert_allclose(_np(e_out), _np(k_out), **TOL)


def test_conv_lstm_dropout_masks_are_drawn_once_per_call():
    """With dropout, a training call differs from an inference call and two training calls
    differ; inference is deterministic; every output stays float32."""
    rng = np.random.default_rng(14)
    x = ember.tensor(rng.standard_normal((2, 4, 6, 2)).astype(np.float32))
    layer = ek.layers.ConvLSTM1D(3, 3, dropout=0.5, recurrent_dropout=0.3, seed=1)
    infer = [layer(x).detach().numpy() for _ in range(2)]
    train = [layer(x, training=True).detach().numpy() for _ in range(2)]
    np.testing.assert_array_equal(infer[0], infer[1])
    assert not np.allclose(train[0], infer[0]) and not np.allclose(train[0], train[1])
    assert train[0].dtype == np.float32 and layer.cell._masks == {}


def test_conv_lstm_learns_in_a_sequential_model():
    rng = np.random.default_rng(15)
    x = rng.standard_normal((24, 3, 5, 5, 1)).astype(np.float32)
    y = x.mean(axis=(1, 2, 3))
    ember.manual_seed(0)
    model = ek.Sequential([ek.Input((3, 5, 5, 1)), ek.layers.ConvLSTM2D(3, 3, padding="same"),
                           ek.layers.GlobalAveragePooling2D(), ek.layers.Dense(1)])
    model.compile(optimizer=ek.optimizers.Adam(0.02), loss="mse")
    history = model.fit(x, y, epochs=12, batch_size=8, verbose=0).history["loss"]
    assert history[-1] < 0.5 * history[0]
    assert model.count_params() == 3 * 3 * 1 * 12 + 3 * 3 * 3 * 12 + 12 + 3 + 1
    assert "conv_lstm2d" in _summary(model)


def test_saved_conv_lstm_model_reloads(tmp_path):
    model = ek.Sequential([ek.Input((3, 4, 2)),
                           ek.layers.ConvLSTM1D(2, 3, padding="same", return_sequences=True),
                           ek.layers.ConvLSTM1D(2, 2, go_backwards=True), ek.layers.Flatten()])
    model.save(tmp_path / "m.keras")
    again = ek.models.load_model(tmp_path / "m.keras")
    x = np.random.default_rng(16).standard_normal((2, 3, 4, 2)).astype(np.float32)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def _summary(model):
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


@pytest.mark.parametrize("make", [
    lambda: ek.layers.ConvLSTM1D(3, 2, strides=2, go_backwards=True, dropout=0.1),
    lambda: ek.layers.ConvLSTM2D(2, (3, 1), padding="same", data_format="channels_first",
                                 return_sequences=True, unit_forget_bias=False),
    lambda: ek.layers.ConvLSTM3D(4, 1, activation="relu", return_state=True)])
def test_config_round_trip(keras_ref, make):
    layer = make()
    config = layer.get_config()
    again = type(layer).from_config(config)
    assert again.get_config() == config
    reference = getattr(keras_ref.layers, type(layer).__name__).from_config(config).get_config()
    plain = [k for k in config if k in reference and not isinstance(config[k], dict)]
    assert len(plain) > 15 and {k: reference[k] for k in plain} == {k: config[k] for k in plain}


ERROR_CASES = [
    (lambda m: m.layers.ConvLSTM2D(2, 3)(np.zeros((2, 3, 4, 1), np.float32)), ValueError,
     "expected ndim=5, found ndim=4"),
    (lambda m: m.layers.ConvLSTM1D(2, 3, strides=2, dilation_rate=2), ValueError,
     "`strides > 1` is not compatible with `dilation_rate > 1`"),
    (lambda m: m.layers.ConvLSTM2D(2, (3, 3, 3)), ValueError, "kernel_size"),
]


@pytest.mark.parametrize("fn,exc,text", ERROR_CASES, ids=[c[2][:30] for c in ERROR_CASES])
def test_errors_are_keras(keras_ref, fn, exc, text):
    assert_same_error(keras_ref, fn, exc, text)
