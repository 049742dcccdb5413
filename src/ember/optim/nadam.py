"""NAdam: Adam with Nesterov momentum (Dozat, 2016), with torch's momentum-decay schedule."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._validate import check_betas, check_non_negative
from .adam import update_moments
from .optimizer import Optimizer, _scalar_state

__all__ = ["NAdam", "nadam_update"]


def nadam_update(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray, exp_avg_sq: np.ndarray,
                 mu_product: np.ndarray, *, step: float, lr: float, beta1: float, beta2: float, eps: float,
                 weight_decay: float, momentum_decay: float, decoupled_weight_decay: bool,
                 maximize: bool) -> None:
    """One NAdam step on arrays (in place); ``mu_product`` is a 0-d array updated in place.

    ``μ_t = β1·(1 − ½·0.96^(t·ψ))``; ``Π_t = Π_{t−1}·μ_t``; with Adam's ``m``, ``v`` and
    ``d = √(v/(1−β2^t)) + eps``:
    ``param −= lr·(1−μ_t)/(1−Π_t) · g/d + lr·μ_{t+1}/(1−Π_t·μ_{t+1}) · m/d``.
    """
    g = np.negative(grad) if maximize else grad
    bias_correction2 = 1 - beta2 ** step
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * param
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
    mu_product *= mu  # in the state's own (scalar) dtype, as torch does
    mu_prod = float(mu_product)
    mu_product_next = mu_prod * mu_next
    tmp = update_moments(g, exp_avg, exp_avg_sq, beta1, beta2, np.empty_like(exp_avg))
    denom = np.divide(exp_avg_sq, bias_correction2)
    np.sqrt(denom, out=denom)
    denom += eps
    np.divide(g, denom, out=tmp)
    tmp *= lr * (1.0 - mu) / (1.0 - mu_prod)
    param -= tmp
    np.divide(exp_avg, denom, out=tmp)
    tmp *= lr * mu_next / (1.0 - mu_product_next)
    param -= tmp


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

    def _init_state(self, p: Tensor, group: dict, state: dict) -> None:
        state["step"] = _scalar_state()
        state["mu_product"] = _scalar_state(1.0)
        state["exp_avg"] = Tensor._make(np.zeros_like(p._data))
        state["exp_avg_sq"] = Tensor._make(np.zeros_like(p._data))

    def _update_group(self, group: dict, params: list) -> None:
        beta1, beta2 = (float(b) for b in group["betas"])
        hyper = {"lr": float(group["lr"]), "beta1": beta1, "beta2": beta2, "eps": float(group["eps"]),
                 "weight_decay": float(group["weight_decay"]), "momentum_decay": float(group["momentum_decay"]),
                 "decoupled_weight_decay": bool(group["decoupled_weight_decay"]),
                 "maximize": bool(group["maximize"])}
        for p in params:
            state = self._state_of(p, group)
            step_t = state["step"]._data
            step_t += 1
            nadam_update(p._data, p.grad._data, state["exp_avg"]._data, state["exp_avg_sq"]._data,
                         state["mu_product"]._data, step=float(step_t), **hyper)
