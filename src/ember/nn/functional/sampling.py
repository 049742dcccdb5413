"""Spatial transformers: ``affine_grid`` (the sampling grid of a batch of affine matrices) and
``grid_sample`` (the input read at a grid of normalised positions), with torch's arguments and
errors, on ember's :class:`~ember.ops.sampling.Sample` op (shared with
``keras.ops.image.map_coordinates``/``affine_transform``).

A grid holds ``(x, y)`` (5-D input: ``(x, y, z)``) in ``[-1, 1]``: -1 is the left/top edge of
the image (``align_corners=True``: the centre of the first pixel).

Example::

    >>> import ember.nn.functional as F
    >>> theta = ember.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])      # the identity
    >>> x = ember.arange(6.0).reshape(1, 1, 2, 3)
    >>> F.grid_sample(x, F.affine_grid(theta, (1, 1, 2, 3), align_corners=False),
    ...               align_corners=False).tolist()
    [[[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]]]
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...ops import shape as _shape
from ...ops._util import as_tensor
from ...ops.sampling import AffineGrid, Sample
from ._spatial import torch_size

__all__ = ["grid_sample", "affine_grid"]

_MODES = {"bilinear": 1, "nearest": 0, "bicubic": 3}
_PADDING = ("zeros", "border", "reflection")


def grid_sample(input, grid, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners=None):
    """Samples ``input`` ``(N, C, H, W)`` at ``grid`` ``(N, Ho, Wo, 2)`` (5-D: ``(N, C, D, H,
    W)`` at ``(N, Do, Ho, Wo, 3)``) → ``(N, C, Ho, Wo)`` (``(N, C, Do, Ho, Wo)``).

    Args:
        mode: 'bilinear' (trilinear on 5-D input), 'nearest' or 'bicubic' (4-D input).
        padding_mode: 'zeros', 'border' (the edge value) or 'reflection'.
        align_corners: whether -1/1 are the corner pixels' centres (default False).

    Gradients flow to ``input`` and ``grid``.

    Example::

        >>> import ember.nn.functional as F
        >>> F.grid_sample(ember.ones(1, 1, 2, 2), ember.zeros(1, 1, 1, 2)).shape
        ember.Size([1, 1, 1, 1])
    """
    x, g = as_tensor(input), as_tensor(grid)
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' "
                         f"or 'bicubic', but got: '{mode}'")
    if padding_mode not in _PADDING:
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if x.ndim not in (4, 5) or g.ndim != x.ndim:
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of "
                           f"dimensions, but got input with sizes {torch_size(x.shape)} and grid "
                           f"with sizes {torch_size(g.shape)}")
    d = x.ndim - 2
    if g.shape[0] != x.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but "
                           f"got input with sizes {torch_size(x.shape)} and grid with sizes "
                           f"{torch_size(g.shape)}")
    if g.shape[-1] != d:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {d} in last dimension, but "
                           f"got grid with sizes {torch_size(g.shape)}")
    if mode == "bicubic" and d != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    align = bool(align_corners)
    sizes = np.array(x.shape[2:][::-1], np.float64)                   # (W, H[, D]): grid order
    scale = (sizes - 1) / 2 if align else sizes / 2
    shift = scale if align else scale - 0.5
    dtype = g._data.dtype
    pixels = g * Tensor._make(scale.astype(dtype)) + Tensor._make(shift.astype(dtype))
    coords = _shape.flip(pixels, (-1,))                               # (.., y, x) axis order
    fill = {"zeros": "constant", "border": "nearest",
            "reflection": "mirror" if align else "reflect"}[padding_mode]
    return Sample.apply(x, coords, order=_MODES[mode], fill_mode=fill, fill_value=0.0,
                        label=f"GridSampler{d}DBackward0")


def affine_grid(theta, size, align_corners=None):
    """The ``grid_sample`` grid of affine matrices ``theta`` ``(N, 2, 3)`` for an output of
    ``size = (N, C, H, W)`` → ``(N, H, W, 2)``; ``(N, 3, 4)`` and ``(N, C, D, H, W)`` →
    ``(N, D, H, W, 3)``. Gradients flow to ``theta``.

    Example::

        >>> import ember.nn.functional as F
        >>> F.affine_grid(ember.tensor([[[1.0, 0, 0], [0, 1.0, 0]]]), (1, 1, 2, 2)).shape
        ember.Size([1, 2, 2, 2])
    """
    th = as_tensor(theta)
    size = tuple(int(s) for s in size)
    if th._data.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got {th.dtype}")
    if len(size) == 4:
        if th.ndim != 3 or th.shape[1:] != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{torch_size(size)}. Got {torch_size(th.shape)}.")
    elif len(size) == 5:
        if th.ndim != 3 or th.shape[1:] != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{torch_size(size)}. Got {torch_size(th.shape)}.")
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {torch_size(size)}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {torch_size(size)}")
    if th.shape[0] != size[0]:
        raise ValueError(f"Expected theta batch size {th.shape[0]} to equal size[0] = {size[0]}")
    return AffineGrid.apply(th, size=size[2:], align_corners=bool(align_corners))
