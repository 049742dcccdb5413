"""Scaled dot-product attention as one graph node: ``softmax(q kᵀ · scale + bias) v``.

Forward keeps the attention probabilities; backward uses them (``dv = pᵀ g``,
``ds = p ⊙ (dp - Σ dp ⊙ p)``, ``dq = ds k · scale``, ``dk = dsᵀ q · scale``), so the scores,
their softmax and the two products are one node, not six. A row whose scores are all ``-inf``
(every key masked) gets zero weights, as torch's ``scaled_dot_product_attention`` gives.

Example::

    >>> from ember.ops.attention import ScaledDotProductAttention
    >>> q = k = v = ember.ones(1, 2, 4)
    >>> ScaledDotProductAttention.apply(q, k, v, None, scale=0.5)
    tensor([[[1., 1., 1., 1.],
             [1., 1., 1., 1.]]])
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ._util import unbroadcast

__all__ = ["ScaledDotProductAttention", "softmax_rows"]


def softmax_rows(s: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, in place; rows that are all ``-inf`` become zeros."""
    top = s.max(axis=-1, keepdims=True)
    np.copyto(top, 0, where=~np.isfinite(top))
    s -= top
    np.exp(s, out=s)
    total = s.sum(axis=-1, keepdims=True)
    np.copyto(total, 1, where=total == 0)
    s /= total
    return s


class ScaledDotProductAttention(Function):
    """``out = dropout(softmax(q kᵀ · scale + bias)) v``.

    Args (forward): q ``(..., L, E)``, k ``(..., S, E)``, v ``(..., S, Ev)``, bias (additive,
    broadcastable to ``(..., L, S)``, or None); ``scale``; ``keep``: the dropout multipliers
    (0 or ``1/(1-p)``) for the weights, or None; ``weights``: also return the weights,
    concatenated after the output along the last axis: ``"dropped"`` after dropout (torch's
    ``MultiheadAttention``), ``"raw"`` before it (Keras's ``MultiHeadAttention``).
    """

    NAME = "ScaledDotProductAttentionBackward0"

    def forward(self, q, k, v, bias, scale=1.0, keep=None, weights=None):
        s = np.matmul(q, np.swapaxes(k, -1, -2))
        s *= scale
        if bias is not None:
            s += bias
        p = softmax_rows(s)
        pd = p if keep is None else p * keep
        out = np.matmul(pd, v)
        self.q, self.k, self.v, self.p, self.pd, self.keep = q, k, v, p, pd, keep
        self.scale, self.weights = scale, weights
        self.bias_shape = None if bias is None else bias.shape
        if weights:
            w = pd if weights == "dropped" else p
            return np.concatenate([out, np.broadcast_to(w, out.shape[:-1] + w.shape[-1:])], -1)
        return out

    def backward(self, g):
        q, k, v, p, pd = self.q, self.k, self.v, self.p, self.pd
        ev = v.shape[-1]
        g_out = g[..., :ev] if self.weights else g
        dq = dk = dv = db = None
        if self.needs_grad(2):
            dv = unbroadcast(np.matmul(np.swapaxes(pd, -1, -2), g_out), v.shape)
        dp = np.matmul(g_out, np.swapaxes(v, -1, -2))
        if self.weights == "dropped":
            dp += g[..., ev:]
        if self.keep is not None:
            dp *= self.keep
        if self.weights == "raw":
            dp += g[..., ev:]
        ds = dp
        ds -= (dp * p).sum(axis=-1, keepdims=True)
        ds *= p
        if len(self.next_functions) > 3 and self.needs_grad(3):
            db = unbroadcast(ds, self.bias_shape)
        ds *= self.scale
        if self.needs_grad(0):
            dq = unbroadcast(np.matmul(ds, k), q.shape)
        if self.needs_grad(1):
            dk = unbroadcast(np.matmul(np.swapaxes(ds, -1, -2), q), k.shape)
        return dq, dk, dv, db
