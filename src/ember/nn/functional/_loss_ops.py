"""Fused loss Functions: forward and backward of each loss in one graph node.

Elementwise losses share :class:`PointwiseLoss`: a subclass returns the loss per element
and its derivatives with respect to input and target; the base applies the optional
weight, the reduction and broadcasting. Cross-entropy and multi-margin are their own nodes.
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...ops._util import unbroadcast


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


NEG_DX = object()   # marks dloss/dy = -dloss/dx (losses of x - y)


class PointwiseLoss(Function):
    """Base of the elementwise losses; subclasses implement ``pointwise(x, y)``."""

    def pointwise(self, x, y):  # pragma: no cover - abstract
        """Returns ``(loss, dloss/dx, dloss/dy)``; dloss/dy may be None (no gradient) or
        ``NEG_DX`` when it is ``-dloss/dx`` (then made only if the target needs it)."""
        raise NotImplementedError  # abstract: subclasses implement it

    def forward(self, x, y, weight=None, reduction="mean", weight_mean=False, **params):
        """``weight_mean``: a 'mean' divides by the summed weights (torch's weighted mse/l1)."""
        self.params = params
        self.shapes = (x.shape, y.shape)
        self.reduction = reduction
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

    def pointwise(self, x, y):
        if self.params["log_target"]:
            ey = np.exp(y)
            return ey * (y - x), -ey, ey * (y - x + 1)
        pos = y > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            log_y = np.where(pos, np.log(np.where(pos, y, 1)), 0)
        return np.where(pos, y * log_y, 0) - y * x, -y, np.where(pos, log_y + 1, 0) - x


class HingeEmbeddingLoss(PointwiseLoss):
    def pointwise(self, x, y):
        margin = self.params["margin"]
        gap = margin - x
        hinge = (y != 1) & (gap > 0)
        keep = y != -1
        loss = np.where(hinge, gap, 0) + np.where(keep, x, 0)
        dx = keep.astype(x.dtype) - hinge.astype(x.dtype)
        return loss, dx, None


# --------------------------------------------------------------- cross-entropy
def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted = x - x.max(axis=axis, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return shifted


def _class_shape(w: np.ndarray, ndim: int) -> np.ndarray:
    """A per-class vector shaped to broadcast along axis 1 of an ``ndim`` array."""
    return w.reshape((1, -1) + (1,) * (ndim - 2))


def _class_index(target: np.ndarray) -> tuple:
    """A fancy index picking, at every position of ``target``, its class along axis 1."""
    rest = np.indices(target.shape, sparse=True)
    return (rest[0], target) + tuple(rest[1:])


def _with_class_axis(a: np.ndarray) -> np.ndarray:
    """``a`` shaped like the target, given a length-1 class axis at position 1."""
    return a.reshape(a.shape[:1] + (1,) + a.shape[1:])


class NllCore(Function):
    """Negative log-likelihood of class indices, on log-probabilities (``NLLLoss``) or on
    logits with a fused log-softmax (``CrossEntropyLoss``), with weight, ignore_index,
    label smoothing and torch's weighted mean."""

    NAME = "NllLossBackward0"

    def forward(self, x, target, weight=None, ignore_index=-100, reduction="mean",
                label_smoothing=0.0, from_logits=True):
        c = x.shape[1]
        self.from_logits, self.reduction = from_logits, reduction
        logp = _log_softmax(x, 1) if from_logits else x
        valid = target != ignore_index
        safe = np.where(valid, target, 0)
        index = _class_index(safe)
        picked = logp[index]
        w_t = valid.astype(x.dtype) if weight is None else np.where(valid, weight[safe], 0)
        w_t = w_t.astype(x.dtype, copy=False)
        loss = -picked * w_t
        eps = label_smoothing
        if eps > 0:
            wl = logp if weight is None else logp * _class_shape(weight, x.ndim)
            smooth = -wl.sum(axis=1) * valid
            loss = (1 - eps) * loss + (eps / c) * smooth
        self.denom = w_t.sum() if reduction == "mean" else None
        self.logp, self.index, self.w_t, self.valid = logp, index, w_t, valid
        self.weight, self.eps, self.c = weight, eps, c
        if eps > 0:         # torch's node names: smoothing adds two losses, spatial inputs use 2-D kernels
            self.label = "AddBackward0"
        elif x.ndim > 2:
            self.label = "ViewBackward0" if reduction == "none" and x.ndim != 4 else "NllLoss2DBackward0"
        if reduction == "none":
            return loss
        total = loss.sum()
        if reduction == "mean":
            total = total / self.denom
        return np.asarray(total, dtype=x.dtype)

    def backward(self, g):
        if not self.needs_grad(0):
            return None, None
        logp, eps, c = self.logp, self.eps, self.c
        scale = g / self.denom if self.reduction == "mean" else g
        coef = scale * self.w_t                       # per position, the target's weight
        if self.from_logits:
            p = np.exp(logp)
            grad = p * _with_class_axis((1 - eps) * coef)
        else:
            grad = np.zeros_like(logp)
        grad[self.index] -= (1 - eps) * coef
        if eps > 0:
            s = _with_class_axis(scale * self.valid) * (eps / c)
            w = np.ones(c, logp.dtype) if self.weight is None else self.weight
            wb = _class_shape(w, logp.ndim)
            if self.from_logits:
                grad += s * (p * wb.sum() - wb)
            else:
                grad -= s * wb
        return grad.astype(logp.dtype, copy=False), None




class CrossEntropyCore(Function):
    """Cross-entropy of ``(N, C)`` logits and class indices, unweighted, with every target
    counted (no smoothing, none ignored), summed or averaged: the common case of
    ``CrossEntropyLoss``. Keeps ``softmax(x)``; the gradient is ``(softmax(x) - onehot) · g / N``.
    """

    NAME = "NllLossBackward0"

    def forward(self, x, target, reduction="mean"):
        n = x.shape[0]
        rows = np.arange(n)
        z = x - x.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        total = np.log(s).sum() - z[rows, target].sum()
        e /= s
        self.p, self.rows, self.target = e, rows, target
        self.count = n if reduction == "mean" else 1
        return np.asarray(total / self.count, dtype=x.dtype)

    def backward(self, g):
        if not self.needs_grad(0):
            return None, None
        p = self.p
        scale = g / self.count
        grad = p * scale
        grad[self.rows, self.target] -= scale
        return grad.astype(p.dtype, copy=False), None

class SoftCrossEntropy(Function):
    """Cross-entropy with class-probability targets: ``-Σ_c w_c y_c log_softmax(x)_c``."""

    def forward(self, x, y, weight=None, reduction="mean", label_smoothing=0.0):
        c = x.shape[1]
        if label_smoothing > 0:
            y = y * (1 - label_smoothing) + label_smoothing / c
        wy = y if weight is None else y * _class_shape(weight, x.ndim)
        logp = _log_softmax(x, 1)
        loss = -(wy * logp).sum(axis=1)
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
            p = np.exp(self.logp)
            gx = (p * self.wy.sum(axis=1, keepdims=True) - self.wy) * scale
        if self.needs_grad(1):
            gy = -self.logp * (scale * self.y_grad_scale)
            if self.weight is not None:
                gy *= self.weight
        return gx, gy

    def name(self) -> str:
        return "DivBackward1" if self.reduction == "mean" else "SumBackward0"


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
