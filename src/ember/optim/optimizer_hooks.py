"""Optimizer hooks as torch runs them: around ``step`` and around ``state_dict`` /
``load_state_dict``, per optimizer or (for ``step``) for every optimizer at once.

* ``register_step_pre_hook(hook(optimizer, args, kwargs))``: before ``step``; ``args`` holds the
  optimizer itself first, as torch's; a non-None return must be a new ``(args, kwargs)``.
* ``register_step_post_hook(hook(optimizer, args, kwargs))``: after ``step``.
* :func:`register_optimizer_step_pre_hook` / :func:`register_optimizer_step_post_hook`: the
  same for every optimizer (global pre-hooks run first, global post-hooks last).
* ``register_state_dict_pre_hook(hook(optimizer))`` / ``register_state_dict_post_hook(
  hook(optimizer, state_dict))`` (a non-None return replaces the state dict);
  ``register_load_state_dict_pre_hook(hook(optimizer, state_dict))`` (a non-None return
  replaces what is loaded) / ``register_load_state_dict_post_hook(hook(optimizer))``.
  These take ``prepend=True`` to run before the hooks already there.

A step that calls its base class's step (``super().step()``) runs the hooks once.

Example::

    >>> w = ember.zeros(2, requires_grad=True)
    >>> opt = ember.optim.SGD([w], lr=0.1)
    >>> h = opt.register_step_post_hook(lambda o, args, kwargs: print("stepped", len(args)))
    >>> w.sum().backward()
    >>> opt.step()
    stepped 1
    >>> h.remove()
"""
from __future__ import annotations

import functools
from collections import OrderedDict
from typing import Any, Callable

from ..nn.hooks import RemovableHandle, add_hook, hook_dict

__all__ = ["OptimizerHooksMixin", "hooked_step", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook"]

_GLOBAL_PRE: OrderedDict = OrderedDict()
_GLOBAL_POST: OrderedDict = OrderedDict()


def register_optimizer_step_pre_hook(hook) -> RemovableHandle:
    """``hook(optimizer, args, kwargs)`` runs before every optimizer's ``step`` (before the
    optimizer's own pre-hooks); a non-None return must be a new ``(args, kwargs)``.

    Example::

        >>> h = ember.optim.optimizer.register_optimizer_step_pre_hook(lambda o, a, k: None)
        >>> h.remove()
    """
    return add_hook(_GLOBAL_PRE, hook)


def register_optimizer_step_post_hook(hook) -> RemovableHandle:
    """``hook(optimizer, args, kwargs)`` runs after every optimizer's ``step`` (after the
    optimizer's own post-hooks).

    Example::

        >>> h = ember.optim.optimizer.register_optimizer_step_post_hook(lambda o, a, k: None)
        >>> h.remove()
    """
    return add_hook(_GLOBAL_POST, hook)


def hooked_step(func):
    """Wraps an optimizer class's ``step`` function ``func``: marks the call (for the
    schedulers' order check) and runs the step hooks around the outermost call."""
    step = func

    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        self = args[0]
        d = self.__dict__
        d["_opt_called"] = True
        pre, post = d.get("_optimizer_step_pre_hooks"), d.get("_optimizer_step_post_hooks")
        if d.get("_in_step") or not (pre or post or _GLOBAL_PRE or _GLOBAL_POST):
            return step(*args, **kwargs)
        for hook in (*_GLOBAL_PRE.values(), *(pre or {}).values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), "
                                       f"but got {result}.")
                args, kwargs = result
        d["_in_step"] = True
        try:
            out = step(*args, **kwargs)
        finally:
            d["_in_step"] = False
        for hook in (*(post or {}).values(), *_GLOBAL_POST.values()):
            hook(self, args, kwargs)
        return out
    wrapper.hooked = True
    return wrapper


class OptimizerHooksMixin:
    """The hook-registration methods of :class:`ember.optim.Optimizer`."""

    #: torch's type aliases of a step pre-hook and post-hook
    OptimizerPreHook = Callable[[Any, tuple, dict], "tuple[tuple, dict] | None"]
    OptimizerPostHook = Callable[[Any, tuple, dict], None]
    #: torch's name of the wrapper that runs the step hooks around a ``step`` function
    profile_hook_step = staticmethod(hooked_step)

    def register_step_pre_hook(self, hook) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs before ``step``; a non-None return must be a
        new ``(args, kwargs)`` (``args`` starts with the optimizer)."""
        return add_hook(hook_dict(self, "_optimizer_step_pre_hooks"), hook)

    def register_step_post_hook(self, hook) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs after ``step``."""
        return add_hook(hook_dict(self, "_optimizer_step_post_hooks"), hook)

    def register_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer)`` runs before ``state_dict`` builds the state dict."""
        return add_hook(hook_dict(self, "_optimizer_state_dict_pre_hooks"), hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` runs on the state dict ``state_dict`` built; a
        non-None return replaces it."""
        return add_hook(hook_dict(self, "_optimizer_state_dict_post_hooks"), hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` runs on a shallow copy of what ``load_state_dict``
        was given; a non-None return is loaded instead."""
        return add_hook(hook_dict(self, "_optimizer_load_state_dict_pre_hooks"), hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer)`` runs after ``load_state_dict`` loaded the state."""
        return add_hook(hook_dict(self, "_optimizer_load_state_dict_post_hooks"), hook, prepend)

    def _run_hooks(self, name: str, *args, replace: bool = False):
        """Calls the hooks of table ``name`` with ``(self, *args)``; with ``replace``, a non-None
        result replaces ``args[0]``, which is returned."""
        value = args[0] if args else None
        for hook in tuple(self.__dict__.get(name, {}).values()):
            result = hook(self, *((value,) + args[1:] if args else ()))
            if replace and result is not None:
                value = result
        return value
