"""The ``Optimizer`` base class: parameter groups, state, the one fast path, state dicts.

A subclass validates its hyper-parameters, passes them as ``defaults`` and declares its rule:

- ``_rule``: a pure update on NumPy arrays, in place (``adam_update``…);
- ``_scalars`` and ``_slots(group)``: its per-parameter 0-d state (``step``…) and its
  per-element state (``exp_avg``…), in torch's order, with ``_initial(name, group)`` values;
- ``_advance(group, scalars, fresh)``: moves the scalar state on and returns the rule's
  keyword arguments (learning rate, bias corrections…);
- ``_scratch``: the names of the scratch buffers the rule takes.

The base does the rest, once for every optimizer (``_fastpath.py``): it keeps a group's state
in flat buffers (one per state and dtype, see ``_flat.py``; ``state[p]`` holds views into them,
so torch's ``state_dict`` layout and in-place edits work), splits parameters by dtype and by
step count, and runs the rule once per group over chunks of those buffers, on several threads
when the group is large. A rule that needs whole tensors (factored or norm-based updates) sets
``_elementwise = False`` and gets one call per parameter. A torch-style subclass may instead
override ``step()`` and loop over ``param_groups`` itself.
"""
from __future__ import annotations

import copy
from collections import defaultdict
from itertools import chain

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad
from ._fastpath import FastPath, step_and_betas
from .optimizer_hooks import (OptimizerHooksMixin, hooked_step, register_optimizer_step_post_hook,
                              register_optimizer_step_pre_hook)

