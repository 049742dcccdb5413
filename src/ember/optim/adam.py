"""Adam (Kingma & Ba, 2015), with AMSGrad (Reddi et al., 2018) and optional decoupled weight decay."""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._validate import check_betas, check_non_negative
from .optimizer import Optimizer, _scalar_state

__all__ = ["Adam", "adam_update"]

#: Parameters up to this many elements share one flat update per group (their per-call
#: overhead dominates); larger ones are updated on their own, without the copy into the
#: flat gradient buffer, which would cost memory and time for no saving.
FLAT_MAX_SIZE = 1 << 16


def update_moments(g, exp_avg, exp_avg_sq, beta1: float, beta2: float, tmp):
    """Adam's moments in place: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²; returns ``tmp`` (scratch)."""
    np.subtract(g, exp_avg, out=tmp)
    tmp *= 1 - beta1
    exp_avg += tmp
    exp_avg_sq *= beta2
    np.multiply(g, g, out=tmp)
    tmp *= 1 - beta2
    exp_avg_sq += tmp
    return tmp


def adam_update(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray, exp_avg_sq: np.ndarray,
                max_exp_avg_sq: np.ndarray | None, *, step: float, lr: float, beta1: float, beta2: float,
                eps: float, weight_decay: float, amsgrad: bool, maximize: bool,
                decoupled_weight_decay: bool) -> None:
    """One Adam step on arrays (in place), ``step`` being the 1-based step count.

    ``m = β1·m + (1−β1)·g``, ``v = β2·v + (1−β2)·g²`` (``v̂ = max(v̂, v)`` with AMSGrad),
    ``param −= lr/(1−β1^t) · m / (√v / √(1−β2^t) + eps)``. Weight decay is added to
    the gradient (L2), or with ``decoupled_weight_decay`` (AdamW) multiplies the
    parameter by ``1 − lr·weight_decay`` first.
    """
    g = np.negative(grad) if maximize else grad
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * param
    tmp = update_moments(g, exp_avg, exp_avg_sq, beta1, beta2, np.empty_like(exp_avg))
    bias_correction1 = 1 - beta1 ** step
    bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
    second = exp_avg_sq
    if amsgrad:
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        second = max_exp_avg_sq
    np.sqrt(second, out=tmp)
    tmp /= bias_correction2_sqrt
    tmp += eps
    np.divide(exp_avg, tmp, out=tmp)
    tmp *= lr / bias_correction1
    param -= tmp


def _flat_update(flat: _FlatGroup, params: list, *, lr: float, beta1: float, beta2: float, eps: float,
                 weight_decay: float, amsgrad: bool, maximize: bool, decoupled_weight_decay: bool) -> None:
    """:func:`adam_update` once over a group's flat state: the same operations on every
    element, so the numbers are those of the per-parameter update."""
    g, tmp = flat.grad, flat.tmp
    for view, p in zip(flat.grad_views, params):
        np.copyto(view, p.grad._data)
    if maximize:
        np.negative(g, out=g)
    shrink = None
    if weight_decay != 0:
        if decoupled_weight_decay:
            shrink = 1 - lr * weight_decay
        else:
            for view, p in zip(flat.tmp_views, params):
                np.multiply(p._data, weight_decay, out=view)
            g += tmp
    steps = flat.steps
    steps += 1
    flat.steps_seen = steps.tobytes()
    step = float(steps[0])
    exp_avg, exp_avg_sq = flat.exp_avg, flat.exp_avg_sq
    update_moments(g, exp_avg, exp_avg_sq, beta1, beta2, tmp)
    second = exp_avg_sq
    if amsgrad:
        np.maximum(flat.max_exp_avg_sq, exp_avg_sq, out=flat.max_exp_avg_sq)
        second = flat.max_exp_avg_sq
    np.sqrt(second, out=tmp)
    tmp /= (1 - beta2 ** step) ** 0.5
    tmp += eps
    np.divide(exp_avg, tmp, out=tmp)
    tmp *= lr / (1 - beta1 ** step)
    for view, p in zip(flat.tmp_views, params):
        data = p._data
        if shrink is not None:
            data *= shrink
        data -= view


class _FlatGroup:
    """The Adam state of a group's small parameters kept as flat arrays, so a step is one update.

    ``exp_avg``, ``exp_avg_sq`` (``max_exp_avg_sq`` with AMSGrad) and ``steps`` hold the
    state of ``params`` end to end; each parameter's state tensors are views into them, so
    ``state_dict()`` and in-place edits of the state see the same numbers. ``grad`` and
    ``tmp`` are scratch buffers with per-parameter views.
    """

    __slots__ = ("params", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "steps", "steps_seen", "grad",
                 "tmp", "grad_views", "tmp_views")

    def still_holds(self, state, params: list, amsgrad: bool) -> bool:
        """True while ``params`` and their state are exactly what this layout was built from."""
        mine = self.params
        if len(params) != len(mine) or (amsgrad and self.max_exp_avg_sq is None):
            return False
        m, v, mx, steps = self.exp_avg, self.exp_avg_sq, self.max_exp_avg_sq, self.steps
        try:
            for p, q in zip(params, mine):
                if p is not q:
                    return False
                st = state.get(p)
                if (st["exp_avg"]._data.base is not m or st["exp_avg_sq"]._data.base is not v
                        or st["step"]._data.base is not steps
                        or (amsgrad and st["max_exp_avg_sq"]._data.base is not mx)):
                    return False
        except (KeyError, TypeError, AttributeError):
            return False
        return steps.tobytes() == self.steps_seen   # the step counts moved only together


