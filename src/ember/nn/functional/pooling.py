"""Pooling functions of ``ember.nn.functional``: max/average pooling (1-D, 2-D and 3-D) and their
adaptive forms, with torch's arguments and error messages.

1-D pooling is 2-D pooling of ``(N, C, 1, L)``, reached through an unsqueeze and a squeeze,
exactly as torch's graph records it.

Example::

    >>> F.max_pool2d(ember.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
"""
from __future__ import annotations

from ..._tensor import Tensor
from ...ops import shape as _shape
from ...ops._sliding import out_size
from ...ops._util import as_tensor
from ...ops.pooling import AdaptiveMaxPool, AvgPool, MaxPool
from ...ops.resample import Resample, adaptive_matrix
from ._spatial import ntuple, torch_size

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
           "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices"]


def _window_args(kernel_size, stride, padding, dilation, dims: int = 2):
    kernel = ntuple(kernel_size, dims, "kernel_size")
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else ntuple(stride, dims, "stride")
    return kernel, stride, ntuple(padding, dims, "padding"), ntuple(dilation, dims, "dilation")


def _check_window(x, kernel, stride, pads, dilation, ceil_mode):
    """torch's pool2d/pool3d shape checks; returns the output size."""
    dims = len(kernel)
    names = ("T", "H", "W")[-dims:]
    if 0 in stride:
        raise RuntimeError("stride should not be zero")
    if min(kernel) <= 0:
        raise RuntimeError("kernel size should be greater than zero, but got " + " ".join(
            f"k{a}: {k}" for a, k in zip(names, kernel)))
    if min(stride) < 0:
        raise RuntimeError("stride should be greater than zero, but got " + " ".join(
            f"d{a}: {s}" for a, s in zip(names, stride)))
    if min(dilation) <= 0:
        raise RuntimeError("dilation should be greater than zero, but got " + " ".join(
            f"dilation{a}: {d}" for a, d in zip(names, dilation)))
    if min(pads) < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(pads)}")
    for p, k, d in zip(pads, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    size = x.shape[-dims:]
    out = tuple(out_size(size[a], kernel[a], stride[a], 2 * pads[a], dilation[a], ceil_mode,
                         pads[a]) for a in range(dims))
    if min(out) < 1:
        c = x.shape[-dims - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (c,) + tuple(size)))}). "
                           f"Calculated output size: ({'x'.join(map(str, (c,) + out))}). Output "
                           f"size is too small")
    return out


def _flat_pads(pads) -> tuple:
    """``(p0, p1, …)`` symmetric padding → the ops' ``(before_0, after_0, …)``."""
    return tuple(p for p in pads for _ in (0, 1))


def _max_pool(x4, kernel, stride, pads, dilation, ceil_mode, return_indices):
    out = _check_window(x4, kernel, stride, pads, dilation, ceil_mode)
    sink = [] if return_indices else None
    y = MaxPool.apply(x4, kernel=kernel, stride=stride, pads=_flat_pads(pads),
                      dilation=dilation, out=out, sink=sink)
    return (y, Tensor._make(sink[0])) if return_indices else y


