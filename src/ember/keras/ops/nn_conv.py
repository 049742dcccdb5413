"""``keras.ops`` convolutions and pooling: ``conv``, ``depthwise_conv``, ``separable_conv``,
``conv_transpose``, ``max_pool`` and ``average_pool``, with Keras's conventions (channels_last
by default, kernels ``(*kernel_size, in, out)``, 'same' padding split as Keras's torch backend
splits it) on ``ember.nn.functional``'s convolution and pooling.

Example::

    >>> from ember.keras import ops
    >>> x = np.ones((2, 5, 5, 3), np.float32)             # (N, H, W, C)
    >>> ops.conv(x, np.ones((3, 3, 3, 4), np.float32), padding="same").shape
    ember.Size([2, 5, 5, 4])
"""
from __future__ import annotations

from ...nn import functional as F
from ...ops import shape as _shape
from ..config import standardize_data_format
from ._base import t

__all__ = ["conv", "depthwise_conv", "separable_conv", "conv_transpose", "max_pool",
           "average_pool", "adaptive_average_pool", "adaptive_max_pool"]

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
_MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
_ADAPTIVE = {"average": {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d,
                         3: F.adaptive_avg_pool3d},
             "max": {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d}}


def ntuple(value, n: int, name: str) -> tuple:
    """Keras's ``standardize_tuple``: an int or ``n`` ints → a tuple of ``n`` ints."""
    try:
        out = (int(value),) * n if isinstance(value, int) else tuple(int(v) for v in value)
    except (TypeError, ValueError):
        out = ()
    if len(out) != n:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                         f"Received {name}={value}")
    return out


def channels_first(x, data_format):
    """``x`` as ``(N, C, *spatial)`` (a view) whatever its ``data_format``."""
    if standardize_data_format(data_format) == "channels_first":
        return x
    return _shape.permute(x, (0, x.ndim - 1) + tuple(range(1, x.ndim - 1)))


def from_channels_first(y, data_format):
    """The inverse of :func:`channels_first`."""
    if standardize_data_format(data_format) == "channels_first":
        return y
    return _shape.permute(y, (0,) + tuple(range(2, y.ndim)) + (1,))


def same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple:
    """(before, after) for 'same': ``ceil(size / stride)`` outputs, the odd pixel at the end."""
    extent = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + extent - size, 0)
    return total // 2, total - total // 2


def _padded(x, padding, kernel, strides, dilation, mode: str):
    """Resolves Keras's padding for channels-first ``x``: the (maybe padded) input and the
    symmetric padding to hand to torch's functions. Asymmetric 'same' padding is applied
    with ``mode`` ('constant' for convolutions, 'replicate' for pooling, as Keras does)."""
    n = x.ndim - 2
    if padding == "valid":
        return x, 0
    if padding == "causal":
        return F.pad(x, (dilation[0] * (kernel[0] - 1), 0)), 0
    pads = [same_padding(x.shape[2 + i], kernel[i], strides[i], dilation[i]) for i in range(n)]
    if all(a == b for a, b in pads):
        return x, tuple(a for a, _ in pads)
    flat = [p for pair in reversed(pads) for p in pair]
    return F.pad(x, flat, mode=mode), 0


def _padding_arg(padding, allow_causal: bool = False) -> str:
    value = str(padding).lower()
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if value not in allowed:
        raise ValueError(f"The `padding` argument must be a list/tuple or one of "
                         f"{set(allowed)}. Received: {padding}")
    return value


