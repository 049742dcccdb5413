"""``InstanceNorm1d/2d/3d``: each channel of each sample normalised over its own positions, with
torch's defaults (``affine=False``, ``track_running_stats=False``), buffers and checks; the
maths is ``F.instance_norm``."""
from __future__ import annotations

import warnings

from .. import functional as F
from .lazy import LazyNormBase
from .normalization import _BatchNorm

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LazyInstanceNorm1d",
           "LazyInstanceNorm2d", "LazyInstanceNorm3d"]


class _InstanceNorm(_BatchNorm):
    """torch's ``_InstanceNorm``: a ``_NormBase`` (parameters and buffers as batch norm's) whose
    statistics are per sample; ``num_batches_tracked`` is kept but never counted, as in torch."""

    _dims: tuple = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device=None,
                 dtype=None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype,
                         bias=bias)

    def _apply_instance_norm(self, input):
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight,
                               self.bias, self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)

    def forward(self, input):
        if input.ndim not in self._dims:
            raise ValueError(f"expected {self._dims[0]}D or {self._dims[1]}D input (got "
                             f"{input.ndim}D input)")
        unbatched = self._dims[0]
        feature_dim = input.ndim - unbatched
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match "
                                 f"num_features ({self.num_features}), but got: "
                                 f"{input.shape[feature_dim]}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You "
                          f"can silence this warning by not passing in num_features, which is "
                          f"not used because affine=False", stacklevel=2)
        if input.ndim == unbatched:
            return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of ``(N, C, L)`` (or unbatched ``(C, L)``) input: each channel of
    each sample over its length.

    Args:
        num_features: C; eps: added to the variance; momentum: for the running statistics;
        affine: learn a per-channel ``weight``/``bias`` (off by default);
        track_running_stats: keep running statistics for eval mode (off by default).

    Example::

        >>> ember.nn.InstanceNorm1d(3)
        InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)
    """

    _dims = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of ``(N, C, H, W)`` (or ``(C, H, W)``) input (style transfer's
    normalisation); arguments as :class:`InstanceNorm1d`.

    Example::

        >>> ember.nn.InstanceNorm2d(3, affine=True)(ember.randn(2, 3, 4, 4)).shape
        ember.Size([2, 3, 4, 4])
    """

    _dims = (3, 4)


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of ``(N, C, D, H, W)`` (or ``(C, D, H, W)``) input; arguments as
    :class:`InstanceNorm1d`.

    Example::

        >>> ember.nn.InstanceNorm3d(2)(ember.randn(1, 2, 2, 3, 3)).shape
        ember.Size([1, 2, 2, 3, 3])
    """

    _dims = (4, 5)


class LazyInstanceNorm1d(LazyNormBase, InstanceNorm1d):
    """:class:`InstanceNorm1d` whose ``num_features`` is read from the first input's axis 1 (as
    torch reads it, even for unbatched input); ``affine`` and ``track_running_stats`` default
    to True here, as in torch.

    Example::

        >>> ember.nn.LazyInstanceNorm1d()(ember.randn(2, 3, 5)).shape
        ember.Size([2, 3, 5])
    """

    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(LazyNormBase, InstanceNorm2d):
    """:class:`InstanceNorm2d` whose ``num_features`` is read from the first input.

    Example::

        >>> ember.nn.LazyInstanceNorm2d()
        LazyInstanceNorm2d(0, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    """

    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(LazyNormBase, InstanceNorm3d):
    """:class:`InstanceNorm3d` whose ``num_features`` is read from the first input.

    Example::

        >>> ember.nn.LazyInstanceNorm3d()(ember.randn(1, 2, 2, 3, 3)).shape
        ember.Size([1, 2, 2, 3, 3])
    """

    cls_to_become = InstanceNorm3d
