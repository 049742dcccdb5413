"""Loss nodes: forward and backward of each loss in one graph node.

Elementwise losses share :class:`PointwiseLoss`: a subclass returns the loss per element
and its derivatives with respect to input and target; the base applies the optional
weight, the reduction and broadcasting. Cross-entropy of class indices (and NLL) is one
node, :class:`NllLoss`; probability targets and multi-margin are their own nodes.
``ember.nn.functional``'s losses validate their arguments and wrap these nodes.

Example::

    >>> from ember.ops.loss import MseLoss
    >>> MseLoss.apply(ember.tensor([1.0, 2.0], requires_grad=True), ember.tensor([1.0, 4.0]))
    tensor(2., grad_fn=<MseLossBackward0>)
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ._util import unbroadcast
from .activation import log_softmax_array


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":
        return np.asarray(loss.mean(), dtype=loss.dtype) if loss.size else np.asarray(np.nan, loss.dtype)
    if reduction == "sum":
        return np.asarray(loss.sum(), dtype=loss.dtype)
    return loss


def _expand_grad(g: np.ndarray, reduction: str, count: int) -> np.ndarray:
    """The incoming gradient's share per unreduced element (``g / count`` for a mean)."""
    if reduction == "mean":
        return g / count if count else g
    return g


_REDUCED_NAMES = {"mean": "MeanBackward0", "sum": "SumBackward0"}
NEG_DX = object()   # marks dloss/dy = -dloss/dx (losses of x - y)


class PointwiseLoss(Function):
    """Base of the elementwise losses; subclasses implement ``pointwise(x, y)``."""

    #: Set where torch builds the loss from primitives: its node is then named after the last
    #: one, the reduction (``MeanBackward0``/``SumBackward0``), or this name for ``'none'``.
    UNREDUCED_NAME = None

    SAVES = (0, 1)  # torch saves input and target (ember keeps the derivatives)

    def pointwise(self, x, y):  # pragma: no cover - abstract
        """Returns ``(loss, dloss/dx, dloss/dy)``; dloss/dy may be None (no gradient) or
        ``NEG_DX`` when it is ``-dloss/dx`` (then made only if the target needs it)."""
        raise NotImplementedError  # abstract: subclasses implement it

    def forward(self, x, y, weight=None, reduction="mean", weight_mean=False, **params):
        """``weight_mean``: a 'mean' divides by the summed weights (torch's weighted mse/l1)."""
        self.params = params
        self.shapes = (x.shape, y.shape)
        self.reduction = reduction
        if self.UNREDUCED_NAME:
            self.label = _REDUCED_NAMES.get(reduction, self.UNREDUCED_NAME)
        loss, dx, dy = self.pointwise(x, y)
        if weight is not None:
            loss = loss * weight
            dx = None if dx is None else dx * weight
            dy = dy if dy is None or dy is NEG_DX else dy * weight
        self.dx, self.dy = dx, dy
        self.count = loss.size
        self.out_shape = loss.shape
        if weight_mean and weight is not None and reduction == "mean":
            self.count = np.asarray(np.broadcast_to(weight, loss.shape).sum(), loss.dtype)
            return np.asarray(loss.sum() / self.count, loss.dtype)
        return _reduce(loss, reduction)

    def backward(self, g):
        scale = _expand_grad(g, self.reduction, self.count)
        gx = gy = None
        if self.needs_grad(0) and self.dx is not None:
            gx = unbroadcast(np.broadcast_to(scale * self.dx, self.out_shape), self.shapes[0])
        if self.needs_grad(1) and self.dy is not None:
            dy = -self.dx if self.dy is NEG_DX else self.dy
            gy = unbroadcast(np.broadcast_to(scale * dy, self.out_shape), self.shapes[1])
        return gx, gy


class MseLoss(PointwiseLoss):
    def pointwise(self, x, y):
        d = x - y
        return d * d, 2 * d, NEG_DX


class L1Loss(PointwiseLoss):
    UNREDUCED_NAME = "AbsBackward0"

    def pointwise(self, x, y):
        d = x - y
        return np.abs(d), np.sign(d), NEG_DX


class HuberLoss(PointwiseLoss):
    def pointwise(self, x, y):
        delta = self.params["delta"]
        d = x - y
        a = np.abs(d)
        small = a < delta
        loss = np.where(small, 0.5 * d * d, delta * (a - 0.5 * delta))
        dx = np.where(small, d, delta * np.sign(d))
        return loss, dx, NEG_DX


class SmoothL1Loss(PointwiseLoss):
    def pointwise(self, x, y):
        beta = self.params["beta"]
        d = x - y
        a = np.abs(d)
        if beta == 0:
            return a, np.sign(d), NEG_DX
        small = a < beta
        loss = np.where(small, 0.5 * d * d / beta, a - 0.5 * beta)
        dx = np.where(small, d / beta, np.sign(d))
        return loss, dx, NEG_DX