def conv_with_bias(inputs, kernel, bias=None, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """:func:`conv` plus a per-channel bias added inside the convolution node (what a Conv
    layer computes; one pass less than a separate add)."""
    x, k = t(inputs), t(kernel)
    n = x.ndim - 2
    if n not in _CONV:
        raise ValueError(f"Inputs to conv operation should have ndim=3, 4, or 5, corresponding "
                         f"to 1D, 2D and 3D inputs. Received input shape: {tuple(x.shape)}.")
    strides = ntuple(strides, n, "strides")
    dilation = ntuple(dilation_rate, n, "dilation_rate")
    xc = channels_first(x, data_format)
    w = _shape.permute(k, (n + 1, n) + tuple(range(n)))        # (out, in/groups, *kernel)
    if xc.shape[1] % w.shape[1]:
        raise ValueError(f"Input channels ({xc.shape[1]}) must be divisible by kernel input "
                         f"channels ({w.shape[1]})")
    xc, pad = _padded(xc, _padding_arg(padding, n == 1), w.shape[2:], strides, dilation,
                      "constant")
    y = _CONV[n](xc, w, None if bias is None else t(bias), strides, pad, dilation,
                 xc.shape[1] // w.shape[1])
    return from_channels_first(y, data_format)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (1-D, 2-D or 3-D); ``kernel`` is ``(*kernel_size, in / groups, out)``
    and the groups follow from the channel counts.

    Example::

        >>> ops.conv(np.ones((1, 8, 2), np.float32), np.ones((3, 2, 4), np.float32)).shape
        ember.Size([1, 6, 4])
    """
    return conv_with_bias(inputs, kernel, None, strides, padding, data_format, dilation_rate)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Each input channel convolved with its own ``depth_multiplier`` filters; ``kernel`` is
    ``(*kernel_size, in, multiplier)``, output channel ``c · multiplier + m``.

    Example::

        >>> ops.depthwise_conv(np.ones((1, 4, 4, 3), np.float32), np.ones((2, 2, 3, 2), np.float32)).shape
        ember.Size([1, 3, 3, 6])
    """
    k = t(kernel)
    k = k.reshape(tuple(k.shape[:-2]) + (1, k.shape[-2] * k.shape[-1]))
    return conv(inputs, k, strides, padding, data_format, dilation_rate)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """A depthwise convolution followed by a 1×1 (pointwise) convolution.

    Example::

        >>> x = np.ones((1, 4, 4, 3), np.float32)
        >>> ops.separable_conv(x, np.ones((2, 2, 3, 1), np.float32), np.ones((1, 1, 3, 5), np.float32)).shape
        ember.Size([1, 3, 3, 5])
    """
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", data_format, dilation_rate)


def _transpose_padding(kernel: int, stride: int, dilation: int, padding: str, output_padding):
    """Keras's (JAX's) left/right padding of a transposed convolution's dilated input."""
    extent = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(extent, stride) - extent if output_padding is None else output_padding
        return extent - 1, extent - 1 + extra
    total = stride + extent - 2 if output_padding is None else \
        extent + extent % 2 - 2 + output_padding
    left = min(total // 2 + total % 2, extent - 1)
    return left, total - left


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed 1-D, 2-D or 3-D convolution; ``kernel`` is ``(*kernel_size, out, in)``. With
    'same' the output is ``input · stride``; with 'valid' ``(input - 1) · stride + max(kernel,
    stride)``.

    Example::

        >>> ops.conv_transpose(np.ones((1, 3, 3, 2), np.float32), np.ones((2, 2, 4, 2), np.float32),
        ...                    strides=2, padding="same").shape
        ember.Size([1, 6, 6, 4])
    """
    x, k = t(inputs), t(kernel)
    n = x.ndim - 2
    if n not in _CONV_TRANSPOSE:
        raise ValueError(f"Inputs to conv_transpose operation should have ndim=3, 4, or 5, "
                         f"corresponding to 1D, 2D and 3D inputs. Received input shape: "
                         f"{tuple(x.shape)}.")
    padding = _padding_arg(padding)
    strides = ntuple(strides, n, "strides")
    dilation = ntuple(dilation_rate, n, "dilation_rate")
    out_pad = [None] * n if output_padding is None else list(ntuple(output_padding, n,
                                                                    "output_padding"))
    xc = channels_first(x, data_format)
    w = _shape.permute(k, (n + 1, n) + tuple(range(n)))             # (in, out, *kernel)
    y = _CONV_TRANSPOSE[n](xc, w, None, strides, dilation=dilation)
    crops = []
    for i in reversed(range(n)):                                    # F.pad order: last axis first
        left, right = _transpose_padding(k.shape[i], strides[i], dilation[i], padding,
                                         out_pad[i])
        extent = (k.shape[i] - 1) * dilation[i] + 1
        crops += [left - (extent - 1), right - (extent - 1)]       # negative: crop
    if any(crops):
        y = F.pad(y, crops)
    return from_channels_first(y, data_format)


def _pool(fn, x, pool_size, strides, padding, data_format, **kwargs):
    x = t(x)
    n = x.ndim - 2
    if n not in fn:
        raise ValueError(f"Inputs to pooling op must have ndim=3, 4 or 5, corresponding to 1D, "
                         f"2D and 3D inputs. Received input shape: {tuple(x.shape)}.")
    pool = ntuple(pool_size, n, "pool_size")
    strides = pool if strides is None else ntuple(strides, n, "strides")
    xc, pad = _padded(channels_first(x, data_format), _padding_arg(padding), pool, strides,
                      (1,) * n, "replicate")
    y = fn[n](xc, pool if n > 1 else pool[0], strides if n > 1 else strides[0],
              pad if n > 1 or pad == 0 else pad[0], **kwargs)
    return from_channels_first(y, data_format)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Maximum over ``pool_size`` windows (1-D, 2-D or 3-D; strides default to ``pool_size``).

    Example::

        >>> ops.max_pool(np.ones((2, 4, 4, 3), np.float32), 2).shape
        ember.Size([2, 2, 2, 3])
    """
    return _pool(_MAX_POOL, inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Mean over ``pool_size`` windows; padding never counts in the mean (Keras's rule).

    Example::

        >>> ops.average_pool(np.ones((2, 4, 4, 3), np.float32), 2, padding="same").shape
        ember.Size([2, 2, 2, 3])
    """
    return _pool(_AVG_POOL, inputs, pool_size, strides, padding, data_format,
                 count_include_pad=False)


def _adaptive_pool(kind: str, inputs, output_size, data_format):
    x = t(inputs)
    n = x.ndim - 2
    if n not in _ADAPTIVE[kind]:
        raise ValueError(f"Inputs to adaptive {kind} pooling must have ndim=3, 4 or 5, Received "
                         f"input shape: {tuple(x.shape)}.")
    size = output_size if isinstance(output_size, int) and n == 1 else \
        ntuple(output_size, n, "output_size")
    y = _ADAPTIVE[kind][n](channels_first(x, data_format), size)
    return from_channels_first(y, data_format)


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Averages 1-D, 2-D or 3-D images into an ``output_size`` grid of windows that tile them
    (torch's window bounds, as Keras's torch backend computes it).

    Example::

        >>> ops.adaptive_average_pool(np.ones((2, 7, 5, 3), np.float32), (2, 3)).shape
        ember.Size([2, 2, 3, 3])
    """
    return _adaptive_pool("average", inputs, output_size, data_format)


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Maximum over an ``output_size`` grid of tiling windows (see
    :func:`adaptive_average_pool`).

    Example::

        >>> ops.adaptive_max_pool(np.ones((2, 9, 3), np.float32), 4).shape
        ember.Size([2, 4, 3])
    """
    return _adaptive_pool("max", inputs, output_size, data_format)
