"""keras.ops.depth_to_space, space_to_depth, unfold and fold against Keras 3 (torch backend):
the same values and input gradients for the same arrays, Keras's messages for bad arguments."""
import numpy as np
import pytest

import ember
from ember import keras as ek

torch = pytest.importorskip("torch")

# (op, input shape, positional args, keyword args)
CASES = [
    ("depth_to_space", (2, 3, 2, 12), (2,), {}),
    ("depth_to_space", (1, 2, 3, 18), (3,), {"data_format": "channels_last"}),
    ("depth_to_space", (2, 12, 3, 2), (2,), {"data_format": "channels_first"}),
    ("space_to_depth", (2, 4, 6, 3), (2,), {}),
    ("space_to_depth", (1, 6, 3, 2), (3,), {}),
    ("space_to_depth", (2, 3, 4, 6), (2,), {"data_format": "channels_first"}),
    ("unfold", (2, 3, 5, 6), (2,), {}),
    ("unfold", (1, 2, 7, 6), ((3, 2),), {"dilation": (1, 2), "padding": 1, "stride": (2, 1)}),
    ("fold", (2, 8, 4), ((4, 4), 2), {"stride": 2}),
    ("fold", (1, 12, 18), ((5, 6), (2, 3)), {"padding": 1, "stride": (1, 2), "dilation": 1}),
    ("fold", (1, 4, 25), (5, 2), {"dilation": 2, "padding": 1}),
]


@pytest.mark.parametrize("name,shape,args,kwargs", CASES)
def test_image_ops_match_keras(keras_ref, name, shape, args, kwargs):
    x = np.random.default_rng(len(shape) + sum(shape)).standard_normal(shape).astype(np.float32)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye = getattr(ek.ops, name)(xe, *args, **kwargs)
    yt = getattr(keras_ref.ops, name)(xt, *args, **kwargs)
    assert ye.shape == tuple(yt.shape) and ye.dtype == ember.float32
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-6, atol=1e-6)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(np.float32)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("block,data_format", [(2, "channels_last"), (3, "channels_first")])
def test_space_to_depth_inverts_depth_to_space(block, data_format):
    depth = 5 * block * block
    shape = (2, 3, 4, depth) if data_format == "channels_last" else (2, depth, 3, 4)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    y = ek.ops.space_to_depth(ek.ops.depth_to_space(x, block, data_format), block, data_format)
    np.testing.assert_array_equal(y.numpy(), x)


@pytest.mark.parametrize("call,match", [
    (lambda: ek.ops.depth_to_space(np.zeros((1, 2, 2, 4), np.float32), 1),
     r"`block_size` must be at least 2. Received: block_size=1"),
    (lambda: ek.ops.space_to_depth(np.zeros((1, 4, 4, 1), np.float32), 2, "NHWC"),
     "The `data_format` argument must be one of"),
    (lambda: ek.ops.depth_to_space(np.zeros((1, 2, 2, 6), np.float32), 2),
     r"The number of channels \(6\) must be divisible by block_size\*\*2 \(4\)"),
    (lambda: ek.ops.space_to_depth(np.zeros((1, 4, 5, 1), np.float32), 2),
     r"Width \(5\) must be divisible by block_size \(2\)"),
    (lambda: ek.ops.depth_to_space(np.zeros((2, 2, 4), np.float32), 2), "must be 4D"),
    (lambda: ek.ops.unfold(np.zeros((2, 3, 4), np.float32), 2),
     r"Input must be a 4D tensor. Received: input.shape=\(2, 3, 4\)"),
    (lambda: ek.ops.fold(np.zeros((2, 3, 4, 4), np.float32), 4, 2),
     r"Input must be a 3D tensor. Received: input.shape=\(2, 3, 4, 4\)"),
])
def test_bad_arguments_raise_keras_messages(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_docstring_examples():
    import doctest

    import ember.keras.ops.nn_image as module
    result = doctest.testmod(module, extraglobs={"ember": ember, "np": np},
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
