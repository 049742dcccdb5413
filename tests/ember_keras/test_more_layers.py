"""The non-convolutional Keras layers added for drop-in use, against Keras 3 (torch backend):
outputs (and input gradients) from the same weights, output shapes, configs, masks, and the
statistics of the noise layers."""
import numpy as np
import pytest

import ember
from ember import keras as ek

RNG = np.random.default_rng(5)
X2 = RNG.normal(size=(4, 6)).astype(np.float32)
X3 = RNG.normal(size=(3, 5, 8)).astype(np.float32)
X4 = RNG.normal(size=(2, 3, 4, 6)).astype(np.float32)
SEQ = X3.copy()
SEQ[:, 3] = 0.0
SEQ[1, 1] = 0.0

DETERMINISTIC = [  # (class, kwargs, input)
    ("Identity", {}, X3), ("RepeatVector", {"n": 3}, X2), ("Permute", {"dims": (2, 1)}, X3),
    ("Permute", {"dims": (3, 1, 2)}, X4), ("Masking", {}, SEQ), ("Masking", {"mask_value": 1.0}, X3),
    ("UnitNormalization", {}, X3), ("UnitNormalization", {"axis": [1, 2]}, X3),
    ("GroupNormalization", {"groups": 4}, X3), ("GroupNormalization", {"groups": 3, "axis": 1}, X4),
    ("GroupNormalization", {"groups": -1, "center": False}, X3),
    ("GroupNormalization", {"groups": 2, "scale": False, "epsilon": 0.1}, X2),
    ("RMSNormalization", {}, X3), ("RMSNormalization", {"axis": [1, 2], "epsilon": 1e-3}, X3),
    ("ActivityRegularization", {"l1": 0.01, "l2": 0.02}, X2),
    ("GaussianNoise", {"stddev": 0.3}, X2), ("GaussianDropout", {"rate": 0.3}, X2),
    ("AlphaDropout", {"rate": 0.2}, X2),
    ("Discretization", {"bin_boundaries": [-0.5, 0.0, 0.7]}, X2),
    ("Discretization", {"bin_boundaries": [0.0, 1.0], "output_mode": "one_hot"}, X2[:, :1]),
    ("Discretization", {"bin_boundaries": [0.0, 1.0], "output_mode": "count"}, X2),
    ("Discretization", {"bin_boundaries": [0.0], "output_mode": "multi_hot"}, X2),
    ("CategoryEncoding", {"num_tokens": 5, "output_mode": "one_hot"}, np.array([0, 4, 2])),
    ("CategoryEncoding", {"num_tokens": 5}, np.array([[0, 1], [4, 4]])),
    ("CategoryEncoding", {"num_tokens": 5, "output_mode": "count"}, np.array([[0, 1, 1], [4, 4, 2]])),
    ("CategoryEncoding", {"num_tokens": 4, "output_mode": "one_hot"}, np.array([[1], [3]])),
]