class BinaryCrossEntropy(PointwiseLoss):
    """``-(y log x + (1 - y) log(1 - x))`` with each log clamped at -100, like torch."""

    def pointwise(self, x, y):
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100)
            log_1mx = np.maximum(np.log1p(-x), -100)
        loss = -(y * log_x + (1 - y) * log_1mx)
        dx = (x - y) / np.maximum((1 - x) * x, 1e-12)
        return loss, dx.astype(x.dtype, copy=False), log_1mx - log_x


class BinaryCrossEntropyWithLogits(PointwiseLoss):
    """``(1 - y) x + (1 + (pw - 1) y) softplus(-x)``, stable for any logit."""

    def pointwise(self, x, y):
        pos_weight = self.params.get("pos_weight")
        sp_neg = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))   # softplus(-x)
        e = np.exp(-np.abs(x))
        sig = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        if pos_weight is None:
            return (1 - y) * x + sp_neg, sig - y, -x
        lw = 1 + (pos_weight - 1) * y
        loss = (1 - y) * x + lw * sp_neg
        dx = (1 - y) - lw * (1 - sig)
        dy = -x + (pos_weight - 1) * sp_neg
        return loss, dx, dy


class SoftMarginLoss(PointwiseLoss):
    def pointwise(self, x, y):
        z = -y * x
        loss = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
        e = np.exp(-np.abs(z))
        sig = np.where(z >= 0, 1 / (1 + e), e / (1 + e))   # sigmoid(-y x)
        return loss, -y * sig, -x * sig


class KlDiv(PointwiseLoss):
    """``y (log y - x)`` (0 where y = 0), or ``exp(y) (y - x)`` when ``log_target``."""

    UNREDUCED_NAME = "SubBackward0"

    def pointwise(self, x, y):
        if self.params["log_target"]:
            ey = np.exp(y)
            return ey * (y - x), -ey, ey * (y - x + 1)
        pos = y > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            log_y = np.where(pos, np.log(np.where(pos, y, 1)), 0)
        return np.where(pos, y * log_y, 0) - y * x, -y, np.where(pos, log_y + 1, 0) - x


class HingeEmbeddingLoss(PointwiseLoss):
    UNREDUCED_NAME = "AddBackward0"

    def pointwise(self, x, y):
        margin = self.params["margin"]
        gap = margin - x
        hinge = (y != 1) & (gap > 0)
        keep = y != -1
        loss = np.where(hinge, gap, 0) + np.where(keep, x, 0)
        dx = keep.astype(x.dtype) - hinge.astype(x.dtype)
        return loss, dx, None


# --------------------------------------------------------------- cross-entropy
def _class_shape(w: np.ndarray, ndim: int) -> np.ndarray:
    """A per-class vector shaped to broadcast along axis 1 of an ``ndim`` array."""
    return w.reshape((1, -1) + (1,) * (ndim - 2))


def _class_index(target: np.ndarray) -> tuple:
    """A fancy index picking, at every position of ``target``, its class along axis 1."""
    if target.ndim == 1:
        return np.arange(target.shape[0]), target
    rest = np.indices(target.shape, sparse=True)
    return (rest[0], target) + tuple(rest[1:])


def _with_class_axis(a):
    """``a`` (shaped like the target, or 0-d) given a length-1 class axis at position 1."""
    return a.reshape(a.shape[:1] + (1,) + a.shape[1:]) if a.ndim else a


