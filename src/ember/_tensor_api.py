"""The rest of torch's ``Tensor`` methods: every function of the ember namespace that torch also
offers as a method, the in-place ``x.op_()`` twin of each out-of-place op, torch's NumPy-style
keyword aliases (``axis=``, ``keepdims=``), and the small attributes and factories
(``new_zeros``, ``stride``, ``nbytes``, ``is_signed``, …).

The core methods (arithmetic, reductions, shape) are bound in :mod:`ember._tensor_methods`;
this module adds the long tail, all bound onto :class:`~ember.Tensor` at import.

Example::

    >>> x = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> x.sum(axis=0, keepdims=True), x.tril(), x.new_zeros(3).dtype
    (tensor([[4., 6.]]), tensor([[1., 0.],
            [3., 4.]]), ember.float32)
"""
from __future__ import annotations

import functools
import inspect

import numpy as np

from . import _dtype
from ._tensor import Tensor
from .autograd import versions as _versions
from .autograd.grad_mode import STATE
from .ops import (binary_math, elementwise, indexing, layout, linalg_factor, linalg_more, linalg_solvers,
                  reduction, scan, shape, sorting, stats, unary_math)
from .ops.pointwise import torch_dtype_name
from .ops.shape import view as shape_ops_view

__all__ = ["numpy_aliases", "write_result"]

# torch's argument parser accepts NumPy's spellings of these parameters
_ALIASES = {"axis": "dim", "keepdims": "keepdim", "x": "input", "a": "input", "x1": "input",
            "x2": "other"}


def numpy_aliases(fn):
    """``fn`` accepting ``axis=`` for ``dim=`` and ``keepdims=`` for ``keepdim=`` (and ``x``/``a``
    for ``input``), as torch's functions and methods do."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return fn
    wanted = {k: v for k, v in _ALIASES.items() if v in params and k not in params}
    if not wanted:
        return fn

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if kwargs:
            for alias, name in wanted.items():
                if alias in kwargs:
                    if name in kwargs:
                        raise TypeError(f"{fn.__name__}() got both {name!r} and its alias "
                                        f"{alias!r}")
                    kwargs[name] = kwargs.pop(alias)
        return fn(*args, **kwargs)
    return wrapper


def write_result(self: Tensor, result: Tensor) -> Tensor:
    """Makes ``self`` hold ``result`` (an in-place op): recorded when gradients flow, else
    written into ``self``'s memory (so views and NumPy arrays sharing it see the change)."""
    if STATE.enabled and (self.requires_grad or result.requires_grad):
        self._check_inplace()
        return self._assign(result)
    arr = result._data
    if arr.shape != self._data.shape:
        raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast "
                           f"shape {list(arr.shape)}")
    if arr.dtype != self._data.dtype and not np.can_cast(arr.dtype, self._data.dtype, "same_kind"):
        raise RuntimeError(f"result type {torch_dtype_name(arr)} can't be cast to the desired "
                           f"output type {torch_dtype_name(self._data)}")
    np.copyto(self._data, arr, casting="unsafe")
    _versions.bump(self)
    return self


def _inplace(fn, name):
    def method(self, *args, **kwargs):
        return write_result(self, fn(self, *args, **kwargs))
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place ``{name[:-1]}``: writes the result into this tensor."
    try:
        method.__signature__ = inspect.signature(fn)
    except (TypeError, ValueError):
        pass
    return method


def _inplace_view(fn, name):
    """In-place forms of shape ops (``t_``, ``unsqueeze_``): this tensor takes the new shape."""
    def method(self, *args, **kwargs):
        out = fn(self, *args, **kwargs)
        self._data = out._data
        if out.grad_fn is not None:
            self.grad_fn, self.requires_grad = out.grad_fn, out.requires_grad
        return self
    method.__name__ = method.__qualname__ = name
    return method


def _lazy_F(name):
    def method(self, *args, **kwargs):
        from .nn import functional as F
        return getattr(F, name)(self, *args, **kwargs)
    method.__name__ = method.__qualname__ = name
    return method


def _new(fill):
    def method(self, *size, dtype=None, device=None, requires_grad: bool = False, layout=None,
               pin_memory: bool = False, **kw):
        from . import _creation
        shape = _creation._size_kw(size, kw, "new")
        np_dtype = self._data.dtype if dtype is None else _dtype.to_numpy_dtype(dtype)
        return _creation._finish(fill(shape, np_dtype), requires_grad, device)
    return method


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    from . import _creation
    np_dtype = self._data.dtype if dtype is None else _dtype.to_numpy_dtype(dtype)
    return _creation._finish(np.full(_creation._size((size,)), fill_value, np_dtype), requires_grad,
                             device)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
                pin_memory=False):
    from . import _creation
    out = _creation.tensor(data.detach() if isinstance(data, Tensor) else data,
                           dtype=dtype or (None if isinstance(data, Tensor) else self.dtype),
                           device=device)
    return out.requires_grad_(True) if requires_grad else out


