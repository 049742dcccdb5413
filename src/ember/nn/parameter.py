"""``Parameter``: a Tensor that a Module registers as learnable (it requires grad by default)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _infer_array
from .._tensor_str import tensor_repr

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """A learnable tensor: assigning one to a Module attribute registers it in ``parameters()``.

    ``Parameter(t)`` shares ``t``'s memory (no copy), like torch.

    Example::

        >>> p = ember.nn.Parameter(ember.zeros(2))
        >>> p
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        if data is None:
            arr = np.empty((0,), dtype=np.float32)
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            arr = _infer_array(data)
        self._data = arr
        self.grad = None
        self.grad_fn = None
        self.requires_grad = False
        self._vw = None
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + tensor_repr(self)

    def __deepcopy__(self, memo) -> "Parameter":
        if id(self) in memo:
            return memo[id(self)]
        out = Parameter(Tensor._make(self._data.copy()), self.requires_grad)
        if self.grad is not None:
            out.grad = Tensor._make(self.grad._data.copy())
        memo[id(self)] = out
        return out


class Buffer(Tensor):
    """A tensor that a Module registers as a buffer when assigned as an attribute (like
    ``register_buffer``); ``persistent=False`` keeps it out of ``state_dict``.

    Example::

        >>> m = ember.nn.Module()
        >>> m.steps = ember.nn.Buffer(ember.zeros(1))
        >>> list(m.state_dict())
        ['steps']
    """

    __slots__ = ("persistent",)

    def __init__(self, data=None, *, persistent: bool = True) -> None:
        arr = (np.empty((0,), dtype=np.float32) if data is None else
               data._data if isinstance(data, Tensor) else _infer_array(data))
        self._data = arr
        self.grad = None
        self.grad_fn = None
        self._vw = None
        self.requires_grad = bool(isinstance(data, Tensor) and data.requires_grad)
        self.persistent = persistent

