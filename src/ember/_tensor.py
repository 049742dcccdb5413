"""The Tensor: an ndarray plus what autograd needs (grad, requires_grad, grad_fn).

Arithmetic, reductions and shape methods are bound in :mod:`ember._tensor_methods`;
this file holds the object itself, conversions, ``backward`` and in-place updates.
"""
from __future__ import annotations

import builtins
import weakref

import numpy as np

from . import _dtype
from ._device import _CPU, device
from ._size import Size
from ._tensor_str import tensor_repr
from .autograd import function as _function
from .autograd import versions as _versions
from .autograd import views as _views
from .autograd.engine import run_backward
from .autograd.grad_mode import STATE

__all__ = ["Tensor", "device"]




def _infer_array(data, dtype=None) -> np.ndarray:
    """Converts Python/NumPy data to an ndarray with torch's dtype inference."""
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, np.ndarray):
        arr = data
    elif isinstance(data, np.generic):
        arr = np.asarray(data)
    else:
        arr = np.array(data)
        if arr.dtype == np.float64 and not _has_numpy_float64(data):
            arr = arr.astype(_dtype.get_default_dtype().np)
        elif arr.dtype.kind == "i" and arr.dtype != np.int64:
            arr = arr.astype(np.int64)
    if dtype is not None:
        np_dtype = _dtype.to_numpy_dtype(dtype)
        if arr.dtype != np_dtype:
            arr = arr.astype(np_dtype)
    elif arr.dtype not in _dtype._BY_NUMPY:
        if arr.dtype.kind == "f":
            arr = arr.astype(np.float64)
        else:
            raise TypeError(f"can't convert data of dtype {arr.dtype} to a tensor; expected numbers "
                            f"or booleans (supported dtypes: float16/32/64, int8/16/32/64, uint8, bool)")
    return arr


def _has_numpy_float64(data) -> bool:
    """True when nested data holds float64 arrays/scalars/tensors (their dtype is kept)."""
    if isinstance(data, (np.ndarray, np.generic, Tensor)):
        return getattr(data, "dtype", None) in (np.float64, _dtype.float64)
    if isinstance(data, (list, tuple)) and data:
        return _has_numpy_float64(data[0])
    return False


