"""NAdam: Adam with Nesterov momentum (Dozat, 2016), with torch's momentum-decay schedule."""
from __future__ import annotations

import numpy as np

from ._math import bias_correction, sqrt_scalar
from ._validate import check_betas, check_non_negative
from .adam import adam_moments, divide_by_denominator
from .optimizer import Optimizer, step_and_betas

__all__ = ["NAdam", "nadam_update", "nadam_momentum"]


def nadam_momentum(beta1: float, step: float, momentum_decay: float, float32_scalars: bool = False):
    """``μ_t = β1·(1 − ½·0.96^(t·ψ))`` (in float32 arithmetic for Keras, which has ψ = 1)."""
    if float32_scalars:
        f32 = np.float32
        return f32(beta1) * (f32(1) - f32(0.5) * np.power(f32(0.96), f32(step * momentum_decay)))
    return beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))


def nadam_update(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray, exp_avg_sq: np.ndarray, *,
                 step: float, mu_product: float, lr: float, beta1: float, beta2: float, eps: float,
                 weight_decay: float = 0.0, momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False,
                 maximize: bool = False, float32_scalars: bool = False, gbuf: np.ndarray | None = None,
                 tmp: np.ndarray | None = None, tmp2: np.ndarray | None = None) -> None:
    """One NAdam step on arrays (in place); ``mu_product`` is ``Π_t`` (``μ_t`` included).

    ``μ_t = β1·(1 − ½·0.96^(t·ψ))``; with Adam's ``m``, ``v`` and ``d = √(v/(1−β2^t)) + eps``:
    ``param −= lr·(1−μ_t)/(1−Π_t) · g/d + lr·μ_{t+1}/(1−Π_t·μ_{t+1}) · m/d``. Keras's Nadam
    is this rule with ``momentum_decay=1`` and ``float32_scalars``.

    Args:
        gbuf, tmp, tmp2: scratch arrays like ``param`` (allocated when not given).
    """
    tmp = np.empty_like(param) if tmp is None else tmp
    tmp2 = np.empty_like(param) if tmp2 is None else tmp2
    g = adam_moments(param, grad, exp_avg, exp_avg_sq, lr=lr, beta1=beta1, beta2=beta2,
                     weight_decay=weight_decay, decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                     gbuf=gbuf, tmp=tmp)
    mu = nadam_momentum(beta1, step, momentum_decay, float32_scalars)
    mu_next = nadam_momentum(beta1, step + 1, momentum_decay, float32_scalars)
    c_grad = lr * (1.0 - mu) / (1.0 - mu_product)
    c_avg = lr * mu_next / (1.0 - mu_product * mu_next)
    bc2_sqrt = sqrt_scalar(bias_correction(beta2, step, float32_scalars))
    if c_grad == 0:       # only the momentum term moves the parameter
        divide_by_denominator(param, exp_avg, exp_avg_sq, 1 / bc2_sqrt, eps, c_avg, tmp)
        return
    # param −= c_grad · (g + (c_avg/c_grad)·m) / d
    np.multiply(exp_avg, c_avg / c_grad, out=tmp2)
    tmp2 += g
    divide_by_denominator(param, tmp2, exp_avg_sq, 1 / bc2_sqrt, eps, c_grad, tmp)


class NAdam(Optimizer):
    """NAdam: Adam with Nesterov momentum (Dozat, 2016).

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default 2e-3).
        betas: decay rates of the moment averages (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: weight decay (default 0), L2 unless ``decoupled_weight_decay``.
        momentum_decay: ψ in the momentum schedule (default 4e-3).
        decoupled_weight_decay: decay the weights directly, as AdamW does.
        maximize: maximize the objective instead of minimizing it.

    Example::

        >>> opt = ember.optim.NAdam(model.parameters(), lr=2e-3)
    """

    _rule = staticmethod(nadam_update)
    _param_writes = 2  # torch adds both terms to the parameter in place
    _scalars = ("step", "mu_product")
    _scratch = ("gbuf", "tmp", "tmp2")

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False,
                 *, foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        check_non_negative(lr=lr, eps=eps)
        betas = check_betas(betas)
        check_non_negative(weight_decay=weight_decay, momentum_decay=momentum_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _slots(self, group: dict) -> tuple:
        return ("exp_avg", "exp_avg_sq")

    def _initial(self, name: str, group: dict) -> float:
        return 1.0 if name == "mu_product" else 0.0

    def _advance(self, group: dict, scalars: dict, fresh: bool) -> dict:
        hyper = step_and_betas(group, scalars)
        # in the state's dtype, as torch
        scalars["mu_product"] *= nadam_momentum(hyper["beta1"], hyper["step"], float(group["momentum_decay"]))
        return {**hyper, "mu_product": float(scalars["mu_product"])}
