"""``keras.ops.nn``: activations, normalizations, one-hot encodings and the cross-entropies,
on ``ember.nn.functional`` (Keras's defaults: ``leaky_relu`` slope 0.2, ``gelu`` tanh form).

Example::

    >>> ops.softmax(ops.convert_to_tensor([[1.0, 2.0, 3.0]]))
    tensor([[0.0900, 0.2447, 0.6652]])
"""
from __future__ import annotations

import math

import numpy as np

import ember

from ..._tensor import Tensor
from ...nn import functional as F
from .._utils import EPSILON
from ._base import (axes_tuple, cast, constant, convert_to_tensor, dtype_of, result_type,
                    standardize_dtype, t)


def relu(x):
    return F.relu(t(x))


def relu6(x):
    return F.relu6(t(x))


def sigmoid(x):
    return F.sigmoid(t(x))


def tanh(x):
    return F.tanh(t(x))


def softplus(x):
    return F.softplus(t(x))


def softsign(x):
    return F.softsign(t(x))


def silu(x):
    return F.silu(t(x))


swish = silu


def log_sigmoid(x):
    return F.logsigmoid(t(x))


def leaky_relu(x, negative_slope=0.2):
    return F.leaky_relu(t(x), negative_slope=negative_slope)


def elu(x, alpha=1.0):
    return F.elu(t(x), alpha)


def selu(x):
    return F.selu(t(x))


def gelu(x, approximate=True):
    return F.gelu(t(x), approximate="tanh" if approximate else "none")


def hard_tanh(x):
    return F.hardtanh(t(x), -1.0, 1.0)


def hard_sigmoid(x):
    """``relu6(x + 3) / 6``."""
    return F.hardsigmoid(t(x))


def hard_silu(x):
    """``x * hard_sigmoid(x)`` (hard swish)."""
    return F.hardswish(t(x))


hard_swish = hard_silu


def celu(x, alpha=1.0):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    return F.celu(t(x), alpha=alpha)


def glu(x, axis=-1):
    """``a * sigmoid(b)`` with ``a, b`` the two halves of ``x`` along ``axis``."""
    x = t(x)
    if x.shape[axis] % 2:
        raise ValueError(f"axis size must be divisible by 2. Received: x.shape={tuple(x.shape)} "
                         f"with axis={axis}")
    return F.glu(x, dim=axis)


def hard_shrink(x, threshold=0.5):
    return F.hardshrink(t(x), lambd=threshold)


def soft_shrink(x, threshold=0.5):
    return F.softshrink(t(x), lambd=threshold)


def tanh_shrink(x):
    return F.tanhshrink(t(x))


def threshold(x, threshold, default_value):  # noqa: A002 - Keras's names
    return F.threshold(t(x), threshold, default_value)


def sparse_sigmoid(x):
    """0 below -1, 1 above 1, ``(x + 1) / 2`` between."""
    x = t(x)
    return ember.clamp(ember.mul(ember.add(x, 1.0), 0.5), 0.0, 1.0)


def sparse_plus(x):
    """0 below -1, ``x`` above 1, ``(x + 1)² / 4`` between."""
    x = t(x)
    mid = ember.mul(ember.square(ember.add(x, 1.0)), 0.25)
    return ember.where(Tensor._make(x._data <= -1), constant(0, dtype_of(x)),
                       ember.where(Tensor._make(x._data < 1), mid, x))


def squareplus(x, b=4):
    """``(x + sqrt(x² + b)) / 2``."""
    x = t(x)
    return ember.mul(ember.add(x, ember.sqrt(ember.add(ember.mul(x, x), t(b)))), 0.5)


