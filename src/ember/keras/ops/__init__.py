"""``keras.ops`` on ember: the NumPy-like and neural-network operations Keras 3 code imports,
each composed from ember's differentiable ops, so gradients flow through them.

Inputs may be ember Tensors, NumPy arrays, lists or Python numbers; outputs are ember Tensors.
Dtypes follow Keras 3: Python floats are float32, Python ints int32, integer inputs to float
functions give float32. The submodules ``numpy``, ``nn``, ``math``, ``linalg`` and ``core`` hold
the same functions grouped as Keras groups them; ``image`` holds ``keras.ops.image``.

Example::

    >>> from ember.keras import ops
    >>> x = ops.convert_to_tensor([[1.0, -2.0], [3.0, 0.5]])
    >>> ops.sum(ops.relu(x), axis=-1)
    tensor([1.0000, 3.5000])
"""
from . import core, image, linalg, math, nn, numpy  # noqa: F401
from ._base import cast, convert_to_tensor, result_type, standardize_dtype  # noqa: F401
from .core import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .math import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .numpy import *  # noqa: F401,F403
from .numpy_math import tanh  # noqa: F401 - the float-casting form wins over nn's
from .einops import rearrange  # noqa: F401
from .vectorize import vectorize  # noqa: F401

__all__ = sorted(set(core.__all__) | set(linalg.__all__) | set(math.__all__) | set(nn.__all__)
                 | set(numpy.__all__) | {"cast", "convert_to_tensor", "rearrange", "vectorize"})


def _dispatch_symbolic() -> None:
    """Each op called on a KerasTensor records a node of a functional model, as Keras 3's ops
    do (``keras.layers.symbolic_ops``); ``shape`` of a KerasTensor is its static shape."""
    import inspect

    from ..layers.symbolic_ops import dispatching
    skip = {"shape", "dtype", "is_tensor", "standardize_dtype", "result_type",
            "convert_to_numpy", "vectorize", "custom_gradient", "cond", "while_loop",
            "fori_loop", "scan", "associative_scan", "map", "switch"}
    for name in __all__:
        fn = globals()[name]
        if inspect.isfunction(fn) and name not in skip:
            globals()[name] = dispatching(fn, name)
    for name in getattr(image, "__all__", ()):
        fn = getattr(image, name)
        if inspect.isfunction(fn):
            setattr(image, name, dispatching(fn, name))
    plain_shape = globals()["shape"]

    @functools.wraps(plain_shape)
    def shape(x):
        return tuple(x.shape) if getattr(x, "_keras_symbolic", False) else plain_shape(x)

    globals()["shape"] = shape


import functools  # noqa: E402

_dispatch_symbolic()
