"""``DataParallel``: torch's single-process, multi-device wrapper. ember has one device (the
CPU), so it runs the module as it is, as torch's does when no GPU is present."""
from __future__ import annotations

from ..module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """Runs ``module`` unchanged (one CPU device); ``state_dict`` keys gain the ``module.``
    prefix as in torch. For several processes use ``DistributedDataParallel``.

    Example::

        >>> model = DataParallel(ember.nn.Linear(2, 1))
        >>> list(model.state_dict())
        ['module.weight', 'module.bias']
    """

    def __init__(self, module, device_ids=None, output_device=None, dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids = []
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
