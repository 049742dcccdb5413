"""The image preprocessing and augmentation layers against Keras 3 (torch backend).

The random draws differ between the libraries, so the comparison is of ``transform_images`` on
the SAME transformation (drawn by Keras); the draws themselves are tested for their ranges,
their distribution and their reproducibility. Also: unbatched input, dtypes, output shapes and
``summary()``, config round trips, dict inputs, and training vs inference inside ``fit``."""
import numpy as np
import pytest

import ember
from ember import keras as ek

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = (RNG.random((3, 7, 9, 3)) * 255).astype(np.float32)

# (layer, args, kwargs)
LAYERS = [
    ("RandomFlip", ("horizontal",), {}),
    ("RandomFlip", ("vertical",), {}),
    ("RandomFlip", (), {}),
    ("RandomRotation", (0.3,), {}),
    ("RandomRotation", ((-0.2, 0.4),), {"fill_mode": "constant", "fill_value": 3.0,
                                         "interpolation": "nearest"}),
    ("RandomRotation", (0.5,), {"fill_mode": "nearest"}),
    ("RandomTranslation", (0.3, 0.2), {}),
    ("RandomTranslation", ((-0.3, 0.1), 0.2), {"fill_mode": "wrap"}),
    ("RandomZoom", (0.3,), {}),
    ("RandomZoom", ((-0.5, 0.2), (0.1, 0.3)), {"fill_mode": "nearest"}),
    ("RandomContrast", (0.5,), {}),
    ("RandomContrast", ((0.2, 0.7),), {"value_range": (0, 100)}),
    ("RandomBrightness", (0.3,), {}),
    ("RandomBrightness", ((-0.5, 0.1),), {"value_range": (0, 1)}),
    ("Resizing", (4, 5), {}),
    ("Resizing", (10, 6), {"interpolation": "bicubic", "crop_to_aspect_ratio": True}),
    ("Resizing", (6, 6), {"interpolation": "nearest", "pad_to_aspect_ratio": True}),
    ("CenterCrop", (4, 5), {}),
    ("CenterCrop", (8, 12), {}),
    ("RandomCrop", (4, 5), {}),
    ("RandomCrop", (8, 9), {}),
]
IDS = [f"{n}-{i}" for i, (n, _, _) in enumerate(LAYERS)]


def _np(v):
    return v.detach().cpu().numpy() if hasattr(v, "detach") else np.asarray(v)


def _plain(transformation):
    if isinstance(transformation, dict):
        return {k: _np(v) if hasattr(v, "detach") else v for k, v in transformation.items()}
    if isinstance(transformation, tuple):
        return tuple(int(_np(v)) for v in transformation)
    return transformation


def _pair(keras, name, args, kwargs, data_format):
    return (getattr(ek.layers, name)(*args, data_format=data_format, **kwargs),
            getattr(keras.layers, name)(*args, data_format=data_format, **kwargs))


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("name,args,kwargs", LAYERS, ids=IDS)
def test_transform_images_matches_keras_on_the_same_transformation(keras_ref, name, args, kwargs,
                                                                   data_format):
    mine, ref = _pair(keras_ref, name, args, kwargs, data_format)
    x = X if data_format == "channels_last" else X.transpose(0, 3, 1, 2).copy()
    for images, single in ((x, False), (x[0], True)):     # a batch, then one unbatched image
        tr = _plain(ref.get_random_transformation(images, training=True))
        kx = keras_ref.ops.convert_to_tensor(images)
        if single:
            out, expected = mine.transform_single_image(images, tr), ref.transform_single_image(kx, tr)
        else:
            out, expected = mine.transform_images(images, tr), ref.transform_images(kx, tr)
        assert out.dtype == ember.float32
        np.testing.assert_allclose(out.numpy(), _np(expected), atol=2e-3, rtol=1e-5)
    # at inference: the same as Keras (the identity for the random layers)
    np.testing.assert_allclose(mine(x, training=False).numpy(), _np(ref(x, training=False)),
                               atol=2e-3)
    shape = (None,) + x.shape[1:]
    assert tuple(mine.compute_output_shape(shape)) == tuple(ref.compute_output_shape(shape))


