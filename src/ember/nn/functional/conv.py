"""Convolutions of ``ember.nn.functional``: ``conv1d/2d/3d``, ``conv_transpose1d/2d/3d``,
``unfold``, ``fold`` and the time-major ``conv_tbc``, with torch's arguments, checks and error
messages.

Example::

    >>> x, w = ember.ones(2, 3, 8, 8), ember.ones(4, 3, 3, 3)
    >>> F.conv2d(x, w, padding="same").shape
    ember.Size([2, 4, 8, 8])
"""
from __future__ import annotations

from ...ops.conv import Convolution, ConvolutionTranspose, Fold, Unfold
from ...ops._util import as_tensor
from ...ops.shape import Permute
from ._spatial import batched, ntuple, spatial_rank, torch_size, unbatch
from .layers import _dtype_name

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
           "unfold", "fold", "conv_tbc"]



def _type_name(t) -> str:
    return _dtype_name(t._data)


def _positive(values, what: str) -> None:
    if any(v <= 0 for v in values):
        raise RuntimeError(f"non-positive {what} is not supported")


def _padding(padding, kernel, dilation, stride, name: str) -> tuple:
    """torch's padding argument → ``((before, after), …)`` per spatial axis. 'same' pads
    ``dilation·(k - 1)`` in total, the extra one at the end when that is odd."""
    dims = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * dims
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: {padding!r}")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
        return tuple((t // 2, t - t // 2) for t in totals)
    pads = ntuple(padding, dims, "padding")
    if any(p < 0 for p in pads):
        raise RuntimeError("negative padding is not supported")
    return tuple((p, p) for p in pads)


def _check_operands(x, weight, bias, groups: int, transposed: bool) -> None:
    """dtypes, groups, channel count and bias shape, with torch's messages."""
    if x._data.dtype != weight._data.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(x)} but found {_type_name(weight)}")
    if not isinstance(groups, int) or groups < 1:
        raise RuntimeError(f"non-positive groups is not supported, got groups={groups!r}")
    w = weight.shape
    if not transposed and w[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{torch_size(w)}] instead")
    want = w[0] if transposed else w[1] * groups
    if x.shape[1] != want:
        kind = "transposed=1" if transposed else f"groups={groups}"
        raise RuntimeError(f"Given {kind}, weight of size {torch_size(w)}, expected input"
                           f"{torch_size(x.shape)} to have {want} channels, but got {x.shape[1]} "
                           f"channels instead")
    out = w[1] * groups if transposed else w[0]
    if bias is not None:
        if bias.shape != (out,):
            raise RuntimeError(f"Given weight of size {torch_size(w)}, expected bias to be "
                               f"1-dimensional with {out} elements, but got bias of size "
                               f"{torch_size(bias.shape)} instead")
        if bias._data.dtype != x._data.dtype:
            raise RuntimeError(f"Input type ({_type_name(x).lower()}) and bias type "
                               f"({_type_name(bias).lower()}) should be the same")


def _conv(input, weight, bias, stride, padding, dilation, groups, dims: int, name: str):
    x = as_tensor(input)
    is_batched = spatial_rank(x, dims, name)
    if weight.ndim != dims + 2:
        raise RuntimeError(f"Expected {weight.ndim}-dimensional input for {weight.ndim}-dimensional "
                           f"weight {torch_size(weight.shape)}, but got {x.ndim}-dimensional input "
                           f"of size {torch_size(x.shape)} instead")
    stride, dilation = ntuple(stride, dims, "stride"), ntuple(dilation, dims, "dilation")
    _positive(stride, "stride")
    _positive(dilation, "dilation")
    kernel = weight.shape[2:]
    pads = _padding(padding, kernel, dilation, stride, name)
    xb = batched(x, is_batched)
    _check_operands(xb, weight, bias, groups, transposed=False)
    padded = [n + a + b for n, (a, b) in zip(xb.shape[2:], pads)]
    extent = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    if any(p < e for p, e in zip(padded, extent)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))})"
                           f". Kernel size: ({' x '.join(map(str, extent))}). Kernel size can't be "
                           f"greater than actual input size")
    y = Convolution.apply(xb, weight, bias, stride=stride, pads=sum(pads, ()),
                          dilation=dilation, groups=groups)
    return unbatch(y, is_batched)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation over ``(N, C_in, L)`` (or unbatched ``(C_in, L)``) input.

    Args:
        weight: ``(C_out, C_in / groups, k)``; bias: ``(C_out,)`` or None.
        stride, dilation: int or 1-tuple; padding: int, 1-tuple, 'same' or 'valid'.
        groups: split the channels into this many independent convolutions.

    Shape: output ``(N, C_out, L_out)``, ``L_out = (L + 2p - dilation·(k-1) - 1) // stride + 1``.

    Example::

        >>> F.conv1d(ember.ones(1, 2, 5), ember.ones(3, 2, 3)).shape
        ember.Size([1, 3, 3])
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation over ``(N, C_in, H, W)`` (or unbatched ``(C_in, H, W)``) input.

    Args:
        weight: ``(C_out, C_in / groups, kH, kW)``; bias: ``(C_out,)`` or None.
        stride, dilation: int or pair; padding: int, pair, 'same' or 'valid'.
        groups: split the channels into this many independent convolutions (``groups = C_in``
            with ``C_out = m · C_in`` is a depthwise convolution).

    Shape: output ``(N, C_out, H_out, W_out)`` with
    ``H_out = (H + 2·padding - dilation·(kH - 1) - 1) // stride + 1`` (likewise W).

    Example::

        >>> F.conv2d(ember.ones(1, 1, 5, 5), ember.ones(2, 1, 3, 3), stride=2).shape
        ember.Size([1, 2, 2, 2])
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D cross-correlation over ``(N, C_in, D, H, W)`` (or unbatched ``(C_in, D, H, W)``)
    input (volumes, video clips).

    Args:
        weight: ``(C_out, C_in / groups, kD, kH, kW)``; bias: ``(C_out,)`` or None.
        stride, dilation: int or triple; padding: int, triple, 'same' or 'valid'.
        groups: split the channels into this many independent convolutions.

    Shape: output ``(N, C_out, D_out, H_out, W_out)``, each as in :func:`conv2d`.

    Example::

        >>> F.conv3d(ember.ones(1, 2, 4, 5, 5), ember.ones(3, 2, 3, 3, 3), padding=1).shape
        ember.Size([1, 3, 4, 5, 5])
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