def _stride(self, dim=None):
    strides = tuple(s // self._data.itemsize for s in self._data.strides)
    return strides if dim is None else strides[dim]


def _fill_diagonal_(self, fill_value, wrap: bool = False):
    if self.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    with_grad = STATE.enabled and self.requires_grad
    if with_grad:
        n = min(self.shape)
        idx = Tensor._make(np.arange(n))
        out = self.index_put((idx,) * self.ndim, Tensor._make(np.asarray(fill_value, self._data.dtype)))
        return write_result(self, out)
    np.fill_diagonal(self._data, fill_value, wrap=wrap)
    _versions.bump(self)
    return self


def _random_fill(draw):
    def method(self, *args, generator=None, **kwargs):
        from .random import _gen
        self._data[...] = draw(_gen(generator), self._data.shape, *args, **kwargs)
        _versions.bump(self)
        return self
    return method


def _random_(self, *bounds, generator=None, **kwargs):
    """Integers uniform on ``[from, to)``: ``random_(to)``, ``random_(from, to)``, or up to
    2**mantissa (floats) / the dtype's maximum (integers) with no bounds."""
    from .random import _gen
    low, high = (0, None) if not bounds else (0, bounds[0]) if len(bounds) == 1 else bounds[:2]
    low, high = kwargs.get("from", low), kwargs.get("to", high)
    if high is None:
        a = self._data
        high = (2 ** (np.finfo(a.dtype).nmant + 1) + 1 if a.dtype.kind == "f"
                else 2 if a.dtype == np.bool_ else int(np.iinfo(a.dtype).max))
    self._data[...] = _gen(generator).integers(low, high, self._data.shape)
    _versions.bump(self)
    return self


def _sum_to_size(self, *size):
    target = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    extra = self.ndim - len(target)
    dims = tuple(range(extra)) + tuple(extra + i for i, n in enumerate(target)
                                       if n == 1 and self.shape[extra + i] != 1)
    out = reduction.sum(self, dims, keepdim=True) if dims else self
    return shape.reshape(out, target)


def _resize_(self, *size, memory_format=None):
    from . import _creation
    target = _creation._size(size)
    flat = self._data.reshape(-1)
    n = int(np.prod(target))
    data = np.concatenate([flat, np.zeros(max(0, n - flat.size), flat.dtype)])[:n]
    self._data = data.reshape(target)
    return self


def _apply_(self, callable):  # noqa: A002 - torch's name
    self._data[...] = np.vectorize(callable, otypes=[self._data.dtype])(self._data)
    _versions.bump(self)
    return self


def _map_(self, tensor, callable):  # noqa: A002
    other = np.broadcast_to(tensor._data, self.shape)
    self._data[...] = np.vectorize(callable, otypes=[self._data.dtype])(self._data, other)
    _versions.bump(self)
    return self


def _map2_(self, x, y, callable):  # noqa: A002
    a, b = np.broadcast_to(x._data, self.shape), np.broadcast_to(y._data, self.shape)
    self._data[...] = np.vectorize(callable, otypes=[self._data.dtype])(self._data, a, b)
    _versions.bump(self)
    return self


def _bernoulli_(self, p=0.5, *, generator=None):
    """Fills this tensor with 0/1 draws, 1 with probability ``p`` (a number or a tensor)."""
    from .random import _gen
    probs = p._data if isinstance(p, Tensor) else p
    self._data[...] = _gen(generator).random(self._data.shape) < probs
    _versions.bump(self)
    return self


def _view(self, *shape, dtype=None, size=None):
    """``x.view(2, 3)``, ``x.view((2, 3))``, ``x.view(size=...)`` or ``x.view(dtype)`` (the same
    bytes read as another dtype)."""
    if size is not None:
        shape = (size,)
    if dtype is None and len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)) and \
            not isinstance(shape[0], Tensor):
        dtype = shape[0]
    if dtype is not None:
        return layout.view_as_dtype(self, dtype)
    return shape_ops_view(self, *shape)


def _split(self, split_size, dim: int = 0):
    return shape.split(self, split_size, dim)


def _ns():
    from . import _namespace
    return _namespace