@pytest.mark.parametrize("name,args,kwargs", LAYERS, ids=IDS)
def test_config_matches_keras_and_round_trips(keras_ref, name, args, kwargs):
    mine, ref = _pair(keras_ref, name, args, kwargs, None)
    drop = {"name", "dtype", "trainable"} | ({"seed"} if name == "RandomCrop" else set())
    ours = {k: v for k, v in mine.get_config().items() if k not in drop}
    theirs = {k: v for k, v in ref.get_config().items() if k not in drop}
    assert ours == theirs
    again = type(mine).from_config(mine.get_config())
    assert again.get_config() == mine.get_config()


def test_draws_stay_in_their_ranges_and_are_spread():
    x = np.zeros((400, 4, 6, 1), np.float32)
    rot = ek.layers.RandomRotation((-0.1, 0.25), seed=1).get_random_transformation(x)["angle"]
    assert rot.min() >= -36.0 and rot.max() <= 90.0 and rot.std() > 20
    flips = ek.layers.RandomFlip(seed=2).get_random_transformation(x)["flips"]
    assert flips.shape == (400, 1, 1, 1) and 0.4 < flips.mean() < 0.6
    tr = ek.layers.RandomTranslation(0.5, (0.0, 0.25), seed=3).get_random_transformation(x)
    dx, dy = tr["translations"][:, 0], tr["translations"][:, 1]
    assert np.abs(dy).max() <= 0.5 * 4 and dx.min() >= 0 and dx.max() <= 0.25 * 6
    zoom = ek.layers.RandomZoom((-0.3, 0.2), seed=4).get_random_transformation(x)
    assert 0.7 <= zoom["height_zoom"].min() and zoom["height_zoom"].max() <= 1.2
    assert zoom["width_zoom"] is zoom["height_zoom"]                   # aspect kept
    c = ek.layers.RandomContrast(0.5, seed=5).get_random_transformation(x)["contrast_factor"]
    assert 1.0 <= c.min() and c.max() <= 1.5                          # Keras 3 reads 0.5 as (0, 0.5)
    b = ek.layers.RandomBrightness(0.2, seed=6).get_random_transformation(x)["rgb_delta"]
    assert -51.0 <= b.min() < -25 and 25 < b.max() <= 51.0
    top, left = ek.layers.RandomCrop(2, 3, seed=7).get_random_transformation(x)
    assert 0 <= top <= 2 and 0 <= left <= 3


@pytest.mark.parametrize("name,args", [("RandomFlip", ()), ("RandomRotation", (0.2,)),
                                       ("RandomTranslation", (0.2, 0.2)), ("RandomZoom", (0.3,)),
                                       ("RandomContrast", (0.5,)), ("RandomBrightness", (0.3,)),
                                       ("RandomCrop", (4, 4))])
def test_a_seed_reproduces_the_sequence_of_augmentations(name, args):
    x = X[:2]
    a, b = (getattr(ek.layers, name)(*args, seed=11) for _ in range(2))
    first = [a(x).numpy() for _ in range(4)]
    second = [b(x).numpy() for _ in range(4)]
    for u, v in zip(first, second):
        np.testing.assert_array_equal(u, v)
    assert any(not np.array_equal(first[0], f) for f in first[1:])    # successive calls differ


@pytest.mark.parametrize("name,args,in_dtype,out_dtype", [
    ("Resizing", (4, 4), np.uint8, "uint8"),
    ("Resizing", (4, 4), np.float32, "float32"),
    ("Resizing", (4, 4), np.float64, "float32"),
    ("CenterCrop", (4, 4), np.uint8, "float32"),
    ("RandomFlip", (), np.uint8, "float32"),
    ("RandomRotation", (0.2,), np.float32, "float32"),
    ("RandomBrightness", (0.2,), np.uint8, "uint8"),
    ("RandomContrast", (0.2,), np.uint8, "float32"),
])
def test_dtypes_follow_keras(keras_ref, name, args, in_dtype, out_dtype):
    x = X.astype(in_dtype)
    out = getattr(ek.layers, name)(*args)(x)
    ref = getattr(keras_ref.layers, name)(*args)(x)
    assert str(out.dtype).split(".")[-1] == out_dtype == str(ref.dtype).split(".")[-1]


def test_dict_input_transforms_images_and_passes_labels_through():
    labels = np.arange(3)
    out = ek.layers.RandomFlip("horizontal", seed=3)({"images": X, "labels": labels})
    assert set(out) == {"images", "labels"} and out["images"].shape == X.shape
    np.testing.assert_array_equal(np.asarray(out["labels"]), labels)


