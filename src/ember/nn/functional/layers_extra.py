"""More layer maths of ``ember.nn.functional``: ``bilinear``, ``rms_norm``, and the SELU-friendly
``alpha_dropout`` / ``feature_alpha_dropout`` (composites of ember's ops).

Example::

    >>> F.rms_norm(ember.tensor([[3.0, 4.0]]), [2])
    tensor([[0.8485, 1.1314]])
"""
from __future__ import annotations

import numpy as np

from ... import random as _random
from ..._tensor import Tensor
from ...ops import elementwise as ew
from ...ops._util import as_tensor
from ...ops.linalg_more import einsum

__all__ = ["bilinear", "rms_norm", "alpha_dropout", "feature_alpha_dropout"]

_SELU_NEG = 1.7580993408473766       # SELU's scale * alpha: where its negative side saturates


def bilinear(input1, input2, weight, bias=None):
    """``y_k = x1ᵀ W_k x2 + b_k`` over the last dims.

    Shape: input1 ``(*, in1)``, input2 ``(*, in2)``, weight ``(out, in1, in2)``, bias ``(out,)``,
    output ``(*, out)``.
    """
    a, b, w = as_tensor(input1), as_tensor(input2), as_tensor(weight)
    if w.ndim != 3 or a.shape[-1] != w.shape[1] or b.shape[-1] != w.shape[2]:
        raise RuntimeError(f"bilinear: input1 (…, {w.shape[1] if w.ndim == 3 else '?'}), input2 "
                           f"(…, {w.shape[2] if w.ndim == 3 else '?'}) expected for weight "
                           f"{tuple(w.shape)}, got {tuple(a.shape)} and {tuple(b.shape)}")
    if tuple(a.shape[:-1]) != tuple(b.shape[:-1]):
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got "
                           f"{list(a.shape[:-1])} and {list(b.shape[:-1])}")
    out = einsum("...i,oij,...j->...o", a, w, b)
    return out if bias is None else out + bias


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``x / sqrt(mean(x²) + eps) * weight`` over the last ``len(normalized_shape)`` dims (``eps``
    defaults to the dtype's machine epsilon, as in torch)."""
    x = as_tensor(input)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if tuple(x.shape[x.ndim - k:]) != shape or x.ndim < k:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(str(s) for s in shape)}], but got input of size "
                           f"{list(x.shape)}")
    if eps is None:
        eps = float(np.finfo(x._data.dtype).eps)
    dims = tuple(range(x.ndim - k, x.ndim))
    out = x * ew.rsqrt((x * x).mean(dims, keepdim=True) + eps)
    return out if weight is None else out * weight


def _alpha_dropout(input, p, training, inplace, feature):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    x = as_tensor(input)
    if not training or p == 0:
        return x
    if p == 1:
        out = x * 0
    else:
        arr = x._data
        shape = arr.shape[:2] + (1,) * (arr.ndim - 2) if feature else arr.shape
        keep = (_random._gen(None).random(shape) >= p).astype(arr.dtype)
        a = 1.0 / np.sqrt((_SELU_NEG ** 2 * p + 1) * (1 - p))
        scale = Tensor._make((keep * a).astype(arr.dtype))
        shift = Tensor._make(((keep - 1) * _SELU_NEG * a + _SELU_NEG * a * p).astype(arr.dtype))
        out = x * scale + shift
    if inplace:
        x._check_inplace()
        return x._assign(out)
    return out


def alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """Dropout that keeps SELU's zero mean and unit variance (Klambauer et al., 2017): dropped
    elements take SELU's saturation value, then all are rescaled and shifted."""
    return _alpha_dropout(input, p, training, inplace, feature=False)


def feature_alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """:func:`alpha_dropout` of whole channels (dims 0 and 1 of ``(N, C, …)`` share a draw)."""
    return _alpha_dropout(input, p, training, inplace, feature=True)
