"""torch's ``convert_conv2d_weight_memory_format``/``convert_conv3d_weight_memory_format``.

torch re-lays the weights of ``Conv2d``/``ConvTranspose2d`` (``Conv3d``/``ConvTranspose3d``) out
in ``memory_format`` (``channels_last``: NHWC strides) to reach faster kernels; values and shapes
do not change. ember's arrays are always row-major and its kernels choose their own layout, so
these check the argument and return the module unchanged.

Example::

    >>> m = ember.nn.Sequential(ember.nn.Conv2d(3, 4, 3))
    >>> ember.nn.utils.convert_conv2d_weight_memory_format(m, ember.channels_last) is m
    True
"""
from __future__ import annotations

from ..._runtime import memory_format as _memory_format
from ..module import Module

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def _check(memory_format) -> None:
    if not isinstance(memory_format, _memory_format):
        raise TypeError("clone(): argument 'memory_format' must be ember.memory_format, not "
                        f"{type(memory_format).__name__}")


def convert_conv2d_weight_memory_format(module: Module, memory_format) -> Module:
    """Returns ``module`` (its 2-D convolution weights keep their values; ember has one layout).

    Args:
        module: any module (children included, as torch's recursion).
        memory_format: an ``ember.memory_format`` (``ember.channels_last``, …).
    """
    _check(memory_format)
    return module


def convert_conv3d_weight_memory_format(module: Module, memory_format) -> Module:
    """As :func:`convert_conv2d_weight_memory_format`, for 3-D convolutions."""
    _check(memory_format)
    return module