def test_gradients_flow_through_augmentation():
    x = ember.tensor(X[:2] / 255.0, requires_grad=True)
    y = ek.layers.RandomRotation(0.2, seed=0)(ek.layers.RandomZoom(0.2, seed=1)(x))
    y.sum().backward()
    assert x.grad is not None and x.grad.shape == x.shape and float(x.grad.abs().sum()) > 0


BAD = [
    ("RandomFlip", ("diagonal",), ValueError, "unknown mode"),
    ("RandomRotation", (1.5,), ValueError, "factor"),
    ("RandomRotation", (0.2,), NotImplementedError, "fill_mode", {"fill_mode": "mirror"}),
    ("RandomTranslation", (0.2, (0.1, 0.2, 0.3)), ValueError, "width_factor"),
    ("RandomZoom", (-1.0,), ValueError, "input_number"),
    ("RandomZoom", (0.2,), NotImplementedError, "interpolation", {"interpolation": "bicubic"}),
    ("RandomContrast", (-0.2,), ValueError, "factor"),
    ("RandomBrightness", (0.2,), ValueError, "value_range", {"value_range": 255}),
]


@pytest.mark.parametrize("bad", BAD, ids=[f"{b[0]}-{b[3]}" for b in BAD])
def test_bad_arguments(bad):
    name, args, exc, match = bad[:4]
    kwargs = bad[4] if len(bad) > 4 else {}
    with pytest.raises(exc, match=match):
        getattr(ek.layers, name)(*args, **kwargs)


def test_rank_two_input_is_refused():
    with pytest.raises(ValueError, match="rank 3"):
        ek.layers.RandomFlip()(np.ones((4, 4), np.float32))


class _Spy(ek.layers.RandomFlip):
    seen = []

    def call(self, data, training=True):
        _Spy.seen.append(bool(training))
        return super().call(data, training=training)


def test_augmentation_runs_in_fit_and_not_in_predict_or_evaluate():
    """A Keras image tutorial's model: augmentation and rescaling in front of a small convnet."""
    ember.manual_seed(0)
    x = RNG.random((16, 8, 8, 3)).astype(np.float32) * 255
    y = RNG.integers(0, 2, 16)
    spy = _Spy("horizontal", seed=1)
    model = ek.Sequential([
        ek.Input((8, 8, 3)), spy, ek.layers.RandomRotation(0.1, seed=2),
        ek.layers.RandomZoom(0.1, seed=3), ek.layers.Resizing(6, 6),
        ek.layers.Rescaling(1.0 / 255), ek.layers.Conv2D(4, 3, activation="relu"),
        ek.layers.GlobalAveragePooling2D(), ek.layers.Dense(2)])
    model.compile(optimizer="adam",
                  loss=ek.losses.SparseCategoricalCrossentropy(from_logits=True))
    _Spy.seen.clear()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert _Spy.seen and all(_Spy.seen)
    _Spy.seen.clear()
    p1 = model.predict(x, verbose=0)
    model.evaluate(x, y, verbose=0)
    assert _Spy.seen and not any(_Spy.seen)
    np.testing.assert_array_equal(p1, model.predict(x, verbose=0))   # inference is deterministic
    assert model.output_shape == (None, 2)
    text = []
    model.summary(print_fn=text.append)
    summary = "\n".join(text)
    for line in ("(_Spy)", "(RandomRotation)", "Resizing", "(None, 6, 6, 3)", "(None, 8, 8, 3)"):
        assert line in summary


def test_a_model_with_image_layers_saves_and_loads(tmp_path):
    layers = ek.layers
    model = ek.Sequential([
        ek.Input((7, 8, 3)), layers.RandomFlip("horizontal", seed=1), layers.RandomRotation(0.1),
        layers.RandomZoom(0.1, 0.2), layers.RandomTranslation(0.1, 0.1),
        layers.RandomContrast(0.2), layers.RandomBrightness(0.1), layers.RandomCrop(6, 6, seed=3),
        layers.CenterCrop(5, 5), layers.Resizing(4, 4, interpolation="bicubic"), layers.Flatten(),
        layers.Dense(2)])
    path = str(tmp_path / "augmented.keras")
    model.save(path)
    again = ek.models.load_model(path)
    assert [type(a) for a in again.layers] == [type(a) for a in model.layers]
    assert [a.get_config() for a in again.layers] == [a.get_config() for a in model.layers]
    x = X[:2, :, :8] / 255.0
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