def _plain(value):
    """A config value without Keras 3's serialization bookkeeping (``module``,
    ``registered_name``), tuples as lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in ("module", "registered_name")}
    return list(value) if isinstance(value, tuple) else value


def _np(value):
    return np.array(value.detach().cpu().numpy() if hasattr(value, "detach") else value)


def _pair(keras_ref, name, kwargs, x):
    ref = getattr(keras_ref.layers, name)(**kwargs)
    ours = getattr(ek.layers, name)(**kwargs)
    ref_out = ref(x)
    ours_out = ours(x)
    if ref.weights:
        ours.set_weights([RNG.normal(size=w.shape).astype(np.float32) for w in ref.get_weights()])
        ref.set_weights(ours.get_weights())
        ref_out, ours_out = ref(x), ours(x)
    return ref, ours, ref_out, ours_out


@pytest.mark.parametrize("name,kwargs,x", DETERMINISTIC, ids=[f"{c[0]}-{i}" for i, c in enumerate(DETERMINISTIC)])
def test_inference_outputs_shapes_and_configs_match_keras(keras_ref, name, kwargs, x):
    ref, ours, ref_out, ours_out = _pair(keras_ref, name, kwargs, x)
    r, o = _np(ref_out), _np(ours_out)
    assert o.dtype == r.dtype and o.shape == r.shape
    np.testing.assert_allclose(o, r, rtol=2e-5, atol=2e-6)
    in_shape = (None,) + x.shape[1:]
    assert tuple(ours.compute_output_shape(in_shape)) == tuple(ref.compute_output_shape(in_shape))
    ref_cfg, ours_cfg = ref.get_config(), ours.get_config()
    for key in ("name", "dtype", "trainable"):
        ref_cfg.pop(key, None), ours_cfg.pop(key, None)
    assert {k: _plain(v) for k, v in ours_cfg.items() if k in ref_cfg} == \
        {k: _plain(v) for k, v in ref_cfg.items()}
    rebuilt = type(ours).from_config(ours.get_config())
    assert type(rebuilt) is type(ours)


GRADIENTS = [c for c in DETERMINISTIC if c[0] in ("RepeatVector", "Permute", "UnitNormalization",
                                                  "GroupNormalization", "RMSNormalization", "Masking")]


@pytest.mark.parametrize("name,kwargs,x", GRADIENTS, ids=[f"{c[0]}-{i}" for i, c in enumerate(GRADIENTS)])
def test_gradients_match_keras(keras_ref, name, kwargs, x):
    import torch
    ref, ours, _, _ = _pair(keras_ref, name, kwargs, x)
    x_ref = torch.tensor(x.copy(), requires_grad=True)
    x_ours = ember.tensor(x.copy(), requires_grad=True)
    out_ref, out_ours = ref(x_ref), ours(x_ours)
    w = np.linspace(-1, 1, out_ref.numel()).reshape(tuple(out_ref.shape)).astype(np.float32)
    (out_ref * torch.tensor(w)).sum().backward()
    (out_ours * ember.tensor(w)).sum().backward()
    np.testing.assert_allclose(x_ours.grad.numpy(), x_ref.grad.numpy(), rtol=1e-4, atol=1e-5)
    for wo, wr in zip(ours.trainable_weights, ref.trainable_weights):
        np.testing.assert_allclose(wo.grad.numpy(), wr.value.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_masking_mask_reaches_the_next_layer_like_keras(keras_ref):
    from ember.keras.layers.masking import get_keras_mask
    ours = ek.layers.Masking()(SEQ)
    ref = keras_ref.layers.Masking()(SEQ)
    np.testing.assert_array_equal(get_keras_mask(ours).numpy(), _np(ref._keras_mask))
    outs = {}
    for mod in (keras_ref, ek):
        keras_ref.utils.set_random_seed(0)
        model = mod.Sequential([mod.Input(shape=(5, 8)), mod.layers.Masking(),
                                mod.layers.SimpleRNN(3)])
        outs[mod] = model
    outs[ek].set_weights(outs[keras_ref].get_weights())
    np.testing.assert_allclose(outs[ek].predict(SEQ, verbose=0), outs[keras_ref].predict(SEQ, verbose=0),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,kwargs,mean,std", [
    ("GaussianNoise", {"stddev": 0.3}, 1.0, 0.3), ("GaussianDropout", {"rate": 0.2}, 1.0, 0.5),
    ("AlphaDropout", {"rate": 0.25}, 1.0, None)])
def test_noise_layers_in_training(name, kwargs, mean, std):
    layer = getattr(ek.layers, name)(seed=3, **kwargs)
    ones = np.ones((400, 50), np.float32)
    out = layer(ones, training=True).numpy()
    np.testing.assert_array_equal(layer(ones, training=False).numpy(), ones)
    if std is not None:
        assert abs(out.mean() - mean) < 0.02
        assert abs(out.std() - std) < 0.02
    else:  # dropped units all take one value, kept ones another
        assert len(np.unique(np.round(out, 5))) == 2
    again = getattr(ek.layers, name)(seed=3, **kwargs)(ones, training=True).numpy()
    np.testing.assert_array_equal(again, out)  # the same seed gives the same noise
    assert not np.array_equal(layer(ones, training=True).numpy(), out)  # the generator moves on


def test_alpha_dropout_keeps_selu_statistics():
    x = np.random.default_rng(0).normal(size=(2000, 100)).astype(np.float32)
    out = ek.layers.AlphaDropout(0.3, seed=1)(x, training=True).numpy()
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1.0) < 0.02


def test_activity_regularization_loss_in_training_matches_keras(keras_ref):
    hist = {}
    models = {}
    for mod in (keras_ref, ek):
        keras_ref.utils.set_random_seed(2)
        models[mod] = mod.Sequential([mod.Input(shape=(6,)), mod.layers.Dense(3),
                                      mod.layers.ActivityRegularization(l1=0.05, l2=0.1),
                                      mod.layers.Dense(1)])
    models[ek].set_weights(models[keras_ref].get_weights())
    y = X2[:, :1]
    for mod, model in models.items():
        model.compile(optimizer="sgd", loss="mse")
        hist[mod] = model.fit(X2, y, epochs=3, batch_size=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(hist[ek], hist[keras_ref], rtol=1e-5)


def test_discretization_adapt_finds_the_quantiles():
    """(Keras's adapt needs TensorFlow installed; the boundaries are the data's quantiles.)"""
    data = np.random.default_rng(1).normal(size=(5000, 1)).astype(np.float32)
    layer = ek.layers.Discretization(num_bins=5, epsilon=0.01)
    layer.adapt(data)
    np.testing.assert_allclose(layer.bin_boundaries, np.quantile(data, [0.2, 0.4, 0.6, 0.8]),
                               atol=0.03)
    counts = np.bincount(layer(data).numpy().ravel(), minlength=5)
    assert counts.min() > 900 and counts.max() < 1100  # five buckets of about a fifth each
    with pytest.raises(ValueError, match="Cannot adapt"):
        ek.layers.Discretization(bin_boundaries=[0.0]).adapt(data)


@pytest.mark.parametrize("make,error,message", [
    (lambda L: L.RepeatVector(0), ValueError, "positive integer"), (lambda L: L.RepeatVector(2.0), TypeError, "integer"),
    (lambda L: L.Permute((1, 3)), ValueError, "consecutive"), (lambda L: L.GaussianNoise(2.0), ValueError, "stddev"),
    (lambda L: L.AlphaDropout(-0.1), ValueError, "rate"), (lambda L: L.GroupNormalization(groups=0), ValueError, "groups"),
    (lambda L: L.Discretization(), ValueError, "either `num_bins` or `bin_boundaries`"),
    (lambda L: L.CategoryEncoding(), ValueError, "num_tokens must be set"),
    (lambda L: L.CategoryEncoding(3, output_mode="tf_idf"), ValueError, "Unknown arg for output_mode"),
    (lambda L: L.UnitNormalization(axis="x"), TypeError, "Invalid value for `axis`"),
])
def test_constructor_errors_match_keras(keras_ref, make, error, message):
    for mod in (keras_ref, ek):
        with pytest.raises(error, match=message):
            make(mod.layers)


def test_group_normalization_group_count_errors(keras_ref):
    for mod in (keras_ref, ek):
        with pytest.raises(ValueError, match="must be a multiple"):
            mod.layers.GroupNormalization(groups=3)(X3)
