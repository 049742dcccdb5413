"""``keras.ops.image``: resizing, affine and perspective warps, sampling at coordinates, crops,
pads, colour conversions, patches, filters, SSIM and elastic distortion, with Keras 3's arguments
(the functions live in :mod:`~ember.keras.ops.image_core` and :mod:`~ember.keras.ops.image_extra`).

Example::

    >>> import numpy as np
    >>> from ember.keras import ops
    >>> ops.image.resize(np.ones((1, 4, 4, 3), np.float32), (2, 2)).shape
    ember.Size([1, 2, 2, 3])
"""
from .image_core import *  # noqa: F401,F403
from .image_core import __all__ as _core_all
from .image_extra import *  # noqa: F401,F403
from .image_extra import __all__ as _extra_all

__all__ = list(_core_all) + list(_extra_all)
