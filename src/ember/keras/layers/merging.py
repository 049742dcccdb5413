"""Merge layers: combine a list of tensors (``Add``, ``Subtract``, ``Multiply``, ``Average``,
``Maximum``, ``Minimum``, ``Concatenate``, ``Dot``) and their functional forms (``add`` …).

Elementwise merges broadcast like NumPy over the axes after the batch axis, as Keras's do.

Example::

    >>> a, b = keras.Input((4,)), keras.Input((4,))
    >>> keras.layers.Add()([a, b]).shape
    (None, 4)
    >>> keras.layers.concatenate([a, b]).shape
    (None, 8)
"""
from __future__ import annotations

import functools

import ember

from ...nn import functional as F
from .base import Layer

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
           "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"]


def _fmt(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _broadcast_shape(shape1, shape2):
    """Keras's elementwise output shape of two shapes (without the batch axis)."""
    if None in (shape1, shape2):
        return None
    if len(shape1) < len(shape2):
        return _broadcast_shape(shape2, shape1)
    out = list(shape1[:len(shape1) - len(shape2)])
    for i, j in zip(shape1[len(shape1) - len(shape2):], shape2):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            raise ValueError(f"Inputs have incompatible shapes. Received shapes {_fmt(shape1)} "
                             f"and {_fmt(shape2)}")
    return tuple(out)


class Merge(Layer):
    """Base of the elementwise merges: ``_merge(tensors)`` combines the list of inputs."""

    def _check_list(self, input_shape):
        if not isinstance(input_shape, list) or not input_shape or \
                not isinstance(input_shape[0], (tuple, list)):
            raise ValueError(f"A merge layer should be called on a list of inputs. Received: "
                             f"input_shape={input_shape} (not a list of shapes)")

    def build(self, input_shape):
        self._check_list(input_shape)
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(f"Cannot merge tensors with different batch sizes. Received tensors "
                             f"with shapes {input_shape}")
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        shape = tuple(input_shape[0][1:])
        for other in input_shape[1:]:
            shape = _broadcast_shape(shape, tuple(other[1:]))
        batch = next((s[0] for s in input_shape if s[0] is not None), None)
        return (batch,) + tuple(shape)

    def call(self, inputs):
        return self._merge(list(inputs))

    def _merge(self, tensors):  # pragma: no cover - abstract
        raise NotImplementedError


class Add(Merge):
    """The sum of the inputs."""

    def _merge(self, tensors):
        return functools.reduce(lambda a, b: a + b, tensors)


class Subtract(Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: input_shape={input_shape}")

    def _merge(self, tensors):
        if len(tensors) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: inputs={tensors}")
        return tensors[0] - tensors[1]


class Multiply(Merge):
    """The elementwise product of the inputs."""

    def _merge(self, tensors):
        return functools.reduce(lambda a, b: a * b, tensors)


class Average(Merge):
    """The elementwise mean of the inputs."""

    def _merge(self, tensors):
        return functools.reduce(lambda a, b: a + b, tensors) / float(len(tensors))


class Maximum(Merge):
    """The elementwise maximum of the inputs."""

    def _merge(self, tensors):
        return functools.reduce(ember.maximum, tensors)


class Minimum(Merge):
    """The elementwise minimum of the inputs."""

    def _merge(self, tensors):
        return functools.reduce(ember.minimum, tensors)


class Concatenate(Merge):
    """Joins the inputs along ``axis`` (default the last); the other axes must match."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, list) or not input_shape or \
                not isinstance(input_shape[0], (tuple, list)):
            raise ValueError(f"A `Concatenate` layer should be called on a list of at least 1 "
                             f"input. Received: input_shape={input_shape}")
        shapes = [tuple(s) for s in input_shape]
        rank = len(shapes[0])
        axis = self.axis % rank
        for shape in shapes:
            if len(shape) != rank or any(
                    i != axis and a is not None and b is not None and a != b
                    for i, (a, b) in enumerate(zip(shape, shapes[0]))):
                raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes "
                                 f"except for the concatenation axis. Received: "
                                 f"input_shape={shapes}")
        out = list(shapes[0])
        for i in range(rank):
            if i != axis:
                out[i] = next((s[i] for s in shapes if s[i] is not None), None)
        sizes = [s[axis] for s in shapes]
        out[axis] = None if None in sizes else sum(sizes)
        return tuple(out)

    def _merge(self, tensors):
        return ember.cat(tensors, dim=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(Merge):
    """Batched dot product of two inputs along ``axes`` (``normalize`` first divides each by
    its L2 norm along those axes, giving the cosine similarity)."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int) and not (isinstance(axes, (list, tuple)) and len(axes) == 2
                                              and all(isinstance(a, int) for a in axes)):
            raise ValueError(f"Invalid format for argument `axes`: expected an integer or a "
                             f"list/tuple of 2 integers. Received: axes={axes}")
        self.axes = axes if isinstance(axes, int) else list(axes)
        self.normalize = bool(normalize)

    def _axes(self, shape1, shape2):
        axes = [self.axes, self.axes] if isinstance(self.axes, int) else self.axes
        return [a % len(s) for a, s in zip(axes, (shape1, shape2))]

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2 or \
                not isinstance(input_shape[0], (tuple, list)):
            raise ValueError(f"A `Dot` layer should be called on a list of 2 inputs. Received: "
                             f"input_shape={input_shape}")
        shape1, shape2 = tuple(input_shape[0]), tuple(input_shape[1])
        a1, a2 = self._axes(shape1, shape2)
        if None not in (shape1[a1], shape2[a2]) and shape1[a1] != shape2[a2]:
            raise ValueError(f"Incompatible input shapes: axis values {shape1[a1]} (at axis "
                             f"{a1}) != {shape2[a2]} (at axis {a2}). Full input shapes: "
                             f"{shape1}, {shape2}")
        rest = [s for i, s in enumerate(shape1) if i != a1] + \
            [s for i, s in enumerate(shape2) if i not in (0, a2)]
        return tuple(rest) if len(rest) > 1 else (rest[0], 1)

    def _merge(self, tensors):
        if len(tensors) != 2:
            raise ValueError(f"A `Dot` layer should be called on exactly 2 inputs. Received: "
                             f"inputs={tensors}")
        x, y = tensors
        a1, a2 = self._axes(x.shape, y.shape)
        if self.normalize:
            x, y = F.normalize(x, dim=a1), F.normalize(y, dim=a2)
        return _batch_dot(x, y, a1, a2)

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _batch_dot(x, y, a1: int, a2: int):
    """Keras's ``batch_dot``: contracts axis ``a1`` of x with ``a2`` of y, sample by sample."""
    n = x.shape[0]
    x_rest = [i for i in range(1, x.ndim) if i != a1]
    y_rest = [i for i in range(1, y.ndim) if i != a2]
    xm = x.permute(0, *x_rest, a1).reshape(n, -1, x.shape[a1])
    ym = y.permute(0, a2, *y_rest).reshape(n, y.shape[a2], -1)
    out = ember.matmul(xm, ym)
    shape = (n,) + tuple(x.shape[i] for i in x_rest) + tuple(y.shape[i] for i in y_rest)
    return out.reshape(shape if len(shape) > 1 else (n, 1))


def _functional(cls):
    def merge(inputs, **kwargs):
        return cls(**kwargs)(inputs)
    merge.__name__ = cls.__name__.lower()
    merge.__doc__ = f"``keras.layers.{cls.__name__}(**kwargs)(inputs)``."
    return merge


add, subtract, multiply, average, maximum, minimum = (
    _functional(c) for c in (Add, Subtract, Multiply, Average, Maximum, Minimum))


def concatenate(inputs, axis=-1, **kwargs):
    """``keras.layers.Concatenate(axis=axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """``keras.layers.Dot(axes, normalize, **kwargs)(inputs)``."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
