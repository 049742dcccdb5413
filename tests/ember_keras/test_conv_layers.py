"""Convolution, pooling and image layers against Keras 3 (torch backend): the same weights give
the same outputs and the same gradients (input and every weight) in both data formats; shapes,
weight names and parameter counts, ``summary()`` text and a small convnet's training history
match Keras's."""
import numpy as np
import pytest

import ember
from ember import keras as ek

torch = pytest.importorskip("torch")

# (layer, kwargs, input shape (channels_last))
LAYERS = [
    ("Conv2D", {"filters": 4, "kernel_size": 3}, (2, 7, 6, 3)),
    ("Conv2D", {"filters": 4, "kernel_size": (3, 2), "strides": 2, "padding": "same",
                "activation": "relu"}, (2, 7, 6, 3)),
    ("Conv2D", {"filters": 4, "kernel_size": 4, "padding": "same", "use_bias": False}, (2, 6, 6, 2)),
    ("Conv2D", {"filters": 6, "kernel_size": 3, "dilation_rate": 2, "padding": "same"}, (1, 8, 8, 2)),
    ("Conv2D", {"filters": 4, "kernel_size": 3, "groups": 2, "padding": "same"}, (2, 5, 5, 4)),
    ("Conv2D", {"filters": 5, "kernel_size": 3, "strides": (2, 1), "padding": "same"}, (1, 8, 7, 2)),
    ("Conv1D", {"filters": 4, "kernel_size": 3}, (2, 9, 3)),
    ("Conv1D", {"filters": 4, "kernel_size": 4, "strides": 2, "padding": "same"}, (2, 9, 3)),
    ("Conv1D", {"filters": 3, "kernel_size": 3, "padding": "causal", "dilation_rate": 2}, (2, 8, 2)),
    ("Conv2DTranspose", {"filters": 3, "kernel_size": 3}, (2, 4, 4, 2)),
    ("Conv2DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"}, (2, 4, 5, 2)),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 2, "strides": 2, "padding": "same"}, (1, 3, 3, 4)),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 1,
                         "padding": "valid"}, (1, 3, 3, 2)),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 4, "strides": 3, "padding": "same",
                         "output_padding": 2}, (1, 3, 3, 2)),
    ("DepthwiseConv2D", {"kernel_size": 3}, (2, 6, 6, 3)),
    ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2, "strides": 2, "padding": "same"},
     (2, 6, 6, 3)),
    ("SeparableConv2D", {"filters": 5, "kernel_size": 3}, (2, 6, 6, 3)),
    ("SeparableConv2D", {"filters": 4, "kernel_size": 3, "padding": "same", "depth_multiplier": 2,
                         "activation": "relu"}, (2, 5, 5, 2)),
    ("Conv3D", {"filters": 3, "kernel_size": 2}, (2, 3, 4, 4, 2)),
    ("Conv3D", {"filters": 4, "kernel_size": (3, 2, 3), "strides": (1, 2, 2), "padding": "same",
                "groups": 2}, (1, 4, 5, 6, 4)),
    ("Conv1DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"}, (2, 5, 2)),
    ("Conv1DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 1}, (1, 4, 3)),
    ("Conv3DTranspose", {"filters": 2, "kernel_size": 2, "strides": 2}, (1, 2, 3, 3, 3)),
    ("Conv3DTranspose", {"filters": 3, "kernel_size": 3, "strides": (1, 2, 2), "padding": "same"},
     (1, 2, 3, 4, 2)),
    ("DepthwiseConv1D", {"kernel_size": 3, "depth_multiplier": 2, "padding": "same"}, (2, 7, 3)),
    ("SeparableConv1D", {"filters": 4, "kernel_size": 3, "strides": 2}, (2, 9, 3)),
    ("MaxPooling3D", {}, (2, 4, 4, 6, 2)),
    ("MaxPooling3D", {"pool_size": 3, "strides": 2, "padding": "same"}, (1, 5, 6, 5, 2)),
    ("AveragePooling3D", {"pool_size": 2, "strides": 1}, (2, 3, 4, 4, 2)),
    ("AveragePooling3D", {"pool_size": (2, 3, 3), "strides": 2, "padding": "same"}, (1, 5, 5, 6, 2)),
    ("GlobalAveragePooling3D", {}, (2, 3, 4, 3, 2)),
    ("GlobalMaxPooling3D", {"keepdims": True}, (2, 3, 4, 3, 2)),
    ("AdaptiveAveragePooling1D", {"output_size": 4}, (2, 9, 3)),
    ("AdaptiveAveragePooling2D", {"output_size": (2, 3)}, (2, 7, 5, 3)),
    ("AdaptiveAveragePooling3D", {"output_size": 1}, (1, 3, 4, 5, 2)),
    ("AdaptiveMaxPooling1D", {"output_size": (3,)}, (2, 7, 3)),
    ("AdaptiveMaxPooling2D", {"output_size": 2}, (2, 5, 5, 3)),
    ("AdaptiveMaxPooling3D", {"output_size": (1, 2, 3)}, (1, 3, 4, 7, 2)),
    ("MaxPooling2D", {}, (2, 6, 6, 3)),
    ("MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 7, 6, 3)),
    ("MaxPooling2D", {"pool_size": 2, "strides": 1, "padding": "same"}, (2, 5, 5, 2)),
    ("MaxPooling1D", {"pool_size": 3, "strides": 2}, (2, 9, 3)),
    ("MaxPooling1D", {"pool_size": 2, "padding": "same"}, (2, 7, 3)),
    ("AveragePooling2D", {"pool_size": 2}, (2, 6, 6, 3)),
    ("AveragePooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 7, 7, 2)),
    ("AveragePooling2D", {"pool_size": 2, "strides": 1, "padding": "same"}, (2, 5, 5, 2)),
    ("AveragePooling1D", {"pool_size": 3, "padding": "same"}, (2, 8, 3)),
    ("GlobalAveragePooling2D", {}, (2, 5, 4, 3)),
    ("GlobalAveragePooling2D", {"keepdims": True}, (2, 5, 4, 3)),
    ("GlobalMaxPooling2D", {}, (2, 5, 4, 3)),
    ("GlobalAveragePooling1D", {}, (2, 6, 3)),
    ("GlobalMaxPooling1D", {"keepdims": True}, (2, 6, 3)),
    ("ZeroPadding2D", {"padding": ((1, 2), (0, 3))}, (2, 4, 4, 2)),
    ("ZeroPadding2D", {"padding": 2}, (2, 3, 3, 2)),
    ("UpSampling2D", {"size": (2, 3)}, (2, 3, 4, 2)),
    ("UpSampling2D", {"size": 2, "interpolation": "bilinear"}, (2, 3, 4, 2)),
    ("Rescaling", {"scale": 0.5, "offset": -1.0}, (2, 3, 3, 2)),
    ("BatchNormalization", {}, (4, 3, 3, 2)),
    ("Reshape", {"target_shape": (9, 2)}, (2, 3, 3, 2)),
]
NO_FORMAT = ("Rescaling", "Reshape", "BatchNormalization")  # no data_format argument
CASES = [(fmt,) + case for case in LAYERS for fmt in ("channels_last", "channels_first")
         if fmt == "channels_last" or case[0] not in NO_FORMAT]
IDS = [f"{name}-{fmt}-{i}" for i, (fmt, name, _, _) in enumerate(CASES)]


def _channels_first(shape):
    return (shape[0], shape[-1]) + shape[1:-1]


def _torch_grads(layer, x, g, training):
    xt = torch.tensor(x, requires_grad=True)
    y = layer(xt, training=training) if training is not None else layer(xt)
    (y * torch.tensor(g)).sum().backward()
    grads = [w.value.grad.numpy() for w in layer.trainable_weights]
    return y.detach().numpy(), xt.grad.numpy(), grads


def _ember_grads(layer, x, g, training):
    xe = ember.tensor(x, requires_grad=True)
    y = layer(xe, training=training) if training is not None else layer(xe)
    y.backward(ember.tensor(g))
    assert y.dtype == ember.float32
    grads = [w.grad.numpy() for w in layer.trainable_weights]
    return y.detach().numpy(), xe.grad.numpy(), grads


@pytest.mark.parametrize("data_format,name,kwargs,shape", CASES, ids=IDS)
def test_layer_matches_keras(keras_ref, data_format, name, kwargs, shape):
    kwargs = dict(kwargs)
    if data_format == "channels_first":
        kwargs["data_format"] = data_format
        shape = _channels_first(shape)
    rng = np.random.default_rng(len(name) + len(shape))
    x = rng.standard_normal(shape).astype(np.float32)
    ref, ours = getattr(keras_ref.layers, name)(**kwargs), getattr(ek.layers, name)(**kwargs)
    ref.build(shape)
    ours.build(shape)
    weights = [rng.standard_normal(w.shape).astype(np.float32) * 0.5 for w in ref.get_weights()]
    if name == "BatchNormalization":  # a positive moving variance
        weights[-1] = np.abs(weights[-1]) + 0.5
    ref.set_weights(weights)
    ours.set_weights(weights)
    assert [w.path.split("/")[-1] for w in ref.weights] == [w.name for w in ours.weights]
    assert ours.count_params() == ref.count_params()
    expected_shape = tuple(ref.compute_output_shape(shape))
    assert tuple(ours.compute_output_shape(shape)) == expected_shape
    training = True if name == "BatchNormalization" else None
    g = rng.standard_normal(expected_shape).astype(np.float32)
    y_ref, dx_ref, dw_ref = _torch_grads(ref, x, g, training)
    y, dx, dw = _ember_grads(ours, x, g, training)
    assert y.shape == expected_shape
    np.testing.assert_allclose(y, y_ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-4, atol=1e-4)
    assert len(dw) == len(dw_ref)
    for a, b in zip(dw, dw_ref):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    for a, b in zip(ours.get_weights(), ref.get_weights()):  # moving statistics, too
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("rank,rate,data_format", [
    (2, 0.3, "channels_last"), (2, 0.6, "channels_first"), (1, 0.4, "channels_last"),
    (3, 0.3, "channels_last"), (3, 0.5, "channels_first")])
def test_spatial_dropout_drops_whole_feature_maps(rank, rate, data_format):
    ember.manual_seed(0)
    cls = getattr(ek.layers, f"SpatialDropout{rank}D")
    layer = cls(rate) if rank == 1 else cls(rate, data_format=data_format)
    spatial = {1: (9,), 2: (3, 3), 3: (3, 1, 3)}[rank]
    shape = (64,) + spatial + (16,) if data_format == "channels_last" else (64, 16) + spatial
    x = np.ones(shape, np.float32)
    y = layer(x, training=True).numpy()
    maps = np.moveaxis(y, -1, 1) if data_format == "channels_last" else y
    maps = maps.reshape(64, 16, 9)
    assert np.all(maps == maps[..., :1])                   # one decision per feature map
    kept = maps[..., 0] != 0
    assert abs(kept.mean() - (1 - rate)) < 0.06
    np.testing.assert_allclose(maps[kept], 1 / (1 - rate), rtol=1e-6)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)


def _convnet(mod, data_format="channels_last"):
    """Keras's "simple MNIST convnet" shape, small: conv-pool-conv-pool-flatten-dropout-dense."""
    mod.utils.set_random_seed(3) if mod is not ek else None
    shape = (12, 12, 1) if data_format == "channels_last" else (1, 12, 12)
    return mod.Sequential([
        mod.Input(shape=shape),
        mod.layers.Conv2D(4, kernel_size=(3, 3), activation="relu", data_format=data_format),
        mod.layers.MaxPooling2D(pool_size=(2, 2), data_format=data_format),
        mod.layers.Conv2D(6, kernel_size=(3, 3), activation="relu", padding="same",
                          data_format=data_format),
        mod.layers.BatchNormalization(axis=-1 if data_format == "channels_last" else 1),
        mod.layers.MaxPooling2D(pool_size=(2, 2), data_format=data_format),
        mod.layers.Flatten(),
        mod.layers.Dense(3, activation="softmax"),
    ])


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_convnet_training_history_matches_keras(keras_ref, data_format):
    rng = np.random.default_rng(0)
    shape = (40, 12, 12, 1) if data_format == "channels_last" else (40, 1, 12, 12)
    x = rng.random(shape).astype(np.float32)
    y = rng.integers(0, 3, 40)
    ref, ours = _convnet(keras_ref, data_format), _convnet(ek, data_format)
    ours.set_weights(ref.get_weights())
    hist = {}
    for mod, model in ((keras_ref, ref), (ek, ours)):
        model.compile(optimizer=mod.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        hist[mod] = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, validation_split=0.25,
                              verbose=0).history
    for key in hist[keras_ref]:
        np.testing.assert_allclose(hist[ek][key], hist[keras_ref][key], rtol=2e-4, atol=2e-4,
                                   err_msg=key)
    np.testing.assert_allclose(ours.predict(x, verbose=0), ref.predict(x, verbose=0),
                               rtol=1e-3, atol=1e-4)


def test_convnet_summary_matches_keras(keras_ref, capsys):
    texts = {}
    for mod in (keras_ref, ek):
        mod.utils.clear_session()               # default layer names counted from zero
        model = mod.Sequential([
            mod.Input(shape=(28, 28, 1)),
            mod.layers.Rescaling(1.0 / 255),
            mod.layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            mod.layers.MaxPooling2D(pool_size=(2, 2)),
            mod.layers.SeparableConv2D(16, 3, padding="same"),
            mod.layers.DepthwiseConv2D(3, depth_multiplier=2),
            mod.layers.BatchNormalization(),
            mod.layers.SpatialDropout2D(0.1),
            mod.layers.Conv2DTranspose(8, 3, strides=2, padding="same"),
            mod.layers.ZeroPadding2D(1),
            mod.layers.UpSampling2D(),
            mod.layers.AveragePooling2D(2),
            mod.layers.GlobalAveragePooling2D(),
            mod.layers.Reshape((8, 1)),
            mod.layers.Conv1D(4, 3),
            mod.layers.MaxPooling1D(),
            mod.layers.GlobalMaxPooling1D(),
            mod.layers.Dense(10, activation="softmax"),
        ], name="convnet")
        capsys.readouterr()
        model.summary()
        texts[mod] = capsys.readouterr().out
    assert texts[ek] == texts[keras_ref]


def test_volume_and_sequence_summary_matches_keras(keras_ref, capsys):
    """The 3-D and the 1-D layers of this module in one model: output shapes and parameter
    counts as Keras prints them."""
    texts = {}
    for mod in (keras_ref, ek):
        mod.utils.clear_session()
        model = mod.Sequential([
            mod.Input(shape=(8, 8, 8, 2)),
            mod.layers.Conv3D(4, 3, padding="same", activation="relu"),
            mod.layers.MaxPooling3D(),
            mod.layers.SpatialDropout3D(0.1),
            mod.layers.Conv3DTranspose(3, 2, strides=2),
            mod.layers.AveragePooling3D(2),
            mod.layers.GlobalMaxPooling3D(keepdims=True),
            mod.layers.GlobalAveragePooling3D(),
            mod.layers.Reshape((3, 1)),
            mod.layers.Conv1DTranspose(4, 3, strides=2, padding="same"),
            mod.layers.SeparableConv1D(5, 3, padding="same"),
            mod.layers.DepthwiseConv1D(3, depth_multiplier=2),
            mod.layers.SpatialDropout1D(0.1),
            mod.layers.GlobalMaxPooling1D(),
            mod.layers.Dense(2),
        ], name="volumes")
        capsys.readouterr()
        model.summary()
        texts[mod] = capsys.readouterr().out
    assert texts[ek] == texts[keras_ref]


@pytest.mark.parametrize("alias,name", [
    ("Convolution3D", "Conv3D"), ("MaxPool3D", "MaxPooling3D"), ("AvgPool3D", "AveragePooling3D"),
    ("GlobalAvgPool3D", "GlobalAveragePooling3D"), ("GlobalMaxPool3D", "GlobalMaxPooling3D"),
    ("Convolution1DTranspose", "Conv1DTranspose"), ("Convolution3DTranspose", "Conv3DTranspose"),
    ("SeparableConvolution1D", "SeparableConv1D")])
def test_keras_aliases_name_the_same_class(keras_ref, alias, name):
    assert getattr(keras_ref.layers, alias) is getattr(keras_ref.layers, name)
    assert getattr(ek.layers, alias) is getattr(ek.layers, name)


@pytest.mark.parametrize("make,match", [
    (lambda: ek.layers.Conv2D(0, 3), "Expected a strictly positive value. Received filters=0"),
    (lambda: ek.layers.Conv2D(4, 3, groups=3), "evenly divisible by the number of groups"),
    (lambda: ek.layers.Conv2D(4, 0), "cannot contain 0"),
    (lambda: ek.layers.Conv2D(4, 3, strides=2, dilation_rate=2), "not supported in conjunction"),
    (lambda: ek.layers.Conv2D(4, 3, padding="full"), "The `padding` argument must be"),
    (lambda: ek.layers.Conv2D(4, 3, data_format="nhwc"), "The `data_format` argument must be"),
    (lambda: ek.layers.Conv2D(4, (3, 3, 3)), "The `kernel_size` argument must be a tuple of 2"),
    (lambda: ek.layers.Conv2D(4, 5)(np.zeros((1, 3, 3, 1), np.float32)),
     "Computed output size would be zero or negative"),
    (lambda: ek.layers.Conv2D(4, 3, groups=2)(np.zeros((1, 5, 5, 3), np.float32)),
     "input channels must be evenly divisible"),
    (lambda: ek.layers.MaxPooling2D(3)(np.zeros((1, 2, 2, 1), np.float32)),
     "Computed output size would be negative"),
    (lambda: ek.layers.ZeroPadding2D((1, 2, 3)), "`padding` should have two elements"),
    (lambda: ek.layers.AdaptiveMaxPooling2D((1, 2, 3)), "For 2D input, `output_size` tuple must have length 2"),
    (lambda: ek.ops.adaptive_average_pool(np.zeros((2, 3), np.float32), 2),
     "Inputs to adaptive average pooling must have ndim=3, 4 or 5"),
])
def test_bad_arguments_raise_keras_messages(keras_ref, make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_default_data_format_follows_config():
    assert ek.config.image_data_format() == "channels_last"
    ek.config.set_image_data_format("channels_first")
    try:
        layer = ek.layers.Conv2D(2, 3)
        assert layer.data_format == "channels_first"
        assert layer(np.zeros((1, 3, 5, 5), np.float32)).shape == (1, 2, 3, 3)
    finally:
        ek.config.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="data_format"):
        ek.config.set_image_data_format("NHWC")


@pytest.mark.parametrize("name", ["ember.keras.layers.convolutional", "ember.keras.layers.pooling",
                                  "ember.keras.layers.adaptive_pooling",
                                  "ember.keras.layers.reshaping", "ember.keras.layers.image",
                                  "ember.keras.ops.nn_conv", "ember.keras.config"])
def test_docstring_examples(name):
    import doctest
    import importlib
    module = importlib.import_module(name)
    result = doctest.testmod(module, extraglobs={"keras": ek, "np": np, "ops": ek.ops},
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
