"""Keras's ZeroPadding1D/3D, Cropping1D/2D/3D and UpSampling1D/3D against Keras 3 (torch
backend): outputs, gradients, symbolic output shapes (with unknown sizes), both data formats,
config round trips and Keras's errors."""
import numpy as np
import pytest

import ember
from ember import keras as ek

CASES = [
    ("ZeroPadding1D", {}, (2, 5, 3)), ("ZeroPadding1D", {"padding": (2, 0)}, (2, 5, 3)),
    ("ZeroPadding1D", {"padding": 1, "data_format": "channels_first"}, (2, 3, 5)),
    ("ZeroPadding3D", {}, (1, 2, 3, 4, 2)),
    ("ZeroPadding3D", {"padding": (1, (0, 2), 3)}, (1, 2, 3, 4, 2)),
    ("ZeroPadding3D", {"padding": 1, "data_format": "channels_first"}, (1, 2, 3, 4, 2)),
    ("Cropping1D", {}, (2, 5, 3)), ("Cropping1D", {"cropping": (0, 3)}, (2, 5, 3)),
    ("Cropping1D", {"cropping": 2}, (2, 5, 3)),
    ("Cropping2D", {}, (1, 5, 6, 2)), ("Cropping2D", {"cropping": 1}, (1, 5, 6, 2)),
    ("Cropping2D", {"cropping": ((1, 0), (2, 3))}, (1, 5, 6, 2)),
    ("Cropping2D", {"cropping": (1, 2), "data_format": "channels_first"}, (1, 2, 5, 6)),
    ("Cropping3D", {}, (1, 4, 5, 6, 2)),
    ("Cropping3D", {"cropping": ((0, 1), 1, (2, 0)), "data_format": "channels_first"},
     (1, 2, 4, 5, 6)),
    ("UpSampling1D", {}, (2, 4, 3)), ("UpSampling1D", {"size": 3}, (2, 4, 3)),
    ("UpSampling3D", {}, (1, 2, 3, 2, 2)),
    ("UpSampling3D", {"size": (1, 2, 3), "data_format": "channels_first"}, (1, 2, 2, 3, 2)),
]


@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_matches_keras(keras_ref, name, kwargs, shape):
    import torch
    x0 = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    k_layer, e_layer = getattr(keras_ref.layers, name)(**kwargs), getattr(ek.layers, name)(**kwargs)
    xk, xe = torch.tensor(x0, requires_grad=True), ember.tensor(x0, requires_grad=True)
    k_out, e_out = k_layer(xk), e_layer(xe)
    assert tuple(e_out.shape) == tuple(k_out.shape) and e_out.dtype == ember.float32
    np.testing.assert_array_equal(e_out.detach().numpy(), k_out.detach().numpy())
    up = np.random.default_rng(1).standard_normal(tuple(k_out.shape)).astype(np.float32)
    (k_out * torch.tensor(up)).sum().backward()
    (e_out * ember.tensor(up)).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xk.grad.numpy(), rtol=1e-6)
    drop = ("name", "dtype")
    assert {k: v for k, v in e_layer.get_config().items() if k not in drop} == \
        {k: v for k, v in k_layer.get_config().items() if k not in drop}
    symbolic = (None,) + shape[1:]
    symbolic = symbolic[:2] + (None,) + symbolic[3:]  # an unknown spatial size too
    k_sym = getattr(keras_ref.layers, name)(**kwargs)(keras_ref.Input(symbolic[1:]))
    e_sym = getattr(ek.layers, name)(**kwargs)(ek.Input(symbolic[1:]))
    assert tuple(e_sym.shape) == tuple(k_sym.shape)
    clone = type(e_layer).from_config(e_layer.get_config())
    np.testing.assert_array_equal(clone(ember.tensor(x0)).numpy(), e_out.detach().numpy())


ERRORS = [
    (lambda m: m.layers.Cropping1D((3, 3))(np.zeros((1, 5, 2), np.float32)), "smaller than"),
    (lambda m: m.layers.Cropping2D(3)(np.zeros((1, 5, 6, 2), np.float32)), "smaller than"),
    (lambda m: m.layers.Cropping2D((1, 2, 3)), "should have two elements"),
    (lambda m: m.layers.Cropping3D((1, 2)), "should have 3 elements"),
    (lambda m: m.layers.Cropping2D(-1), "cannot be negative"),
    (lambda m: m.layers.ZeroPadding3D((1, 1)), "should have 3 elements"),
    (lambda m: m.layers.ZeroPadding1D((1, 2, 3)), "must be a tuple of 2 integers"),
]


@pytest.mark.parametrize("make,message", ERRORS)
def test_errors_as_keras(keras_ref, make, message):
    for keras in (keras_ref, ek):
        with pytest.raises(ValueError, match=message):
            make(keras)
