"""torch's legacy tensor types: ``ember.FloatTensor([1, 2])``, ``ember.LongTensor(2, 3)``,
``isinstance(x, ember.FloatTensor)``, ``x.type(ember.DoubleTensor)``.

Example::

    >>> ember.FloatTensor([1, 2])
    tensor([1., 2.])
    >>> isinstance(ember.zeros(2), ember.FloatTensor), ember.LongTensor(2, 3).shape
    (True, ember.Size([2, 3]))
"""
from __future__ import annotations

import numpy as np

from . import _dtype
from ._tensor import Tensor, _infer_array

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
           "CharTensor", "ByteTensor", "BoolTensor"]


class tensortype(type):
    """The metaclass of the legacy types: calling one makes a tensor of its dtype; isinstance
    checks a tensor's dtype."""

    dtype: _dtype.dtype

    def __call__(cls, *args, device=None):
        if not args:
            return Tensor._make(np.zeros((0,), cls.dtype.np))
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            return Tensor._make(np.zeros(tuple(int(a) for a in args), cls.dtype.np))
        (data,) = args
        if isinstance(data, Tensor) and data.dtype != cls.dtype:
            raise TypeError(f"expected {cls.dtype} (got {data.dtype})")
        if isinstance(data, Tensor):
            return data
        arr = np.asarray(data)
        if arr.dtype.kind == "f" and cls.dtype.np.kind in "iu":
            arr = np.trunc(arr)
        return Tensor._make(_infer_array(arr, cls.dtype))

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'ember.{cls.__name__}'>"


def _make(name: str, d: _dtype.dtype):
    return tensortype(name, (), {"dtype": d, "is_cuda": False, "is_sparse": False,
                                 "__module__": "ember"})


FloatTensor = _make("FloatTensor", _dtype.float32)
DoubleTensor = _make("DoubleTensor", _dtype.float64)
HalfTensor = _make("HalfTensor", _dtype.float16)
LongTensor = _make("LongTensor", _dtype.int64)
IntTensor = _make("IntTensor", _dtype.int32)
ShortTensor = _make("ShortTensor", _dtype.int16)
CharTensor = _make("CharTensor", _dtype.int8)
ByteTensor = _make("ByteTensor", _dtype.uint8)
BoolTensor = _make("BoolTensor", _dtype.bool)

BY_NAME = {t.__name__: t for t in (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor,
                                   ShortTensor, CharTensor, ByteTensor, BoolTensor)}
