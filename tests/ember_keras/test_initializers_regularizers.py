"""keras.regularizers and keras.initializers on ember against Keras 3 (torch backend):
penalty values and gradients, configs, the moments of initial weights, and Keras 3's defaults
(``l1_l2`` is 0 and 0; ``distribution='normal'`` is the truncated normal)."""
import numpy as np
import pytest

import ember
from ember import keras as ek

def _same_config(ours: dict, ref: dict):
    """Keras's keys with the same values (floats to float32 precision: Keras keeps L1's ``l1``
    and the orthogonal ``factor`` as float32 tensors); ours may keep keys Keras drops (Identity's
    ``gain``, lost by Keras's get_config)."""
    for key, value in ref.items():
        if isinstance(value, float):
            assert ours[key] == pytest.approx(value, rel=1e-7), key
        else:
            assert ours[key] == value, key


W = np.random.default_rng(3).normal(size=(6, 4)).astype(np.float32)

REGULARIZERS = [
    ("L1", {}), ("L1", {"l1": 0.3}), ("L2", {"l2": 0.2}), ("L1L2", {}), ("L1L2", {"l1": 0.1, "l2": 0.05}),
    ("l1_l2", {"l1": 0.01}), ("l1_l2", {}), ("OrthogonalRegularizer", {}),
    ("OrthogonalRegularizer", {"factor": 0.5, "mode": "columns"}), ("orthogonal_regularizer", {}),
]


@pytest.mark.parametrize("name,kwargs", REGULARIZERS, ids=lambda v: str(v))
def test_regularizer_values_gradients_and_configs_match_keras(keras_ref, name, kwargs):
    import torch
    ref_reg, ours_reg = getattr(keras_ref.regularizers, name)(**kwargs), getattr(ek.regularizers, name)(**kwargs)
    w_ref = torch.tensor(W.copy(), requires_grad=True)
    w = ember.tensor(W.copy(), requires_grad=True)
    ref, ours = ref_reg(w_ref), ours_reg(w)
    ours = ours if isinstance(ours, ember.Tensor) else ember.tensor(ours)
    assert ours.dtype == ember.float32
    np.testing.assert_allclose(ours.detach().numpy(), float(ref), rtol=1e-5, atol=1e-7)
    if ref.requires_grad:
        ref.backward()
        ours.backward()
        np.testing.assert_allclose(w.grad.numpy(), w_ref.grad.numpy(), rtol=1e-5, atol=1e-7)
    _same_config(ours_reg.get_config(), ref_reg.get_config())
    clone = type(ours_reg).from_config(ours_reg.get_config())
    assert clone.get_config() == ours_reg.get_config()


@pytest.mark.parametrize("make,message", [
    (lambda r: r.L1(-0.1), "Invalid value for argument l1"), (lambda r: r.L2(float("inf")), "l2"),
    (lambda r: r.OrthogonalRegularizer(mode="diag"), "Invalid value for argument `mode`"),
    (lambda r: r.OrthogonalRegularizer()(ember.ones(3)), "must have rank 2"),
])
def test_regularizer_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make(ek.regularizers)


def test_regularizers_get_and_serialize_round_trip():
    for identifier in ("l1", "l2", "l1_l2", "L1L2", "orthogonal_regularizer"):
        reg = ek.regularizers.get(identifier)
        assert isinstance(reg, ek.regularizers.Regularizer)
        again = ek.regularizers.get(ek.regularizers.serialize(reg))
        assert type(again) is type(reg) and again.get_config() == reg.get_config()


INITIALIZERS = [  # (name, kwargs, shape)
    ("Zeros", {}, (3, 4)), ("Ones", {}, (3, 4)), ("Constant", {"value": 0.7}, (3, 4)),
    ("RandomNormal", {"mean": 1.0, "stddev": 0.2, "seed": 1}, (200, 100)),
    ("RandomUniform", {"minval": -0.3, "maxval": 0.6, "seed": 1}, (200, 100)),
    ("TruncatedNormal", {"stddev": 0.3, "seed": 1}, (200, 100)),
    ("GlorotUniform", {"seed": 1}, (200, 100)), ("GlorotNormal", {"seed": 1}, (200, 100)),
    ("HeNormal", {"seed": 1}, (200, 100)), ("HeUniform", {"seed": 1}, (200, 100)),
    ("LecunNormal", {"seed": 1}, (200, 100)), ("LecunUniform", {"seed": 1}, (200, 100)),
    ("VarianceScaling", {"scale": 2.0, "mode": "fan_out", "distribution": "normal", "seed": 1}, (200, 100)),
    ("VarianceScaling", {"mode": "fan_avg", "distribution": "untruncated_normal", "seed": 1}, (200, 100)),
    ("VarianceScaling", {"distribution": "uniform", "seed": 1, "input_axes": [0, 1],
                         "output_axes": [2]}, (20, 10, 50)),
    ("GlorotUniform", {"seed": 1}, (3, 3, 8, 16)), ("Orthogonal", {"seed": 1}, (60, 40)),
    ("Orthogonal", {"gain": 2.0, "seed": 1}, (30, 50)), ("Identity", {"gain": 3.0}, (4, 6)),
    ("IdentityInitializer", {}, (3, 3)), ("OrthogonalInitializer", {"seed": 2}, (5, 5)),
]


def _np(value):
    return np.asarray(value.detach().cpu().numpy() if hasattr(value, "detach") else value)


@pytest.mark.parametrize("name,kwargs,shape", INITIALIZERS, ids=[f"{i[0]}-{n}" for n, i in enumerate(INITIALIZERS)])
def test_initializers_match_keras_in_distribution_and_config(keras_ref, name, kwargs, shape):
    ref_init, ours_init = getattr(keras_ref.initializers, name)(**kwargs), getattr(ek.initializers, name)(**kwargs)
    ref, ours = _np(ref_init(shape)), _np(ours_init(shape))
    assert ours.dtype == ref.dtype == np.float32 and ours.shape == ref.shape
    if ref.size < 100 or np.all(ref == ref.flat[0]) or "Orthogonal" in name or "Identity" in name:
        if "Orthogonal" in name:  # different random draws; both must be (semi-)orthogonal
            m = ours.reshape(-1, shape[-1])
            small = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
            gain = kwargs.get("gain", 1.0)
            np.testing.assert_allclose(small, gain ** 2 * np.eye(len(small)), atol=1e-4)
        else:
            np.testing.assert_allclose(ours, ref, rtol=1e-6)
    else:  # different random draws: compare moments and range
        assert abs(ours.mean() - ref.mean()) < 4 * ref.std() / np.sqrt(ref.size) + 1e-3
        assert abs(ours.std() - ref.std()) < 0.03 * ref.std()
        assert ours.min() >= ref.min() - 0.05 * ref.std() * 4 and ours.max() <= ref.max() + 0.05 * ref.std() * 4
    _same_config(ours_init.get_config(), ref_init.get_config())


def test_same_seed_gives_same_weights():
    a = ek.initializers.GlorotUniform(seed=5)((4, 3))
    b = ek.initializers.GlorotUniform(seed=5)((4, 3))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