def _window_rank(x, dims: int) -> None:
    if x.ndim not in (dims + 1, dims + 2) or 0 in x.shape[-dims - 1:]:
        raise RuntimeError(f"non-empty {dims + 1}D or {dims + 2}D (batch mode) tensor expected "
                           f"for input")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Maximum over ``kernel_size`` windows of ``(N, C, H, W)`` (or ``(C, H, W)``) input.

    Args:
        stride: defaults to ``kernel_size``; padding: implicit -inf on both sides (at most half
            the window); dilation: spacing of the window's elements; ceil_mode: round the
            output size up; return_indices: also return each maximum's flat index in its plane.

    Example::

        >>> F.max_pool2d(ember.ones(1, 3, 6, 6), 2).shape
        ember.Size([1, 3, 3, 3])
    """
    x = as_tensor(input)
    _window_rank(x, 2)
    kernel, stride, pads, dilation = _window_args(kernel_size, stride, padding, dilation)
    return _max_pool(x, kernel, stride, pads, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Maximum over ``kernel_size`` windows of ``(N, C, D, H, W)`` (or ``(C, D, H, W)``) input;
    arguments as :func:`max_pool2d` (ints or triples).

    Example::

        >>> F.max_pool3d(ember.ones(1, 2, 4, 6, 6), 2).shape
        ember.Size([1, 2, 2, 3, 3])
    """
    x = as_tensor(input)
    _window_rank(x, 3)
    kernel, stride, pads, dilation = _window_args(kernel_size, stride, padding, dilation, 3)
    return _max_pool(x, kernel, stride, pads, dilation, ceil_mode, return_indices)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Maximum over windows of ``(N, C, L)`` (or ``(C, L)``) input; see :func:`max_pool2d`.

    Example::

        >>> F.max_pool1d(ember.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
        tensor([[[3., 2.]]])
    """
    x = as_tensor(input)
    if x.ndim not in (2, 3):
        raise RuntimeError(f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim "
                           f"batch size for input, but got:{torch_size(x.shape)}")
    (k,), (s,), (p,), (d,) = _window_args(kernel_size, stride, padding, dilation, 1)
    for bad, msg in ((k <= 0, f"kernel_size must be greater than zero, but got {k}"),
                     (s <= 0, f"stride must be greater than zero, but got {s}"),
                     (p < 0, f"padding must be non-negative, but got {p}"),
                     (p > k // 2, f"padding should be at most half of kernel size, but got "
                                  f"padding={p} and kernel_size={k}"),
                     (d <= 0, f"dilation must be greater than zero, but got {d}")):
        if bad:
            raise RuntimeError(f"max_pool1d() {msg}")
    n_out = out_size(x.shape[-1], k, s, 2 * p, d, ceil_mode, p)
    if n_out < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {n_out}")
    res = _max_pool(_shape.unsqueeze(x, -2), (1, k), (1, s), (0, p), (1, d), ceil_mode,
                    return_indices)
    if return_indices:
        return tuple(_shape.squeeze(r, -2) for r in res)
    return _shape.squeeze(res, -2)


def _avg_pool(x4, kernel, stride, pads, ceil_mode, count_include_pad, divisor_override):
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    dims = len(kernel)
    if dims == 3 and any(k > n + 2 * p for k, n, p in zip(kernel, x4.shape[-3:], pads)):
        raise RuntimeError(f"input image (T: {x4.shape[-3]} H: {x4.shape[-2]} W: {x4.shape[-1]}) "
                           f"smaller than kernel size (kT: {kernel[0]} kH: {kernel[1]} kW: "
                           f"{kernel[2]})")
    out = _check_window(x4, kernel, stride, pads, (1,) * dims, ceil_mode)
    return AvgPool.apply(x4, kernel=kernel, stride=stride, out=out, pads=_flat_pads(pads),
                         count_include_pad=count_include_pad, divisor_override=divisor_override)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None):
    """Mean over ``kernel_size`` windows of ``(N, C, H, W)`` (or ``(C, H, W)``) input.

    Args:
        padding: implicit zeros on both sides; count_include_pad: divide by the window size
            including that padding (else by the real elements only); ceil_mode: round the output
            size up; divisor_override: divide by this instead.

    Example::

        >>> F.avg_pool2d(ember.ones(1, 1, 4, 4), 2, padding=1, count_include_pad=False)[0, 0]
        tensor([[1., 1., 1.],
                [1., 1., 1.],
                [1., 1., 1.]])
    """
    x = as_tensor(input)
    if x.ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(x.ndim, 1)}, "
                         f"{max(x.ndim, 1) - 1}], but got -3)")
    if x.ndim > 4:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size "
                           f"for input, but got:{torch_size(x.shape)}")
    kernel, stride, pads, _ = _window_args(kernel_size, stride, padding, 1)
    return _avg_pool(x, kernel, stride, pads, ceil_mode, count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None):
    """Mean over ``kernel_size`` windows of ``(N, C, D, H, W)`` (or ``(C, D, H, W)``) input;
    arguments as :func:`avg_pool2d` (ints or triples).

    Example::

        >>> F.avg_pool3d(ember.ones(1, 2, 4, 4, 4), 2).shape
        ember.Size([1, 2, 2, 2, 2])
    """
    x = as_tensor(input)
    _window_rank(x, 3)
    kernel, stride, pads, _ = _window_args(kernel_size, stride, padding, 1, 3)
    return _avg_pool(x, kernel, stride, pads, ceil_mode, count_include_pad, divisor_override)


def _rank_1d(x, name: str) -> None:
    if x.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for "
                           f"argument #1 'self' (while checking arguments for {name})")


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True):
    """Mean over windows of ``(N, C, L)`` (or ``(C, L)``) input; see :func:`avg_pool2d`.

    Example::

        >>> F.avg_pool1d(ember.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
        tensor([[[2., 1.]]])
    """
    x = as_tensor(input)
    _rank_1d(x, "avg_pool1d")
    (k,), (s,), (p,), _ = _window_args(kernel_size, stride, padding, 1, 1)
    y = _avg_pool(_shape.unsqueeze(x, -2), (1, k), (1, s), (0, p), ceil_mode, count_include_pad,
                  None)
    return _shape.squeeze(y, -2)


def _adaptive_size(x, output_size, dims: int, name: str) -> tuple:
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * dims
    if len(sizes) != dims:
        raise RuntimeError(f"{name}: output_size must be {dims}")
    size = tuple(x.shape[x.ndim - dims + i] if o is None else int(o) for i, o in enumerate(sizes))
    if min(size) < 0:
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 but "
                           f"received {{{', '.join(map(str, size))}}}")
    for i in range(x.ndim - dims, x.ndim):
        if x.shape[i] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {torch_size(x.shape)} with "
                               f"dimension {i} being empty")
    return size


def _adaptive_avg(x, output_size, dims: int, name: str):
    if x.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"{name}(): Expected {dims + 1}D or {dims + 2}D tensor, but got "
                           f"{torch_size(x.shape)}")
    out = _adaptive_size(x, output_size, dims, name)
    dtype = x._data.dtype
    mats = [adaptive_matrix(n, o, dtype) for n, o in zip(x.shape[-dims:], out)]
    if out == (1,) * dims:
        return Resample.apply(x, mats=mats, label="MeanBackward1", saves=())
    return Resample.apply(x, mats=mats, label=f"AdaptiveAvgPool{dims}DBackward0", saves=(0,))


def adaptive_avg_pool2d(input, output_size):
    """Averages ``(N, C, H, W)`` (or ``(C, H, W)``) input into an ``output_size`` grid of
    windows that tile the input (torch's ``floor``/``ceil`` window bounds); a None entry keeps
    that axis.

    Example::

        >>> F.adaptive_avg_pool2d(ember.ones(2, 3, 7, 5), 1).shape
        ember.Size([2, 3, 1, 1])
    """
    return _adaptive_avg(as_tensor(input), output_size, 2, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input, output_size):
    """Averages ``(N, C, D, H, W)`` (or ``(C, D, H, W)``) input into an ``output_size`` grid of
    tiling windows (see :func:`adaptive_avg_pool2d`).

    Example::

        >>> F.adaptive_avg_pool3d(ember.ones(2, 3, 5, 7, 5), (1, 2, 2)).shape
        ember.Size([2, 3, 1, 2, 2])
    """
    return _adaptive_avg(as_tensor(input), output_size, 3, "adaptive_avg_pool3d")


def adaptive_avg_pool1d(input, output_size):
    """Averages ``(N, C, L)`` (or ``(C, L)``) input into ``output_size`` tiling windows.

    Example::

        >>> F.adaptive_avg_pool1d(ember.tensor([[[1.0, 2.0, 3.0, 4.0]]]), 2)
        tensor([[[1.5000, 3.5000]]])
    """
    x = as_tensor(input)
    _rank_1d(x, "adaptive_avg_pool1d")
    (out,) = _adaptive_size(x, output_size, 1, "adaptive_avg_pool1d")
    x4 = _shape.unsqueeze(x, -2)
    cols = adaptive_matrix(x.shape[-1], out, x._data.dtype)
    return _shape.squeeze(Resample.apply(x4, mats=(cols,), label="AdaptiveAvgPool2DBackward0",
                                         saves=(0,)), -2)


def _adaptive_max(x4, out, return_indices):
    sink = []
    y = AdaptiveMaxPool.apply(x4, out=out, sink=sink)
    return (y, Tensor._make(sink[0])) if return_indices else y


def adaptive_max_pool2d(input, output_size, return_indices: bool = False):
    """Maximum over an ``output_size`` grid of tiling windows (see :func:`adaptive_avg_pool2d`).

    Example::

        >>> F.adaptive_max_pool2d(ember.arange(16.0).reshape(1, 1, 4, 4), 1)
        tensor([[[[15.]]]])
    """
    x = as_tensor(input)
    if x.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: "
                           f"{torch_size(x.shape)}")
    out = _adaptive_size(x, output_size, 2, "adaptive_max_pool2d")
    return _adaptive_max(x, out, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices: bool = False):
    """Maximum over an ``output_size`` grid of tiling windows of ``(N, C, D, H, W)`` (or
    ``(C, D, H, W)``) input.

    Example::

        >>> F.adaptive_max_pool3d(ember.arange(8.0).reshape(1, 1, 2, 2, 2), 1)
        tensor([[[[[7.]]]]])
    """
    x = as_tensor(input)
    if x.ndim not in (4, 5):
        raise RuntimeError(f"adaptive_max_pool3d(): Expected 4D or 5D tensor, but got: "
                           f"{torch_size(x.shape)}")
    out = _adaptive_size(x, output_size, 3, "adaptive_max_pool3d")
    return _adaptive_max(x, out, return_indices)


def adaptive_max_pool1d(input, output_size, return_indices: bool = False):
    """Maximum over ``output_size`` tiling windows of ``(N, C, L)`` (or ``(C, L)``) input.

    Example::

        >>> F.adaptive_max_pool1d(ember.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
        tensor([[[3., 2.]]])
    """
    x = as_tensor(input)
    _rank_1d(x, "adaptive_max_pool1d")
    (out,) = _adaptive_size(x, output_size, 1, "adaptive_max_pool1d")
    res = _adaptive_max(_shape.unsqueeze(x, -2), (1, out), return_indices)
    if return_indices:
        return tuple(_shape.squeeze(r, -2) for r in res)
    return _shape.squeeze(res, -2)



def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False):
    """:func:`max_pool1d` that always returns ``(output, indices)`` (torch's name for it)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False):
    """:func:`max_pool2d` that always returns ``(output, indices)`` (torch's name for it)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False):
    """:func:`max_pool3d` that always returns ``(output, indices)`` (torch's name for it)."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices: bool = False):
    """:func:`adaptive_max_pool1d` that always returns ``(output, indices)``."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices: bool = False):
    """:func:`adaptive_max_pool2d` that always returns ``(output, indices)``."""
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices: bool = False):
    """:func:`adaptive_max_pool3d` that always returns ``(output, indices)``."""
    return adaptive_max_pool3d(input, output_size, True)