__all__ = ["Optimizer", "required", "step_and_betas", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook"]


class _RequiredParameter:
    """Marks a hyper-parameter that every parameter group must give (no default)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

# Keys PyTorch keeps in every group for its alternative kernels; ember has one kernel.
_KERNEL_FLAGS = ("foreach", "fused", "capturable", "differentiable")


def _scalar_state(value: float = 0.0) -> Tensor:
    """A 0-d tensor of the default float dtype, like torch's ``state['step']``."""
    return Tensor._make(np.array(value, dtype=_dtype.get_default_dtype().np))


def _check_kernel_flags(defaults: dict) -> None:
    for flag in ("fused", "capturable", "differentiable"):
        if defaults.get(flag):
            raise ValueError(f"ember optimizers have a single NumPy implementation: {flag}=True is not "
                             f"supported (got {flag}={defaults[flag]!r}; leave it False/None)")


class Optimizer(OptimizerHooksMixin, FastPath):
    """Base class of all optimizers.

    Args:
        params: an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts
            (parameter groups) each holding ``"params"`` and optional per-group
            hyper-parameters that override ``defaults``.
        defaults: the hyper-parameters used by groups that do not set them.

    Attributes:
        param_groups: list of dicts, each with ``"params"`` and every hyper-parameter.
        state: ``{parameter tensor: dict}``, created lazily on a parameter's first update.

    Example::

        >>> w = ember.zeros(3, requires_grad=True)
        >>> opt = ember.optim.SGD([w], lr=0.1)
        >>> (w - 1.0).pow(2).sum().backward()
        >>> opt.step()
        >>> w
        tensor([0.2000, 0.2000, 0.2000], requires_grad=True)
    """

    def __init_subclass__(cls, **kwargs) -> None:
        """Wraps a subclass's own ``step()`` (see :func:`hooked_step`): its calls are marked for
        the schedulers' order check and run the step hooks."""
        super().__init_subclass__(**kwargs)
        own_step = cls.__dict__.get("step")
        if own_step is not None and not getattr(own_step, "hooked", False):
            cls.step = hooked_step(own_step)

    def __init__(self, params, defaults: dict) -> None:
        _check_kernel_flags(defaults)
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors "
                            f"or dicts, but got a Tensor of shape {tuple(params.shape)}")
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)
        self._opt_called = False

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict) -> None:
        """Adds a group of parameters (with optional hyper-parameters) to optimize.

        Example::

            >>> opt.add_param_group({"params": [bias], "lr": 0.01})
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        param_group = dict(param_group)
        params = param_group.get("params")
        if params is None:
            raise ValueError("a parameter group needs a 'params' entry (a list of tensors)")
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of tensors in sets will change between runs. Please use a list instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        tensors = [p[1] if isinstance(p, tuple) else p for p in params]
        if names and len(names) != len(tensors):
            raise ValueError("all optimizer params should be with/without names. Some param names are missing")
        param_group["params"] = tensors
        if names:
            param_group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__module__}.{type(p).__name__}")
            if p.grad_fn is not None:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization "
                                 f"parameter {name}")
            param_group.setdefault(name, default)
        _check_kernel_flags(param_group)
        if len({id(p) for p in tensors}) != len(tensors):
            raise ValueError("optimizer contains a parameter group with duplicate parameters; each "
                             "parameter may appear only once")
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        if self.param_groups and ("param_names" in param_group) != ("param_names" in self.param_groups[0]):
            raise ValueError("all optimizer param groups should be with/without names.")
        self.param_groups.append(param_group)

    # ------------------------------------------------------------------- steps
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Resets the gradients of all optimized parameters (to ``None`` by default, like torch)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.grad_fn = None
                    p.grad.requires_grad = False
                    if not isinstance(p.grad._data, np.ndarray) or not p.grad._data.flags.writeable:
                        p.grad._data = np.zeros_like(p._data)
                    else:
                        p.grad._data[...] = 0

    @hooked_step
    def step(self, closure=None):
        """Performs one optimization step; ``closure`` re-evaluates the model and returns the loss.

        Parameters whose ``.grad`` is ``None`` are skipped (their state is untouched).
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._step_group(group)
        return loss

    # ------------------------------------------------------------- state dicts
    def state_dict(self) -> dict:
        """The optimizer's state in PyTorch's layout.

        ``{"state": {index: {name: value}}, "param_groups": [{hyper-parameters, "params": [index, …]}]}``
        where parameters are numbered in group order. Unlike torch, state arrays are
        copied, so a state dict kept in memory (e.g. the best epoch's) is not changed by
        later steps; :meth:`load_state_dict` copies them again.
        """
        self._run_hooks("_optimizer_state_dict_pre_hooks")
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index_of.setdefault(id(p), len(index_of))
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index_of[id(p)]: {k: _copy_value(v) for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index_of}
        return self._run_hooks("_optimizer_state_dict_post_hooks",
                               {"state": state, "param_groups": groups}, replace=True)

    def load_state_dict(self, state_dict: dict) -> None:
        """Loads a state from :meth:`state_dict` (arrays are copied, so resuming is exact).

        State values may be ember tensors or NumPy arrays, and indices may be strings
        (as after a JSON round trip).
        """
        if isinstance(state_dict, dict):
            state_dict = self._run_hooks("_optimizer_load_state_dict_pre_hooks", state_dict.copy(),
                                         replace=True)
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError("expected a dict with 'state' and 'param_groups' (from Optimizer.state_dict()), "
                             f"got {type(state_dict).__name__} with keys "
                             f"{sorted(state_dict) if isinstance(state_dict, dict) else None}")
        saved_groups = copy.deepcopy(list(state_dict["param_groups"]))
        groups = self.param_groups
        if len(groups) != len(saved_groups):
            raise ValueError(f"loaded state dict has a different number of parameter groups "
                             f"({len(saved_groups)}) than the optimizer ({len(groups)})")
        for g, s in zip(groups, saved_groups):
            if len(g["params"]) != len(s["params"]):
                raise ValueError(f"loaded state dict contains a parameter group that doesn't match the size "
                                 f"of optimizer's group ({len(s['params'])} vs {len(g['params'])} parameters)")
        param_of = {int(old): p for old, p in zip(chain.from_iterable(s["params"] for s in saved_groups),
                                                   chain.from_iterable(g["params"] for g in groups))}
        new_state: defaultdict = defaultdict(dict)
        for key, values in state_dict["state"].items():
            index = int(key)
            if index not in param_of:
                raise ValueError(f"loaded state dict has state for parameter index {index}, which is not "
                                 f"in its param_groups")
            p = param_of[index]
            new_state[p] = {name: _load_value(p, name, value, self._elementwise) for name, value in values.items()}
        new_groups = []
        for g, s in zip(groups, saved_groups):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
            if isinstance(s.get("betas"), list):
                s["betas"] = tuple(s["betas"])
            new_groups.append(s)
        self.state = new_state
        self.param_groups = new_groups
        self._run_hooks("_optimizer_load_state_dict_post_hooks")

    # ---------------------------------------------------------------- printing
    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        lines.append(")")
        return "\n".join(lines)


def _copy_value(value):
    return Tensor._make(value._data.copy()) if isinstance(value, Tensor) else copy.deepcopy(value)


def _load_value(p: Tensor, name: str, value, shaped_like_param: bool):
    """A private copy of one saved state value, cast to the parameter's dtype where torch does.

    ``shaped_like_param``: the optimizer's arrays have the parameter's shape (elementwise
    rules); others (factored, LBFGS's history) keep theirs."""
    if value is None or isinstance(value, (bool, int, float)):
        if name == "step" and value is not None:
            return _scalar_state(float(value))
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_load_value(p, name, v, False) for v in value)
    arr = value._data if isinstance(value, Tensor) else np.asarray(value)
    if arr.ndim == 0:  # step, mu_product: keep their own (scalar) dtype so resuming is exact
        if arr.dtype.kind != "f":
            arr = arr.astype(_dtype.get_default_dtype().np)
        return Tensor._make(arr.copy())
    if shaped_like_param and arr.shape != p._data.shape:
        raise ValueError(f"loaded state {name!r} has shape {tuple(arr.shape)} but its parameter has shape "
                         f"{tuple(p._data.shape)}")
    return Tensor._make(np.array(arr, dtype=p._data.dtype, copy=True))