class Tensor:
    """A multi-dimensional array that records operations for automatic differentiation.

    ``ember.Tensor(data)`` makes a float32 tensor (like ``torch.Tensor``); prefer
    :func:`ember.tensor`, which infers the dtype. ``Tensor(2, 3)`` makes a 2×3 tensor.

    Example::

        >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([2., 4.])
    """

    # _vw: for a view, its ember.autograd.views.ViewInfo; for a base, weak references to its views
    __slots__ = ("_data", "grad", "requires_grad", "grad_fn", "_untracked", "_vw", "__weakref__")
    __array_priority__ = 1000
    __hash__ = object.__hash__

    def __init__(self, *args, requires_grad: bool = False) -> None:
        if not args:
            arr = np.zeros((0,), dtype=_dtype.get_default_dtype().np)
        elif len(args) == 1 and not isinstance(args[0], (builtins.int, np.integer)):
            arr = _infer_array(args[0], _dtype.get_default_dtype())
        elif all(isinstance(a, (builtins.int, np.integer)) for a in args):
            arr = np.zeros(tuple(builtins.int(a) for a in args), dtype=_dtype.get_default_dtype().np)
        else:
            raise TypeError(f"Tensor() expects data or integer sizes, got {args!r}")
        self._data = arr
        self.grad = None
        self.grad_fn = None
        self.requires_grad = False
        self._vw = None
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _make(arr: np.ndarray, grad_fn=None) -> "Tensor":
        """Wraps an ndarray without copying (internal fast path)."""
        t = object.__new__(Tensor)
        t._data = arr
        t.grad = None
        t.grad_fn = grad_fn
        t.requires_grad = grad_fn is not None
        t._vw = None
        return t

    # ----------------------------------------------------------------- attributes
    @property
    def data(self) -> "Tensor":
        """A tensor sharing this one's memory, detached from the graph (torch's ``.data``); as in
        torch, its in-place changes are not counted in ``_version``."""
        t = Tensor._make(self._data)
        t._untracked = True
        return t

    @data.setter
    def data(self, value) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    @property
    def _base(self):
        """The tensor this one is a view of (the root one, as torch's), or None."""
        info = getattr(self, "_vw", None)
        return info.base if isinstance(info, _views.ViewInfo) else None

    def _is_view(self) -> bool:
        return self._base is not None

    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's memory has had (torch's version counter)."""
        return _versions.version_of(self)

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype._BY_NUMPY[self._data.dtype]

    @property
    def device(self) -> device:
        return _CPU

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def T(self) -> "Tensor":
        return self.permute(*range(self._data.ndim - 1, -1, -1))

    @property
    def mT(self) -> "Tensor":
        return self.transpose(-2, -1)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_check_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return self._data.flags.c_contiguous

    # ---------------------------------------------------------------- conversions
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        if dtype is not None and np.dtype(dtype) != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def detach(self) -> "Tensor":
        return Tensor._make(self._data)

    def detach_(self) -> "Tensor":
        self.grad_fn = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want "
                               "to use a computed variable in a subgraph that doesn't require "
                               "differentiation use var_no_grad = var.detach().")
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients, "
                               f"got {self.dtype}")
        if self.grad_fn is None:
            self.requires_grad = builtins.bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn._retained = weakref.ref(self)

    def register_hook(self, hook):
        """Calls ``hook(grad)`` each time this tensor's gradient is computed; returning a tensor
        replaces the gradient. Returns a handle whose ``remove()`` unregisters the hook.

        Example::

            >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
            >>> handle = x.register_hook(lambda g: g * 10)
            >>> (x * x).sum().backward()
            >>> x.grad
            tensor([20., 40.])
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .autograd.engine import register_hook
        return register_hook(self, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Calls ``hook(self)`` after this leaf's ``.grad`` has been accumulated in a backward
        pass (optimizers that step inside backward use it). Returns a removable handle.

        Example::

            >>> w = ember.tensor([1.0, 2.0], requires_grad=True)
            >>> handle = w.register_post_accumulate_grad_hook(lambda t: print(t.grad))
            >>> (w * 3).sum().backward()
            tensor([3., 3.])
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .autograd.engine import register_post_accumulate_grad_hook
        return register_post_accumulate_grad_hook(self, hook)

    @property
    def retains_grad(self) -> bool:
        return self.grad_fn is not None and self.grad_fn._retained is not None

    def cpu(self) -> "Tensor":
        return self

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self._data.size} values is ambiguous")
        return builtins.bool(self._data)

    def __float__(self) -> float:
        return builtins.float(self.item())

    def __int__(self) -> int:
        return builtins.int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return builtins.int(self._data)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        return format(repr(self), spec)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        if not (self.requires_grad and STATE.enabled):
            return iter([Tensor._make(row) for row in self._data])
        return iter(self.unbind(0))

    def __repr__(self) -> str:
        return tensor_repr(self)

    def __deepcopy__(self, memo) -> "Tensor":
        """``copy.deepcopy`` of a leaf: new memory, same requires_grad and a copied ``.grad``."""
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol; call .detach() first")
        if id(self) in memo:
            return memo[id(self)]
        out = Tensor._make(self._data.copy())
        out.requires_grad = self.requires_grad
        memo[id(self)] = out
        if self.grad is not None:
            out.grad = self.grad.__deepcopy__(memo)
        return out

    def __reduce_ex__(self, protocol):
        raise TypeError("ember tensors are not picklable; save them with ember.save (safetensors)")

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient=None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs=None) -> None:
        """Computes the gradient of this tensor w.r.t. the graph's leaves (into ``.grad``), or
        only w.r.t. ``inputs`` when given; see :func:`ember.autograd.backward`."""
        if create_graph or inputs is not None or gradient is not None or not self.requires_grad:
            from .autograd.differentiate import backward
            backward(self, gradient, retain_graph, create_graph, inputs=inputs)
        elif self._data.size != 1:
            raise RuntimeError(f"grad can be implicitly created only for scalar outputs; this "
                               f"tensor has shape {tuple(self.shape)}: pass backward(gradient=...)")
        else:  # the training step's case, kept short
            run_backward((self,), (np.ones_like(self._data),), builtins.bool(retain_graph))

    # ----------------------------------------------------------- in-place updates
    def _check_inplace(self) -> None:
        if STATE.enabled and self.requires_grad and self.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation. Wrap the update in `with ember.no_grad():`.")

    def _assign(self, result: "Tensor") -> "Tensor":
        """Makes ``self`` hold ``result`` (the recorded form of an in-place op)."""
        arr = result._data
        if arr.dtype != self._data.dtype:
            if not np.can_cast(arr.dtype, self._data.dtype, casting="same_kind"):
                raise RuntimeError(f"result type {_dtype.from_numpy_dtype(arr.dtype).name} can't be "
                                   f"cast to the desired output type {self.dtype.name}")
            result = result.to(self.dtype)
            arr = result._data
        if arr.shape != self._data.shape:
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast "
                               f"shape {list(arr.shape)}")
        if getattr(self, "_vw", None) is not None and _views.rebase(self, result):
            return self  # a view, or the base of views: torch's CopySlices and view history
        _versions.replaced(self, arr, result.grad_fn)
        self._data = arr
        self.grad_fn = result.grad_fn
        self.requires_grad = result.requires_grad
        return self

    def _inplace(self, ufunc, other, recorded) -> "Tensor":
        """Runs ``ufunc`` into this tensor's memory, or records ``recorded()`` when grad is needed."""
        if STATE.enabled and (self.requires_grad or (isinstance(other, Tensor) and other.requires_grad)):
            self._check_inplace()
            return self._assign(recorded())
        operand = other._data if isinstance(other, Tensor) else other
        if isinstance(operand, np.generic):
            operand = operand.item()
        try:
            ufunc(self._data, operand, out=self._data, casting="same_kind")
        except TypeError:  # NumPy's casting error subclasses TypeError
            raise RuntimeError(f"result type of {ufunc.__name__}({self.dtype.name}, "
                               f"{_operand_dtype_name(operand)}) can't be cast to the desired output "
                               f"type {self.dtype.name}") from None
        except ValueError:
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast "
                               f"shape {list(np.broadcast_shapes(self.shape, np.shape(operand)))}") from None
        _versions.bump(self)
        return self

    def add_(self, other, *, alpha=1) -> "Tensor":
        if alpha != 1:
            other = other * alpha
        return self._inplace(np.add, other, lambda: self + other)

    def sub_(self, other, *, alpha=1) -> "Tensor":
        if alpha != 1:
            other = other * alpha
        return self._inplace(np.subtract, other, lambda: self - other)

    def mul_(self, other) -> "Tensor":
        return self._inplace(np.multiply, other, lambda: self * other)

    def div_(self, other, *, rounding_mode=None) -> "Tensor":
        if rounding_mode is not None:
            from ._tensor_api import write_result
            return write_result(self, self.div(other, rounding_mode=rounding_mode))
        return self._inplace(np.true_divide, other, lambda: self / other)

    def pow_(self, exponent) -> "Tensor":
        return self._inplace(np.power, exponent, lambda: self ** exponent)

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_
    __ipow__ = pow_

    def zero_(self) -> "Tensor":
        return self.fill_(0)

    def fill_(self, value) -> "Tensor":
        self._check_inplace()
        if isinstance(value, Tensor):
            value = value.item()
        if STATE.enabled and self.requires_grad:
            return self._assign(self * 0 + value)
        self._data[...] = value
        _versions.bump(self)
        return self

    def copy_(self, src, non_blocking: bool = False) -> "Tensor":
        src_t = src if isinstance(src, Tensor) else Tensor._make(np.asarray(src))
        if STATE.enabled and (self.requires_grad or src_t.requires_grad):
            self._check_inplace()
            from .ops.shape import IndexPut  # every element replaced: self's history gets zeros
            return self._assign(IndexPut.apply(self, src_t.to(self.dtype).expand(*self.shape),
                                               key=Ellipsis, label="CopyBackwards"))
        np.copyto(self._data, np.broadcast_to(src_t._data, self._data.shape), casting="unsafe")
        _versions.bump(self)
        return self

    def clamp_(self, min=None, max=None) -> "Tensor":  # noqa: A002 - torch's names
        if STATE.enabled and self.requires_grad:
            self._check_inplace()
            return self._assign(self.clamp(min, max))
        np.clip(self._data, min, max, out=self._data)
        _versions.bump(self)
        return self

    clip_ = clamp_

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator=None) -> "Tensor":
        from . import random as _random
        with _no_grad():
            self._data[...] = _random._gen(generator).uniform(a, b, self._data.shape)
        _versions.bump(self)
        return self

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator=None) -> "Tensor":
        from . import random as _random
        with _no_grad():
            self._data[...] = _random._gen(generator).normal(mean, std, self._data.shape)
        _versions.bump(self)
        return self


def _operand_dtype_name(operand) -> str:
    if isinstance(operand, builtins.float):
        return "float"
    return np.asarray(operand).dtype.name


def _check_dim(dim: int, ndim: int) -> int:
    """Normalises a possibly negative dim; IndexError naming both when out of range."""
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    if not isinstance(dim, (builtins.int, np.integer)) or not lo <= dim <= hi:
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got "
                         f"{dim}) for a tensor with ndim={ndim}")
    return dim % ndim if ndim else 0


def _no_grad():
    from .autograd.grad_mode import no_grad
    return no_grad()


_function._bind_tensor(Tensor)
