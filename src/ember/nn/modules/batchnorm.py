"""The batch-norm layers' path as torch names it (``torch.nn.modules.batchnorm``); the classes
live in :mod:`ember.nn.modules.normalization`."""
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, _BatchNorm

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]

for _cls in (_BatchNorm, BatchNorm1d, BatchNorm2d, BatchNorm3d):
    _cls.__module__ = __name__
