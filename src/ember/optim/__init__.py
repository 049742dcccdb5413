"""Optimizers with PyTorch's names, defaults and update rules, and ``lr_scheduler``.

Example::

    >>> opt = ember.optim.Adam(model.parameters(), lr=0.01)
    >>> sched = ember.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
    >>> for x, y in batches:
    ...     opt.zero_grad()
    ...     loss_fn(model(x), y).backward()
    ...     opt.step()
    ...     sched.step()
"""
from . import lr_scheduler, swa_utils
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .muon import Muon
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Rprop", "Adagrad",
           "Adadelta", "Adafactor", "ASGD", "LBFGS", "Muon", "lr_scheduler", "swa_utils"]
