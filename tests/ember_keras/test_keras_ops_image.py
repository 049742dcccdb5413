"""``keras.ops.image`` against Keras 3 (torch backend) on the same inputs: values and dtypes of
every function and argument combination, gradients (to images and to coordinates) against the
torch autograd of Keras's own implementation, and Keras's errors for bad arguments."""
import numpy as np
import pytest

from ember.keras import ops as eops

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.random((2, 7, 9, 3)).astype(np.float32)                  # (N, H, W, C)
X_CF = X.transpose(0, 3, 1, 2).copy()
X_U8 = (X * 255).astype(np.uint8)
T = np.array([[0.9, 0.2, 1.5, -0.1, 1.1, -2.0, 0, 0], [1, 0, -2.3, 0, 1, 1.7, 0, 0]], np.float32)
COORDS = (RNG.random((2, 5, 4)) * 12 - 2).astype(np.float32)
FILL = ["constant", "nearest", "wrap", "mirror", "reflect"]
V = RNG.random((2, 4, 5, 6, 2)).astype(np.float32)                # (N, D, H, W, C)
QUAD = np.array([[0, 0], [8, 0], [0, 6], [8, 6]], np.float32)
QUAD2 = np.array([[1, 0.5], [7, 1], [0.3, 5], [8, 6.2]], np.float32)
NOISY = np.clip(X + RNG.normal(0, 0.1, X.shape), 0, 1).astype(np.float32)

# (id, function name, args, kwargs)
CASES = [
    *[(f"resize_{i}_{k}_{s[0]}", "resize", (X, s), {"interpolation": i, **kw})
      for i in ("bilinear", "nearest", "bicubic")
      for k, kw in (("plain", {}), ("antialias", {"antialias": True}),
                    ("crop", {"crop_to_aspect_ratio": True}),
                    ("pad", {"pad_to_aspect_ratio": True, "fill_value": 0.5}))
      for s in ((4, 5), (12, 8))],
    ("resize_uint8_bicubic", "resize", (X_U8, (5, 4)), {"interpolation": "bicubic"}),
    ("resize_uint8_bilinear", "resize", (X_U8, (9, 11)), {}),
    ("resize_channels_first_unbatched", "resize", (X_CF[0], (5, 4)),
     {"data_format": "channels_first"}),
    ("resize_float64", "resize", (X.astype(np.float64), (3, 3)), {}),
    *[(f"affine_{i}_{f}", "affine_transform", (X, T), {"interpolation": i, "fill_mode": f,
                                                       "fill_value": 0.3})
      for i in ("nearest", "bilinear") for f in FILL],
    ("affine_channels_first", "affine_transform", (X_CF, T), {"data_format": "channels_first"}),
    ("affine_single", "affine_transform", (X[0], T[0]), {}),
    *[(f"map_coordinates_{o}_{f}", "map_coordinates", (X[0, :, :, 0], COORDS, o, f, 0.2), {})
      for o in (0, 1) for f in FILL],
    ("map_coordinates_uint8", "map_coordinates", (X_U8[0, :, :, 0], COORDS, 1), {}),
    ("map_coordinates_3d", "map_coordinates", (X[0], RNG.random((3, 4)) * 6, 1), {}),
    ("crop", "crop_images", (X, 1, 2), {"target_height": 3, "right_cropping": 1}),
    ("crop_channels_first", "crop_images", (X_CF[0], 1, 2, 2, 1),
     {"data_format": "channels_first"}),
    ("pad", "pad_images", (X, 1, 2), {"target_height": 10, "right_padding": 1}),
    ("pad_channels_first", "pad_images", (X_CF[0], 1, 2, 2, 1), {"data_format": "channels_first"}),
    ("grayscale", "rgb_to_grayscale", (X,), {}),
    ("grayscale_uint8", "rgb_to_grayscale", (X_U8,), {}),
    ("grayscale_one_channel", "rgb_to_grayscale", (X[..., :1],), {}),
    ("rgb_to_hsv", "rgb_to_hsv", (X,), {}),
    ("rgb_to_hsv_channels_first", "rgb_to_hsv", (X_CF,), {"data_format": "channels_first"}),
    ("hsv_to_rgb", "hsv_to_rgb", (X,), {}),
    ("hsv_to_rgb_float64", "hsv_to_rgb", (X.astype(np.float64),), {}),
    ("patches", "extract_patches", (X, 2), {}),
    ("patches_same_stride1", "extract_patches", (X, (3, 2)), {"strides": 1, "padding": "same"}),
    ("patches_dilated_unbatched", "extract_patches", (X[0], 2), {"strides": 1,
                                                                 "dilation_rate": 2}),
    ("gaussian_blur", "gaussian_blur", (X, (3, 3), (1.0, 1.5)), {"data_format": "channels_last"}),
    ("gaussian_blur_channels_first", "gaussian_blur", (X_CF, (5, 5), (2.0, 1.0)),
     {"data_format": "channels_first"}),
    ("sobel", "sobel_edges", (X,), {}),
    ("sobel_channels_first", "sobel_edges", (X_CF,), {"data_format": "channels_first"}),
    ("patches_3d", "extract_patches_3d", (V, 2), {}),
    ("patches_3d_same", "extract_patches_3d", (V, (2, 3, 2)), {"strides": 1, "padding": "same"}),
    ("patches_3d_channels_first", "extract_patches_3d", (V.transpose(0, 4, 1, 2, 3), 2),
     {"data_format": "channels_first"}),
    ("patches_3d_through_extract_patches", "extract_patches", (V, (2, 2, 2)), {}),
    *[(f"perspective_{i}", "perspective_transform", (X, QUAD, QUAD2),
       {"interpolation": i, "fill_value": 0.5}) for i in ("bilinear", "nearest")],
    ("perspective_batch", "perspective_transform", (X, np.stack([QUAD, QUAD2]),
                                                    np.stack([QUAD2, QUAD])), {}),
    ("perspective_channels_first_single", "perspective_transform", (X_CF[0], QUAD, QUAD2),
     {"data_format": "channels_first"}),
    *[(f"scale_translate_{m}_{aa}_{i}", "scale_and_translate",
       (X, shape, np.array(sc, np.float32), np.array(tr, np.float32), (1, 2), m, aa), {})
      for m in ("linear", "cubic", "lanczos3", "lanczos5", "bilinear") for aa in (True, False)
      for i, (sc, tr, shape) in enumerate((([2.0, 1.5], [0.0, 1.0], (2, 14, 13, 3)),
                                           ([0.4, 0.7], [0.5, -1.0], (2, 3, 6, 3))))],
    ("scale_translate_uint8", "scale_and_translate",
     (X_U8, (2, 14, 13, 3), np.array([2.0, 1.5], np.float32), np.array([0.0, 1.0], np.float32),
      (1, 2), "cubic"), {}),
    ("ssim", "ssim", (X, NOISY), {"filter_size": 7}),
    ("ssim_channels_first_single", "ssim", (X_CF[0], NOISY.transpose(0, 3, 1, 2)[0]),
     {"max_val": 2.0, "filter_size": 5, "data_format": "channels_first"}),
    ("ssim_float64", "ssim", (X.astype(np.float64), NOISY.astype(np.float64)), {"filter_size": 3}),
]