def _as_subclass(self, cls):
    """This tensor's data and graph as an instance of the Tensor subclass ``cls``."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError(f"as_subclass: expected a subclass of ember.Tensor, got {cls!r}")
    out = object.__new__(cls)
    out._data, out.grad, out.grad_fn, out.requires_grad = (self._data, None, self.grad_fn,
                                                           self.requires_grad)
    out._vw = None
    return out


def _legacy_new(self, *args, **kwargs):
    """Deprecated torch spelling: ``x.new(2, 3)`` (uninitialised, x's dtype) or ``x.new(data)``."""
    from . import _creation
    if args and all(isinstance(a, int) for a in args) or not args:
        return Tensor._make(np.empty(args, self._data.dtype))
    return _creation.tensor(args[0], dtype=self.dtype)


def _heaviside(self, values):
    import ember
    return ember.heaviside(self, values)


def _creation_mod():
    from . import _creation
    return _creation


def _runtime_mod():
    from . import _runtime
    return _runtime


_FUNCTIONS = {}
for _mod in (unary_math, binary_math, scan, stats, indexing, layout, linalg_more, linalg_solvers,
             linalg_factor):
    for _name in _mod.__all__:
        _FUNCTIONS[_name] = getattr(_mod, _name)
for _name in ("vector_norm", "tril_indices", "triu_indices", "broadcast_shapes",
              "broadcast_tensors", "meshgrid", "cartesian_prod", "block_diag", "atleast_1d",
              "atleast_2d", "atleast_3d", "hstack", "vstack", "dstack", "column_stack", "row_stack",
              "einsum", "cdist", "chain_matmul", "trapezoid", "trapz", "cumulative_trapezoid",
              "vander", "bucketize", "searchsorted", "i1", "expit", "view_as_dtype", "lu_unpack"):
    _FUNCTIONS.pop(_name, None)          # functions only (not Tensor methods in torch)

_METHODS = dict(_FUNCTIONS)
_METHODS.update({
    "polygamma": lambda self, n: unary_math.polygamma(n, self),
    "mvlgamma": lambda self, p: unary_math.mvlgamma(self, p),
    "broadcast_to": shape.broadcast_to, "heaviside": lambda self, values: _heaviside(self, values),
    "bitwise_and": elementwise.bitwise_and, "bitwise_or": elementwise.bitwise_or,
    "bitwise_xor": elementwise.bitwise_xor, "bitwise_not": elementwise.bitwise_not,
    "logical_xor": elementwise.logical_xor, "bernoulli": lambda self, p=None, *, generator=None:
        _creation_mod().bernoulli(self, p, generator=generator),
    "multinomial": lambda self, num_samples, replacement=False, *, generator=None:
        _creation_mod().multinomial(self, num_samples, replacement, generator=generator),
    "hardshrink": _lazy_F("hardshrink"), "prelu": _lazy_F("prelu"),
    "byte": lambda self: elementwise.to_dtype(self, _dtype.uint8),
    "char": lambda self: elementwise.to_dtype(self, _dtype.int8),
    "short": lambda self: elementwise.to_dtype(self, _dtype.int16),
    "new_zeros": _new(np.zeros), "new_ones": _new(np.ones), "new_empty": _new(np.empty),
    "new_full": _new_full, "new_tensor": _new_tensor,
    "new_empty_strided": lambda self, size, stride, **kw: _new(np.empty)(self, size, **kw),
    "ndimension": lambda self: self._data.ndim,
    "nbytes": property(lambda self: self._data.nbytes),
    "itemsize": property(lambda self: self._data.itemsize),
    "data_ptr": lambda self: self._data.ctypes.data,
    "storage_offset": lambda self: 0, "stride": _stride,
    "is_signed": lambda self: self.dtype.is_signed,
    "is_complex": lambda self: False, "is_conj": lambda self: False, "is_neg": lambda self: False,
    "is_inference": lambda self: False, "is_shared": lambda self: False,
    "is_pinned": lambda self, device="cuda": False, "is_sparse": False, "is_quantized": False,
    "is_nested": False, "layout": property(lambda self: _runtime_mod().strided),
    "is_nonzero": lambda self: _runtime_mod().is_nonzero(self),
    "is_same_size": lambda self, other: tuple(self.shape) == tuple(other.shape),
    "pin_memory": lambda self, device=None: self, "share_memory_": lambda self: self,
    "to_dense": lambda self, dtype=None, *, masked_grad=None: self,
    "resolve_conj": lambda self: self, "resolve_neg": lambda self: self,
    "conj": lambda self: self, "conj_physical": lambda self: self,
    "real": property(lambda self: self),
    "H": property(lambda self: shape.transpose(self, 0, 1) if self.ndim == 2 else shape.t(self)),
    "mH": property(lambda self: shape.transpose(self, -2, -1)),
    "sum_to_size": _sum_to_size, "fill_diagonal_": _fill_diagonal_, "random_": _random_,
    "exponential_": _random_fill(lambda g, s, lambd=1.0: g.exponential(1.0 / lambd, s)),
    "geometric_": _random_fill(lambda g, s, p: g.geometric(p, s)),
    "log_normal_": _random_fill(lambda g, s, mean=1.0, std=2.0: g.lognormal(mean, std, s)),
    "cauchy_": _random_fill(lambda g, s, median=0.0, sigma=1.0: median + sigma * g.standard_cauchy(s)),
    "resize_": _resize_, "resize_as_": lambda self, the_template, *, memory_format=None:
        _resize_(self, tuple(the_template.shape)),
    "bernoulli_": _bernoulli_, "view": _view, "split": _split,
    "apply_": _apply_, "map_": _map_, "map2_": _map2_,
    "masked_fill_": lambda self, mask, value: write_result(self, sorting.masked_fill(self, mask, value)),
    "index_put_": lambda self, indices, values, accumulate=False:
        write_result(self, shape.index_put(self, indices, values, accumulate)),
    "cumsum_": lambda self, dim, *, dtype=None: write_result(self, reduction.cumsum(self, dim)),
    "fmod": binary_math.fmod,
    "dim_order": lambda self, *, ambiguity_check=False: tuple(range(self.ndim)),
    "angle": lambda self: _ns().angle(self), "frexp": lambda self: _ns().frexp(self),
    "imag": property(lambda self: _ns().imag(self)), "conj_physical_": lambda self: self,
    "as_strided_scatter": lambda self, src, size, stride, storage_offset=None:
        _ns().as_strided_scatter(self, src, size, stride, storage_offset),
    "nonzero_static": lambda self, *, size, fill_value=-1:
        _ns().nonzero_static(self, size=size, fill_value=fill_value),
    "narrow_copy": lambda self, dim, start, length: indexing.narrow(self, dim, start, length).clone(),
    "is_xpu": False, "is_ipu": False, "is_xla": False, "is_mtia": False, "is_maia": False,
    "is_vulkan": False, "is_mkldnn": False, "is_sparse_csr": False,
    "is_distributed": lambda self: False, "name": None, "output_nr": 0, "volatile": False,
    "as_subclass": lambda self, cls: _as_subclass(self, cls), "new": _legacy_new,
    "resize": lambda self, *size: _resize_(self.clone(), *size),
    "resize_as": lambda self, tensor, memory_format=None: _resize_(self.clone(),
                                                                   tuple(tensor.shape)),
    "element_size": lambda self: self._data.itemsize,
    "nelement": lambda self: self._data.size,
})


_INPLACE = (
    "abs absolute acos acosh addbmm addcdiv addcmul addmm addmv addr arccos arccosh arcsin arcsinh "
    "arctan2 arctan arctanh asin asinh atan2 atan atanh baddbmm bitwise_and bitwise_left_shift "
    "bitwise_not bitwise_or bitwise_right_shift bitwise_xor ceil clamp_max clamp_min copysign cos "
    "cosh cumprod deg2rad digamma divide eq erf erfc erfinv exp2 exp expm1 fix float_power floor "
    "floor_divide fmod frac gcd ge greater greater_equal gt heaviside hypot i0 index_add index_copy "
    "index_fill lcm ldexp le lerp less less_equal lgamma log10 log1p log2 log logical_and "
    "logical_not logical_or logical_xor logit lt masked_scatter multiply mvlgamma nan_to_num ne neg "
    "negative nextafter not_equal polygamma put rad2deg reciprocal relu remainder renorm round "
    "rsqrt scatter scatter_add scatter_reduce sgn sigmoid sign sin sinc sinh sqrt square subtract "
    "tan tanh tril triu true_divide trunc xlogy igamma igammac index_reduce").split()
_INPLACE_VIEWS = "squeeze unsqueeze t transpose swapaxes swapdims as_strided".split()
# core methods replaced here by fuller versions (torch's extra overloads and parameter names)
_OVERRIDES = {"fmod", "view", "split"}


def _bind() -> None:
    for name, fn in _METHODS.items():
        if not hasattr(Tensor, name) or name in _OVERRIDES:
            setattr(Tensor, name, fn)
    for name in _INPLACE:
        if not hasattr(Tensor, name + "_"):
            setattr(Tensor, name + "_", _inplace(getattr(Tensor, name), name + "_"))
    for name in _INPLACE_VIEWS:
        if not hasattr(Tensor, name + "_"):
            setattr(Tensor, name + "_", _inplace_view(getattr(Tensor, name), name + "_"))
    for name in dir(Tensor):                 # NumPy-style aliases on every method taking dim
        attr = Tensor.__dict__.get(name)
        if callable(attr) and not name.startswith("__") and not isinstance(attr, type):
            wrapped = numpy_aliases(attr)
            if wrapped is not attr:
                setattr(Tensor, name, wrapped)
    Tensor.__module__ = "ember"


_bind()