def _along(fn, x, axis):
    x = t(x)
    name = dtype_of(x)
    if name == "float16":
        x = cast(x, "float32")
    if axis is None:
        out = fn(x.reshape(-1), dim=-1).reshape(x.shape)
    elif isinstance(axis, (tuple, list)):
        axes = axes_tuple(axis, x.ndim)
        rest = [i for i in range(x.ndim) if i not in axes]
        perm = rest + list(axes)
        y = ember.permute(x, perm)
        flat = y.reshape([x.shape[i] for i in rest] + [-1])
        out = ember.permute(fn(flat, dim=-1).reshape(y.shape), list(np.argsort(perm)))
    else:
        out = fn(x, dim=axis)
    return cast(out, name)


def softmax(x, axis=-1):
    return _along(F.softmax, x, axis)


def log_softmax(x, axis=-1):
    return _along(F.log_softmax, x, axis)


def sparsemax(x, axis=-1):
    """Euclidean projection of the logits onto the simplex (Martins & Astudillo 2016)."""
    logits = t(x)
    srt = ember.flip(ember.sort(logits, dim=axis).values, (axis % logits.ndim,))
    cums = ember.cumsum(srt, axis % logits.ndim)
    shape = [1] * logits.ndim
    shape[axis] = -1
    r = Tensor._make(np.arange(1, logits.shape[axis] + 1, dtype=logits._data.dtype).reshape(shape))
    support = Tensor._make((srt._data - (cums._data - 1) / r._data) > 0)
    k = ember.sum(cast(support, dtype_of(logits)), dim=axis, keepdim=True)
    kept = ember.where(support, cums, constant(0, dtype_of(logits)))
    tau = ember.div(ember.sub(ember.sum(kept, dim=axis, keepdim=True), 1.0), k)
    return ember.clamp(ember.sub(logits, tau), min=0.0)


# ---- encodings ----------------------------------------------------------------------------------
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot rows (negative labels give all zeros), in ``dtype`` (float32 by default)."""
    if sparse:
        raise ValueError("Unsupported value `sparse=True` with torch backend")
    idx = t(x)._data.astype(np.int64)
    out = (idx[..., None] == np.arange(num_classes)).astype(standardize_dtype(dtype))
    if axis not in (-1, out.ndim - 1):
        out = np.moveaxis(out, -1, axis)
    return Tensor._make(out)


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Each row's labels as one vector with ones at every label (``num_classes`` wide)."""
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("Argument `num_classes` must be specified.")
    x = t(inputs)
    hot = one_hot(cast(x, "int32"), num_classes, axis=axis, dtype=dtype, sparse=sparse)
    return Tensor._make(np.max(hot._data, axis=1 if x.ndim > 1 else 0))


# ---- losses ---------------------------------------------------------------------------------------
def _same_shape(target, output):
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError(f"Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")


