"""The ``Metric`` base class, the ``Sum``/``Mean`` reductions and ``MeanMetricWrapper``.

A metric keeps its state in non-trainable ``keras.Variable``s made with ``add_variable``;
``update_state`` accumulates a batch, ``result()`` returns the value (an ember Tensor) over
everything since ``reset_state()``. Calling the metric updates it and returns the result.

Example::

    >>> class BinaryTruePositives(keras.metrics.Metric):
    ...     def __init__(self, name="binary_true_positives", **kwargs):
    ...         super().__init__(name=name, **kwargs)
    ...         self.true_positives = self.add_variable(shape=(), initializer="zeros",
    ...                                                 name="true_positives")
    ...     def update_state(self, y_true, y_pred, sample_weight=None):
    ...         hit = keras.ops.logical_and(keras.ops.cast(y_true, "bool"),
    ...                                     keras.ops.cast(y_pred, "bool"))
    ...         self.true_positives.assign_add(keras.ops.sum(keras.ops.cast(hit, "float32")))
    ...     def result(self):
    ...         return self.true_positives
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from .. import initializers as _initializers
from .._utils import bind_arguments, snake_case, to_array, unique_name
from ..ops._base import standardize_dtype
from ..variables import Variable


def as_array(x, dtype=None) -> np.ndarray:
    """A metric input as a NumPy array (metrics need no gradient)."""
    if type(x) is np.ndarray and x.dtype == np.float32 and dtype in (None, "float32"):
        return x  # the common case (the trainer passes float32 arrays), kept fast
    arr = x._data if isinstance(x, Tensor) else to_array(x)
    return arr if dtype is None else arr.astype(dtype, copy=False)


def same_rank(x1: np.ndarray, x2: np.ndarray, expand_rank_1=True):
    """Keras's ``squeeze_or_expand_to_same_rank`` on arrays."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def tensor(value, dtype="float32") -> Tensor:
    return Tensor._make(np.asarray(value, dtype=dtype))


class Metric:
    """Base class of metrics.

    Args:
        dtype: the dtype of the state and the result (default float32).
        name: the metric's name (default: the class name in snake_case, numbered like Keras's).

    Subclasses create their state in ``__init__`` with :meth:`add_variable` and implement
    ``update_state`` and ``result``; the default ``reset_state`` zeroes every variable.
    """

    def __init__(self, dtype=None, name=None):
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._dtype = standardize_dtype(dtype)
        self._variables: list[Variable] = []

    @property
    def dtype(self) -> str:
        return self._dtype

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """A non-trainable state variable of ``shape``, tracked in ``variables``."""
        init = _initializers.get(initializer)
        var = Variable(init, shape=tuple(shape), dtype=dtype or self.dtype, trainable=False,
                       name=name)
        var.path = f"{self.name}/{var.name}"
        self._variables.append(var)
        self.__dict__.setdefault("_aggregation", {})[id(var)] = aggregation  # for data parallelism
        return var

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        return self.add_variable(shape, initializer or "zeros", dtype=dtype, name=name)

    @property
    def variables(self) -> list:
        out = list(self._variables)
        for value in vars(self).values():
            if isinstance(value, Metric) and value is not self:
                out.extend(value.variables)
        return out

    def reset_state(self):
        """Zeroes every state variable."""
        for v in self.variables:
            v._data[...] = 0

    def update_state(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError("abstract: subclasses implement update_state")

    def result(self):  # pragma: no cover - abstract
        raise NotImplementedError("abstract: subclasses implement result")

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def reduce_to_samplewise_values(values: np.ndarray, sample_weight, reduce_fn, dtype):
    """Keras's reduction of metric values to one per sample, weights brought to their rank."""
    values = np.asarray(values, dtype=dtype)
    if sample_weight is None and values.ndim <= 1:
        return values, None
    if sample_weight is not None:
        sample_weight = as_array(sample_weight, dtype)
        values, sample_weight = same_rank(values, sample_weight)
        w_ndim, v_ndim = sample_weight.ndim, values.ndim
        if v_ndim > w_ndim:
            values = reduce_fn(values, axis=tuple(range(w_ndim, v_ndim)))
        sample_weight = np.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if w_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, w_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values.astype(dtype, copy=False), sample_weight


def _accumulate(var, amount: float) -> None:
    """``var += amount`` for a 0-d state variable, with one write."""
    data = var._data
    data[()] = data.item() + amount


class Sum(Metric):
    """The (weighted) sum of all values seen."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(as_array(values), sample_weight, np.sum, self.dtype)
        self.total._data += values.sum(dtype=self.dtype)

    def result(self):
        return tensor(self.total._data, self.dtype)


class Mean(Metric):
    """The (weighted) mean of all values seen: ``sum(w * v) / sum(w)``.

    Example::

        >>> m = keras.metrics.Mean()
        >>> m.update_state([1, 3, 5, 7])
        >>> float(m.result())
        4.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", name="total")
        self.count = self.add_variable((), "zeros", name="count")

    def update_state(self, values, sample_weight=None):
        values = as_array(values)
        if values.ndim == 2 and values.shape[1] == 1:
            values = values.reshape(-1)  # one value per sample already
        if values.ndim <= 1 and (sample_weight is None or np.ndim(sample_weight) == 0):
            # one number or one value per sample, one weight: no array bookkeeping (fit's path)
            total = float(np.add.reduce(values, axis=None)) if values.ndim else float(values)
            if sample_weight is None:
                _accumulate(self.total, total)
                _accumulate(self.count, values.shape[0] if values.ndim else 1)
            else:  # Keras reduces the values to their mean before weighting them
                w = float(sample_weight)
                _accumulate(self.total, (total / values.shape[0] if values.ndim else total) * w)
                _accumulate(self.count, w)
            return
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, np.mean,
                                                            self.dtype)
        self.total._data += values.sum(dtype=self.dtype)
        if sample_weight is not None:
            n = np.sum(sample_weight, dtype=self.dtype)
        else:
            n = values.shape[0] if values.ndim >= 1 else 1
        self.count._data += np.asarray(n, self.dtype)

    def result(self):
        count = self.count._data.item()
        return tensor(self.total._data.item() / count if count != 0 else 0.0, self.dtype)


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)`` over all samples seen.

    Example::

        >>> m = keras.metrics.MeanMetricWrapper(keras.losses.mean_absolute_error, name="mae")
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(as_array(values), sample_weight=sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


def wrapper_class(class_name: str, fn, default_name: str, params: tuple = (), direction=None,
                  doc: str = ""):
    """A MeanMetricWrapper subclass with Keras's signature ``(name, dtype, *params)``."""
    signature = [("name", default_name), ("dtype", None)] + list(params)

    def __init__(self, *args, **kwargs):
        values = bind_arguments(class_name, signature, args, kwargs)
        fn_kwargs = {p: values[p] for p, _ in params}
        MeanMetricWrapper.__init__(self, fn, name=values["name"], dtype=values["dtype"],
                                   **fn_kwargs)
        for key, value in fn_kwargs.items():
            setattr(self, key, value)
        if direction:
            self._direction = direction

    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__,
                                                   "__doc__": doc or f"Mean of ``{fn.__name__}``."})
