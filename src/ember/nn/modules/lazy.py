"""``LazyModuleMixin``: modules whose input size (``in_channels``, ``num_features``) is read from
the first input, as torch's ``Lazy*`` modules do.

Until that first call the lazy tensors hold no values (empty arrays; the Parameter and buffer
objects already exist, so an optimizer built beforehand keeps working). The first call sets
the sizes, fills the same objects with torch's initialisation and turns the module into its
``cls_to_become`` (``LazyConv2d`` becomes ``Conv2d``), as torch does.

Example::

    >>> conv = ember.nn.LazyConv2d(4, 3)
    >>> conv(ember.ones(1, 2, 5, 5)).shape, type(conv).__name__, conv.in_channels
    (ember.Size([1, 4, 3, 3]), 'Conv2d', 2)
"""
from __future__ import annotations

import numpy as np

__all__ = ["LazyModuleMixin", "LazyNormBase"]


class LazyModuleMixin:
    """Mixed in before the module class: ``forward`` on the first call materialises the lazy
    tensors (``initialize_parameters``), switches the class and runs the real forward."""

    cls_to_become = None
    _lazy_names: tuple = ()

    def _make_lazy(self, *names: str) -> None:
        """Empties the named parameters/buffers (those that are not None) until the first call."""
        self._lazy_names = tuple(n for n in names if getattr(self, n, None) is not None)
        for name in self._lazy_names:
            t = getattr(self, name)
            t._data = np.empty((0,), t._data.dtype)

    def has_uninitialized_params(self) -> bool:
        """True until the first call has given the lazy tensors their shapes."""
        return bool(self._lazy_names)

    def _materialize(self, shapes: dict) -> None:
        for name in self._lazy_names:
            t = getattr(self, name)
            t._data = np.empty(shapes[name], t._data.dtype)
        self._lazy_names = ()

    def initialize_parameters(self, *args, **kwargs) -> None:
        """Gives the lazy tensors their shapes from the first input (each lazy module's own)."""
        raise NotImplementedError(f"initialize_parameters is not implemented for "
                                  f"{type(self).__name__}")  # torch's abstract hook, same words

    def forward(self, *args, **kwargs):
        self.initialize_parameters(*args, **kwargs)
        if self.cls_to_become is not None:
            self.__class__ = self.cls_to_become
        return self.forward(*args, **kwargs)


class LazyNormBase(LazyModuleMixin):
    """torch's ``_LazyNormBase`` for the batch and instance norms: ``num_features`` from the
    first input's axis 1; ``affine`` and ``track_running_stats`` default to True."""

    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True) -> None:
        super().__init__(1, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)
        self.num_features = 0
        self._make_lazy("weight", "bias", "running_mean", "running_var")

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs) -> None:
        if not self.has_uninitialized_params():
            return
        self.num_features = int(input.shape[1])
        self._materialize({name: (self.num_features,) for name in self._lazy_names})
        self.reset_parameters()