class NllLoss(Function):
    """Negative log-likelihood of class indices (axis 1 holds the classes), on
    log-probabilities (``nll_loss``) or on logits with log-softmax fused in (``cross_entropy``).

    ``ignore_index=None`` says every target is a class index (the caller checked), so no
    mask is made; ``weight``, label smoothing and torch's weighted mean are optional. The
    gradient on logits is ``(softmax(x) - onehot) * weight[y] * g / Σ weight[y]``.
    """

    NAME = "NllLossBackward0"

    def forward(self, x, target, weight=None, ignore_index=None, reduction="mean",
                label_smoothing=0.0, from_logits=True):
        if from_logits:
            logp, self.p = log_softmax_array(x, 1, probs=True)
        else:
            logp = x
        valid = None if ignore_index is None else target != ignore_index
        if valid is not None:
            target = np.where(valid, target, 0)
        index = _class_index(target)
        w_t = None
        if weight is not None:
            w_t = weight[target] if valid is None else np.where(valid, weight[target], 0)
            w_t = w_t.astype(x.dtype, copy=False)
        elif valid is not None:
            w_t = valid.astype(x.dtype)
        gain = logp[index]                           # minus the loss at each position
        if w_t is not None:
            gain *= w_t
        eps = label_smoothing
        if eps > 0:
            c = x.shape[1]
            wl = logp if weight is None else logp * _class_shape(weight, x.ndim)
            smooth = wl.sum(axis=1)
            gain = (1 - eps) * gain + (eps / c) * (smooth if valid is None else smooth * valid)
            self.label = "AddBackward0"  # torch's node names: smoothing adds two losses,
        elif x.ndim > 2:                 # spatial inputs use the 2-D kernel
            self.label = "ViewBackward0" if reduction == "none" and x.ndim != 4 else "NllLoss2DBackward0"
        self.from_logits, self.reduction, self.logp, self.index = from_logits, reduction, logp, index
        self.w_t, self.valid, self.weight, self.eps = w_t, valid, weight, eps
        if reduction == "none":
            return -gain
        self.denom = (gain.size if w_t is None else w_t.sum()) if reduction == "mean" else 1
        return np.asarray((0.0 - gain.sum()) / self.denom, dtype=x.dtype)  # 0, never -0

    def backward(self, g):
        if not self.needs_grad(0):
            return None, None
        eps = self.eps
        scale = g if self.reduction == "none" else g / self.denom
        coef = scale if self.w_t is None else scale * self.w_t   # per position: g * weight[y]
        if eps:
            coef = coef * (1 - eps)
        grad = self.p * _with_class_axis(coef) if self.from_logits else np.zeros_like(self.logp)
        grad[self.index] -= coef
        if eps > 0:
            logp = self.logp
            c = logp.shape[1]
            s = scale if self.valid is None else scale * self.valid
            s = _with_class_axis(s) * (eps / c)
            wb = _class_shape(np.ones(c, logp.dtype) if self.weight is None else self.weight, logp.ndim)
            if self.from_logits:
                grad += s * (self.p * wb.sum() - wb)
            else:
                grad -= s * wb
        return grad.astype(self.logp.dtype, copy=False), None


class SoftCrossEntropy(Function):
    """Cross-entropy with class-probability targets: ``-Σ_c w_c y_c log_softmax(x)_c``."""

    def forward(self, x, y, weight=None, reduction="mean", label_smoothing=0.0):
        c = x.shape[1]
        if label_smoothing > 0:
            y = y * (1 - label_smoothing) + label_smoothing / c
        wy = y if weight is None else y * _class_shape(weight, x.ndim)
        logp, self.p = log_softmax_array(x, 1, probs=True)
        loss = -(wy * logp).sum(axis=1)
        self.label = "DivBackward1" if reduction == "mean" else "NegBackward0"  # torch's last step
        self.logp, self.wy, self.reduction = logp, wy, reduction
        self.count = loss.size
        self.y_grad_scale = 1 - label_smoothing
        self.weight = None if weight is None else _class_shape(weight, x.ndim)
        return _reduce(loss, reduction)

    def backward(self, g):
        scale = _expand_grad(g, self.reduction, self.count)
        if self.reduction == "none":
            scale = np.expand_dims(scale, 1)
        gx = gy = None
        if self.needs_grad(0):
            gx = (self.p * self.wy.sum(axis=1, keepdims=True) - self.wy) * scale
        if self.needs_grad(1):
            gy = -self.logp * (scale * self.y_grad_scale)
            if self.weight is not None:
                gy *= self.weight
        return gx, gy


class MultiMarginLoss(Function):
    """``Σ_{j≠y} max(0, margin - x_y + x_j)^p / C``, optionally times ``weight[y]``."""

    def forward(self, x, target, p=1, margin=1.0, weight=None, reduction="mean"):
        squeeze = x.ndim == 1
        if squeeze:
            x, target = x[None, :], np.reshape(target, (1,))
        c = x.shape[1]
        t = target[:, None]
        x_y = np.take_along_axis(x, t, axis=1)
        z = margin - x_y + x
        active = z > 0
        np.put_along_axis(active, t, False, axis=1)
        zp = np.where(active, z, 0)
        per = zp if p == 1 else zp * zp
        dz = active.astype(x.dtype) if p == 1 else 2 * zp
        if weight is not None:
            wy = weight[target][:, None]
            per, dz = per * wy, dz * wy
        loss = (per.sum(axis=1) / c).astype(x.dtype, copy=False)
        self.dz, self.t, self.c, self.squeeze, self.reduction = dz / c, t, c, squeeze, reduction
        self.count = loss.size
        if squeeze and reduction == "none":
            return loss[0]
        return _reduce(loss, reduction)

    def backward(self, g):
        scale = _expand_grad(g, self.reduction, self.count)
        if self.reduction == "none":
            scale = np.reshape(scale, (-1, 1))
        grad = self.dz * scale
        np.put_along_axis(grad, self.t, -grad.sum(axis=1, keepdims=True), axis=1)
        grad = grad.astype(self.dz.dtype, copy=False)
        return (grad[0] if self.squeeze else grad), None
