"""The last of torch's namespace-level functions: ``heaviside``, ``norm``, ``clone``/``detach``,
``fill``, and the in-place ``torch.op_(x)`` forms of elementwise ops (``torch.exp_(x)``).

Example::

    >>> x = ember.tensor([0.0, 1.0])
    >>> ember.exp_(x) is x, x
    (True, tensor([1.0000, 2.7183]))
"""
from __future__ import annotations

import numpy as np

from ._tensor import Tensor
from .ops._util import as_tensor

__all__ = ["heaviside", "norm", "clone", "detach", "detach_", "fill", "fill_", "zero_",
           "frobenius_norm", "angle", "real", "imag", "conj", "conj_physical", "conj_physical_",
           "resolve_conj", "resolve_neg", "frexp", "get_device", "is_distributed", "index_put_",
           "resize_as_", "as_strided_", "as_strided_scatter", "unravel_index", "gradient",
           "nonzero_static", "histogramdd"]

_INPLACE_FUNCTIONS = (
    "abs acos acosh arccos arccosh arcsin arcsinh arctan arctanh asin asinh atan atanh ceil "
    "clamp clamp_max clamp_min clip cos cosh deg2rad erf erfc exp exp2 expm1 fix floor frac gcd "
    "i0 lcm ldexp log log10 log1p log2 logit nan_to_num neg negative rad2deg reciprocal round "
    "rsqrt sigmoid sin sinc sinh sqrt square tan tanh trunc xlogy addmv").split()


def heaviside(input, values):
    """Step function: 0 below zero, 1 above, ``values`` at zero (no gradient), like torch's."""
    x = as_tensor(input)
    v = as_tensor(values)
    return Tensor._make(np.heaviside(x._data, v._data).astype(x._data.dtype))


def norm(input, p="fro", dim=None, keepdim: bool = False, out=None, dtype=None):
    """The ``p``-norm of ``input`` over all elements or ``dim`` ('fro' and 'nuc' on matrices;
    with no ``dim`` a tensor is treated as one vector)."""
    from .ops.linalg_more import vector_norm
    x = as_tensor(input)
    if dtype is not None:
        x = x.to(dtype)
    if p == "nuc":
        from .ops.linalg_solvers import nuclear_norm
        if x.ndim < 2:
            raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                               "dimensions.")
        if dim is None and x.ndim != 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                               f"{' '.join(str(d) for d in range(x.ndim))}")
        return nuclear_norm(x, dim, keepdim)
    return vector_norm(x, 2 if p == "fro" else p, dim, keepdim)


def frobenius_norm(input, dim=(), keepdim: bool = False):
    """``sqrt(sum(x²))`` over ``dim`` (all elements by default)."""
    return norm(input, "fro", dim if dim != () else None, keepdim)


def clone(input, *, memory_format=None):
    return input.clone()


def detach(input):
    return input.detach()


def detach_(input):
    return input.detach_()


def fill(input, value):
    """A tensor like ``input`` filled with ``value``."""
    return as_tensor(input).clone().fill_(value) if not as_tensor(input).requires_grad else \
        as_tensor(input) * 0 + value


def fill_(input, value):
    return input.fill_(value)


def zero_(input):
    return input.zero_()


def angle(input):
    """The argument of each element: π for negatives, 0 otherwise (real tensors; no gradient)."""
    x = as_tensor(input)
    out = np.where(x._data < 0, np.pi, 0.0).astype(x._data.dtype if x.is_floating_point()
                                                    else np.float32)
    out = np.where(np.isnan(x._data), np.nan, out) if x.is_floating_point() else out
    return Tensor._make(out) if not x.requires_grad else x * 0 + Tensor._make(out)


def real(input):
    """``input`` itself (a real tensor is its own real part)."""
    return as_tensor(input)


def imag(input):
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def conj(input):
    return as_tensor(input)


conj_physical = resolve_conj = resolve_neg = conj


def conj_physical_(input):
    return input


def frexp(input):
    """``(mantissa, exponent)`` with ``input = mantissa * 2 ** exponent``, |mantissa| in [0.5, 1)."""
    from collections import namedtuple
    m, e = np.frexp(as_tensor(input)._data)
    return namedtuple("frexp", ["mantissa", "exponent"])(Tensor._make(m), Tensor._make(e.astype(np.int32)))


def get_device(input) -> int:
    """-1: the tensor is on the CPU."""
    return -1


def is_distributed(input) -> bool:
    return False


def index_put_(input, indices, values, accumulate: bool = False):
    return input.index_put_(indices, values, accumulate)


def resize_as_(input, the_template, *, memory_format=None):
    return input.resize_as_(the_template)


