"""A functional model's ``keras.ops`` calls (``x + inputs``, ``ops.relu(h)``, ``x[:, -1]``) are
operations, not layers, as in Keras 3: ``model.layers``, ``len(model.layers)``,
``get_layer(index=...)``, freezing loops and layer-by-layer weight transfer index the same as on
Keras, while ``model.operations``, ``summary()`` rows and ``get_config()["layers"]`` list every
node. Each model is built keras.io-style with ember and with real Keras and compared."""
import re

import numpy as np
import pytest

import ember
from ember import keras as ek


def _transformer_classifier(k):
    """The keras.io timeseries-transformer shape: encoder blocks with ``res = x + inputs``."""
    def encoder(inputs, ff_dim):
        x = k.layers.MultiHeadAttention(key_dim=4, num_heads=2)(inputs, inputs)
        x = k.layers.Dropout(0.0)(x)
        x = k.layers.LayerNormalization(epsilon=1e-6)(x)
        res = x + inputs
        x = k.layers.Conv1D(filters=ff_dim, kernel_size=1, activation="relu")(res)
        x = k.layers.Conv1D(filters=inputs.shape[-1], kernel_size=1)(x)
        x = k.layers.LayerNormalization(epsilon=1e-6)(x)
        return x + res

    inputs = k.Input(shape=(6, 3))
    x = inputs
    for _ in range(2):
        x = encoder(x, ff_dim=5)
    x = k.layers.GlobalAveragePooling1D(data_format="channels_last")(x)
    x = k.layers.Dense(8, activation="relu")(x)
    return k.Model(inputs, k.layers.Dense(2, activation="softmax")(x))


def _residual_mlp(k):
    inputs = k.Input((5,))
    h = k.layers.Dense(5, activation="relu")(inputs)
    h = k.ops.relu(k.layers.Dense(5)(h) + inputs)
    gated = k.ops.sigmoid(h[:, :1]) * h[:, 1:]
    return k.Model(inputs, [k.layers.Dense(1)(gated), h[..., ::2]])


def _nested(k):
    """A functional model with ops used as a layer of another (and of a Sequential)."""
    inner_in = k.Input((4,))
    inner = k.Model(inner_in, k.ops.tanh(k.layers.Dense(4)(inner_in)) * 2.0)
    outer_in = k.Input((4,))
    x = inner(outer_in)
    x = k.layers.Dense(3)(x - outer_in[:, :1])
    stack = k.Sequential([k.Input((3,)), k.layers.Dense(3), k.layers.Dense(2)])
    return k.Model(outer_in, stack(k.ops.concatenate([x, x[:, :0]], axis=-1)))


def _sequential(k):
    return k.Sequential([k.Input((4,)), k.layers.Dense(3, activation="relu"),
                         k.layers.Dropout(0.1), k.layers.Dense(2)])


MODELS = {"transformer": (_transformer_classifier, (6, 3)), "residual_mlp": (_residual_mlp, (5,)),
          "nested": (_nested, (4,)), "sequential": (_sequential, (4,))}


def _base(name: str) -> str:
    """A name without its uniquifying counter (``add_3`` -> ``add``)."""
    return re.sub(r"_\d+$", "", name)


def _summary_rows(model) -> list:
    lines = []
    model.summary(line_length=200, print_fn=lambda text, **_: lines.append(text))
    return [(_base(m.group(1)), m.group(2))
            for m in re.finditer(r"│ (\S+) \((\w+)\)", "\n".join(lines))]


def _structure(model) -> dict:
    out = {"layers": [type(l).__name__ for l in model.layers],
           "last": type(model.layers[-1]).__name__,
           "get_layer(-1)": type(model.get_layer(index=-1)).__name__,
           "summary": _summary_rows(model),
           "config_layers": [_base(spec["config"]["name"]) for spec in
                             model.get_config()["layers"]]}
    if hasattr(model, "operations"):
        out["operations"] = [(_base(o.name), type(o).__name__) for o in model.operations]
    return out


@pytest.mark.parametrize("name", MODELS)
def test_layers_operations_summary_and_config_list_what_keras_lists(keras_ref, name):
    build, _ = MODELS[name]
    k_model, e_model = build(keras_ref), build(ek)
    ours, theirs = _structure(e_model), _structure(k_model)
    assert ours == theirs
    assert hasattr(e_model, "operations") == hasattr(k_model, "operations")


