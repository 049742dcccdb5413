"""``Module.state_dict`` / ``load_state_dict`` with torch's hooks and ``_extra_state``.

``state_dict()`` lists, for each module (parents first), its parameters, its persistent buffers
and, when its class overrides :meth:`get_extra_state`, that value under ``<prefix>_extra_state``.
``load_state_dict`` hands ``<prefix>_extra_state`` to :meth:`set_extra_state` when the class
overrides it. Hooks, as torch: ``register_state_dict_pre_hook(hook(module, prefix, keep_vars))``,
``register_state_dict_post_hook(hook(module, state_dict, prefix, local_metadata))`` (may change
``state_dict`` in place, must return None), ``register_load_state_dict_pre_hook`` and
``register_load_state_dict_post_hook(hook(module, incompatible_keys))`` (may trim the missing /
unexpected key lists in place, which ``strict`` then checks; must return None).
``ember.save`` stores an extra state that is JSON-like (numbers, strings, bools, None, tensors and
dicts/lists/tuples of them) and refuses any other object with a TypeError naming its key.

Example::

    >>> class Scaled(ember.nn.Linear):
    ...     def get_extra_state(self):
    ...         return {"scale": 0.5}
    ...     def set_extra_state(self, state):
    ...         self.scale = state["scale"]
    >>> list(Scaled(2, 1).state_dict())
    ['weight', 'bias', '_extra_state']
"""
from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, namedtuple
from typing import TypeVar

import numpy as np

from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from .hooks import RemovableHandle, add_hook, hook_dict

__all__ = ["StateDictMixin", "EXTRA_STATE"]

EXTRA_STATE = "_extra_state"


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns; prints as torch's when every key matched."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__

_POST_RETURN = ("Hooks registered with ``register_load_state_dict_post_hook`` are not expected to "
                "return new values, if incompatible_keys need to be modified, it should be done "
                "inplace.")


def _walk(module, prefix: str = "", post: bool = False):
    """``(prefix, module)`` for the module tree as torch's state dict walks it (shared modules
    as often as they appear); parents first, or children first with ``post``."""
    if not post:
        yield prefix, module
    for name, child in module._modules.items():
        if child is not None:
            yield from _walk(child, prefix + name + ".", post)
    if post:
        yield prefix, module


