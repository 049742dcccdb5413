"""``LRScheduler``: the base of the learning-rate schedules (torch's stepping semantics).

A scheduler writes ``group["lr"]`` of its optimizer's parameter groups each time
``step()`` is called. Constructing one performs a first step (epoch 0) and stores
each group's starting rate as ``group["initial_lr"]``; ``base_lrs`` are those rates.
Subclasses write ``get_lr()``, the *chainable* form that starts from the groups'
current rates (so several schedulers on one optimizer compose, as in torch), and
optionally ``_get_closed_form_lr()`` used when ``step(epoch)`` is given an epoch.
"""
from __future__ import annotations

import copy
import warnings

from ..optimizer import Optimizer

__all__ = ["LRScheduler", "current_lrs", "per_group"]

_EPOCH_WARNING = ("The epoch parameter in `scheduler.step()` is deprecated (as in torch): call "
                  "`scheduler.step()` without it. With an epoch, the closed form is used where available.")


def current_lrs(optimizer: Optimizer, key: str = "lr") -> list:
    """The value of ``key`` in every parameter group, in order."""
    return [group[key] for group in optimizer.param_groups]


def per_group(name: str, optimizer: Optimizer, value) -> list:
    """``value`` repeated for every group, or checked to have one entry per group."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. {name} has "
                             f"{len(value)} values, param_groups has {len(optimizer.param_groups)}.")
        return list(value)
    return [value] * len(optimizer.param_groups)


def check_optimizer(optimizer) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


class LRScheduler:
    """Base class of learning-rate schedulers.

    Args:
        optimizer: the optimizer whose groups' ``lr`` are scheduled.
        last_epoch: index of the last epoch when resuming (default -1: start fresh).

    Example::

        >>> opt = ember.optim.SGD(model.parameters(), lr=0.01)
        >>> sched = ember.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
        >>> for epoch in range(30):
        ...     train_one_epoch(); opt.step(); sched.step()
        >>> sched.get_last_lr()
        [0.00125]
    """

    _is_initial: bool = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when resuming a "
                                   f"scheduler with last_epoch={last_epoch} >= 0; load the optimizer's state "
                                   f"first, or use last_epoch=-1 for a fresh run")
        self.base_lrs = current_lrs(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """The step taken at construction (epoch 0)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list:
        """The learning rates for epoch ``self.last_epoch`` (chainable form)."""
        raise NotImplementedError  # abstract: subclasses implement it

    def get_last_lr(self) -> list:
        """The learning rates the last ``step()`` set, one per parameter group."""
        return self._last_lr

    def step(self, epoch: int | None = None) -> None:
        """Advances the schedule one epoch (or jumps to ``epoch``, deprecated) and sets the groups' lr."""
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. Call them in "
                          "the opposite order: `optimizer.step()` before `lr_scheduler.step()`, otherwise the "
                          "first value of the learning rate schedule is skipped.", UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(_EPOCH_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", None)
            values = closed_form() if closed_form is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = current_lrs(self.optimizer)

    # ------------------------------------------------------------- state dicts
    _not_saved: tuple = ("optimizer",)

    def state_dict(self) -> dict:
        """The scheduler's attributes, without the optimizer (nor functions: lambdas are not saved)."""
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k not in self._not_saved}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restores attributes saved by :meth:`state_dict`."""
        self.__dict__.update({k: copy.deepcopy(v) for k, v in state_dict.items() if k not in self._not_saved})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, last_lr={getattr(self, '_last_lr', None)})"
