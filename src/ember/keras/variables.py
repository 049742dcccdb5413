"""``keras.Variable``: a layer's weight, which *is* an ``ember.nn.Parameter``.

Keras 3's torch backend keeps each variable's value in a ``torch.nn.Parameter`` that the layer
(a ``torch.nn.Module``) registers; here the variable is that Parameter itself, so a Keras layer's
``parameters()``, ``state_dict()`` and an ``ember.optim`` optimizer see the same objects as
``layer.weights``. ``trainable`` is ``requires_grad``: freezing a layer stops its gradients.

Example::

    >>> v = keras.Variable(np.zeros(3, np.float32), name="total", trainable=False)
    >>> v.assign_add(np.ones(3, np.float32))
    >>> v.numpy()
    array([1., 1., 1.], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..nn.parameter import Parameter
from . import initializers as _initializers
from ._utils import unique_name

__all__ = ["Variable", "to_np_dtype"]


def _as_array(value, dtype) -> np.ndarray:
    arr = value._data if isinstance(value, Tensor) else np.asarray(value)
    return arr.astype(dtype, copy=False)


def to_np_dtype(dtype) -> np.dtype:
    """A Keras dtype argument (None, a name, a NumPy or ember dtype) as a NumPy dtype."""
    if dtype is None:
        return np.dtype(np.float32)
    return np.dtype(getattr(dtype, "np", dtype))


class Variable(Parameter):
    """A named, optionally trainable weight with Keras's ``assign`` API.

    Args:
        initializer: an array-like initial value, or an initializer (name, object or callable
            ``f(shape, dtype)``) together with ``shape``.
        shape: the shape, needed when ``initializer`` is not a value.
        dtype: the element type (default float32).
        trainable: whether optimizers update it (``requires_grad``).
        name: the variable's name (default ``variable``, numbered like Keras's).
        regularizer / constraint: applied by the layer's ``losses`` and after optimizer updates.
    """

    __slots__ = ("name", "path", "regularizer", "constraint", "_overwrite_with_gradient")

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, autocast=True,
                 aggregation="none", synchronization="auto", name=None, regularizer=None,
                 constraint=None):
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(f"Argument `name` must be a string and cannot contain character `/`. "
                             f"Received: name={name}")
        np_dtype = to_np_dtype(dtype)
        if isinstance(initializer, (str, dict)):
            initializer = _initializers.get(initializer)
        if callable(initializer) and not isinstance(initializer, (Tensor, np.ndarray)):
            if shape is None:
                raise ValueError(f"When creating a Variable from an initializer, the `shape` "
                                 f"argument should be specified. Received: "
                                 f"initializer={initializer} and shape={shape}")
            value = initializer(tuple(int(s) for s in shape), dtype=np_dtype)
        else:
            value = initializer
        arr = np.array(_as_array(value, np_dtype), copy=True)
        if shape is not None and arr.shape != tuple(shape):
            raise ValueError(f"Initial value has shape {arr.shape} but the variable's shape is "
                             f"{tuple(shape)}")
        super().__init__(Tensor._make(arr), requires_grad=False)
        self.name = name or unique_name("variable")
        self.path = self.name
        self.regularizer = regularizer
        self.constraint = constraint
        self._overwrite_with_gradient = False
        self.trainable = trainable

    # ---- Keras's variable API ----------------------------------------------------------
    @property
    def trainable(self) -> bool:
        return bool(self.requires_grad)

    @trainable.setter
    def trainable(self, value) -> None:
        value = bool(value)
        if value and self._data.dtype.kind != "f":
            raise ValueError(f"Variable '{self.name}' of dtype {self._data.dtype} cannot be "
                             f"trainable (only floating-point variables can)")
        self.requires_grad_(value)

    @property
    def value(self) -> "Variable":
        return self

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """A copy of the current value (Keras's ``variable.numpy()``)."""
        return self._data.copy()

    def assign(self, value) -> "Variable":
        """Writes ``value`` into the variable in place (shapes must match)."""
        arr = _as_array(value, self._data.dtype)
        if arr.shape != self._data.shape:
            raise ValueError(f"The shape of the target variable and the shape of the target value "
                             f"in `variable.assign(value)` must match. variable.shape="
                             f"{self._data.shape}, Received: value.shape={arr.shape}. "
                             f"Target variable: {self.path}")
        self._data[...] = arr
        return self

    def assign_add(self, value) -> "Variable":
        self._data += _as_array(value, self._data.dtype)
        return self

    def assign_sub(self, value) -> "Variable":
        self._data -= _as_array(value, self._data.dtype)
        return self

    def __deepcopy__(self, memo) -> "Variable":
        if id(self) in memo:
            return memo[id(self)]
        out = Variable(self._data, trainable=self.trainable, name=self.name,
                       regularizer=self.regularizer, constraint=self.constraint)
        out.path = self.path
        if self.grad is not None:
            out.grad = Tensor._make(self.grad._data.copy())
        memo[id(self)] = out
        return out

    def __repr__(self) -> str:
        return (f"<Variable path={self.path}, shape={self._data.shape}, dtype={self._data.dtype}, "
                f"value={self._data!r}>")
