"""``Module``: the base of every layer and model, with torch's registration rules.

Assigning a :class:`Parameter`, a ``Module`` or (after ``register_buffer``) a Tensor to an
attribute registers it; ``state_dict()`` lists parameters then persistent buffers of each
module, parents before children, with dotted keys (``fc1.weight``, ``bn.running_mean``).
"""
from __future__ import annotations

import copy
from collections import OrderedDict

from .. import _dtype
from .._device import check_device, device
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from .backward_hooks import BackwardHooksMixin, call_with_hooks
from .global_hooks import BUFFER_REG, MODULE_REG, PARAMETER_REG, registered
from .global_hooks import IN_USE as HOOKS_IN_USE
from .hooks import RemovableHandle, add_hook, hook_dict
from .module_state import StateDictMixin
from .module_tools import ModuleToolsMixin
from .parameter import Buffer, Parameter

__all__ = ["Module"]


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


def _check_name(name, kind: str, owner) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
    if hasattr(owner, name) and name not in owner._parameters and name not in owner._buffers \
            and name not in owner._modules:
        raise KeyError(f"attribute '{name}' already exists")


class Module(StateDictMixin, BackwardHooksMixin, ModuleToolsMixin):
    """Base class for all neural-network modules; subclasses set layers in ``__init__`` and
    write ``forward``.

    Example::

        >>> class MLP(ember.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc = ember.nn.Linear(2, 1)
        ...     def forward(self, x):
        ...         return self.fc(x)
        >>> list(MLP().state_dict())
        ['fc.weight', 'fc.bias']
    """

    __module__ = "ember.nn.modules.module"   # torch.nn.modules.module.Module

    training: bool

    def __init__(self, *args, **kwargs) -> None:
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments: {args} {kwargs}")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" '  # abstract
                                  f'function')

    def __call__(self, *args, **kwargs):
        d = self.__dict__
        if not (d["_forward_pre_hooks"] or d["_forward_hooks"] or HOOKS_IN_USE[0]):
            return self.forward(*args, **kwargs)
        return call_with_hooks(self, args, kwargs)

    # ------------------------------------------------------------ registration
    def _ready(self) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign module attributes before Module.__init__() call")

    def register_parameter(self, name: str, param) -> None:
        """Adds a parameter (or None, a placeholder) under ``name``."""
        self._ready()
        _check_name(name, "parameter", self)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            f"(ember.nn.Parameter or None required)")
        if param is not None:  # torch runs no hook for a None placeholder
            param = registered(PARAMETER_REG, self, name, param)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """Adds a non-learnable tensor (running statistics, …) that ``state_dict`` saves when
        ``persistent``."""
        self._ready()
        _check_name(name, "buffer", self)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            f"(ember Tensor or None required)")
        self._buffers[name] = registered(BUFFER_REG, self, name, tensor)
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module) -> None:
        """Adds a child module under ``name`` (``None`` is allowed as a placeholder)."""
        self._ready()
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _check_name(name, "module", self)
        self._modules[name] = registered(MODULE_REG, self, name, module)

    register_module = add_module

    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            self._ready()
            self._forget(name)
            self.register_parameter(name, value)
        elif isinstance(value, Buffer):
            self._ready()
            self._forget(name)
            self.register_buffer(name, value, value.persistent)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                f"(ember.nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            self._ready()
            self._forget(name)
            d["_modules"][name] = registered(MODULE_REG, self, name, value)
        elif d.get("_modules") is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                f"(ember.nn.Module or None expected)")
            d["_modules"][name] = registered(MODULE_REG, self, name, None)
        elif d.get("_buffers") is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                f"(ember Tensor or None expected)")
            d["_buffers"][name] = registered(BUFFER_REG, self, name, value)
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        self.__dict__.pop(name, None)
        for key in ("_parameters", "_buffers", "_modules"):
            self.__dict__[key].pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name: str):
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            store = d.get(key)
            if store is not None and name in store:
                return store[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for key in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(key, ()):
                del self.__dict__[key][name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

    # --------------------------------------------------------------- iteration
    def named_modules(self, memo=None, prefix: str = "", remove_duplicate: bool = True):
        """Yields ``(name, module)`` for this module and all below it, depth first."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self, remove_duplicate: bool = True):
        for _, module in self.named_modules(remove_duplicate=remove_duplicate):
            yield module

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, store: str, prefix: str, recurse: bool, remove_duplicate: bool = True):
        seen = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for mod_prefix, module in mods:
            for name, value in module.__dict__[store].items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield mod_prefix + ("." if mod_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        """Yields ``(dotted name, Parameter)``; a parameter shared by two modules appears once."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True):
        """Yields every learnable Parameter (what an optimizer takes).

        Example::

            >>> sum(p.numel() for p in ember.nn.Linear(9, 4).parameters())
            40
        """
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> "Module":
        module = self
        if target == "":
            return module
        for part in target.split("."):
            if part not in module._modules:
                raise AttributeError(f"{type(module).__name__} has no attribute `{part}`")
            module = module._modules[part]
        return module

    # ------------------------------------------------------------------ modes
    def train(self, mode: bool = True) -> "Module":
        """Sets training mode (Dropout active, BatchNorm on batch statistics) on every module."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {mode!r}")
        for module in self.modules():
            module.__dict__["training"] = mode
        return self

    def eval(self) -> "Module":
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears every parameter's ``.grad`` (to None, or to zeros in place)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad._data[...] = 0

    def apply(self, fn) -> "Module":
        """Calls ``fn`` on every submodule (children first) and then on this module."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ dtype
    def _convert(self, convert) -> "Module":
        """Replaces each parameter's/buffer's array (and grad) by ``convert(array)`` in place."""
        with no_grad():
            for module in self.modules():
                for p in module._parameters.values():
                    if p is None:
                        continue
                    p._data = convert(p._data)
                    if p.grad is not None:
                        p.grad._data = convert(p.grad._data)
                for b in module._buffers.values():
                    if b is not None:
                        b._data = convert(b._data)
        return self

    def to(self, *args, **kwargs) -> "Module":
        """``to(dtype)``, ``to('cpu')``, ``to(tensor)``: casts floating parameters and buffers."""
        dtype = kwargs.get("dtype")
        for a in args + tuple(v for k, v in kwargs.items() if k == "device"):
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str, device)):
                check_device(a, factory=False)
            elif isinstance(a, int) and not isinstance(a, bool):
                check_device(f"cuda:{a}", factory=False)
            elif a is not None and not isinstance(a, bool):
                dtype = a
        if dtype is None:
            return self
        target = _dtype.to_numpy_dtype(dtype)
        if target.kind != "f":
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype="
                            f"{_dtype.from_numpy_dtype(target)!r}")
        return self._convert(lambda a: a.astype(target) if a.dtype.kind == "f" and a.dtype != target
                             else a)

    def float(self) -> "Module":
        return self.to(_dtype.float32)

    def double(self) -> "Module":
        return self.to(_dtype.float64)

    def half(self) -> "Module":
        return self.to(_dtype.float16)

    def cpu(self) -> "Module":
        return self

    def cuda(self, device=None) -> "Module":
        """Raises torch's CPU-only error (``Torch not compiled with CUDA enabled``)."""
        check_device(f"cuda:{device}" if isinstance(device, int) else device or "cuda",
                     factory=False)
        return self

    def type(self, dst_type) -> "Module":
        return self._convert(lambda a: a.astype(_dtype.to_numpy_dtype(dst_type)))

    # ------------------------------------------------------------------ hooks
    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """``hook(module, inputs, output)`` (``hook(module, inputs, kwargs, output)`` with
        ``with_kwargs``) runs after ``forward``; a non-None return replaces the output. With
        ``always_call`` it also runs (on None) when forward raises."""
        flags = ((hook_dict(self, "_forward_hooks_with_kwargs"), with_kwargs),
                 (hook_dict(self, "_forward_hooks_always_called"), always_call))
        return add_hook(self._forward_hooks, hook, prepend, flags)

    def register_forward_pre_hook(self, hook, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """``hook(module, inputs)`` runs before ``forward``; a non-None return replaces the inputs.
        With ``with_kwargs``, ``hook(module, args, kwargs)`` returns None or ``(args, kwargs)``."""
        flags = ((hook_dict(self, "_forward_pre_hooks_with_kwargs"), with_kwargs),)
        return add_hook(self._forward_pre_hooks, hook, prepend, flags)

    # ------------------------------------------------------------------- repr
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (override in layers)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2)
                       for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                body = extra_lines[0]
            else:
                body = "\n  " + "\n  ".join(lines) + "\n"
        return self._get_name() + "(" + body + ")"

    def __deepcopy__(self, memo) -> "Module":
        new = object.__new__(type(self))
        memo[id(self)] = new
        for key, value in self.__dict__.items():
            if key == "_buffers":
                value = OrderedDict((k, None if b is None else _copy_tensor(b, memo))
                                    for k, b in value.items())
            elif type(value) is Tensor:
                value = _copy_tensor(value, memo)
            else:
                value = copy.deepcopy(value, memo)
            new.__dict__[key] = value
        return new


def _copy_tensor(t: Tensor, memo) -> Tensor:
    if id(t) not in memo:
        memo[id(t)] = Tensor._make(t._data.copy())
    return memo[id(t)]
