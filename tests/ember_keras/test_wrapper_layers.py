"""keras.layers.Wrapper, SpectralNormalization, Pipeline, serialize/deserialize and
keras.utils.get_source_inputs against Keras 3 (torch backend): weights, outputs, the power
iteration's updates of the kernel and u, gradients, configs and Keras's errors."""
import numpy as np
import pytest

import ember
from ember import keras as ek

SN_CASES = [
    ("Dense", (5,), {}, (3, 4), 1),
    ("Dense", (5,), {}, (3, 4), 3),
    ("Conv2D", (3, 3), {}, (2, 6, 6, 2), 1),
    ("Conv1D", (4, 2), {"use_bias": False}, (2, 7, 3), 2),
    ("Embedding", (10, 4), {}, (2, 5), 1),
]


def _np(x):
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


@pytest.mark.parametrize("kind,args,kwargs,shape,iters", SN_CASES,
                         ids=[f"{c[0]}-{c[4]}" for c in SN_CASES])
def test_spectral_normalization_matches_keras(keras_ref, kind, args, kwargs, shape, iters):
    import torch
    rng = np.random.default_rng(0)
    x = (rng.integers(0, 10, shape) if kind == "Embedding"
         else rng.standard_normal(shape)).astype(np.int64 if kind == "Embedding" else np.float32)
    k = keras_ref.layers.SpectralNormalization(getattr(keras_ref.layers, kind)(*args, **kwargs),
                                               power_iterations=iters)
    e = ek.layers.SpectralNormalization(getattr(ek.layers, kind)(*args, **kwargs),
                                        power_iterations=iters)
    k(torch.tensor(x)), e(ember.tensor(x))
    assert [w.name for w in e.weights] == [w.name for w in k.weights]
    assert [w.trainable for w in e.weights] == [w.trainable for w in k.weights]
    e.set_weights(k.get_weights())
    np.testing.assert_allclose(_np(e(ember.tensor(x))), _np(k(torch.tensor(x))), rtol=1e-5,
                               atol=1e-6)  # inference: the kernel as it is
    for step in range(2):  # training: u and the kernel are updated in place, twice
        out_e, out_k = e(ember.tensor(x), training=True), k(torch.tensor(x), training=True)
        assert str(out_e.dtype).split(".")[-1] == str(out_k.dtype).split(".")[-1]  # input's
        np.testing.assert_allclose(_np(out_e), _np(out_k), rtol=1e-5, atol=1e-6)
        for we, wk in zip(e.weights, k.weights):
            np.testing.assert_allclose(_np(we), _np(wk.value), rtol=1e-5, atol=1e-6,
                                       err_msg=f"{wk.name} after step {step}")
    if kind == "Embedding":
        return  # Keras casts the output to the input's dtype: int ids give int outputs
    assert out_e.dtype == ember.float32
    up = rng.standard_normal(tuple(out_e.shape)).astype(np.float32)
    (out_e * ember.tensor(up)).sum().backward()
    (out_k * torch.tensor(up)).sum().backward()
    for we, wk in zip(e.weights, k.weights):
        if wk.trainable:
            np.testing.assert_allclose(we.grad.numpy(), _np(wk.value.grad), rtol=1e-4,
                                       atol=1e-5, err_msg=wk.name)
        else:
            assert we.grad is None


def test_spectral_normalization_bounds_the_largest_singular_value():
    sn = ek.layers.SpectralNormalization(ek.layers.Dense(6), power_iterations=30)
    sn(np.ones((1, 8), np.float32), training=True)
    assert np.linalg.svd(sn.layer.kernel.numpy(), compute_uv=False)[0] == pytest.approx(1, 1e-3)


def test_spectral_normalization_errors_and_config(keras_ref):
    with pytest.raises(ValueError, match=r"`power_iterations` should be greater than zero. "
                                         r"Received: `power_iterations=0`"):
        ek.layers.SpectralNormalization(ek.layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="ReLU object has no attribute 'kernel' nor 'embeddings'"):
        ek.layers.SpectralNormalization(ek.layers.ReLU())(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="supplied to Wrapper isn't a supported layer type"):
        ek.layers.SpectralNormalization("dense")
    layer = ek.layers.SpectralNormalization(ek.layers.Dense(3), power_iterations=2)
    config = layer.get_config()
    ref = keras_ref.layers.SpectralNormalization(keras_ref.layers.Dense(3), power_iterations=2)
    assert set(config) | {"dtype"} == set(ref.get_config())  # ember's carry no dtype policy
    clone = ek.layers.SpectralNormalization.from_config(config)
    assert clone.power_iterations == 2 and clone.layer.units == 3


def test_wrapper_subclass_builds_its_layer_and_round_trips():
    class Twice(ek.layers.Wrapper):
        def call(self, x):
            return 2 * self.layer(x)

    layer = Twice(ek.layers.Dense(3, kernel_initializer="ones", bias_initializer="zeros"))
    out = layer(np.ones((2, 4), np.float32))
    np.testing.assert_array_equal(out.detach().numpy(), np.full((2, 3), 8, np.float32))
    assert layer.layer.built and len(layer.trainable_weights) == 2
    assert isinstance(ek.layers.TimeDistributed(ek.layers.Dense(2)), ek.layers.Wrapper)
    assert not isinstance(ek.layers.Bidirectional(ek.layers.LSTM(2)), ek.layers.Wrapper)
    clone = Twice.from_config(layer.get_config())
    assert clone.layer.units == 3 and clone is not layer


