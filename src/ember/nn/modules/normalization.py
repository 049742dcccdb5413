"""``BatchNorm1d``/``BatchNorm2d`` (running statistics like torch's), ``LayerNorm``,
``GroupNorm``, ``RMSNorm``, ``LocalResponseNorm`` and ``CrossMapLRN2d``."""
from __future__ import annotations

import numpy as np

from ... import _creation
from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..functional.spatial_extra import cross_map_lrn2d
from ..module import Module
from ..parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LocalResponseNorm", "CrossMapLRN2d",
           "LayerNorm", "GroupNorm", "RMSNorm"]


def _affine(module: Module, shape: tuple, affine: bool, bias: bool, dtype, device) -> None:
    """Registers ``weight`` (ones) and, when ``bias``, ``bias`` (zeros) of ``shape``, or None
    for both when not ``affine`` (torch's normalisation layers)."""
    kw = {"dtype": dtype, "device": device}
    module.register_parameter("weight", Parameter(_creation.ones(*shape, **kw)) if affine else None)
    module.register_parameter("bias", Parameter(_creation.zeros(*shape, **kw))
                              if affine and bias else None)
    _reset_affine(module)  # torch's constructors run reset_parameters: one write each


def _reset_affine(module: Module) -> None:
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class _BatchNorm(Module):
    _dims: tuple = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None,
                 dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        if not isinstance(num_features, int) or num_features < 1:
            raise ValueError(f"{type(self).__name__}: num_features must be a positive integer, got "
                             f"{num_features!r}")
        if eps <= 0:
            raise ValueError(f"{type(self).__name__}: eps must be positive, got {eps}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{type(self).__name__}: momentum must be in [0, 1] or None, got "
                             f"{momentum}")
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        self.use_bias = bias and affine
        _affine(self, (num_features,), affine, bias, dtype, device)
        if track_running_stats:
            self.register_buffer("running_mean", _creation.zeros(num_features, dtype=dtype, device=device))
            self.register_buffer("running_var", _creation.ones(num_features, dtype=dtype, device=device))
            self.register_buffer("num_batches_tracked", Tensor._make(np.zeros((), np.int64)))
            self.reset_running_stats()  # as torch's constructor: one write each
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        _reset_affine(self)

    def forward(self, input):
        ndim = input.ndim
        if ndim not in self._dims:
            want = " or ".join(f"{d}D" for d in self._dims)
            raise ValueError(f"expected {want} input (got {ndim}D input)")
        factor, use_batch, running = self._step_options()
        return F.batch_norm(input, *running, self.weight, self.bias, use_batch, factor, self.eps)

    def _step_options(self):
        """(momentum factor, use batch statistics, (running_mean, running_var) or Nones) for
        this forward, counting the batch as torch's ``_BatchNorm.forward`` does."""
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked._data += 1
            factor = 1.0 / int(self.num_batches_tracked._data) if self.momentum is None \
                else self.momentum
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return factor, use_batch, (self.running_mean, self.running_var) if keep else (None, None)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.use_bias}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Normalises each feature over the batch (and length) axes of ``(N, C)`` or ``(N, C, L)``
    input; keeps running mean and unbiased variance for eval mode.

    Args:
        num_features: C.
        eps: added to the variance (1e-5).
        momentum: weight of the new batch in the running stats (0.1); None → cumulative average.
        affine: learn a per-feature scale ``weight`` and (when ``bias``) shift ``bias``.
        track_running_stats: keep ``running_mean``/``running_var``/``num_batches_tracked``.

    Example::

        >>> bn = ember.nn.BatchNorm1d(4)
        >>> list(bn.state_dict())
        ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
    """

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of ``(N, C, H, W)`` input: each channel over the batch and all
    positions; arguments as :class:`BatchNorm1d`.

    Example::

        >>> bn = ember.nn.BatchNorm2d(6)
        >>> bn(ember.randn(4, 6, 5, 5)).shape, bn.running_mean.shape
        (ember.Size([4, 6, 5, 5]), ember.Size([6]))
    """

    _dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of ``(N, C, D, H, W)`` input: each channel over the batch and all
    positions; arguments as :class:`BatchNorm1d`.

    Example::

        >>> ember.nn.BatchNorm3d(3)(ember.randn(2, 3, 2, 4, 4)).shape
        ember.Size([2, 3, 2, 4, 4])
    """

    _dims = (5,)


def _as_shape(normalized_shape) -> tuple:
    """``normalized_shape`` (an int or a sequence) as a tuple of ints."""
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(s) for s in normalized_shape)


class LayerNorm(Module):
    """Normalises over the last ``len(normalized_shape)`` axes of each sample.

    Example::

        >>> ember.nn.LayerNorm(4)
        LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        self.normalized_shape = _as_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        self.use_bias = bias and elementwise_affine
        _affine(self, self.normalized_shape, elementwise_affine, bias, dtype, device)

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.use_bias}")


class GroupNorm(Module):
    """Normalises each sample's channels in ``num_groups`` groups (over the group's channels and
    all positions), then applies a per-channel ``weight`` and ``bias``. No running statistics:
    the same in training and eval.

    Args:
        num_groups: number of groups (divides ``num_channels``); num_channels: C.
        eps: added to the variance (1e-5); affine: learn ``weight`` (ones) and, when ``bias``,
            ``bias`` (zeros).

    Shape: ``(N, C, *)`` → the same.

    Example::

        >>> ember.nn.GroupNorm(2, 4)
        GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        if num_groups <= 0 or num_channels % num_groups:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups, self.num_channels = num_groups, num_channels
        self.eps, self.affine = eps, affine
        _affine(self, (num_channels,), affine, bias, dtype, device)

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    """Root-mean-square normalisation (Zhang & Sennrich, 2019): ``x / sqrt(mean(x²) + eps) * weight``
    over the last ``len(normalized_shape)`` dims (``eps=None``: the dtype's machine epsilon).

    Example::

        >>> ember.nn.RMSNorm(4)
        RMSNorm((4,), eps=None, elementwise_affine=True)
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.normalized_shape = _as_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine(self, self.normalized_shape, elementwise_affine, False, dtype, device)

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input):
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"



class LocalResponseNorm(Module):
    """Divides each value by ``(k + alpha · mean of squares over `size` neighbouring
    channels) ** beta`` (AlexNet's normalisation; see :func:`ember.nn.functional.local_response_norm`).

    Example::

        >>> ember.nn.LocalResponseNorm(2)
        LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class CrossMapLRN2d(Module):
    """torch's legacy cross-channel normalisation of ``(N, C, H, W)`` input: each value divided
    by ``(k + alpha / size · sum of squares over `size` neighbouring channels) ** beta`` (see
    :func:`ember.nn.functional.spatial_extra.cross_map_lrn2d` for the window torch sums).

    Example::

        >>> ember.nn.CrossMapLRN2d(3)
        CrossMapLRN2d(3, alpha=0.0001, beta=0.75, k=1)
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return cross_map_lrn2d(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