_AXES = ("depth", "height", "width")


def _named(what: str, values, sep: str) -> str:
    """``stride_height: 1, stride_width: 2`` as torch's transposed-convolution messages name
    the axes (a 1-D convolution is reported as 2-D, its height 1)."""
    values = (1,) * (2 - len(values)) + tuple(values) if len(values) < 2 else tuple(values)
    return sep.join(f"{what}_{axis}: {v}" for axis, v in zip(_AXES[-len(values):], values))


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation,
                    dims: int, name: str):
    x = as_tensor(input)
    is_batched = spatial_rank(x, dims, name)
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    stride, dilation = ntuple(stride, dims, "stride"), ntuple(dilation, dims, "dilation")
    pads = ntuple(padding, dims, "padding")
    out_pad = ntuple(output_padding, dims, "output_padding")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got "
                           f"{_named('dilation', dilation, ', ')}")
    if any(p < 0 for p in pads):
        raise RuntimeError("negative padding is not supported")
    if any(o >= s and o >= d for o, s, d in zip(out_pad, stride, dilation)) or min(out_pad) < 0:
        padded = (0,) * (2 - dims) + out_pad if dims < 2 else out_pad
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got "
                           f"{_named('output_padding', padded, ' ')} "
                           f"{_named('stride', stride, ' ')} {_named('dilation', dilation, ' ')}")
    xb = batched(x, is_batched)
    if weight.ndim != dims + 2 or weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{torch_size(weight.shape)}] "
                           f"instead")
    _check_operands(xb, weight, bias, groups, transposed=True)
    size = [(n - 1) * s - 2 * p + d * (k - 1) + o + 1 for n, s, p, d, k, o in
            zip(xb.shape[2:], stride, pads, dilation, weight.shape[2:], out_pad)]
    if min(size) < 1:
        shown = (1,) * (2 - dims) if dims < 2 else ()
        raise RuntimeError(f"Given input size per channel: "
                           f"({' x '.join(map(str, shown + tuple(xb.shape[2:])))}). Calculated "
                           f"output size per channel: ({' x '.join(map(str, shown + tuple(size)))})"
                           f". Output size is too small")
    y = ConvolutionTranspose.apply(xb, weight, bias, stride=stride,
                                   pads=tuple(p for p in pads for _ in (0, 1)),
                                   output_padding=out_pad, dilation=dilation, groups=groups)
    return unbatch(y, is_batched)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """The transposed 1-D convolution over ``(N, C_in, L)`` (or ``(C_in, L)``) input; see
    :func:`conv_transpose2d`.

    Shape: weight ``(C_in, C_out / groups, k)``;
    ``L_out = (L - 1)·stride - 2·padding + dilation·(k - 1) + output_padding + 1``.

    Example::

        >>> F.conv_transpose1d(ember.ones(1, 2, 4), ember.ones(2, 3, 3), stride=2).shape
        ember.Size([1, 3, 9])
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1, "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """The transposed 2-D convolution (the gradient of :func:`conv2d` with respect to its input).

    Args:
        weight: ``(C_in, C_out / groups, kH, kW)``; bias: ``(C_out,)`` or None.
        padding: int or pair, removed from both sides of the output;
        output_padding: extra rows/columns at the bottom/right (smaller than stride or dilation).

    Shape: ``H_out = (H - 1)·stride - 2·padding + dilation·(kH - 1) + output_padding + 1``.

    Example::

        >>> F.conv_transpose2d(ember.ones(1, 2, 3, 3), ember.ones(2, 4, 2, 2), stride=2).shape
        ember.Size([1, 4, 6, 6])
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2, "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """The transposed 3-D convolution over ``(N, C_in, D, H, W)`` (or unbatched) input; see
    :func:`conv_transpose2d`.

    Shape: weight ``(C_in, C_out / groups, kD, kH, kW)``; each output size as in 2-D.

    Example::

        >>> F.conv_transpose3d(ember.ones(1, 2, 2, 3, 3), ember.ones(2, 4, 2, 2, 2), stride=2).shape
        ember.Size([1, 4, 4, 6, 6])
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 3, "conv_transpose3d")


