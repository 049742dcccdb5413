"""Learning-rate schedulers with PyTorch's names and stepping semantics.

Example::

    >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
    >>> sched = ember.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
"""
from .base import LRScheduler
from .composite import ChainedScheduler, SequentialLR
from .cyclic import CyclicLR, OneCycleLR
from .plateau import ReduceLROnPlateau
from .schedules import (ConstantLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, ExponentialLR, LambdaLR,
                        LinearLR, MultiplicativeLR, MultiStepLR, PolynomialLR, StepLR)

_LRScheduler = LRScheduler  # torch's old name

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
           "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR",
           "OneCycleLR", "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler"]

for _name in __all__:        # torch's schedulers all live in torch.optim.lr_scheduler
    globals()[_name].__module__ = __name__
