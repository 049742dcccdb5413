"""keras.ops functions and Python operators on KerasTensors build functional models, as in Keras 3
(`res = x + inputs`, `ops.relu(h)`, `x[:, -1]`, `ops.concatenate([...])`): shapes, dtypes and
summaries of the symbolic calls, and outputs, gradients and fit trajectories equal to real
Keras's from the same weights; the model's config and saved file round-trip."""
import numpy as np
import pytest

import ember
from ember import keras as ek


def _residual(k):
    inputs = k.Input((6, 4))
    x = k.layers.LayerNormalization(epsilon=1e-6)(inputs)
    x = k.layers.MultiHeadAttention(key_dim=4, num_heads=2)(x, x)
    res = x + inputs
    x = k.layers.Dense(4, activation="relu")(res)
    x = k.ops.relu(x) * 0.5 + res
    pooled = k.ops.concatenate([k.ops.mean(x, axis=1), x[:, -1], k.ops.max(x, axis=1)], axis=-1)
    out = k.layers.Dense(3)(1.0 - pooled)
    return k.Model(inputs, out)


def _mixed(k):
    inputs = k.Input((5,))
    h = k.layers.Dense(5, activation="tanh")(inputs)
    gate = k.ops.sigmoid(h)
    x = gate * inputs + (1 - gate) * h
    x = k.ops.expand_dims(x, -1) @ k.ops.ones((1, 2))
    x = k.ops.reshape(x, (-1, 10)) / 2.0
    x = k.ops.where(x > 0, x, x * 0.1) - abs(x) ** 2
    return k.Model(inputs, k.layers.Dense(1)(-x))


MODELS = {"residual_attention": (_residual, (6, 4)), "mixed_ops": (_mixed, (5,))}


@pytest.mark.parametrize("name", MODELS)
def test_functional_model_with_ops_matches_keras(keras_ref, name):
    import torch
    build, shape = MODELS[name]
    k_model, e_model = build(keras_ref), build(ek)
    assert [type(l).__name__ for l in e_model.layers] == [type(l).__name__ for l in k_model.layers]
    assert [type(o).__name__ for o in e_model.operations] == \
        [type(o).__name__ for o in k_model.operations]
    assert [tuple(t.shape) for t in e_model.outputs] == [tuple(t.shape) for t in k_model.outputs]
    rng = np.random.default_rng(0)
    e_model.set_weights([rng.standard_normal(w.shape).astype(np.float32) * 0.5
                         for w in e_model.get_weights()])
    k_model.set_weights(e_model.get_weights())
    x = rng.standard_normal((8,) + shape).astype(np.float32)
    y = rng.standard_normal((8, k_model.outputs[0].shape[-1])).astype(np.float32)
    out = e_model(ember.tensor(x))
    assert out.dtype == ember.float32
    np.testing.assert_allclose(out.detach().numpy(), k_model(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-5)
    for model in (k_model, e_model):
        model.compile(optimizer="sgd", loss="mse")
    k_hist = k_model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history["loss"]
    e_hist = e_model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(e_hist, k_hist, rtol=1e-4)
    for a, b in zip(e_model.get_weights(), k_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_symbolic_calls_are_named_shaped_and_typed_as_keras(keras_ref):
    for k in (keras_ref, ek):
        x = k.Input((3, 4))
        assert tuple(k.ops.shape(x)) == (None, 3, 4)
        assert tuple((x > 0).shape) == (None, 3, 4) and "bool" in str((x > 0).dtype)
        assert tuple(x[:, 0].shape) == (None, 4)
        assert tuple(k.ops.sum(x, axis=1).shape) == (None, 4)
        assert tuple((2 * x).shape) == tuple((x @ k.ops.ones((4, 2)))[..., 0:1].shape[:-1]) + (4,)
    x = ek.Input((3, 4))
    y = ek.ops.relu(x)
    layer = y._keras_history.operation
    assert (type(layer).__name__, layer.name.split("_")[0]) == ("Relu", "relu")
    with pytest.raises(TypeError, match="A symbolic KerasTensor cannot be used as a boolean"):
        bool(x)
    with pytest.raises(ValueError, match="cannot convert it to a float|You cannot convert it to a float"):
        float(x)


@pytest.mark.parametrize("name", MODELS)
def test_functional_model_with_ops_saves_and_loads(tmp_path, name):
    build, shape = MODELS[name]
    model = build(ek)
    x = np.random.default_rng(2).standard_normal((4,) + shape).astype(np.float32)
    expected = model(x).detach().numpy()
    clone = ek.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone(x).detach().numpy(), expected, rtol=1e-6)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = ek.saving.load_model(path)
    np.testing.assert_allclose(loaded(x).detach().numpy(), expected, rtol=1e-6)
