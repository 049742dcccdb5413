"""keras.layers.EinsumDense against Keras 3 (torch backend): the kernel and bias shapes read from
the equation, outputs and gradients from the same weights, symbolic shapes, configs, the
kernel's initial scale, and Keras's errors."""
import math

import numpy as np
import pytest

from ember import keras as ek
from test_sequence_layers import _run_both

CASES = [
    ("ab,bc->ac", 6, "c", (3, 5)),
    ("ab,bc->ac", 6, None, (3, 5)),
    ("abc,cd->abd", (None, 7), "d", (2, 4, 5)),
    ("abc,cde->abde", (None, 3, 4), "de", (2, 4, 5)),
    ("abc,cde->abde", (None, 3, 4), "e", (2, 4, 5)),
    ("abcd,cde->abe", (None, 6), "e", (2, 3, 4, 5)),
    ("...b,bc->...c", 4, "c", (2, 3, 5)),
    ("...b,bc->...c", 4, "c", (2, 3, 2, 5)),
    ("...ab,bc->...ac", (3, 4), "ac", (2, 6, 3, 5)),
    ("ab...,bc->ac...", (4, None), "c", (2, 5, 3)),
    ("abc,cd->abd", (None, 7), None, (2, 4, 5)),
    ("btd,dnh->btnh", (None, 2, 3), "nh", (2, 4, 6)),   # an attention projection
    ("btnh,nhd->btd", (None, 6), "d", (2, 4, 2, 3)),     # and its output
]


@pytest.mark.parametrize("equation,out,bias,shape", CASES,
                         ids=[f"{c[0]}-{c[2]}-{len(c[3])}d" for c in CASES])
def test_einsum_dense_matches_keras(keras_ref, equation, out, bias, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    kwargs = dict(output_shape=out, bias_axes=bias, activation="tanh")
    k_layer = keras_ref.layers.EinsumDense(equation, **kwargs)
    e_layer = ek.layers.EinsumDense(equation, **kwargs)
    _run_both(keras_ref, k_layer, e_layer, [x])
    assert [w.path for w in e_layer.weights] == [w.path.replace(k_layer.name, e_layer.name, 1)
                                                 for w in k_layer.weights]
    symbolic = (None,) + shape[1:]
    elided = len(shape) - len(equation.split(",")[0].replace("...", ""))
    if equation.startswith("...") and elided > 2:
        # Keras 3 lists two or more elided axes in reverse order in its symbolic shape (its
        # output has them in order): ember reports the output's true shape
        k_out = k_layer(__import__("torch").tensor(x))
        assert e_layer.compute_output_shape(symbolic) == (None,) + tuple(k_out.shape[1:])
    else:
        assert e_layer.compute_output_shape(symbolic) == k_layer.compute_output_shape(symbolic)


def test_in_a_functional_model_and_config(keras_ref):
    inputs = ek.Input((4, 6))
    layer = ek.layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de",
                                  kernel_regularizer="l2")
    outputs = layer(inputs)
    k_layer = keras_ref.layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3),
                                           bias_axes="de")
    assert tuple(outputs.shape) == k_layer.compute_output_shape((None, 4, 6)) == (None, None, 2, 3)
    model = ek.Model(inputs, outputs)
    again = ek.Model.from_config(model.get_config())
    assert tuple(again.layers[-1].kernel.shape) == (6, 2, 3)
    k_cfg = k_layer.get_config()
    e_cfg = layer.get_config()
    assert set(e_cfg) <= set(k_cfg)
    for key in ("equation", "output_shape", "bias_axes", "activation"):
        assert e_cfg[key] == k_cfg[key], key


def test_kernel_scale_counts_the_equation_units():
    """Glorot's fans are the kernel axes the equation marks: in 16, out 4·8 (as Keras 3)."""
    layer = ek.layers.EinsumDense("abc,cde->abde", output_shape=(None, 4, 8))
    layer.build((None, 5, 16))
    w = layer.kernel.numpy()
    limit = math.sqrt(6 / (16 + 32))
    assert np.abs(w).max() <= limit
    assert abs(w.std() - limit / math.sqrt(3)) < 0.1 * limit


@pytest.mark.parametrize("equation,out,bias,shape,message", [
    ("ab,bc", 4, None, (2, 3), "Invalid einsum equation 'ab,bc'"),
    ("ab,bc->ac", 4, "d", (2, 3), "Bias dimension 'd' was requested"),
    ("abc,cd->abd", (5, 4), None, (2, 3, 6), "do not match at shared dimension 'b'"),
    ("ab,bc->acz", (4, 2), None, (2, 3), "Dimension 'z' was specified in the output"),
    ("ab,bcz->ac", 4, None, (2, 3), "Weight dimension 'z' did not have a match"),
])
def test_errors_match_keras(keras_ref, equation, out, bias, shape, message):
    for lib in (keras_ref, ek):
        layer = lib.layers.EinsumDense(equation, output_shape=out, bias_axes=bias)
        with pytest.raises(ValueError, match=message):
            layer.build(shape)
