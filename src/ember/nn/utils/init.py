"""``skip_init`` (torch's ``nn.utils.init``): a module whose parameters and buffers are left
uninitialized, for code that loads or writes every weight itself.

torch builds the module on its "meta" device and allocates empty storage after; ember has no meta
device, so the constructor runs (its initialization included) and every parameter and buffer is
then replaced by uninitialized memory of the same shape and dtype, as ``torch.empty`` gives.

Example::

    >>> m = ember.nn.utils.skip_init(ember.nn.Linear, 5, 1)
    >>> tuple(m.weight.shape), m.weight.requires_grad
    ((1, 5), True)
"""
from __future__ import annotations

import inspect

import numpy as np

from ..._device import check_device
from ...autograd.grad_mode import no_grad
from ..module import Module

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """Instantiates ``module_cls(*args, **kwargs)`` with uninitialized parameters and buffers.

    Args:
        module_cls: a ``Module`` subclass whose constructor takes ``device``.
        args, kwargs: its constructor's arguments.

    Raises:
        RuntimeError: ``module_cls`` is not a Module class, or takes no ``device`` argument.
    """
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    check_device(kwargs.get("device") or "cpu", factory=False)
    module = module_cls(*args, **kwargs)
    with no_grad():
        for sub in module.modules():
            for store in (sub._parameters, sub._buffers):
                for t in store.values():
                    if t is not None:
                        t._data = np.empty_like(t._data)
    return module
