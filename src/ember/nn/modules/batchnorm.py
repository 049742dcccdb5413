"""The batch-norm layers' path as torch names it (``torch.nn.modules.batchnorm``); the classes
live in :mod:`ember.nn.modules.normalization` and :mod:`ember.nn.modules.sync_batchnorm`."""
from .lazy import LazyNormBase
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, _BatchNorm
from .sync_batchnorm import SyncBatchNorm

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d", "SyncBatchNorm"]

for _cls in (_BatchNorm, BatchNorm1d, BatchNorm2d, BatchNorm3d, SyncBatchNorm):
    _cls.__module__ = __name__


class LazyBatchNorm1d(LazyNormBase, BatchNorm1d):
    """:class:`BatchNorm1d` whose ``num_features`` is read from the first input (it becomes a
    ``BatchNorm1d`` then).

    Example::

        >>> bn = ember.nn.LazyBatchNorm1d()
        >>> bn(ember.randn(4, 3)).shape, bn.running_mean.shape
        (ember.Size([4, 3]), ember.Size([3]))
    """

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(LazyNormBase, BatchNorm2d):
    """:class:`BatchNorm2d` whose ``num_features`` is read from the first input.

    Example::

        >>> ember.nn.LazyBatchNorm2d()
        LazyBatchNorm2d(0, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    """

    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(LazyNormBase, BatchNorm3d):
    """:class:`BatchNorm3d` whose ``num_features`` is read from the first input.

    Example::

        >>> ember.nn.LazyBatchNorm3d()(ember.randn(2, 3, 2, 2, 2)).shape
        ember.Size([2, 3, 2, 2, 2])
    """

    cls_to_become = BatchNorm3d


for _cls in (LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d):
    _cls.__module__ = __name__