class StateDictMixin:
    """The state-dict methods of :class:`ember.nn.Module`."""

    #: torch's type variable of ``state_dict``'s ``destination``
    T_destination = TypeVar("T_destination", bound=dict)

    def get_extra_state(self):
        """Override to return extra state (anything ``set_extra_state`` takes back) that
        ``state_dict`` saves under ``_extra_state``; the base class has none."""
        raise RuntimeError("Reached a code path in Module.get_extra_state() that should never be "
                           "called.")

    def set_extra_state(self, state) -> None:
        """Override to restore what :meth:`get_extra_state` returned."""
        raise RuntimeError("Reached a code path in Module.set_extra_state() that should never be "
                           "called.")

    def _has_own(self, name: str) -> bool:
        return getattr(type(self), name) is not getattr(StateDictMixin, name)

    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        """Parameters, persistent buffers (and extra state) of each module, parents first, as an
        OrderedDict of detached tensors sharing memory with the model."""
        if args:
            warnings.warn("Positional args are being deprecated, use kwargs instead. Refer to "
                          "https://pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn."
                          "Module.state_dict for details.", FutureWarning, stacklevel=2)
            destination = args[0] if destination is None else destination
            prefix = args[1] if len(args) > 1 and prefix == "" else prefix
            keep_vars = args[2] if len(args) > 2 and keep_vars is False else keep_vars
        out = OrderedDict() if destination is None else destination
        d = self.__dict__
        for hook in tuple(d.get("_state_dict_pre_hooks", {}).values()):
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(out, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=out, prefix=prefix + name + ".", keep_vars=keep_vars)
        for hook in tuple(d.get("_state_dict_hooks", {}).values()):
            if hook(self, out, prefix, {"version": getattr(self, "_version", 1)}) is not None:
                raise RuntimeError("state_dict post-hook must return None")
        return out

    def _save_to_state_dict(self, destination, prefix: str, keep_vars: bool) -> None:
        """Puts this module's own entries (not its children's) into ``destination``: what a
        module overrides to save differently, as in torch."""
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()
        if self._has_own("get_extra_state"):
            destination[prefix + EXTRA_STATE] = self.get_extra_state()

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copies values into parameters and buffers (and extra state); with ``strict``, missing
        and unexpected keys are errors. Everything is checked first: on a wrong type or shape
        nothing is changed (as without post-hooks on missing/unexpected keys; with them, as in
        torch, values are loaded and the hooks run before ``strict`` is checked).

        Returns ``(missing_keys, unexpected_keys)``.
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        early = _IncompatibleKeys([], [])
        errors = []
        state_dict = self._run_module_loaders(state_dict, early, errors)
        own, extras = OrderedDict(), {}
        for prefix, m in _walk(self):
            own.update((prefix + k, p) for k, p in m._parameters.items() if p is not None)
            own.update((prefix + k, b) for k, b in m._buffers.items()
                       if b is not None and k not in m._non_persistent_buffers_set)
            if m._has_own("set_extra_state"):
                own[prefix + EXTRA_STATE] = extras[prefix + EXTRA_STATE] = m
        keys = _IncompatibleKeys([k for k in own if k not in state_dict],
                                 [k for k in state_dict if k not in own])
        keys.missing_keys.extend(k for k in early.missing_keys if k not in keys.missing_keys)
        keys.unexpected_keys.extend(k for k in early.unexpected_keys if k not in keys.unexpected_keys)
        plan = []
        for key, target in own.items():
            if key not in state_dict or key in extras:
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):  # torch refuses lists and arrays too
                errors.append(f'While copying the parameter named "{key}", expected ember.Tensor or '
                              f"Tensor-like object from checkpoint but received {type(value)}")
                continue
            arr = value._data
            if arr.shape != target._data.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape "
                              f"{_shape(arr.shape)} from checkpoint, the shape in current model is "
                              f"{_shape(target._data.shape)}.")
                continue
            plan.append((target, arr))
        post = [m for _, m in _walk(self, post=True) if m.__dict__.get("_load_state_dict_post_hooks")]
        if errors or not post:
            self._raise_load_errors(errors, keys, strict)
        with no_grad():
            for target, arr in plan:
                if assign:
                    target._data = arr.astype(target._data.dtype, copy=True)
                else:
                    np.copyto(target._data, arr, casting="unsafe")
        for key, m in extras.items():
            if key in state_dict:
                m.set_extra_state(state_dict[key])
        for m in post:
            for hook in tuple(m.__dict__["_load_state_dict_post_hooks"].values()):
                if hook(m, keys) is not None:
                    raise AssertionError(_POST_RETURN)
        self._raise_load_errors([], keys, strict)
        return keys

    def _run_module_loaders(self, state_dict, keys, errors: list):
        """Calls ``_load_from_state_dict`` (parents first, on a copy of ``state_dict``) of each
        module that overrides it or has load pre-hooks; returns the copy (``state_dict`` itself
        when there is none)."""
        tree = [(prefix, m) for prefix, m in _walk(self)
                if m.__dict__.get("_load_state_dict_pre_hooks") or m._has_own("_load_from_state_dict")]
        if not tree:
            return state_dict
        state_dict = OrderedDict(state_dict)
        for prefix, m in tree:
            m._load_from_state_dict(state_dict, prefix, {}, True, keys.missing_keys,
                                    keys.unexpected_keys, errors)
        return state_dict

    def _load_from_state_dict(self, state_dict, prefix: str, local_metadata: dict, strict: bool,
                              missing_keys: list, unexpected_keys: list, error_msgs: list) -> None:
        """Runs this module's load pre-hooks on ``state_dict``. ember matches and copies the keys
        of the whole tree at once after every module's ``_load_from_state_dict`` ran, so an
        override that edits ``state_dict`` in place (renames old keys, fills defaults) and calls
        ``super()`` works as in torch; keys it appends to ``missing_keys``/``unexpected_keys``/
        ``error_msgs`` are reported, and values it copies itself are copied again by ember."""
        for hook in tuple(self.__dict__.get("_load_state_dict_pre_hooks", {}).values()):
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)

    def _raise_load_errors(self, errors: list, keys, strict: bool) -> None:
        errors = list(errors)
        if strict:
            if keys.unexpected_keys:
                errors.insert(0, "Unexpected key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in keys.unexpected_keys) + ". ")
            if keys.missing_keys:
                errors.insert(0, "Missing key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in keys.missing_keys) + ". ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))

    # ------------------------------------------------------------------ hooks
    def register_state_dict_pre_hook(self, hook) -> RemovableHandle:
        """``hook(module, prefix, keep_vars)`` runs before ``state_dict`` saves this module.

        Example::

            >>> m = ember.nn.Linear(1, 1)
            >>> h = m.register_state_dict_pre_hook(lambda mod, prefix, keep: print("saving", prefix))
            >>> _ = m.state_dict(prefix="fc.")
            saving fc.
        """
        return add_hook(hook_dict(self, "_state_dict_pre_hooks"), hook)

    def register_state_dict_post_hook(self, hook) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata)`` runs after ``state_dict`` saved
        this module and its children; it may change ``state_dict`` in place and must return None.

        Example::

            >>> m = ember.nn.Linear(1, 1)
            >>> h = m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: sd.pop("bias"))
            >>> m.state_dict()
            Traceback (most recent call last):
            RuntimeError: state_dict post-hook must return None
        """
        return add_hook(hook_dict(self, "_state_dict_hooks"), hook)

    def _register_load_state_dict_pre_hook(self, hook, with_module: bool = False) -> RemovableHandle:
        """``hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
        error_msgs)`` (``module`` first when ``with_module``) runs before ``load_state_dict``
        matches keys, on a copy of the state dict it may change (old key names, …)."""
        hooks = hook_dict(self, "_load_state_dict_pre_hooks")
        return add_hook(hooks, functools.partial(hook, self) if with_module else hook)

    def register_load_state_dict_pre_hook(self, hook) -> RemovableHandle:
        """As :meth:`_register_load_state_dict_pre_hook` with the module passed first."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def register_load_state_dict_post_hook(self, hook) -> RemovableHandle:
        """``hook(module, incompatible_keys)`` runs after ``load_state_dict`` loaded the values
        (children's hooks first); it may remove entries of ``incompatible_keys.missing_keys`` /
        ``unexpected_keys`` in place before ``strict`` checks them, and must return None.

        Example::

            >>> m = ember.nn.Linear(1, 1)
            >>> h = m.register_load_state_dict_post_hook(lambda mod, keys: keys.missing_keys.clear())
            >>> m.load_state_dict({"weight": ember.ones(1, 1)})
            <All keys matched successfully>
        """
        return add_hook(hook_dict(self, "_load_state_dict_post_hooks"), hook)


def _shape(shape) -> str:
    return f"ember.Size({list(shape)})"
