"""keras.layers.RNN around built-in, stacked and user-written cells, against Keras 3 (torch
backend) from the same weights: outputs, states and gradients, masks, configs and errors."""
import numpy as np
import pytest

import ember
from ember import keras as ek
from test_sequence_layers import TOL, _flat, _np, _run_both


def _minimal_cell(K):
    """A user's cell, written once against ``K`` (Keras or ember.keras), in the style of the
    Keras RNN guide: one state, ``call(inputs, states)`` returning ``(output, [state])``."""
    class MinimalCell(K.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                          initializer="glorot_uniform", name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    initializer="orthogonal",
                                                    name="recurrent_kernel")

        def call(self, inputs, states):
            prev = states[0]
            out = K.ops.tanh(K.ops.matmul(inputs, self.kernel)
                             + K.ops.matmul(prev, self.recurrent_kernel))
            return out, [out]
    return MinimalCell


def _two_state_cell(K):
    """A cell with two states of different sizes and no ``output_size``."""
    class TwoState(K.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.state_size = [4, 2]

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 4), initializer="glorot_uniform",
                                     name="w")
            self.v = self.add_weight(shape=(4, 2), initializer="glorot_uniform", name="v")

        def call(self, inputs, states):
            h = K.ops.sigmoid(K.ops.matmul(inputs, self.w) + states[0])
            s = states[1] + K.ops.matmul(h, self.v)
            return h * K.ops.mean(s, axis=-1, keepdims=True), [h, s]
    return TwoState


CELLS = {
    "lstm_cell": lambda K: K.layers.LSTMCell(5),
    "gru_cell": lambda K: K.layers.GRUCell(5, reset_after=False),
    "stacked": lambda K: [K.layers.SimpleRNNCell(4), K.layers.LSTMCell(5), K.layers.GRUCell(3)],
    "stacked_object": lambda K: K.layers.StackedRNNCells([K.layers.GRUCell(3),
                                                          K.layers.SimpleRNNCell(2)]),
    "minimal": lambda K: _minimal_cell(K)(5),
    "two_state": lambda K: _two_state_cell(K)(),
    "minimal_in_stack": lambda K: [_minimal_cell(K)(3), K.layers.LSTMCell(2)],
}
OPTIONS = [{}, {"return_sequences": True}, {"return_state": True},
           {"go_backwards": True, "return_sequences": True, "return_state": True}]
CASES = [(c, o) for c in CELLS for o in OPTIONS]


@pytest.mark.parametrize("cell,kwargs", CASES, ids=[f"{c}-{o}" for c, o in CASES])
def test_rnn_layer_matches_keras(keras_ref, cell, kwargs):
    x = np.random.default_rng(3).standard_normal((3, 6, 4)).astype(np.float32)
    k_layer = keras_ref.layers.RNN(CELLS[cell](keras_ref), **kwargs)
    e_layer = ek.layers.RNN(CELLS[cell](ek), **kwargs)
    _run_both(keras_ref, k_layer, e_layer, [x])
    assert e_layer.compute_output_shape((3, 6, 4)) == k_layer.compute_output_shape((3, 6, 4))


MASK_CASES = [(c, o) for c in ("minimal", "two_state", "lstm_cell", "stacked")
              for o in ({"return_sequences": True}, {"return_state": True},
                        {"return_sequences": True, "zero_output_for_mask": True},
                        {"go_backwards": True, "return_sequences": True},
                        {"go_backwards": True, "zero_output_for_mask": True,
                         "return_sequences": True, "return_state": True})]