def _np(y):
    return y.detach().cpu().numpy() if hasattr(y, "detach") else np.asarray(y)


@pytest.mark.parametrize("name,fn,args,kwargs", CASES, ids=[c[0] for c in CASES])
def test_matches_keras(keras_ref, name, fn, args, kwargs):
    mine = getattr(eops.image, fn)(*args, **kwargs)
    ref = getattr(keras_ref.ops.image, fn)(*args, **kwargs)
    assert tuple(mine.shape) == tuple(ref.shape)
    assert str(mine.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
    tol = 1.0 if mine.dtype.is_floating_point is False else 1e-5
    np.testing.assert_allclose(_np(mine).astype(np.float64), _np(ref).astype(np.float64),
                               atol=tol, rtol=1e-5)


GRAD_CASES = [
    ("resize_bilinear", lambda m, x: m.resize(x, (5, 4))),
    ("resize_bicubic_antialias", lambda m, x: m.resize(x, (3, 4), interpolation="bicubic",
                                                       antialias=True)),
    ("affine_bilinear_reflect", lambda m, x: m.affine_transform(x, T, fill_mode="reflect")),
    ("affine_nearest_constant", lambda m, x: m.affine_transform(x, T, interpolation="nearest")),
    ("hsv_round_trip", lambda m, x: m.hsv_to_rgb(m.rgb_to_hsv(x))),
    ("gaussian_blur", lambda m, x: m.gaussian_blur(x, data_format="channels_last")),
    ("sobel", lambda m, x: m.sobel_edges(x)),
    ("patches", lambda m, x: m.extract_patches(x, 3)),
    ("pad_crop", lambda m, x: m.crop_images(m.pad_images(x, 1, 1, 2, 0), 2, 0, 1, 1)),
    ("perspective", lambda m, x: m.perspective_transform(x, QUAD, QUAD2)),
    ("scale_translate", lambda m, x: m.scale_and_translate(
        x, (2, 4, 13, 3), np.array([0.6, 1.5], np.float32), np.array([0.2, 1.0], np.float32),
        (1, 2), "cubic")),
    ("ssim", lambda m, x: m.ssim(x, NOISY, filter_size=5)),
]


@pytest.mark.parametrize("name,fn", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_image_gradients_match_keras_autograd(keras_ref, name, fn):
    import ember
    x = ember.tensor(X, requires_grad=True)
    xt = torch.tensor(X, requires_grad=True)
    y, yt = fn(eops.image, x), fn(keras_ref.ops.image, xt)
    up = np.random.default_rng(1).standard_normal(tuple(y.shape)).astype(np.float32)
    (y * ember.tensor(up)).sum().backward()
    (yt * torch.tensor(up)).sum().backward()
    assert x.grad.dtype == ember.float32
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("order,fill", [(1, f) for f in FILL] + [(0, "constant")])
def test_map_coordinates_gradients_to_input_and_coordinates(keras_ref, order, fill):
    import ember
    img = X[0, :, :, 0]
    x, c = ember.tensor(img, requires_grad=True), ember.tensor(COORDS, requires_grad=True)
    xt, ct = torch.tensor(img, requires_grad=True), torch.tensor(COORDS, requires_grad=True)
    y = eops.image.map_coordinates(x, c, order, fill, 0.25)
    yt = keras_ref.ops.image.map_coordinates(xt, ct, order, fill, 0.25)
    up = np.random.default_rng(2).standard_normal(tuple(y.shape)).astype(np.float32)
    (y * ember.tensor(up)).sum().backward()
    (yt * torch.tensor(up)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), atol=1e-5)
    # Keras's torch backend gives no gradient to integer-floored nodes; its linear weights do
    expected = np.zeros_like(COORDS) if ct.grad is None else ct.grad.numpy()
    np.testing.assert_allclose(c.grad.numpy(), expected, atol=1e-4)


BAD = [
    ("resize", (X, (2, 2)), {"interpolation": "lanczos3"}, "interpolation"),
    ("resize", (X, (2,)), {}, "size"),
    ("resize", (X, (0, 2)), {}, "positive"),
    ("resize", (X, (2, 2)), {"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True},
     "Only one"),
    ("resize", (X[0, 0], (2, 2)), {}, "rank"),
    ("resize", (X, (2, 2)), {"fill_mode": "reflect"}, "fill_mode"),
    ("affine_transform", (X, T), {"interpolation": "bicubic"}, "interpolation"),
    ("affine_transform", (X, T), {"fill_mode": "zeros"}, "fill_mode"),
    ("affine_transform", (X, T[None]), {}, "transform rank"),
    ("map_coordinates", (X[0, :, :, 0], COORDS[:1], 1), {}, "rank of `inputs`"),
    ("map_coordinates", (X[0, :, :, 0], COORDS, 3), {}, "order<=1"),
    ("crop_images", (X, 1), {}, "exactly two"),
    ("pad_images", (X, 1, 1, None, None, 3, 12), {}, "bottom_padding must be >= 0"),
    ("rgb_to_grayscale", (X[..., :2],), {}, "channel size"),
    ("rgb_to_hsv", (X_U8,), {}, "float dtype"),
    ("extract_patches", (X, "2"), {}, "size"),
]


@pytest.mark.parametrize("fn,args,kwargs,match", BAD, ids=[f"{b[0]}-{b[3]}" for b in BAD])
def test_bad_arguments_raise_keras_errors(fn, args, kwargs, match):
    with pytest.raises((ValueError, TypeError, NotImplementedError), match=match):
        getattr(eops.image, fn)(*args, **kwargs)


def test_area_resize_averages_blocks():
    y = eops.image.resize(X[:, :6, :8], (3, 4), interpolation="area")
    expected = X[:, :6, :8].reshape(2, 3, 2, 4, 2, 3).mean(axis=(2, 4))
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-6)


def test_projective_transform_divides_by_k():
    """The last two transform entries make the map projective (TF/JAX semantics)."""
    img = np.arange(25, dtype=np.float32).reshape(5, 5, 1)
    t = np.array([1, 0, 0, 0, 1, 0, 0.1, 0.0], np.float32)
    y = eops.image.affine_transform(img, t, interpolation="bilinear")[..., 0].numpy()
    xs = np.arange(5) / (0.1 * np.arange(5) + 1)                  # row 0: input x = x / k
    np.testing.assert_allclose(y[0], np.interp(xs, np.arange(5), img[0, :, 0]), rtol=1e-6)


def test_elastic_transform_draws_a_reproducible_smooth_field():
    x = X_CF[:, :, :, :8]
    still = eops.image.elastic_transform(X, alpha=0.0, seed=1)
    np.testing.assert_allclose(still.numpy(), X, atol=1e-6)        # no displacement: the identity
    a = eops.image.elastic_transform(X, alpha=3.0, sigma=1.0, seed=4)
    b = eops.image.elastic_transform(X, alpha=3.0, sigma=1.0, seed=4)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert a.dtype == still.dtype and not np.allclose(a.numpy(), X)
    # one field per image, shared by its channels: equal channels stay equal
    same = np.repeat(X[..., :1], 3, axis=-1)
    c = eops.image.elastic_transform(same, alpha=3.0, sigma=1.0, seed=5).numpy()
    np.testing.assert_allclose(c[..., 0], c[..., 2], atol=1e-6)
    d = eops.image.elastic_transform(x, seed=2, data_format="channels_first")
    assert tuple(d.shape) == x.shape
    with pytest.raises(ValueError, match="fill_mode"):
        eops.image.elastic_transform(X, fill_mode="zeros")
