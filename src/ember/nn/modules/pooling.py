"""Pooling modules: ``MaxPool1d/2d/3d``, ``AvgPool1d/2d/3d``, ``AdaptiveAvgPool1d/2d/3d``,
``AdaptiveMaxPool1d/2d/3d``, ``MaxUnpool1d/2d/3d``, ``LPPool1d/2d/3d`` and
``FractionalMaxPool2d/3d``, with torch's arguments and ``repr``; the maths is in ``F``."""
from __future__ import annotations

from .. import functional as F
from ..functional._spatial import ntuple
from ..module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
           "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
           "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d",
           "LPPool1d", "LPPool2d", "LPPool3d", "FractionalMaxPool2d", "FractionalMaxPool3d"]


class _MaxPoolNd(Module):
    _fn = None

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return self._fn(input, self.kernel_size, self.stride, self.padding, self.dilation,
                              ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """Max pooling over ``(N, C, L)`` input (see :func:`ember.nn.functional.max_pool1d`).

    Example::

        >>> ember.nn.MaxPool1d(2)(ember.ones(1, 3, 8)).shape
        ember.Size([1, 3, 4])
    """

    _fn = staticmethod(F.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """Max pooling over ``(N, C, H, W)`` input.

    Args:
        kernel_size: window size (int or pair); stride: defaults to ``kernel_size``;
        padding: implicit -inf padding (at most half the window); dilation: element spacing;
        return_indices: also return the flat index of each maximum (for ``MaxUnpool2d``);
        ceil_mode: round the output size up instead of down.

    Example::

        >>> ember.nn.MaxPool2d(2)(ember.ones(1, 6, 28, 28)).shape
        ember.Size([1, 6, 14, 14])
    """

    _fn = staticmethod(F.max_pool2d)


class MaxPool3d(_MaxPoolNd):
    """Max pooling over ``(N, C, D, H, W)`` input; arguments as :class:`MaxPool2d` (ints or
    triples).

    Example::

        >>> ember.nn.MaxPool3d(2)(ember.ones(1, 4, 8, 8, 8)).shape
        ember.Size([1, 4, 4, 4, 4])
    """

    _fn = staticmethod(F.max_pool3d)


class AvgPool1d(Module):
    """Average pooling over ``(N, C, L)`` input (see :func:`ember.nn.functional.avg_pool1d`).

    Example::

        >>> ember.nn.AvgPool1d(2)
        AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = ntuple(kernel_size, 1, "kernel_size")
        self.stride = ntuple(stride if stride is not None else kernel_size, 1, "stride")
        self.padding = ntuple(padding, 1, "padding")
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """Average pooling over ``(N, C, H, W)`` input.

    Args:
        kernel_size: window size; stride: defaults to ``kernel_size``; padding: implicit zeros;
        ceil_mode: round the output size up; count_include_pad: count the padding in each
        window's divisor; divisor_override: divide by this instead.

    Example::

        >>> ember.nn.AvgPool2d(2)(ember.ones(1, 2, 4, 4)).shape
        ember.Size([1, 2, 2, 2])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override=None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool3d(AvgPool2d):
    """Average pooling over ``(N, C, D, H, W)`` input; arguments as :class:`AvgPool2d` (ints
    or triples).

    Example::

        >>> ember.nn.AvgPool3d(2)(ember.ones(1, 2, 4, 4, 4)).shape
        ember.Size([1, 2, 2, 2, 2])
    """

    def forward(self, input):
        return F.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class _AdaptivePool(Module):
    _fn = None

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return self._fn(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class _AdaptiveMaxPool(_AdaptivePool):
    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input):
        return self._fn(input, self.output_size, self.return_indices)


class AdaptiveAvgPool1d(_AdaptivePool):
    """Averages ``(N, C, L)`` input into ``output_size`` windows that tile it.

    Example::

        >>> ember.nn.AdaptiveAvgPool1d(2)(ember.ones(1, 3, 7)).shape
        ember.Size([1, 3, 2])
    """

    _fn = staticmethod(F.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptivePool):
    """Averages ``(N, C, H, W)`` input into an ``output_size`` grid of tiling windows (a None
    entry keeps that axis); ``AdaptiveAvgPool2d(1)`` is global average pooling.

    Example::

        >>> ember.nn.AdaptiveAvgPool2d((1, 1))(ember.ones(2, 8, 5, 5)).shape
        ember.Size([2, 8, 1, 1])
    """

    _fn = staticmethod(F.adaptive_avg_pool2d)


class AdaptiveMaxPool1d(_AdaptiveMaxPool):
    """Maximum over ``output_size`` tiling windows of ``(N, C, L)`` input.

    Example::

        >>> ember.nn.AdaptiveMaxPool1d(1)(ember.ones(1, 3, 7)).shape
        ember.Size([1, 3, 1])
    """

    _fn = staticmethod(F.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxPool):
    """Maximum over an ``output_size`` grid of tiling windows of ``(N, C, H, W)`` input.

    Example::

        >>> ember.nn.AdaptiveMaxPool2d(1)(ember.ones(2, 8, 5, 5)).shape
        ember.Size([2, 8, 1, 1])
    """

    _fn = staticmethod(F.adaptive_max_pool2d)


class AdaptiveAvgPool3d(_AdaptivePool):
    """Averages ``(N, C, D, H, W)`` input into an ``output_size`` grid of tiling windows (a
    None entry keeps that axis).

    Example::

        >>> ember.nn.AdaptiveAvgPool3d((1, 2, 2))(ember.ones(2, 8, 3, 5, 5)).shape
        ember.Size([2, 8, 1, 2, 2])
    """

    _fn = staticmethod(F.adaptive_avg_pool3d)


class AdaptiveMaxPool3d(_AdaptiveMaxPool):
    """Maximum over an ``output_size`` grid of tiling windows of ``(N, C, D, H, W)`` input.

    Example::

        >>> ember.nn.AdaptiveMaxPool3d(1)(ember.ones(2, 8, 3, 5, 5)).shape
        ember.Size([2, 8, 1, 1, 1])
    """

    _fn = staticmethod(F.adaptive_max_pool3d)


class _MaxUnpoolNd(Module):
    _dims = 2
    _fn = None

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        n = self._dims
        self.kernel_size = ntuple(kernel_size, n, "kernel_size")
        self.stride = ntuple(stride if stride is not None else kernel_size, n, "stride")
        self.padding = ntuple(padding, n, "padding")

    def forward(self, input, indices, output_size=None):
        return self._fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The inverse of :class:`MaxPool1d`: ``forward(input, indices, output_size=None)`` puts
    each value back at its index, zeros elsewhere.

    Example::

        >>> pool, unpool = ember.nn.MaxPool1d(2, return_indices=True), ember.nn.MaxUnpool1d(2)
        >>> unpool(*pool(ember.tensor([[[1.0, 3.0, 2.0, 0.0]]])))
        tensor([[[0., 3., 2., 0.]]])
    """

    _dims = 1
    _fn = staticmethod(F.max_unpool1d)


class MaxUnpool2d(_MaxUnpoolNd):
    """The inverse of :class:`MaxPool2d` (``forward(input, indices, output_size=None)``).

    Example::

        >>> pool, unpool = ember.nn.MaxPool2d(2, return_indices=True), ember.nn.MaxUnpool2d(2)
        >>> unpool(*pool(ember.ones(1, 1, 4, 4))).sum().item()
        4.0
    """

    _fn = staticmethod(F.max_unpool2d)


class MaxUnpool3d(_MaxUnpoolNd):
    """The inverse of :class:`MaxPool3d` (``forward(input, indices, output_size=None)``).

    Example::

        >>> ember.nn.MaxUnpool3d(2)
        MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0))
    """

    _dims = 3
    _fn = staticmethod(F.max_unpool3d)


class _LPPoolNd(Module):
    _fn = None

    def __init__(self, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return self._fn(input, float(self.norm_type), self.kernel_size, self.stride,
                        self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """Power-average pooling ``(Σ x^p) ** (1/p)`` over windows of ``(N, C, L)`` input (see
    :func:`ember.nn.functional.lp_pool1d`).

    Example::

        >>> ember.nn.LPPool1d(2, 3, stride=2)(ember.ones(1, 2, 7)).shape
        ember.Size([1, 2, 3])
    """

    _fn = staticmethod(F.lp_pool1d)


class LPPool2d(_LPPoolNd):
    """Power-average pooling over windows of ``(N, C, H, W)`` input.

    Example::

        >>> ember.nn.LPPool2d(2, 2)(ember.ones(1, 2, 4, 4)).shape
        ember.Size([1, 2, 2, 2])
    """

    _fn = staticmethod(F.lp_pool2d)


class LPPool3d(_LPPoolNd):
    """Power-average pooling over windows of ``(N, C, D, H, W)`` input.

    Example::

        >>> ember.nn.LPPool3d(1, 2)(ember.ones(1, 2, 2, 4, 4)).shape
        ember.Size([1, 2, 1, 2, 2])
    """

    _fn = staticmethod(F.lp_pool3d)


class _FractionalMaxPoolNd(Module):
    _dims = 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None,
                 return_indices: bool = False, _random_samples=None) -> None:
        super().__init__()
        name, n = type(self).__name__, self._dims
        self.kernel_size = ntuple(kernel_size, n, "kernel_size")
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = ntuple(output_size, n, "output_size") if output_size is not None \
            else None
        self.output_ratio = _ratio(output_ratio, n) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling "
                             f"ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        fn = F.fractional_max_pool2d if self._dims == 2 else F.fractional_max_pool3d
        return fn(input, self.kernel_size, self.output_size, self.output_ratio,
                  self.return_indices, _random_samples=self._random_samples)


def _ratio(value, n: int) -> tuple:
    """A float or ``n`` floats (torch's ``_pair``/``_triple``)."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Fractional max pooling of ``(N, C, H, W)`` input: ``kernel_size`` windows at
    pseudo-random steps, to ``output_size`` or ``output_ratio`` × the input size (see
    :func:`ember.nn.functional.fractional_max_pool2d`). ``_random_samples`` ``(N, C, 2)``, when
    given, fixes the steps (a buffer); otherwise each call draws new ones, in eval mode too.

    Example::

        >>> ember.nn.FractionalMaxPool2d(3, output_ratio=0.5)(ember.randn(2, 4, 10, 10)).shape
        ember.Size([2, 4, 5, 5])
    """

    _dims = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Fractional max pooling of ``(N, C, T, H, W)`` input (see :class:`FractionalMaxPool2d`;
    ``_random_samples`` ``(N, C, 3)``).

    Example::

        >>> ember.nn.FractionalMaxPool3d(2, output_size=(3, 4, 4))(ember.randn(1, 2, 6, 8, 8)).shape
        ember.Size([1, 2, 3, 4, 4])
    """

    _dims = 3