def test_pipeline_matches_keras(keras_ref):
    import torch
    x = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    k = keras_ref.layers.Pipeline([keras_ref.layers.Rescaling(2.0, offset=1.0),
                                   keras_ref.layers.Dense(2), keras_ref.layers.Dropout(0.5)])
    e = ek.layers.Pipeline([ek.layers.Rescaling(2.0, offset=1.0), ek.layers.Dense(2),
                            ek.layers.Dropout(0.5)])
    k(torch.tensor(x), training=False), e(ember.tensor(x), training=False)
    e.set_weights(k.get_weights())
    np.testing.assert_allclose(e(x, training=False).detach().numpy(),
                               _np(k(torch.tensor(x), training=False)), rtol=1e-5, atol=1e-6)
    dropped = e(np.ones((200, 3), np.float32)).detach().numpy()  # training defaults to True: dropout on
    assert (dropped == 0).mean() > 0.3
    assert e.compute_output_shape((None, 3)) == (None, 2)
    config = e.get_config()
    assert set(config) == set(k.get_config()) == {"layers", "name"}
    clone = ek.layers.Pipeline.from_config(config)
    assert [type(x).__name__ for x in clone.layers] == ["Rescaling", "Dense", "Dropout"]
    with pytest.raises(ValueError, match="`Pipeline` config must contain a `layers` key"):
        ek.layers.Pipeline.from_config({"name": "p"})


def test_pipeline_passes_masks_on():
    pipe = ek.layers.Pipeline([ek.layers.Masking(0.0), ek.layers.LSTM(3)])
    x = np.ones((2, 4, 2), np.float32)
    x[0, 2:] = 0
    lstm = pipe.layers[1]
    full = lstm(x[:1, :2]).detach().numpy()
    np.testing.assert_allclose(pipe(x)[:1].detach().numpy(), full, rtol=1e-6)


def test_layers_serialize_and_deserialize(keras_ref):
    dense = ek.layers.Dense(3, activation="relu", name="d")
    spec = ek.layers.serialize(dense)
    ref = keras_ref.layers.serialize(keras_ref.layers.Dense(3, activation="relu", name="d"))
    assert (spec["module"], spec["class_name"]) == (ref["module"], ref["class_name"])
    assert spec["config"]["units"] == 3
    clone = ek.layers.deserialize(spec)
    assert type(clone) is ek.layers.Dense and clone.name == "d" and clone.units == 3
    clone = ek.layers.deserialize(ref)  # a config real Keras wrote
    assert type(clone) is ek.layers.Dense and clone.activation.__name__ == "relu"
    @ek.saving.register_keras_serializable(package="test_wrapper_layers")
    class NotALayer:
        def get_config(self):
            return {}

        @classmethod
        def from_config(cls, config):
            return cls()

    with pytest.raises(ValueError, match="was passed a `config` object that is not a "
                                         "`keras.layers.Layer`"):
        ek.layers.deserialize(ek.saving.serialize_keras_object(NotALayer()))


def test_get_source_inputs_matches_keras(keras_ref):
    def graph(k):
        a, b, c = k.Input((3,)), k.Input((3,)), k.Input((3,))
        h = k.layers.Add()([b, a])
        out = k.layers.Concatenate()([k.layers.Dense(2)(h), k.layers.Dense(2)(a)])
        return (a, b, c), out

    (ka, kb, kc), kout = graph(keras_ref)
    (ea, eb, ec), eout = graph(ek)
    order = lambda found, inputs: [next(i for i, t in enumerate(inputs) if t is f) for f in found]
    assert order(ek.utils.get_source_inputs(eout), (ea, eb, ec)) == \
        order(keras_ref.utils.get_source_inputs(kout), (ka, kb, kc)) == [1, 0]
    assert ek.utils.get_source_inputs(ec) == [ec]
    arr = np.zeros(2)
    assert ek.utils.get_source_inputs(arr) is arr


def test_spectral_normalization_in_fit_matches_keras(keras_ref):
    def build(k):
        model = k.Sequential([k.Input((4,)), k.layers.SpectralNormalization(
            k.layers.Dense(8, activation="tanh")), k.layers.Pipeline([k.layers.Dense(3)]),
            k.layers.Dense(1)])
        model.compile(k.optimizers.SGD(0.05), "mse")
        return model

    rng = np.random.default_rng(3)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = x.sum(1, keepdims=True)
    k_model, e_model = build(keras_ref), build(ek)
    e_model.set_weights(k_model.get_weights())
    k_hist = k_model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0).history["loss"]
    e_hist = e_model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(e_hist, k_hist, rtol=1e-4)
    for we, wk in zip(e_model.get_weights(), k_model.get_weights()):
        np.testing.assert_allclose(we, wk, rtol=1e-4, atol=1e-5)