def _fold_args(kernel_size, dilation, padding, stride):
    kernel, dilation = ntuple(kernel_size, 2, "kernel_size"), ntuple(dilation, 2, "dilation")
    pads, stride = ntuple(padding, 2, "padding"), ntuple(stride, 2, "stride")
    for what, v, low in (("kernel_size", kernel, 1), ("dilation", dilation, 1),
                         ("padding", pads, 0), ("stride", stride, 1)):
        if min(v) < low:
            raise RuntimeError(f"{what} should be {'non-negative' if low == 0 else 'greater than zero'}"
                               f", but got {what}={v}")
    return kernel, dilation, pads, stride


def _blocks(size, kernel, dilation, pads, stride) -> tuple:
    return tuple((n + 2 * p - d * (k - 1) - 1) // s + 1
                 for n, k, d, p, s in zip(size, kernel, dilation, pads, stride))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extracts sliding blocks: ``(N, C, H, W)`` → ``(N, C·kH·kW, L)`` (im2col).

    Example::

        >>> F.unfold(ember.ones(1, 2, 4, 4), kernel_size=2, stride=2).shape
        ember.Size([1, 8, 4])
    """
    x = as_tensor(input)
    kernel, dilation, pads, stride = _fold_args(kernel_size, dilation, padding, stride)
    if x.ndim not in (3, 4) or 0 in x.shape[1:]:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and "
                           f"other non-zero dimensions for input, but got: {torch_size(x.shape)}")
    blocks = _blocks(x.shape[-2:], kernel, dilation, pads, stride)
    if min(blocks) < 1:
        raise RuntimeError(f"Given input with spatial size {tuple(x.shape[-2:])}, kernel_size="
                           f"{kernel}, dilation={dilation}, padding={pads}, calculated shape of the "
                           f"array of sliding blocks as {blocks}, but its components must be at "
                           f"least one.")
    return Unfold.apply(x, kernel=kernel, dilation=dilation, stride=stride,
                        pads=(pads[0], pads[0], pads[1], pads[1]))


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sums sliding blocks back into an image: ``(N, C·kH·kW, L)`` → ``(N, C, *output_size)``
    (col2im, the adjoint of :func:`unfold`).

    Example::

        >>> F.fold(ember.ones(1, 4, 4), output_size=(3, 3), kernel_size=2).sum().item()
        16.0
    """
    x = as_tensor(input)
    size = ntuple(output_size, 2, "output_size")
    kernel, dilation, pads, stride = _fold_args(kernel_size, dilation, padding, stride)
    if x.ndim not in (2, 3) or 0 in x.shape[1:]:
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch "
                           f"size and non-zero dimensions for input, but got: {torch_size(x.shape)}")
    kk = kernel[0] * kernel[1]
    if x.shape[-2] % kk:
        raise RuntimeError(f"Expected size of input's dimension {x.ndim - 2} to be divisible by the "
                           f"product of kernel_size, but got input.size({x.ndim - 2})={x.shape[-2]} "
                           f"and kernel_size={kernel}.")
    blocks = _blocks(size, kernel, dilation, pads, stride)
    if blocks[0] * blocks[1] != x.shape[-1]:
        raise RuntimeError(f"Given output_size={size}, kernel_size={kernel}, dilation={dilation}, "
                           f"padding={pads}, stride={stride}, expected size of input's dimension 2 "
                           f"to match the calculated number of sliding blocks {blocks[0]} * "
                           f"{blocks[1]} = {blocks[0] * blocks[1]}, but got input.size(2)="
                           f"{x.shape[-1]}.")
    return Fold.apply(x, size=size, kernel=kernel, dilation=dilation, stride=stride,
                      pads=(pads[0], pads[0], pads[1], pads[1]))


