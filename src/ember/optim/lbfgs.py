"""L-BFGS (Nocedal, 1980; Liu & Nocedal, 1989), with torch's optional strong-Wolfe line search.

Unlike the other optimizers, L-BFGS needs a ``closure`` that re-evaluates the loss and the
gradients, and treats all parameters as one flat vector (one group only, as in torch).
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad
from ..autograd.versions import bump_all
from ._line_search import strong_wolfe
from .optimizer import Optimizer

__all__ = ["LBFGS"]

_F32 = np.float32


def _t(x):
    """State values are kept as tensors, as torch keeps them (0-d for scalars)."""
    return Tensor._make(np.asarray(x)) if isinstance(x, (np.ndarray, np.generic)) else x


def _a(x):
    return x._data if isinstance(x, Tensor) else x


class LBFGS(Optimizer):
    """L-BFGS: a quasi-Newton method from the last ``history_size`` steps and gradient changes.

    Args:
        params: tensors to optimize (a single group).
        lr: learning rate (default 1).
        max_iter: iterations per ``step()`` (default 20).
        max_eval: function evaluations per ``step()`` (default ``max_iter * 1.25``).
        tolerance_grad: stop when the largest gradient element is at most this (default 1e-7).
        tolerance_change: stop when the step or the loss changes less (default 1e-9).
        history_size: how many updates to remember (default 100).
        line_search_fn: ``"strong_wolfe"`` or None (a fixed step).

    Example::

        >>> opt = ember.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); return loss
        >>> opt.step(closure)
    """

    _elementwise = False   # one flat vector of all parameters; its history has that length

    def __init__(self, params, lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval, "tolerance_grad": tolerance_grad,
                    "tolerance_change": tolerance_change, "history_size": history_size,
                    "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _gather_flat_grad(self) -> np.ndarray:
        return np.concatenate([np.zeros(p._data.size, p._data.dtype) if p.grad is None
                               else np.asarray(p.grad._data).reshape(-1) for p in self._params])

    def _add_grad(self, step_size, update: np.ndarray) -> None:
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data += (update[offset:offset + n] * step_size).reshape(p._data.shape)
            offset += n
        bump_all(self._params)  # torch's p.add_: each parameter's _version moves on

    def _directional_evaluate(self, closure, x: list, t, d: np.ndarray):
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        for p, data in zip(self._params, x):
            p._data[...] = data
        bump_all(self._params)  # torch's p.copy_
        return loss, flat_grad

    def step(self, closure):
        """Runs up to ``max_iter`` iterations; ``closure`` re-evaluates and returns the loss."""
        if closure is None:
            raise RuntimeError("LBFGS.step() needs a closure that re-evaluates the model and returns the loss")
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss
        d, t = _a(state.get("d")), _a(state.get("t"))
        old_dirs = [_a(v) for v in state.get("old_dirs") or []]
        old_stps = [_a(v) for v in state.get("old_stps") or []]
        ro = [_a(v) for v in state.get("ro") or []]
        h_diag, prev_flat_grad = _a(state.get("H_diag")), _a(state.get("prev_flat_grad"))
        prev_loss = state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro, h_diag = [], [], [], 1
            else:
                d, h_diag = self._direction(flat_grad, prev_flat_grad, d, t, old_dirs, old_stps, ro, h_diag,
                                            history_size, state)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            if state["n_iter"] == 1:
                t = min(1.0, _F32(1.0) / np.abs(flat_grad).sum()) * lr
            else:
                t = lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:
                break
            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = [p._data.copy() for p in self._params]
                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    lambda x, step, direction: self._directional_evaluate(closure, x, step, direction),
                    x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                opt_cond = False
                if n_iter != max_iter:
                    with enable_grad():
                        loss = float(closure())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            if (n_iter == max_iter or current_evals >= max_eval or opt_cond
                    or np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change):
                break
        state.update({"d": _t(d), "t": _t(t), "old_dirs": [_t(v) for v in old_dirs],
                      "old_stps": [_t(v) for v in old_stps], "ro": [_t(v) for v in ro], "H_diag": _t(h_diag),
                      "prev_flat_grad": _t(prev_flat_grad), "prev_loss": prev_loss})
        return orig_loss

    @staticmethod
    def _direction(flat_grad, prev_flat_grad, d, t, old_dirs, old_stps, ro, h_diag, history_size, state):
        """The two-loop recursion: the next direction from the remembered curvature pairs."""
        y = flat_grad - prev_flat_grad
        s = d * t
        ys = y.dot(s)
        if ys > 1e-10:
            if len(old_dirs) == history_size:
                old_dirs.pop(0)
                old_stps.pop(0)
                ro.pop(0)
            old_dirs.append(y)
            old_stps.append(s)
            ro.append(_F32(1.0) / ys)
            h_diag = ys / y.dot(y)
        al = state.setdefault("al", [None] * history_size)
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = old_stps[i].dot(q) * _a(ro[i])
            q -= old_dirs[i] * al[i]
        r = q * h_diag
        for i in range(len(old_dirs)):
            be_i = old_dirs[i].dot(r) * _a(ro[i])
            r += old_stps[i] * (_a(al[i]) - be_i)
        return r, h_diag
