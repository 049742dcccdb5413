"""``keras.ops`` that move pixels between space and channels: ``depth_to_space`` and
``space_to_depth`` (TensorFlow's block order when channels_last, torch's pixel shuffle when
channels_first) and ``unfold``/``fold`` (im2col and col2im of channels-first images), with
Keras's arguments and checks, on ``ember.nn.functional``'s pixel shuffle and fold.

Example::

    >>> from ember.keras import ops
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 2, 2, 4)      # (N, H, W, C)
    >>> ops.depth_to_space(x, 2).shape
    ember.Size([1, 4, 4, 1])
    >>> ops.unfold(np.ones((1, 2, 4, 4), np.float32), kernel_size=2, stride=2).shape
    ember.Size([1, 8, 4])
"""
from __future__ import annotations

from ...nn import functional as F
from ...ops import shape as _shape
from ..config import standardize_data_format
from ._base import t

__all__ = ["depth_to_space", "space_to_depth", "unfold", "fold"]


def _block_args(x, block_size, data_format):
    data_format = standardize_data_format(data_format)
    if block_size < 2:
        raise ValueError(f"`block_size` must be at least 2. Received: block_size={block_size}")
    x = t(x)
    if x.ndim != 4:
        raise ValueError(f"Input tensor must be 4D (batch, height, width, channels) or (batch, "
                         f"channels, height, width). Received: x.shape={tuple(x.shape)}")
    return x, int(block_size), data_format


def depth_to_space(x, block_size, data_format="channels_last"):
    """``(N, H, W, C·r²)`` → ``(N, H·r, W·r, C)`` with ``r = block_size`` (channels_first:
    ``(N, C·r², H, W)`` → ``(N, C, H·r, W·r)``, torch's ``pixel_shuffle``). channels_last
    reads the depth block-major, as TensorFlow does: depth ``(i·r + j)·C + c`` goes to pixel
    ``(i, j)`` of channel ``c``.

    Example::

        >>> from ember.keras import ops
        >>> ops.depth_to_space(np.arange(4.0, dtype=np.float32).reshape(1, 1, 1, 4), 2)[0, ..., 0]
        tensor([[0., 1.],
                [2., 3.]])
    """
    x, r, data_format = _block_args(x, block_size, data_format)
    n, h, w, c = x.shape
    if data_format == "channels_first":
        c = x.shape[1]
    if c % (r * r):
        raise ValueError(f"The number of channels ({c}) must be divisible by block_size**2 "
                         f"({r * r}).")
    if data_format == "channels_first":
        return F.pixel_shuffle(x, r)
    blocks = _shape.reshape(x, (n, h, w, r, r, c // (r * r)))
    return _shape.reshape(_shape.permute(blocks, (0, 1, 3, 2, 4, 5)),
                          (n, h * r, w * r, c // (r * r)))


def space_to_depth(x, block_size, data_format="channels_last"):
    """The inverse of :func:`depth_to_space`: ``(N, H·r, W·r, C)`` → ``(N, H, W, C·r²)``
    (channels_first: torch's ``pixel_unshuffle``).

    Example::

        >>> from ember.keras import ops
        >>> ops.space_to_depth(np.ones((1, 4, 4, 3), np.float32), 2).shape
        ember.Size([1, 2, 2, 12])
    """
    x, r, data_format = _block_args(x, block_size, data_format)
    size = x.shape[2:] if data_format == "channels_first" else x.shape[1:3]
    for name, n in zip(("Height", "Width"), size):
        if n % r:
            raise ValueError(f"{name} ({n}) must be divisible by block_size ({r}).")
    if data_format == "channels_first":
        return F.pixel_unshuffle(x, r)
    n, h, w, c = x.shape
    blocks = _shape.reshape(x, (n, h // r, r, w // r, r, c))
    return _shape.reshape(_shape.permute(blocks, (0, 1, 3, 2, 4, 5)),
                          (n, h // r, w // r, c * r * r))


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding ``kernel_size`` blocks of a channels-first ``(N, C, H, W)`` image as columns
    ``(N, C·kH·kW, L)`` (im2col; torch's ``F.unfold``).

    Example::

        >>> from ember.keras import ops
        >>> ops.unfold(np.ones((1, 2, 3, 3), np.float32), 2).shape
        ember.Size([1, 8, 4])
    """
    x = t(x)
    if x.ndim != 4:
        raise ValueError(f"Input must be a 4D tensor. Received: input.shape={tuple(x.shape)}")
    return F.unfold(x, kernel_size, dilation, padding, stride)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Columns ``(N, C·kH·kW, L)`` summed back into ``(N, C, *output_size)`` (col2im, the
    inverse of :func:`unfold` where blocks do not overlap).

    Example::

        >>> from ember.keras import ops
        >>> ops.fold(np.ones((1, 8, 4), np.float32), (4, 4), 2, stride=2).shape
        ember.Size([1, 2, 4, 4])
    """
    x = t(x)
    if x.ndim != 3:
        raise ValueError(f"Input must be a 3D tensor. Received: input.shape={tuple(x.shape)}")
    return F.fold(x, output_size, kernel_size, dilation, padding, stride)