def conv_tbc(input, weight, bias, pad: int = 0):
    """1-D convolution of time-major ``(T, B, C_in)`` input (fairseq's layout): ``conv1d`` of
    the ``(B, C_in, T)`` view with ``pad`` zeros at both ends of time (a negative ``pad`` crops
    them, as torch's kernel does), returned as ``(T_out, B, C_out)``.

    Args:
        weight: ``(k, C_in, C_out)``; bias: ``(C_out,)`` (required, as in torch).
        pad: timesteps added at each end.

    Shape: output ``(T + 2·pad - k + 1, B, C_out)``.

    Example::

        >>> F.conv_tbc(ember.ones(5, 2, 3), ember.ones(3, 3, 4), ember.zeros(4), 1).shape
        ember.Size([5, 2, 4])
    """
    x = as_tensor(input)
    if bias is None:
        raise TypeError("conv_tbc(): argument 'bias' (position 3) must be Tensor, not NoneType")
    if x.ndim != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.ndim != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, "
                           "out_channels.")
    if bias.ndim != 1:
        raise RuntimeError("Bias must be 1-D")
    if x.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if bias.shape[0] != weight.shape[2]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    length = x.shape[0] + 2 * pad - weight.shape[0] + 1
    if length < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {length}: "
                           f"[{length}, {x.shape[1]}, {weight.shape[2]}]")
    x = x.permute(1, 2, 0)
    if pad < 0:
        x, pad = x[..., -pad:x.shape[2] + pad], 0
    # an empty result (length 0) is the empty slice of one padded further, as torch returns it
    y = conv1d(x, weight.permute(2, 1, 0), bias, padding=pad + (length == 0))[..., :length]
    return Permute.apply(y, dims=(2, 0, 1), label="ConvTbcBackward0")
