"""``KerasTensor``: a symbolic tensor (shape with a None batch axis, dtype) of a model graph.

``keras.Input`` returns one; calling a layer on one returns another and records the call, which
is how ``keras.Model(inputs, outputs)`` finds its graph.
"""
from __future__ import annotations

__all__ = ["KerasTensor"]


class KerasTensor:
    """Shape and dtype of a tensor that will flow through a model, and the layer call (its
    ``_keras_history``: layer, node index, output index) that produces it."""

    _keras_symbolic = True

    def __init__(self, shape, dtype="float32", name=None, history=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.name = name
        self._keras_history = history

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    # ---- Keras 3's operators: each records a keras.ops node (layers.symbolic_ops) ----------
    def reshape(self, newshape):
        return _ops().reshape(self, newshape)

    def squeeze(self, axis=None):
        return _ops().squeeze(self, axis)

    def __int__(self):
        raise ValueError("A KerasTensor is symbolic: it's a placeholder for a shape an a dtype. "
                         "It doesn't have any actual numerical value. You cannot convert it to "
                         "an int.")

    def __float__(self):
        raise ValueError("A KerasTensor is symbolic: it's a placeholder for a shape an a dtype. "
                         "It doesn't have any actual numerical value. You cannot convert it to "
                         "a float.")

    def __array__(self, *args, **kwargs):
        raise ValueError("A KerasTensor cannot be used as input to a NumPy function (it has no "
                         "value): use keras.ops inside a functional model, or a layer.")

    def __iter__(self):
        raise NotImplementedError("Iterating over a symbolic KerasTensor is not supported.")

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor cannot be used as a boolean.")

    def __getitem__(self, key):
        from .symbolic_ops import get_item, symbolic_op
        return symbolic_op(get_item, (self, key), {})

    def __round__(self, ndigits=None):
        return _ops().round(self, decimals=ndigits or 0)


def _ops():
    from .. import ops
    return ops


def _binary(op: str, reflected: bool = False):
    def method(self, other):
        fn = getattr(_ops(), op)
        return fn(other, self) if reflected else fn(self, other)
    method.__name__ = op
    return method


def _unary(op: str):
    def method(self):
        return getattr(_ops(), op)(self)
    method.__name__ = op
    return method


for _name, _op in (("add", "add"), ("sub", "subtract"), ("mul", "multiply"),
                   ("matmul", "matmul"), ("truediv", "true_divide"), ("pow", "power"),
                   ("floordiv", "floor_divide"), ("mod", "mod"), ("and", "logical_and"),
                   ("or", "logical_or"), ("xor", "logical_xor")):
    setattr(KerasTensor, f"__{_name}__", _binary(_op))
    setattr(KerasTensor, f"__r{_name}__", _binary(_op, reflected=True))
for _name, _op in (("lt", "less"), ("le", "less_equal"), ("gt", "greater"),
                   ("ge", "greater_equal"), ("ne", "not_equal")):
    setattr(KerasTensor, f"__{_name}__", _binary(_op))
for _name, _op in (("neg", "negative"), ("abs", "absolute"), ("invert", "logical_not")):
    setattr(KerasTensor, f"__{_name}__", _unary(_op))
KerasTensor.__hash__ = object.__hash__  # __ne__ is an op, identity stays the hash
