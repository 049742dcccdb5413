"""Adam (Kingma & Ba, 2015), with AMSGrad (Reddi et al., 2018) and optional decoupled weight decay."""
from __future__ import annotations

import numpy as np

from ._math import bias_correction, decay_weights, ema, ema_square, grad_term, sqrt_scalar
from ._validate import check_betas, check_non_negative
from .optimizer import Optimizer, step_and_betas

__all__ = ["Adam", "adam_update", "adam_moments", "divide_by_denominator"]


def divide_by_denominator(param: np.ndarray, numer: np.ndarray, second: np.ndarray, scale: float,
                          eps: float, step_size: float, tmp: np.ndarray) -> None:
    """``param −= step_size · numer / (√second · scale + eps)`` in four passes.

    The constants fold into the denominator, ``√second·(scale/step_size) + eps/step_size``,
    which saves a pass over the arrays; a zero ``step_size`` leaves ``param`` unchanged.
    """
    if step_size == 0:
        return
    np.sqrt(second, out=tmp)
    tmp *= scale / step_size
    tmp += eps / step_size
    np.divide(numer, tmp, out=tmp)
    param -= tmp


def adam_moments(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray, exp_avg_sq: np.ndarray, *, lr: float,
                 beta1: float, beta2: float, weight_decay: float, decoupled_weight_decay: bool, maximize: bool,
                 gbuf: np.ndarray | None, tmp: np.ndarray) -> np.ndarray:
    """The Adam family's common start, in place: weight decay (decoupled: ``param *= 1 − lr·wd``;
    else L2 on the gradient), then ``m = β1·m + (1−β1)·g`` and ``v = β2·v + (1−β2)·g²``.
    Returns ``g`` (the gradient term, with maximize and L2 applied)."""
    if decoupled_weight_decay:
        decay_weights(param, lr, weight_decay)
        weight_decay = 0.0
    g = grad_term(grad, param, weight_decay, maximize, gbuf if gbuf is not None else np.empty_like(param))
    ema(exp_avg, g, beta1, tmp)
    ema_square(exp_avg_sq, g, beta2, tmp)
    return g


def adam_update(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray, exp_avg_sq: np.ndarray,
                max_exp_avg_sq: np.ndarray | None = None, *, step: float, lr: float, beta1: float,
                beta2: float, eps: float, weight_decay: float = 0.0, amsgrad: bool = False,
                maximize: bool = False, decoupled_weight_decay: bool = False, epsilon_hat: bool = False,
                float32_scalars: bool = False, gbuf: np.ndarray | None = None,
                tmp: np.ndarray | None = None) -> None:
    """One Adam step on arrays (in place), ``step`` being the 1-based step count.

    ``m = β1·m + (1−β1)·g``, ``v = β2·v + (1−β2)·g²`` (``v̂ = max(v̂, v)`` with AMSGrad),
    ``param −= lr/(1−β1^t) · m / (√v / √(1−β2^t) + eps)`` (torch). Weight decay is added to
    the gradient (L2), or with ``decoupled_weight_decay`` (AdamW) multiplies the parameter
    by ``1 − lr·weight_decay`` first.

    Keras's form differs in two places: with ``epsilon_hat`` epsilon is added before the bias
    correction, ``param −= lr·√(1−β2^t)/(1−β1^t) · m / (√v + eps)`` (the "ε̂" of the paper's
    section 2), and with ``float32_scalars`` the bias corrections are computed in float32.

    Args:
        gbuf, tmp: scratch arrays like ``param`` (allocated when not given).
    """
    tmp = np.empty_like(param) if tmp is None else tmp
    adam_moments(param, grad, exp_avg, exp_avg_sq, lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay,
                 decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, gbuf=gbuf, tmp=tmp)
    second = exp_avg_sq
    if amsgrad:
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        second = max_exp_avg_sq
    bc1 = bias_correction(beta1, step, float32_scalars)
    bc2_sqrt = sqrt_scalar(bias_correction(beta2, step, float32_scalars))
    if epsilon_hat:   # lr_t = lr·√bc2/bc1;  param −= lr_t · m / (√v + eps)
        divide_by_denominator(param, exp_avg, second, 1.0, eps, lr * bc2_sqrt / bc1, tmp)
    else:
        divide_by_denominator(param, exp_avg, second, 1 / bc2_sqrt, eps, lr / bc1, tmp)


class Adam(Optimizer):
    """Adam: adaptive moment estimation (Kingma & Ba, 2015).

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default 1e-3).
        betas: decay rates of the first and second moment averages (default (0.9, 0.999)).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: L2 penalty (default 0).
        amsgrad: use the running maximum of the second moment (AMSGrad).
        maximize: maximize the objective instead of minimizing it.
        decoupled_weight_decay: decay the weights directly, as AdamW does.

    Example::

        >>> opt = ember.optim.Adam(model.parameters(), lr=0.01)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    _rule = staticmethod(adam_update)
    _scalars = ("step",)
    _scratch = ("gbuf", "tmp")

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        check_non_negative(lr=lr, eps=eps)
        betas = check_betas(betas)
        check_non_negative(weight_decay=weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _slots(self, group: dict) -> tuple:
        return ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if group["amsgrad"] else ())

    def _advance(self, group: dict, scalars: dict, fresh: bool) -> dict:
        return step_and_betas(group, scalars)
