"""More image functions of ``ember.nn.functional``: ``instance_norm``, ``local_response_norm``,
``pixel_shuffle``/``pixel_unshuffle``, ``channel_shuffle``, ``lp_pool1d/2d/3d``,
``max_unpool1d/2d/3d`` and ``cross_map_lrn2d`` (``nn.CrossMapLRN2d``'s maths), with torch's
arguments and messages. The norms and ``lp_pool`` are composites of ember's ops, as in
torch (their graphs end in the same nodes); pixel shuffling and unpooling are one node each.

Example::

    >>> F.pixel_shuffle(ember.ones(1, 8, 2, 3), 2).shape
    ember.Size([1, 2, 4, 6])
"""
from __future__ import annotations

import builtins
import math

import numpy as np

from ..._tensor import Tensor
from ...ops import shape as _shape
from ...ops._util import as_tensor
from ...ops.layout import PixelShuffle
from ...ops.shape import View
from ...ops.pooling import MaxUnpool
from ._spatial import ntuple, torch_size
from .activation import relu
from .layers import _dtype_name, batch_norm
from .pooling import avg_pool1d, avg_pool2d, avg_pool3d, max_pool1d, max_pool2d, max_pool3d
from .vision import pad

__all__ = ["instance_norm", "local_response_norm", "pixel_shuffle", "pixel_unshuffle",
           "channel_shuffle", "native_channel_shuffle",
           "lp_pool1d", "lp_pool2d", "lp_pool3d", "max_unpool1d", "max_unpool2d", "max_unpool3d"]


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats: bool = True, momentum: float = 0.1, eps: float = 1e-5):
    """Normalises each channel of each sample of ``(N, C, *)`` input over its own positions
    (batch norm of ``(1, N·C, *)``, as torch computes it); the running statistics, when given,
    are updated with the mean over the samples.

    Example::

        >>> y = F.instance_norm(ember.randn(2, 3, 8))
        >>> bool(y.mean(-1).abs().max() < 1e-5)
        True
    """
    x = as_tensor(input)
    if use_input_stats and math.prod(x.shape[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{tuple(x.shape)}")
    n, c = x.shape[:2]
    stats = [None if t is None else Tensor._make(t._data.reshape(1, -1).repeat(n, 0).ravel())
             for t in (running_mean, running_var)]
    affine = [None if t is None else t.repeat(n) for t in (weight, bias)]
    y = batch_norm(x.reshape((1, n * c) + tuple(x.shape[2:])), stats[0], stats[1], affine[0],
                   affine[1], use_input_stats, momentum, eps)
    for mine, repeated in zip((running_mean, running_var), stats):
        if mine is not None and use_input_stats:
            mine._data[...] = repeated._data.reshape(n, c).mean(axis=0)
    return y.view(x.shape)


def local_response_norm(input, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0):
    """Divides each value by ``(k + alpha · mean of squares over `size` neighbouring
    channels) ** beta`` (AlexNet's normalisation across channels of ``(N, C, *)`` input).

    Example::

        >>> F.local_response_norm(ember.ones(1, 4, 2, 2), 2).shape
        ember.Size([1, 4, 2, 2])
    """
    x = as_tensor(input)
    dim = x.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input "
                         f"(got {dim} dimensions)")
    if x.numel() == 0:
        return x
    div = x * x
    if dim == 3:
        div = pad(div.unsqueeze(1), (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = x.shape
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1).view(sizes)
    return x / (div * alpha + k) ** beta


def cross_map_lrn2d(input, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
    """torch's ``CrossMapLRN2d`` (the Lua-Torch port behind ``nn.CrossMapLRN2d``): each value of
    ``(N, C, H, W)`` input divided by ``(k + alpha / size · S) ** beta``, ``S`` the sum of the
    squares over the channels ``c - (size - 1) // 2 … c + (size - 1) // 2`` clipped to
    ``[0, C)`` (an even ``size`` sums ``size - 1`` channels), as torch sums them; like torch, it
    keeps channel 0's square in every window once the window has passed it (its running sum
    never subtracts it), so values equal torch's.

    Example::

        >>> ember.nn.CrossMapLRN2d(3, alpha=3.0, beta=1.0)(ember.ones(1, 3, 1, 1)).flatten()
        tensor([0.3333, 0.2500, 0.2500])
    """
    x = as_tensor(input)
    if x.ndim != 4:
        raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {x.ndim}D instead.")
    window = cross_map_window(x.shape[1], size, x._data.dtype)
    squares = _shape.permute(x * x, (0, 2, 3, 1)) @ Tensor._make(window.T.copy())
    scale = _shape.permute(squares, (0, 3, 1, 2)) * (alpha / size) + k
    return x * scale ** -beta


def cross_map_window(channels: int, size: int, dtype) -> np.ndarray:
    """``(C, C)`` 0/1 matrix: row ``c`` marks the channels whose squares torch's
    ``CrossMapLRN2d`` sums for channel ``c``."""
    pre = builtins.int((size - 1) / 2 + 1)
    window = np.zeros((channels, channels), dtype)
    for c in range(channels):
        window[c, max(c - pre + 1, 0):min(c + pre, channels)] = 1
    window[:, 0] = 1  # torch's running sum never subtracts channel 0
    return window


def channel_shuffle(input, groups: int):
    """Interleaves the channels of ``(N, C, *)`` input across ``groups`` (ShuffleNet): channel
    ``g · (C / groups) + i`` moves to ``i · groups + g``.

    Example::

        >>> F.channel_shuffle(ember.arange(6.0).reshape(1, 6, 1), 2).flatten()
        tensor([0., 3., 1., 4., 2., 5.])
    """
    x = as_tensor(input)
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    if x.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {torch_size(x.shape)}")
    n, c = x.shape[:2]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and "
                           f"{groups} groups.")
    parts = _shape.reshape(x, (n, groups, c // groups) + tuple(x.shape[2:]))
    return View.apply(_shape.transpose(parts, 1, 2), shape=tuple(x.shape),
                      label="ChannelShuffleBackward0")


def native_channel_shuffle(input, groups: int):
    """:func:`channel_shuffle` (ATen's kernel name; ember's records the gradient, torch's has
    none).

    Example::

        >>> F.native_channel_shuffle(ember.arange(4.0).reshape(1, 4, 1), 2).flatten()
        tensor([0., 2., 1., 3.])
    """
    return channel_shuffle(input, groups)


def _shuffle_checks(x, factor: int, name: str, what: str) -> None:
    if x.ndim < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input "
                           f"with {x.ndim} dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{name} expects a positive {what}, but got {factor}")


def pixel_shuffle(input, upscale_factor: int):
    """Rearranges ``(*, C·r², H, W)`` into ``(*, C, H·r, W·r)`` (sub-pixel convolution's
    upsampling, ``r = upscale_factor``).

    Example::

        >>> F.pixel_shuffle(ember.arange(4.0).reshape(1, 4, 1, 1), 2)[0, 0]
        tensor([[0., 1.],
                [2., 3.]])
    """
    x = as_tensor(input)
    r = int(upscale_factor)
    _shuffle_checks(x, r, "pixel_shuffle", "upscale_factor")
    if x.shape[-3] % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible "
                           f"by the square of upscale_factor, but input.size(-3)={x.shape[-3]} is "
                           f"not divisible by {r * r}")
    return PixelShuffle.apply(x, factor=r)


def pixel_unshuffle(input, downscale_factor: int):
    """The inverse of :func:`pixel_shuffle`: ``(*, C, H·r, W·r)`` → ``(*, C·r², H, W)``.

    Example::

        >>> F.pixel_unshuffle(ember.ones(1, 2, 4, 6), 2).shape
        ember.Size([1, 8, 2, 3])
    """
    x = as_tensor(input)
    r = int(downscale_factor)
    _shuffle_checks(x, r, "pixel_unshuffle", "downscale_factor")
    for axis, name in ((-2, "height"), (-1, "width")):
        if x.shape[axis] % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by "
                               f"downscale_factor, but input.size({axis})={x.shape[axis]} is not "
                               f"divisible by {r}")
    return PixelShuffle.apply(x, factor=r, inverse=True)


def _lp_pool(x, norm_type, kernel_size, stride, ceil_mode, dims, max_pool, avg_pool):
    x = as_tensor(x)
    if isinstance(norm_type, (int, float)) and math.isinf(norm_type):
        if norm_type > 0:
            return max_pool(x.abs(), kernel_size, stride, 0, 1, ceil_mode)
        return -max_pool(-x.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool(x.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    area = math.prod(ntuple(kernel_size, dims, "kernel_size"))
    return (out.sign() * relu(out.abs())).mul(area).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size: int, stride=None, ceil_mode: bool = False):
    """Power-average pooling: ``(Σ x^p over each window) ** (1/p)`` of ``(N, C, L)`` input
    (``p = inf`` is max pooling of ``|x|``).

    Example::

        >>> F.lp_pool1d(ember.tensor([[[3.0, 4.0]]]), 2, 2)
        tensor([[[5.]]])
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1, max_pool1d, avg_pool1d)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
    """Power-average pooling over windows of ``(N, C, H, W)`` input (see :func:`lp_pool1d`).

    Example::

        >>> F.lp_pool2d(ember.ones(1, 1, 4, 4), 2, 2).shape
        ember.Size([1, 1, 2, 2])
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2, max_pool2d, avg_pool2d)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
    """Power-average pooling over windows of ``(N, C, D, H, W)`` input (see :func:`lp_pool1d`).

    Example::

        >>> F.lp_pool3d(ember.ones(1, 1, 2, 4, 4), 1, 2).shape
        ember.Size([1, 1, 1, 2, 2])
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3, max_pool3d, avg_pool3d)


def _unpool_size(x, kernel, stride, pads, output_size) -> tuple:
    """torch's ``_unpool_output_size``: the default size, or ``output_size`` checked against it."""
    n = len(kernel)
    default = [(x.shape[x.ndim - n + d] - 1) * stride[d] + kernel[d] - 2 * pads[d]
               for d in range(n)]
    if output_size is None:
        return tuple(default)
    size = list(output_size)
    if len(size) == n + 2:
        size = size[2:]
    if len(size) != n:
        raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} elements, "
                         f"but it has a length of '{len(size)}'")
    for d in range(n):
        low, high = default[d] - stride[d], default[d] + stride[d]
        if not low < size[d] < high:
            raise ValueError(f'invalid output_size "{tuple(output_size)}" (dim {d} must be '
                             f'between {low} and {high})')
    return tuple(int(s) for s in size)


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, dims: int):
    x, idx = as_tensor(input), as_tensor(indices)
    if idx._data.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{_dtype_name(idx._data)}")
    if tuple(idx.shape) != tuple(x.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({torch_size(x.shape)}) but got indices tensor with shape: "
                           f"{torch_size(idx.shape)}")
    kernel = ntuple(kernel_size, dims, "kernel_size")
    stride = kernel if stride is None else ntuple(stride, dims, "stride")
    size = _unpool_size(x, kernel, stride, ntuple(padding, dims, "padding"), output_size)
    if dims == 1:  # torch unpools (N, C, L, 1) in 2-D
        y = MaxUnpool.apply(_shape.unsqueeze(x, -1), indices=idx._data[..., None],
                            size=size + (1,))
        return _shape.squeeze(y, -1)
    return MaxUnpool.apply(x, indices=idx._data, size=size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Puts each value of a max pool's output back where ``indices`` (its ``return_indices``)
    says, zeros elsewhere: ``(N, C, L_in)`` → ``(N, C, L_out)``, ``L_out = (L_in - 1)·stride -
    2·padding + kernel_size`` unless ``output_size`` says otherwise (by less than a stride).

    Example::

        >>> y, i = F.max_pool1d(ember.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2, return_indices=True)
        >>> F.max_unpool1d(y, i, 2)
        tensor([[[0., 3., 2., 0.]]])
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """:func:`max_unpool1d` over the last two axes (the inverse of ``max_pool2d``).

    Example::

        >>> y, i = F.max_pool2d(ember.arange(16.0).reshape(1, 1, 4, 4), 2, return_indices=True)
        >>> F.max_unpool2d(y, i, 2).shape
        ember.Size([1, 1, 4, 4])
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """:func:`max_unpool1d` over the last three axes (the inverse of ``max_pool3d``).

    Example::

        >>> y, i = F.max_pool3d(ember.ones(1, 1, 2, 2, 2), 2, return_indices=True)
        >>> F.max_unpool3d(y, i, 2).sum().item()
        1.0
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3)
