"""``Conv1d/2d/3d`` and ``ConvTranspose1d/2d/3d``: torch's arguments, parameter shapes,
initialisation and ``repr``; the maths is ``F.conv*d``/``F.conv_transpose*d``."""
from __future__ import annotations

import math

from ... import _creation
from .. import functional as F
from .. import init
from ..functional._spatial import ntuple
from ..module import Module
from ..parameter import Parameter
from .lazy import LazyModuleMixin

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
           "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d",
           "LazyConvTranspose3d"]

# sets, like torch's: their printed order is the same as in torch's messages
_PADDING_STRINGS = {"same", "valid"}
_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}


class _ConvNd(Module):
    """Holds ``weight`` (and ``bias``) and the geometry; subclasses say how many spatial axes
    and which function convolves."""

    _dims = 2
    _transposed = False
    _fn = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__()
        n = self._dims
        if not isinstance(groups, int) or groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in _PADDING_STRINGS:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 f"{_PADDING_STRINGS}")
            if padding == "same" and any(s != 1 for s in ntuple(stride, n, "stride")):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, but got "
                             f"padding_mode={padding_mode!r}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = ntuple(kernel_size, n, "kernel_size")
        self.stride = ntuple(stride, n, "stride")
        self.padding = padding if isinstance(padding, str) else ntuple(padding, n, "padding")
        self.dilation = ntuple(dilation, n, "dilation")
        self.transposed = self._transposed
        self.output_padding = (0,) * n
        self.groups = groups
        self.padding_mode = padding_mode
        self._reversed_padding_repeated_twice = self._reversed_padding()
        shape = ((in_channels, out_channels // groups) if self._transposed
                 else (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = Parameter(_creation.empty(*shape, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(_creation.empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _reversed_padding(self) -> list:
        """The padding as ``F.pad`` takes it (last axis first), 'same' split like torch."""
        if self.padding == "valid":
            return [0, 0] * self._dims
        out = []
        for i in reversed(range(self._dims)):
            if self.padding == "same":
                total = self.dilation[i] * (self.kernel_size[i] - 1)
                out += [total // 2, total - total // 2]
            else:
                out += [self.padding[i], self.padding[i]]
        return out

    def reset_parameters(self) -> None:
        """torch's default: weight ``kaiming_uniform_(a=√5)``, bias U(±1/√fan_in)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        conv = self._fn
        if self.padding_mode != "zeros":
            input = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(input, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                    self.groups)

    def extra_repr(self) -> str:
        n = self._dims
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-D convolution over ``(N, C_in, L)`` (or ``(C_in, L)``) input.

    Args:
        in_channels, out_channels: C_in and C_out (both divisible by ``groups``).
        kernel_size, stride, dilation: int or 1-tuple; padding: int, 1-tuple, 'same' or 'valid'.
        groups: independent channel groups; bias: learn a per-channel bias.
        padding_mode: 'zeros', 'reflect', 'replicate' or 'circular'.

    Shape: weight ``(C_out, C_in / groups, k)``; output ``(N, C_out, L_out)``.

    Example::

        >>> ember.nn.Conv1d(2, 4, 3)(ember.ones(5, 2, 10)).shape
        ember.Size([5, 4, 8])
    """

    _dims = 1

    _fn = staticmethod(F.conv1d)


class Conv2d(_ConvNd):
    """2-D convolution over ``(N, C_in, H, W)`` (or ``(C_in, H, W)``) input.

    Args:
        in_channels, out_channels: C_in and C_out (both divisible by ``groups``).
        kernel_size, stride, dilation: int or pair; padding: int, pair, 'same' or 'valid'.
        groups: independent channel groups (``groups = in_channels``: depthwise).
        bias: learn a per-channel bias; padding_mode: 'zeros', 'reflect', 'replicate', 'circular'.

    Shape: weight ``(C_out, C_in / groups, kH, kW)``; output ``(N, C_out, H_out, W_out)`` with
    ``H_out = (H + 2·padding - dilation·(kH - 1) - 1) // stride + 1``.

    Weights start as ``kaiming_uniform_(a=√5)`` and the bias as U(±1/√fan_in), fan_in =
    ``C_in / groups · kH · kW`` (torch's ``reset_parameters``).

    Example::

        >>> conv = ember.nn.Conv2d(1, 6, 5, padding=2)
        >>> conv(ember.ones(8, 1, 28, 28)).shape
        ember.Size([8, 6, 28, 28])
    """

    _fn = staticmethod(F.conv2d)


class Conv3d(_ConvNd):
    """3-D convolution over ``(N, C_in, D, H, W)`` (or ``(C_in, D, H, W)``) input (volumes,
    video clips).

    Args:
        in_channels, out_channels: C_in and C_out (both divisible by ``groups``).
        kernel_size, stride, dilation: int or triple; padding: int, triple, 'same' or 'valid'.
        groups: independent channel groups; bias: learn a per-channel bias;
        padding_mode: 'zeros', 'reflect', 'replicate' or 'circular'.

    Shape: weight ``(C_out, C_in / groups, kD, kH, kW)``; output ``(N, C_out, D_out, H_out,
    W_out)``, each as in :class:`Conv2d`. Initialised as :class:`Conv2d`.

    Example::

        >>> ember.nn.Conv3d(2, 4, 3, padding=1)(ember.ones(1, 2, 5, 8, 8)).shape
        ember.Size([1, 4, 5, 8, 8])
    """

    _dims = 3

    _fn = staticmethod(F.conv3d)


class _ConvTransposeNd(_ConvNd):
    """The transposed convolutions: torch's arguments (``output_padding`` before ``groups``),
    only 'zeros' padding, and ``forward(input, output_size)``."""

    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        name = type(self).__name__
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {name}')
        if isinstance(padding, str):
            raise TypeError(f"{name}: padding must be an int or a tuple of ints, got {padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, device, dtype)
        self.output_padding = ntuple(output_padding, self._dims, "output_padding")

    def _output_padding(self, input, output_size) -> tuple:
        """The output_padding that makes the output ``output_size`` (torch's rule and message)."""
        if output_size is None:
            return self.output_padding
        n = self._dims
        size = tuple(int(s) for s in output_size)[-n:]
        spatial = tuple(input.shape[-n:])
        low = tuple((m - 1) * s - 2 * p + d * (k - 1) + 1 for m, s, p, d, k in
                    zip(spatial, self.stride, self.padding, self.dilation, self.kernel_size))
        high = tuple(m + s - 1 for m, s in zip(low, self.stride))
        if any(not lo <= want <= hi for want, lo, hi in zip(size, low, high)):
            raise ValueError(f"requested an output size of {size}, but valid sizes range from "
                             f"{list(low)} to {list(high)} (for an input of {spatial})")
        return tuple(want - lo for want, lo in zip(size, low))

    def forward(self, input, output_size=None):
        out_pad = self._output_padding(input, output_size)
        return self._fn(input, self.weight, self.bias, self.stride, self.padding, out_pad,
                        self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution over ``(N, C_in, L)`` input (a learnable upsampling of
    sequences); arguments as :class:`ConvTranspose2d` with ints or 1-tuples.

    Shape: weight ``(C_in, C_out / groups, k)``;
    ``L_out = (L - 1)·stride - 2·padding + dilation·(k - 1) + output_padding + 1``.

    Example::

        >>> ember.nn.ConvTranspose1d(4, 2, 3, stride=2)(ember.ones(1, 4, 5)).shape
        ember.Size([1, 2, 11])
    """

    _dims = 1

    _fn = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-D convolution (a learnable upsampling; the adjoint of :class:`Conv2d`).

    Args:
        padding: int or pair, trimmed from both sides of the output; output_padding: extra
            rows/columns at the bottom/right (to pick among the sizes a stride allows).

    Shape: weight ``(C_in, C_out / groups, kH, kW)``; ``H_out = (H - 1)·stride - 2·padding +
    dilation·(kH - 1) + output_padding + 1``. ``forward(input, output_size)`` picks the
    output_padding that gives ``output_size``.

    Example::

        >>> up = ember.nn.ConvTranspose2d(4, 2, 2, stride=2)
        >>> up(ember.ones(1, 4, 5, 5)).shape
        ember.Size([1, 2, 10, 10])
    """

    _dims = 2

    _fn = staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    """Transposed 3-D convolution over ``(N, C_in, D, H, W)`` input; arguments as
    :class:`ConvTranspose2d` with ints or triples.

    Shape: weight ``(C_in, C_out / groups, kD, kH, kW)``; each output size as in 2-D.

    Example::

        >>> ember.nn.ConvTranspose3d(4, 2, 2, stride=2)(ember.ones(1, 4, 2, 3, 3)).shape
        ember.Size([1, 2, 4, 6, 6])
    """

    _dims = 3

    _fn = staticmethod(F.conv_transpose3d)


class _LazyConvMixin(LazyModuleMixin):
    """``in_channels`` from the first input (axis 1, or 0 when unbatched), then torch's
    initialisation; the class becomes the plain convolution."""

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs) -> None:
        if not self.has_uninitialized_params():
            return
        n = self._dims
        if input.ndim not in (n + 1, n + 2):
            raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to "
                               f"{type(self).__name__}, but got input of size: "
                               f"{tuple(input.shape)}")
        self.in_channels = int(input.shape[1] if input.ndim == n + 2 else input.shape[0])
        if self.in_channels % self.groups:
            raise ValueError("in_channels must be divisible by groups")
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        else:
            shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self._materialize({"weight": shape, "bias": (self.out_channels,)})
        self.reset_parameters()


class _LazyConv(_LazyConvMixin):
    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None,
                 dtype=None) -> None:
        super().__init__(0, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype)
        self._make_lazy("weight", "bias")


class _LazyConvTranspose(_LazyConvMixin):
    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(0, out_channels, kernel_size, stride, padding, output_padding, groups,
                         bias, dilation, padding_mode, device, dtype)
        self._make_lazy("weight", "bias")


class LazyConv1d(_LazyConv, Conv1d):
    """:class:`Conv1d` whose ``in_channels`` is read from the first input (it becomes a
    ``Conv1d`` then).

    Example::

        >>> ember.nn.LazyConv1d(4, 3)
        LazyConv1d(0, 4, kernel_size=(3,), stride=(1,))
    """

    cls_to_become = Conv1d


class LazyConv2d(_LazyConv, Conv2d):
    """:class:`Conv2d` whose ``in_channels`` is read from the first input (see
    :mod:`ember.nn.modules.lazy`).

    Example::

        >>> conv = ember.nn.LazyConv2d(8, 3, padding=1)
        >>> conv(ember.ones(2, 3, 5, 5)).shape, conv.weight.shape
        (ember.Size([2, 8, 5, 5]), ember.Size([8, 3, 3, 3]))
    """

    cls_to_become = Conv2d


class LazyConv3d(_LazyConv, Conv3d):
    """:class:`Conv3d` whose ``in_channels`` is read from the first input.

    Example::

        >>> ember.nn.LazyConv3d(2, 2)(ember.ones(1, 3, 2, 2, 2)).shape
        ember.Size([1, 2, 1, 1, 1])
    """

    cls_to_become = Conv3d


class LazyConvTranspose1d(_LazyConvTranspose, ConvTranspose1d):
    """:class:`ConvTranspose1d` whose ``in_channels`` is read from the first input.

    Example::

        >>> ember.nn.LazyConvTranspose1d(2, 3, stride=2)(ember.ones(1, 4, 5)).shape
        ember.Size([1, 2, 11])
    """

    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTranspose, ConvTranspose2d):
    """:class:`ConvTranspose2d` whose ``in_channels`` is read from the first input.

    Example::

        >>> ember.nn.LazyConvTranspose2d(2, 2, stride=2)(ember.ones(1, 4, 3, 3)).shape
        ember.Size([1, 2, 6, 6])
    """

    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTranspose, ConvTranspose3d):
    """:class:`ConvTranspose3d` whose ``in_channels`` is read from the first input.

    Example::

        >>> ember.nn.LazyConvTranspose3d(2, 2)(ember.ones(1, 4, 2, 2, 2)).shape
        ember.Size([1, 2, 3, 3, 3])
    """

    cls_to_become = ConvTranspose3d
