"""``keras.ops.linalg``: vector and matrix norms (differentiable compositions).

The decompositions (``inv``, ``det``, ``solve``, ``qr``, ``svd``, ``eig``…) are not ops of ember's
engine yet; the coverage test lists them as out of scope.

Example::

    >>> ops.norm(ops.convert_to_tensor([3.0, 4.0]))
    tensor(5.)
"""
from __future__ import annotations

import numpy as np

import ember

from ._base import axes_tuple, cast, dtype_of, result_type, t


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - Keras's names
    """Vector norms (``ord`` a number, ``inf``, ``-inf``, 0) over one axis; the Frobenius norm
    (``ord`` None or ``'fro'``) over two; the nuclear and spectral norms are not available."""
    x = t(x)
    x = cast(x, result_type(dtype_of(x), float))
    dims = axes_tuple(axis, x.ndim)
    if dims is None and x.ndim in (1, 2) and ord is not None:
        dims = tuple(range(x.ndim))
    if dims is None:
        if ord not in (None, "fro", 2) and x.ndim > 1:
            raise ValueError(f"Invalid `ord` for a matrix norm over all axes: ord={ord}")
        flat = x.reshape(-1)
        out = ember.sqrt(ember.sum(ember.mul(flat, flat)))
        return out.reshape((1,) * x.ndim) if keepdims else out
    if len(dims) == 2:
        if ord not in (None, "fro", 1, -1, np.inf, -np.inf):
            raise ValueError(f"ember.keras supports the 'fro', 1, -1, inf and -inf matrix norms. "
                             f"Received: ord={ord}")
        if ord in (None, "fro"):
            return ember.sqrt(ember.sum(ember.mul(x, x), dim=dims, keepdim=keepdims))
        row, col = dims
        sum_axis, ext_axis = (row, col) if ord in (1, -1) else (col, row)
        s = ember.sum(ember.abs(x), dim=sum_axis, keepdim=True)
        ext = ember.amax if ord in (1, np.inf) else ember.amin
        out = ext(s, dim=ext_axis, keepdim=True)
        return out if keepdims else ember.squeeze(ember.squeeze(out, max(dims)), min(dims))
    a = ember.abs(x)
    if ord is None or ord == 2:
        return ember.sqrt(ember.sum(ember.mul(x, x), dim=dims, keepdim=keepdims))
    if ord == np.inf:
        return ember.amax(a, dim=dims, keepdim=keepdims)
    if ord == -np.inf:
        return ember.amin(a, dim=dims, keepdim=keepdims)
    if ord == 0:
        return cast(ember.sum(cast(ember.ne(x, 0), dtype_of(x)), dim=dims, keepdim=keepdims),
                    dtype_of(x))
    if isinstance(ord, str):
        raise ValueError(f"Invalid `ord` argument for vector norm. Received: ord={ord}")
    return ember.pow(ember.sum(ember.pow(a, float(ord)), dim=dims, keepdim=keepdims), 1.0 / ord)


__all__ = ["norm"]