def binary_crossentropy(target, output, from_logits=False):
    target, output = t(target), t(output)
    _same_shape(target, output)
    target = cast(target, dtype_of(output))
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    output = ember.clamp(output, EPSILON, 1.0 - EPSILON)
    return F.binary_cross_entropy(output, target, reduction="none")


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = t(target), t(output)
    _same_shape(target, output)
    if target.ndim < 1:
        raise ValueError(f"Arguments `target` and `output` must be at least rank 1. Received: "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")
    if from_logits:
        log_prob = F.log_softmax(output, dim=axis)
    else:
        output = ember.div(output, ember.sum(output, dim=axis, keepdim=True))
        log_prob = ember.log(ember.clamp(output, EPSILON, 1.0 - EPSILON))
    return ember.neg(ember.sum(ember.mul(target, log_prob), dim=axis))


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target = convert_to_tensor(target, "int64")
    output = t(output)
    if target.ndim == output.ndim and target.shape[axis] == 1:
        target = ember.squeeze(target, axis)
    if output.ndim < 1:
        raise ValueError(f"Argument `output` must be at least rank 1. Received: "
                         f"output.shape={tuple(output.shape)}")
    expected = list(output.shape)
    del expected[axis]
    if list(target.shape) != expected:
        raise ValueError(f"Arguments `target` and `output` must have the same shape up until the "
                         f"last dimension: target.shape={tuple(target.shape)}, "
                         f"output.shape={tuple(output.shape)}")
    labels, n_classes = target._data, output.shape[axis]
    bad = labels[(labels < 0) | (labels >= n_classes)]
    if bad.size:
        raise ValueError(f"Received a label value of {int(bad[0])} which is outside the valid "
                         f"range of [0, {n_classes - 1}]")
    squeeze = output.ndim == 1
    if squeeze:
        output, target = output.reshape(1, -1), target.reshape(1)
    elif axis % output.ndim != 1:
        perm = list(range(output.ndim))
        perm.insert(1, perm.pop(axis % output.ndim))
        output = ember.permute(output, perm)
    if from_logits:
        result = F.cross_entropy(output, target, reduction="none")
    else:
        output = ember.div(output, ember.sum(output, dim=1, keepdim=True))
        result = F.nll_loss(ember.log(ember.clamp(output, EPSILON, 1.0 - EPSILON)), target,
                            reduction="none")
    return result.reshape(()) if squeeze else result


# ---- statistics and normalization -------------------------------------------------------------
def moments(x, axes, keepdims=False, synchronized=False):
    """``(mean, variance)`` over ``axes`` (variance as ``E[x²] - E[x]²``, as Keras computes it)."""
    if synchronized:
        raise NotImplementedError("Argument synchronized=True is not supported with PyTorch.")
    x = t(x)
    name = dtype_of(x)
    if name == "float16":
        x = cast(x, "float32")
    dims = axes_tuple(axes, x.ndim)
    mean = ember.mean(x, dim=dims, keepdim=True)
    variance = ember.sub(ember.mean(ember.mul(x, x), dim=dims, keepdim=True), ember.mul(mean, mean))
    if not keepdims:
        keep = [s for i, s in enumerate(mean.shape) if i not in dims]
        mean, variance = mean.reshape(keep), variance.reshape(keep)
    return cast(mean, name), cast(variance, name)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """``(x - mean) * rsqrt(variance + epsilon) * scale + offset`` with the statistics on ``axis``."""
    x = t(x)
    shape = [1] * x.ndim
    shape[axis] = t(mean).shape[0]
    mean = t(mean).reshape(shape)
    inv = ember.rsqrt(ember.add(t(variance).reshape(shape), epsilon))
    if scale is not None:
        inv = ember.mul(inv, t(scale).reshape(shape))
    out = ember.mul(ember.sub(x, mean), inv)
    return out if offset is None else ember.add(out, t(offset).reshape(shape))


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """Normalizes over ``axis`` (mean 0, variance 1), then scales by ``gamma`` and shifts by
    ``beta``; ``rms_scaling=True`` divides by the standard deviation only."""
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(f"layer_normalization() got unexpected keyword arguments {sorted(kwargs)}")
    eps = EPSILON if epsilon is None else epsilon
    x = t(x)
    name = dtype_of(x)
    x = cast(x, result_type(name, "float32"))
    dims = axes_tuple(axis, x.ndim)
    shape = [x.shape[i] if i in dims else 1 for i in range(x.ndim)]

    def bcast(v):
        return None if v is None else cast(v, dtype_of(x)).reshape(shape)
    gamma, beta = bcast(gamma), bcast(beta)
    if rms_scaling:
        var_ = ember.var(x, dim=dims, keepdim=True, correction=0)
        out = ember.mul(x, ember.rsqrt(ember.add(var_, eps)))
        out = out if gamma is None else ember.mul(out, gamma)
    elif sorted(dims) == list(range(x.ndim - len(dims), x.ndim)):
        out = F.layer_norm(x, tuple(x.shape[i] for i in sorted(dims)),
                           None if gamma is None else gamma.reshape([x.shape[i] for i in sorted(dims)]),
                           None if beta is None else beta.reshape([x.shape[i] for i in sorted(dims)]),
                           eps)
    else:
        mean, var_ = moments(x, dims, keepdims=True)
        inv = ember.rsqrt(ember.add(var_, eps))
        inv = inv if gamma is None else ember.mul(inv, gamma)
        res = ember.mul(ember.neg(mean), inv)
        res = res if beta is None else ember.add(res, beta)
        out = ember.add(ember.mul(x, inv), res)
    return cast(out, name)


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """``x / sqrt(mean(x²) + epsilon) * scale`` over ``axis``."""
    eps = EPSILON if epsilon is None else epsilon
    x = t(x)
    name = dtype_of(x)
    x = cast(x, result_type(name, "float32"))
    dims = axes_tuple(axis, x.ndim)
    out = ember.mul(x, ember.rsqrt(ember.add(ember.mean(ember.mul(x, x), dim=dims, keepdim=True),
                                             eps)))
    if scale is not None:
        out = ember.mul(out, cast(scale, dtype_of(x)))
    return cast(out, name)


def normalize(x, axis=-1, order=2, epsilon=None):
    """``x`` divided by its ``order``-norm along ``axis`` (at least ``epsilon``)."""
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    eps = EPSILON if epsilon is None else epsilon
    x = t(x)
    if x.ndim == 0:
        x = x.reshape(1)
    if order == 2:
        inv = ember.rsqrt(ember.sum(ember.mul(x, x), dim=axis, keepdim=True))
        return ember.mul(x, ember.minimum(inv, constant(1.0 / eps, dtype_of(x))))
    from .linalg import norm
    return ember.div(x, ember.maximum(norm(x, ord=order, axis=axis, keepdims=True),
                                      constant(eps, dtype_of(x))))


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio ``20 log10(max_val) - 10 log10(mse)``."""
    x1, x2 = t(x1), t(x2)
    if tuple(x1.shape) != tuple(x2.shape):
        raise ValueError(f"Input shapes {tuple(x1.shape)} and {tuple(x2.shape)} must match for "
                         f"PSNR calculation. ")
    d = ember.sub(x1, x2)
    mse = ember.mean(ember.mul(d, d))
    return ember.sub(ember.mul(ember.log10(convert_to_tensor(max_val, dtype_of(x1))), 20.0),
                     ember.mul(ember.log10(mse), 10.0))


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """``softmax(q k^T * scale + bias, masked) v`` with inputs shaped (batch, length, heads, dim)."""
    if flash_attention:
        raise ValueError("Flash attention is not supported by ember")
    q, k, v = t(query), t(key), t(value)
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    qh = ember.permute(q, [0, 2, 1, 3])
    kh = ember.permute(k, [0, 2, 3, 1])
    logits = ember.mul(ember.matmul(qh, kh), scale)
    if attn_logits_soft_cap is not None:
        logits = ember.mul(ember.tanh(ember.div(logits, attn_logits_soft_cap)), attn_logits_soft_cap)
    if bias is not None:
        logits = ember.add(logits, t(bias))
    keep = None
    if mask is not None:
        keep = t(mask)._data.astype(bool)
    if is_causal:
        causal = np.tril(np.ones((q.shape[1], k.shape[1]), dtype=bool))
        keep = causal if keep is None else keep & causal
    if keep is not None:
        big_neg = constant(-0.7 * float(np.finfo(logits._data.dtype).max), dtype_of(logits))
        logits = ember.where(Tensor._make(np.broadcast_to(keep, logits.shape)), logits, big_neg)
    weights = F.softmax(logits, dim=-1)
    out = ember.matmul(weights, ember.permute(v, [0, 2, 1, 3]))
    return ember.permute(out, [0, 2, 1, 3])


from .nn_conv import (adaptive_average_pool, adaptive_max_pool, average_pool, conv,  # noqa: E402
                      conv_transpose, depthwise_conv, max_pool, separable_conv)
from .nn_image import depth_to_space, fold, space_to_depth, unfold  # noqa: E402

__all__ = [n for n in dir() if not n.startswith("_") and n not in (
    "annotations", "math", "np", "ember", "Tensor", "F", "EPSILON", "axes_tuple", "cast",
    "constant", "convert_to_tensor", "dtype_of", "result_type", "standardize_dtype", "t")]