def test_op_nodes_are_not_layers(keras_ref):
    for k in (keras_ref, ek):
        model = _residual_mlp(k)
        names = [l.name for l in model.layers]
        op = next(o for o in model.operations if o.name not in names)
        with pytest.raises(ValueError, match=f"No such layer: {op.name}"):
            model.get_layer(op.name)
        assert len(model.layers) == 4  # Input, three Dense; the ops are not counted
        assert len(model.operations) > len(model.layers)


@pytest.mark.parametrize("name", MODELS)
def test_layer_loops_freeze_and_transfer_weights_as_on_keras(keras_ref, name):
    import torch
    build, shape = MODELS[name]
    k_model, e_model = build(keras_ref), build(ek)
    rng = np.random.default_rng(0)
    for k_layer, e_layer in zip(k_model.layers, e_model.layers):  # weight transfer by layer
        weights = [rng.standard_normal(w.shape).astype(np.float32) * 0.5
                   for w in k_layer.get_weights()]
        k_layer.set_weights(weights)
        e_layer.set_weights(weights)
    x = rng.standard_normal((4,) + shape).astype(np.float32)
    for ours, theirs in zip(_flat(e_model(ember.tensor(x))), _flat(k_model(torch.tensor(x)))):
        assert ours.dtype == ember.float32
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(),
                                   rtol=1e-5, atol=1e-5)
    for model in (k_model, e_model):  # freeze all but the last layer
        for layer in model.layers[:-1]:
            layer.trainable = False
    assert [tuple(w.shape) for w in e_model.trainable_weights] == \
        [tuple(w.shape) for w in k_model.trainable_weights]
    assert len(e_model.non_trainable_weights) == len(k_model.non_trainable_weights)


def _flat(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


CALLS = {
    "true_divide": lambda k, x: x / 2.0, "divide": lambda k, x: k.ops.divide(x, 2.0),
    "abs": lambda k, x: abs(x), "ops_abs": lambda k, x: k.ops.abs(x),
    "swish": lambda k, x: k.ops.swish(x), "hard_swish": lambda k, x: k.ops.hard_swish(x),
    "rms_normalization": lambda k, x: k.ops.rms_normalization(x),
    "negative": lambda k, x: -x, "power": lambda k, x: x ** 2, "rsub": lambda k, x: 1.0 - x,
    "get_item": lambda k, x: x[:, ::2], "concatenate": lambda k, x: k.ops.concatenate([x, x]),
    "stack": lambda k, x: k.ops.stack([x, x], axis=1), "matmul": lambda k, x: x @ k.ops.ones((4, 2)),
    "split": lambda k, x: k.ops.split(x, 2, axis=-1)[1],
}


@pytest.mark.parametrize("call", CALLS)
def test_operation_class_and_name_are_keras(keras_ref, call):
    found = []
    for k in (keras_ref, ek):
        x = k.Input((4,))
        op = CALLS[call](k, x)._keras_history.operation
        found.append((type(op).__name__, _base(op.name)))
    assert found[1] == found[0]


def _counter(make):
    return int((re.findall(r"_(\d+)$", make().name) or ["0"])[0])


def test_attention_takes_the_softmax_and_dropout_names_keras_gives_its_sublayers(keras_ref):
    steps = []
    for k in (keras_ref, ek):
        before = (_counter(lambda: k.layers.Dropout(0.1)), _counter(k.layers.Softmax))
        k.layers.MultiHeadAttention(num_heads=2, key_dim=2)(k.Input((3, 4)), k.Input((3, 4)))
        after = (_counter(lambda: k.layers.Dropout(0.1)), _counter(k.layers.Softmax))
        steps.append((after[0] - before[0], after[1] - before[1]))
    assert steps[1] == steps[0] == (2, 2)


def test_summary_text_is_keras_text_with_long_names_cut(keras_ref):
    texts = []
    for k in (keras_ref, ek):
        a = k.Input((4,), name="first_input_with_a_rather_long_name")
        b = k.Input((4,), name="second")
        h = k.layers.Dense(3, name="a_dense_layer_whose_name_is_longer_than_its_cell")(a)
        out = k.layers.Concatenate(name="joined")([h, k.layers.Dense(2, name="side")(b)])
        lines = []
        k.Model([a, b], out, name="two_inputs").summary(
            line_length=76, print_fn=lambda text, **_: lines.append(text))
        texts.append("\n".join(lines).strip("\n"))
    assert "…" in texts[0]
    assert texts[1] == texts[0]
