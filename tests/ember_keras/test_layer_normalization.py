"""keras.layers.LayerNormalization against Keras 3 (torch backend): one axis or several (in any
order, contiguous or not), center/scale off, the deprecated rms_scaling (gamma only, no beta,
a warning), outputs and gradients from the same weights, configs and Keras's errors."""
import warnings

import numpy as np
import pytest

from ember import keras as ek
from test_sequence_layers import _run_both

CASES = [
    ({}, (3, 5)),
    ({"axis": [1, 2]}, (2, 4, 3)),
    ({"axis": (1, 3)}, (2, 4, 3, 2)),
    ({"axis": [3, 1]}, (2, 4, 3, 2)),
    ({"scale": False, "epsilon": 0.1}, (4, 6)),
    ({"rms_scaling": True}, (3, 5)),
    ({"rms_scaling": True, "axis": [1, 2], "scale": False}, (2, 4, 3)),
]


@pytest.mark.parametrize("kwargs,shape", CASES, ids=[str(c[0]) for c in CASES])
def test_layer_normalization_matches_keras(keras_ref, kwargs, shape):
    x = (np.random.default_rng(0).standard_normal(shape) * 3 + 1).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k_layer = keras_ref.layers.LayerNormalization(**kwargs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        e_layer = ek.layers.LayerNormalization(**kwargs)
    assert any("rms_scaling=True" in str(w.message) for w in caught) == bool(kwargs.get("rms_scaling"))
    _run_both(keras_ref, k_layer, e_layer, [x])
    assert [w.name for w in e_layer.weights] == [w.name for w in k_layer.weights]
    k_config, e_config = k_layer.get_config(), e_layer.get_config()
    for key in ("axis", "epsilon", "center", "scale", "rms_scaling"):
        assert e_config[key] == k_config[key], key
    clone = ek.layers.LayerNormalization.from_config(e_config)
    assert clone.axis == e_layer.axis and clone.rms_scaling == e_layer.rms_scaling


# Keras 3.15's torch backend hands a contiguous block of axes that does not end the shape to
# torch's layer_norm over the trailing axes, which raises; its other backends (and its generic
# path) normalise over the axes asked for, which is what ember does: checked against NumPy.
NON_TRAILING = [({"axis": 1}, (2, 4, 3)), ({"axis": [2, 1]}, (2, 4, 3, 2)),
                ({"axis": -2, "center": False}, (2, 4, 3))]


@pytest.mark.parametrize("kwargs,shape", NON_TRAILING, ids=[str(c[0]) for c in NON_TRAILING])
def test_non_trailing_axes_normalise_those_axes(keras_ref, kwargs, shape):
    import torch
    rng = np.random.default_rng(1)
    x = (rng.standard_normal(shape) * 2 - 1).astype(np.float32)
    with pytest.raises(Exception, match="normalized_shape"):  # the Keras bug this works around
        keras_ref.layers.LayerNormalization(**kwargs)(torch.tensor(x))
    layer = ek.layers.LayerNormalization(**kwargs)
    layer.build(shape)
    weights = [rng.standard_normal(w.shape).astype(np.float32) for w in layer.get_weights()]
    layer.set_weights(weights)
    axes = tuple(sorted(a % len(shape) for a in layer.axis))
    ref = (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + 1e-3)
    view = [shape[a] if a in axes else 1 for a in range(len(shape))]
    ref = ref * weights[0].reshape(view) + (weights[1].reshape(view) if len(weights) > 1 else 0)
    out = layer(x).detach().numpy()
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)


def test_layer_normalization_errors_like_keras(keras_ref):
    with pytest.raises(TypeError, match="Expected an int or a list/tuple of ints for the argument "
                                        "'axis', but received: 1.5"):
        ek.layers.LayerNormalization(axis=1.5)
    with pytest.raises(ValueError, match=r"Axis 3 is out of bounds for input shape \(None, 4\)"):
        ek.layers.LayerNormalization(axis=3).compute_output_shape((None, 4))
