"""``keras.ops.vectorize``: NumPy's ``vectorize`` on ember tensors. The function is called on
every element (or, with a generalized-ufunc ``signature`` such as ``"(m,n),(n)->(m)"``, on
every core block) of its broadcast arguments, and the results are stacked with ember's ops, so
gradients flow through them.

Example::

    >>> from ember.keras import ops
    >>> ops.vectorize(lambda a, b: a + b)([1, 2, 3, 4], 2)
    tensor([3, 4, 5, 6], dtype=ember.int32)
"""
from __future__ import annotations

import functools
import re

import numpy as np

from ...ops.shape import stack
from ._base import convert_to_tensor

__all__ = ["vectorize"]

_ARG = re.compile(r"\(([^()]*)\)")


def _parse_signature(signature: str):
    """``"(m,n),(n)->(m)"`` -> ``([("m", "n"), ("n",)], [("m",)])``."""
    if not re.fullmatch(r"\s*(\([\w\s,]*\)\s*,?\s*)+->\s*(\([\w\s,]*\)\s*,?\s*)+", signature):
        raise ValueError(f"Not a valid gufunc signature: {signature}")
    inputs, outputs = signature.split("->")
    core = [[tuple(d.strip() for d in group.split(",") if d.strip())
             for group in _ARG.findall(side)] for side in (inputs, outputs)]
    return core[0], core[1]


def _core_sizes(tensors, cores, signature):
    """Each core dimension's size, checked to agree between arguments."""
    sizes = {}
    for x, core in zip(tensors, cores):
        if x.ndim < len(core):
            raise ValueError(f"input with shape {tuple(x.shape)} does not have enough dimensions "
                             f"for its core dimensions {core} in signature={signature}")
        for name, size in zip(core, x.shape[x.ndim - len(core):]):
            if sizes.setdefault(name, size) != size:
                raise ValueError(f"inconsistent size for core dimension {name!r}: {size} vs "
                                 f"{sizes[name]}")
    return sizes


def vectorize(pyfunc, *, excluded=None, signature=None):
    """A function that applies ``pyfunc`` to every element (or core block) of its broadcast
    arguments, as ``numpy.vectorize``.

    Args:
        pyfunc: the function; it receives ember tensors (scalars, or blocks shaped as
            ``signature``'s core dimensions).
        excluded: positions of arguments passed to ``pyfunc`` as they are.
        signature: a generalized-ufunc signature, e.g. ``"(m,n),(n)->(m)"``; several outputs
            (``"->(),()"``) give a tuple.

    Example::

        >>> from ember.keras import ops
        >>> mv = ops.vectorize(lambda m, v: ops.matmul(m, v), signature="(m,n),(n)->(m)")
        >>> mv(ops.ones((5, 2, 3)), ops.ones((3,))).shape
        ember.Size([5, 2])
    """
    excluded = set(excluded or ())
    in_cores, out_cores = _parse_signature(signature) if signature is not None else (None, None)

    @functools.wraps(pyfunc)
    def wrapped(*args, **kwargs):
        positions = [i for i, a in enumerate(args) if i not in excluded and a is not None]
        tensors = [convert_to_tensor(args[i]) for i in positions]
        cores = in_cores if in_cores is not None else [()] * len(tensors)
        if len(cores) != len(tensors):
            raise TypeError(f"wrong number of positional arguments: expected {len(cores)}, got "
                            f"{len(tensors)} (signature={signature})")
        sizes = _core_sizes(tensors, cores, signature)
        loops = [tuple(x.shape[:x.ndim - len(c)]) for x, c in zip(tensors, cores)]
        batch = np.broadcast_shapes(*loops) if loops else ()
        results = []
        for index in np.ndindex(*batch):
            call = list(args)
            for i, x, own in zip(positions, tensors, loops):
                at = tuple(0 if n == 1 else j for n, j in zip(own, index[len(index) - len(own):]))
                call[i] = x[at] if at else x
            results.append(pyfunc(*call, **kwargs))
        if not batch:                       # one call on the whole arguments
            return results[0]
        if not results:
            raise ValueError(f"vectorize: cannot call the function on an empty batch of shape "
                             f"{batch}")
        many = isinstance(results[0], tuple)
        columns = list(zip(*results)) if many else [results]
        outs = []
        for k, col in enumerate(columns):
            col = [convert_to_tensor(r) for r in col]
            out = stack(col).reshape(*batch, *col[0].shape)
            if out_cores is not None and out.ndim - len(batch) != len(out_cores[k]):
                raise ValueError(f"output {k} has {out.ndim - len(batch)} core dimensions, the "
                                 f"signature {signature} says {len(out_cores[k])}")
            if out_cores is not None:
                for name, size in zip(out_cores[k], out.shape[len(batch):]):
                    if sizes.setdefault(name, size) != size:
                        raise ValueError(f"inconsistent size for core dimension {name!r}: "
                                         f"{size} vs {sizes[name]}")
            outs.append(out)
        return tuple(outs) if many else outs[0]

    return wrapped