def _flat_group(state, params: list, amsgrad: bool) -> _FlatGroup | None:
    """Moves the state of ``params`` into one flat layout (creating missing state), or returns
    None when the parameters cannot share one update: mixed dtypes or unequal step counts."""
    dtype = params[0]._data.dtype
    step_dtype = _dtype.get_default_dtype().np
    counts = set()
    for p in params:
        if p._data.dtype != dtype:
            return None
        st = state.get(p)
        if st:
            step = st["step"]._data
            counts.add(float(step))
            step_dtype = step.dtype
        else:
            counts.add(0.0)
    if len(counts) > 1:
        return None
    for p in params:
        st = state.get(p)
        if st and st["step"]._data.dtype != step_dtype:
            return None
    sizes = [p._data.size for p in params]
    total = sum(sizes)
    flat = _FlatGroup()
    flat.params = list(params)
    flat.exp_avg = np.zeros(total, dtype)
    flat.exp_avg_sq = np.zeros(total, dtype)
    flat.max_exp_avg_sq = np.zeros(total, dtype) if amsgrad else None
    flat.steps = np.full(len(params), counts.pop(), step_dtype)
    flat.grad = np.empty(total, dtype)
    flat.tmp = np.empty(total, dtype)
    flat.grad_views, flat.tmp_views = [], []
    names = ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if amsgrad else ())
    arrays = (flat.exp_avg, flat.exp_avg_sq, flat.max_exp_avg_sq)
    a = 0
    for i, (p, n) in enumerate(zip(params, sizes)):
        shape, b = p._data.shape, a + n
        st = state[p]
        views = {"step": flat.steps[i:i + 1].reshape(())}
        views.update((name, arr[a:b].reshape(shape)) for name, arr in zip(names, arrays))
        for name, view in views.items():
            old = st.get(name)
            if old is None:
                st[name] = Tensor._make(view)
            else:               # keep the state tensor (it may be referenced), move its numbers
                view[...] = old._data
                old._data = view
        flat.grad_views.append(flat.grad[a:b].reshape(shape))
        flat.tmp_views.append(flat.tmp[a:b].reshape(shape))
        a = b
    flat.steps_seen = flat.steps.tobytes()
    return flat


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

    def _init_state(self, p: Tensor, group: dict, state: dict) -> None:
        state["step"] = _scalar_state()
        state["exp_avg"] = Tensor._make(np.zeros_like(p._data))
        state["exp_avg_sq"] = Tensor._make(np.zeros_like(p._data))
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(p._data))

    def _update_group(self, group: dict, params: list) -> None:
        beta1, beta2 = (float(b) for b in group["betas"])
        amsgrad = bool(group["amsgrad"])
        hyper = {"lr": float(group["lr"]), "beta1": beta1, "beta2": beta2, "eps": float(group["eps"]),
                 "weight_decay": float(group["weight_decay"]), "amsgrad": amsgrad,
                 "maximize": bool(group["maximize"]),
                 "decoupled_weight_decay": bool(group.get("decoupled_weight_decay", False))}
        small = [p for p in params if p._data.size <= FLAT_MAX_SIZE]
        rest = params if not small else [p for p in params if p._data.size > FLAT_MAX_SIZE]
        if small:
            layouts = self.__dict__.setdefault("_flat_layouts", {})
            flat = layouts.get(id(group))
            if flat is None or not flat.still_holds(self.state, small, amsgrad):
                if len(layouts) >= len(self.param_groups):   # drop the layouts of replaced groups
                    live = {id(g) for g in self.param_groups}
                    for key in [k for k in layouts if k not in live]:
                        del layouts[key]
                flat = layouts[id(group)] = _flat_group(self.state, small, amsgrad)
            if flat is not None:
                _flat_update(flat, small, **hyper)
            else:       # mixed dtypes or step counts: the parameters cannot share one update
                rest = params
        for p in rest:
            state = self._state_of(p, group)
            step_t = state["step"]._data
            step_t += 1
            if amsgrad and "max_exp_avg_sq" not in state:
                state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(p._data))
            adam_update(p._data, p.grad._data, state["exp_avg"]._data, state["exp_avg_sq"]._data,
                        state["max_exp_avg_sq"]._data if amsgrad else None, step=float(step_t), **hyper)