@pytest.mark.parametrize("cell,kwargs", MASK_CASES, ids=[f"{c}-{o}" for c, o in MASK_CASES])
def test_masked_steps_match_keras(keras_ref, cell, kwargs):
    import torch
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 5, 3)).astype(np.float32)
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [0, 1, 1, 0, 1], [0, 0, 0, 0, 0]], bool)
    k_layer = keras_ref.layers.RNN(CELLS[cell](keras_ref), **kwargs)
    e_layer = ek.layers.RNN(CELLS[cell](ek), **kwargs)
    k_layer(torch.tensor(x))
    e_layer(ember.tensor(x))
    e_layer.set_weights(k_layer.get_weights())
    k_out = k_layer(torch.tensor(x), mask=torch.tensor(mask))
    e_out = e_layer(ember.tensor(x), mask=ember.tensor(mask))
    k_out, e_out = _flat(k_out), _flat(e_out)
    assert len(k_out) == len(e_out)
    for a, b in zip(e_out, k_out):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(_np(a), _np(b), **TOL)


def test_embedding_mask_reaches_a_user_cell(keras_ref):
    """Embedding(mask_zero=True) -> RNN(user cell) in a model: the mask skips padded steps."""
    import torch
    tokens = np.array([[3, 5, 0, 0], [1, 2, 7, 4]], np.int64)
    outs = []
    for K in (keras_ref, ek):
        K.utils.set_random_seed(0)
        model = K.Sequential([K.Input((4,), dtype="int64"), K.layers.Embedding(10, 3, mask_zero=True),
                              K.layers.RNN(_minimal_cell(K)(4))])
        outs.append(model)
    outs[1].set_weights(outs[0].get_weights())
    k, e = outs[0](torch.tensor(tokens)), outs[1](ember.tensor(tokens))
    np.testing.assert_allclose(_np(e), _np(k), **TOL)
    # the first row's output is its second step's: the padded steps kept the state
    embed, rnn = outs[1].layers
    short = rnn(embed(ember.tensor(tokens[:1, :2])))
    np.testing.assert_allclose(_np(e)[0], _np(short)[0], **TOL)


def test_config_round_trip_and_weights_paths(keras_ref):
    k_layer = keras_ref.layers.RNN(keras_ref.layers.LSTMCell(3), return_sequences=True,
                                   name="rnn_a")
    e_layer = ek.layers.RNN(ek.layers.LSTMCell(3), return_sequences=True, name="rnn_a")
    k_layer.build((2, 5, 4))
    e_layer.build((2, 5, 4))
    assert [w.path for w in e_layer.weights] == [w.path for w in k_layer.weights]
    k_cfg, e_cfg = k_layer.get_config(), e_layer.get_config()
    assert set(e_cfg) <= set(k_cfg) | {"dtype"}
    for key in ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                "zero_output_for_mask"):
        assert e_cfg[key] == k_cfg[key], key
    assert e_cfg["cell"]["class_name"] == k_cfg["cell"]["class_name"] == "LSTMCell"
    again = ek.layers.RNN.from_config(e_cfg)
    assert isinstance(again.cell, ek.layers.LSTMCell) and again.cell.units == 3
    stacked = ek.layers.RNN([ek.layers.GRUCell(2), ek.layers.LSTMCell(3)])
    back = ek.layers.RNN.from_config(stacked.get_config())
    assert [type(c).__name__ for c in back.cell.cells] == ["GRUCell", "LSTMCell"]


def test_a_model_with_rnn_saves_and_loads(tmp_path):
    model = ek.Sequential([ek.Input((5, 3)), ek.layers.RNN([ek.layers.LSTMCell(4),
                                                            ek.layers.GRUCell(2)])])
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = ek.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


@pytest.mark.parametrize("cell,message", [
    (object(), "should have a `call` method"),
    (type("NoState", (), {"call": lambda self, x, s: (x, s)})(), "`state_size` attribute"),
])
def test_bad_cells_are_refused_as_keras_does(keras_ref, cell, message):
    with pytest.raises(ValueError, match=message):
        keras_ref.layers.RNN(cell)
    with pytest.raises(ValueError, match=message):
        ek.layers.RNN(cell)


def test_wrong_rank_is_refused():
    layer = ek.layers.RNN(ek.layers.SimpleRNNCell(2))
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        layer(np.zeros((2, 3), np.float32))
