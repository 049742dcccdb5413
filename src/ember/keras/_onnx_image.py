"""ONNX converters of the Keras image preprocessing layers at inference: ``Resizing`` (ONNX
``Resize`` with torch's coordinate rules, after a ``Slice`` or ``Pad`` to the target's aspect
ratio), ``CenterCrop`` (a ``Slice``; a ``Resize`` when the image is smaller than the crop) and the
random augmentation layers, which are the identity at inference (so is ``RandomCrop`` in Keras 3).

Example::

    >>> model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.RandomFlip(),
    ...                           keras.layers.Resizing(16, 16), keras.layers.CenterCrop(12, 12)])
    >>> model.export("model.onnx", format="onnx")
"""
from __future__ import annotations

import numpy as np

from .. import onnx as _onnx
from . import _onnx_export as K
from . import layers as L
from .ops.image_core import _aspect_window

# interpolation -> (ONNX mode, coordinate_transformation_mode, extra attributes)
_MODES = {"bilinear": ("linear", "pytorch_half_pixel", {}),
          "nearest": ("nearest", "half_pixel", {"nearest_mode": "round_prefer_ceil"}),
          "bicubic": ("cubic", "half_pixel", {"cubic_coeff_a": -0.75})}


def _resize(g, layer, x, shape, size, interpolation="bilinear", crop=False, pad=False,
            fill_value=0.0):
    """``keras.ops.image.resize`` of a batch ``x`` of static ``shape`` in ``layer.data_format``."""
    last = layer.data_format == "channels_last"
    if last:
        x = g.op("Transpose", x, perm=[0, 3, 1, 2])
    height, width = (shape[1], shape[2]) if last else (shape[2], shape[3])
    if height is None or width is None:
        K._refuse(layer, "the image height and width must be known (not None) to export it")
    if crop:
        h, w, top, left = _aspect_window(height, width, size[0], size[1], pad=False)
        x = g.op("Slice", x, g.ints([top, left]), g.ints([top + h, left + w]), g.ints([2, 3]))
        height, width = h, w
    elif pad:
        h, w, top, left = _aspect_window(height, width, size[0], size[1], pad=True)
        x = g.op("Pad", x, g.ints([0, 0, top, left, 0, 0, top, left], "pads"),
                 g.const(np.asarray(fill_value, np.float32), "fill_value"), mode="constant")
        height, width = height + 2 * top, width + 2 * left
    if interpolation == "area":
        if height % size[0] or width % size[1]:
            K._refuse(layer, f"interpolation='area' from {(height, width)} to {tuple(size)}: the "
                             f"sizes must divide")
        kernel = [height // size[0], width // size[1]]
        y = g.op("AveragePool", x, kernel_shape=kernel, strides=kernel)
    else:
        mode, transform, attrs = _MODES[interpolation]
        lead = g.op("Slice", g.op("Shape", x), g.ints([0]), g.ints([2]), g.ints([0]))
        sizes = g.op("Concat", lead, g.ints([int(size[0]), int(size[1])]), axis=0)
        y = g.op("Resize", x, "", "", sizes, mode=mode, coordinate_transformation_mode=transform,
                 **attrs)
    return g.op("Transpose", y, perm=[0, 2, 3, 1], hint="resizing") if last else y


def _batched(convert):
    """Runs ``convert`` on a batch (an unbatched 3-D input gets a batch axis of one)."""
    def wrapper(g, layer, inputs, shapes):
        if len(shapes[0]) == 4:
            return convert(g, layer, inputs[0], shapes[0])
        x = g.op("Unsqueeze", inputs[0], g.ints([0]))
        y = convert(g, layer, x, (1,) + tuple(shapes[0]))
        return g.op("Squeeze", y, g.ints([0]))
    return wrapper


@_batched
def resizing(g, layer, x, shape):
    if layer.antialias:
        K._refuse(layer, "antialias=True has no ONNX Resize equivalent before opset 18")
    return _resize(g, layer, x, shape, (layer.height, layer.width), layer.interpolation,
                   layer.crop_to_aspect_ratio, layer.pad_to_aspect_ratio, layer.fill_value)


@_batched
def center_crop(g, layer, x, shape):
    last = layer.data_format == "channels_last"
    height, width = (shape[1], shape[2]) if last else (shape[2], shape[3])
    if height is None or width is None:
        K._refuse(layer, "the image height and width must be known (not None) to export it")
    if height < layer.height or width < layer.width:
        return _resize(g, layer, x, shape, (layer.height, layer.width), crop=True)
    top, left = (height - layer.height) // 2, (width - layer.width) // 2
    axes = [1, 2] if last else [2, 3]
    return g.op("Slice", x, g.ints([top, left]), g.ints([top + layer.height, left + layer.width]),
                g.ints(axes), hint="center_crop")


CONVERTERS = {L.Resizing: resizing, L.CenterCrop: center_crop, L.RandomCrop: K.identity,
              L.RandomFlip: K.identity, L.RandomRotation: K.identity,
              L.RandomTranslation: K.identity, L.RandomZoom: K.identity,
              L.RandomContrast: K.identity, L.RandomBrightness: K.identity}
for _cls, _converter in CONVERTERS.items():
    K.CONVERTERS[_cls] = _converter
    _onnx.register(_cls, _converter)
