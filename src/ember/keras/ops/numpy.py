"""``keras.ops.numpy``: the NumPy-like half of ``keras.ops`` (arithmetic, reductions, shapes,
creation and indexing), gathered from the files that implement it.

Example::

    >>> from ember.keras.ops import numpy as knp
    >>> knp.sum(knp.ones((2, 3)), axis=1)
    tensor([3., 3.])
"""
from .numpy_array import *  # noqa: F401,F403
from .numpy_array import __all__ as _array_names
from .numpy_math import *  # noqa: F401,F403
from .numpy_math import __all__ as _math_names
from .numpy_reduce import *  # noqa: F401,F403
from .numpy_reduce import __all__ as _reduce_names

__all__ = sorted(set(_array_names) | set(_math_names) | set(_reduce_names))