def as_strided_(input, size, stride, storage_offset=None):
    return input.as_strided_(size, stride, storage_offset)


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of ``input`` with ``src`` written where ``as_strided(size, stride)`` reads."""
    from .ops.layout import as_strided
    x = as_tensor(input)
    pos = as_strided(Tensor._make(np.arange(x.numel())), size, stride, storage_offset)
    flat = x.reshape(-1).index_put((pos.reshape(-1),), as_tensor(src).reshape(-1))
    return flat.reshape(tuple(x.shape))


def unravel_index(indices, shape):
    """The coordinates of flat ``indices`` in an array of ``shape``: one tensor per dim."""
    idx = as_tensor(indices)._data
    if np.any(idx < 0):
        raise ValueError("unravel_index: expected 'indices' to be non-negative")
    return tuple(Tensor._make(c.astype(np.int64)) for c in np.unravel_index(idx, tuple(shape)))


def gradient(input, *, spacing=None, dim=None, edge_order: int = 1):
    """Second-order central differences of ``input`` (one-sided at the edges), per dim: a tuple
    of tensors, like ``numpy.gradient``."""
    a = as_tensor(input)._data
    dims = range(a.ndim) if dim is None else ([dim] if isinstance(dim, int) else list(dim))
    dims = [d % a.ndim for d in dims]
    spacing = 1 if spacing is None else spacing
    if isinstance(spacing, (tuple, list)):
        spacings = [s._data if isinstance(s, Tensor) else s for s in spacing]
    else:
        spacings = [spacing] * len(dims)
    out = np.gradient(a, *spacings, axis=tuple(dims), edge_order=edge_order)
    out = out if isinstance(out, (list, tuple)) else [out]
    return tuple(Tensor._make(np.asarray(g, a.dtype if a.dtype.kind == "f" else np.float32))
                 for g in out)


def nonzero_static(input, *, size: int, fill_value: int = -1):
    """:func:`ember.nonzero` padded with ``fill_value`` (or cut) to exactly ``size`` rows."""
    a = as_tensor(input)._data
    idx = np.argwhere(a).astype(np.int64)[:size]
    pad = np.full((size - idx.shape[0], a.ndim), fill_value, np.int64)
    return Tensor._make(np.concatenate([idx, pad]))


def histogramdd(input, bins=10, *, range=None, weight=None, density: bool = False):  # noqa: A002
    """A histogram of the rows of an ``(N, D)`` input: ``(hist, bin_edges)``."""
    from collections import namedtuple
    a = as_tensor(input)._data
    b = bins if isinstance(bins, int) else [x._data if isinstance(x, Tensor) else x for x in bins]
    rng = None if range is None else list(zip(range[::2], range[1::2]))
    w = None if weight is None else as_tensor(weight)._data
    hist, edges = np.histogramdd(a, bins=b, range=rng, weights=w, density=density)
    return namedtuple("histogramdd", ["hist", "bin_edges"])(
        Tensor._make(hist.astype(a.dtype)), tuple(Tensor._make(e.astype(a.dtype)) for e in edges))


def _copy_of(view):
    def op(input, *args, **kwargs):
        out = view(input, *args, **kwargs)
        return tuple(o.clone() for o in out) if isinstance(out, tuple) else out.clone()
    op.__name__ = op.__qualname__ = view.__name__ + "_copy"
    op.__doc__ = f"``{view.__name__}`` as a new tensor (torch's non-aliasing ``{view.__name__}_copy``)."
    return op


def _copies():
    from .ops import indexing, layout, shape
    views = {"alias": lambda input: input, "as_strided": layout.as_strided,
             "detach": lambda input: input.detach(), "diagonal": indexing.diagonal,
             "expand": lambda input, size, *, implicit=False: shape.expand(input, *size),
             "narrow": indexing.narrow, "permute": lambda input, dims: shape.permute(input, *dims),
             "select": shape.select, "slice": lambda input, dim=0, start=None, end=None, step=1:
                 input[(slice(None),) * (dim % input.ndim) + (slice(start, end, step),)],
             "split": shape.split, "split_with_sizes": layout.split_with_sizes,
             "squeeze": shape.squeeze, "t": shape.t, "transpose": shape.transpose,
             "unbind": shape.unbind, "unfold": layout.unfold, "unsqueeze": shape.unsqueeze,
             "view": lambda input, size: shape.reshape(input, size)}
    out = {}
    for name, view in views.items():
        view.__name__ = name
        out[name + "_copy"] = _copy_of(view)
    return out


for _name, _fn in _copies().items():
    globals()[_name] = _fn
    __all__.append(_name)


def _inplace_function(name):
    def op(input, *args, **kwargs):
        return getattr(input, name + "_")(*args, **kwargs)
    op.__name__ = op.__qualname__ = name + "_"
    op.__doc__ = f"In-place ``{name}``: ``ember.{name}_(x)`` is ``x.{name}_()``."
    return op


for _name in _INPLACE_FUNCTIONS:
    globals()[_name + "_"] = _inplace_function(_name)
    __all__.append(_name + "_")


def wrap_namespace(namespace: dict) -> None:
    """Gives every public function of ``namespace`` torch's NumPy-style keyword aliases."""
    from ._tensor_api import numpy_aliases
    for name, value in list(namespace.items()):
        if not name.startswith("_") and callable(value) and not isinstance(value, type) and \
                getattr(value, "__module__", "").startswith("ember"):
            namespace[name] = numpy_aliases(value)
