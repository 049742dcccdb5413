"""Averages of a model's weights over training: ``torch.optim.swa_utils``.

Stochastic weight averaging (SWA) keeps the running mean of the weights a model passes through
late in training (``AveragedModel`` with the default average); an exponential moving average
(EMA) keeps a decaying one (``get_ema_multi_avg_fn``). ``SWALR`` anneals the learning rate to the
constant rate SWA samples at, and ``update_bn`` recomputes BatchNorm's running statistics for the
averaged weights. The numbers are torch's CPU path: the plain average is
``avg + (current - avg) / (n + 1)`` per tensor, the EMA a ``lerp`` towards the current weights.

Example::

    >>> import ember
    >>> from ember.optim.swa_utils import AveragedModel, SWALR
    >>> model = ember.nn.Linear(2, 1)
    >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
    >>> swa_model, swa_sched = AveragedModel(model), SWALR(opt, swa_lr=0.05, anneal_epochs=2)
    >>> for epoch in range(4):
    ...     opt.zero_grad(); model(ember.ones(3, 2)).pow(2).mean().backward(); opt.step()
    ...     swa_model.update_parameters(model); swa_sched.step()
    >>> int(swa_model.n_averaged), swa_sched.get_last_lr()
    (4, [0.05])
"""
from __future__ import annotations

import copy
import itertools
import math

from .. import _dtype
from .._creation import tensor
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..nn.modules.batchnorm import _BatchNorm
from ..nn.modules.module import Module
from .lr_scheduler.base import LRScheduler, per_group

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn",
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]


_INTEGER_ADDCDIV = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
    "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
    "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
    "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
    "behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all "
    "dtypes.")


def _check_decay(decay) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] "
                         f"range.")


def _floating(tensor) -> bool:
    return tensor.is_floating_point() or tensor.is_complex()


def get_ema_multi_avg_fn(decay=0.999):
    """The in-place EMA of lists of tensors: ``ema.lerp_(current, 1 - decay)`` (integer tensors:
    ``ema * decay + current * (1 - decay)``, truncated). For ``AveragedModel(multi_avg_fn=)``.

    Example::

        >>> import ember
        >>> from ember.optim.swa_utils import get_ema_multi_avg_fn
        >>> ema, current = [ember.zeros(2)], [ember.ones(2)]
        >>> get_ema_multi_avg_fn(0.75)(ema, current, 1)
        >>> ema[0].tolist()
        [0.25, 0.25]
    """
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param_list, current_param_list, _):
        if _floating(ema_param_list[0]):
            for ema, current in zip(ema_param_list, current_param_list, strict=True):
                ema.lerp_(current, 1 - decay)
        else:
            for ema, current in zip(ema_param_list, current_param_list, strict=True):
                ema.copy_(ema * decay + current * (1 - decay))
    return ema_update


def get_swa_avg_fn():
    """The equal-weight running mean of one tensor: ``avg + (current - avg) / (n + 1)``, for
    ``AveragedModel(avg_fn=)`` (the default average).

    Example::

        >>> import ember
        >>> from ember.optim.swa_utils import get_swa_avg_fn
        >>> get_swa_avg_fn()(ember.tensor([1.0]), ember.tensor([4.0]), 2).tolist()
        [2.0]
    """
    @no_grad()
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


def get_swa_multi_avg_fn():
    """The equal-weight running mean of lists of tensors, in place: ``avg.lerp_(current,
    1 / (n + 1))`` for floating tensors (integer tensors raise, as torch's foreach kernels do).

    Example::

        >>> import ember
        >>> from ember.optim.swa_utils import get_swa_multi_avg_fn
        >>> avg = [ember.tensor([1.0])]
        >>> get_swa_multi_avg_fn()(avg, [ember.tensor([4.0])], 2)
        >>> avg[0].tolist()
        [2.0]
    """
    @no_grad()
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        if _floating(averaged_param_list[0]):
            weight = 1 / (float(num_averaged) + 1)
            for avg, current in zip(averaged_param_list, current_param_list, strict=True):
                avg.lerp_(current, weight)
        elif isinstance(num_averaged, Tensor):  # torch's foreach addcdiv refuses integers
            raise RuntimeError(_INTEGER_ADDCDIV)
        else:
            raise RuntimeError("For integral input tensors, argument alpha must not be a "
                               "floating point number.")
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """The EMA of one tensor: ``decay * ema + (1 - decay) * current``, for
    ``AveragedModel(avg_fn=)``.

    Example::

        >>> import ember
        >>> from ember.optim.swa_utils import get_ema_avg_fn
        >>> get_ema_avg_fn(0.5)(ember.tensor([0.0]), ember.tensor([2.0]), 1).tolist()
        [1.0]
    """
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param
    return ema_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters (and with ``use_buffers`` its buffers) are a running
    average of ``model``'s, updated by :meth:`update_parameters`; calling it runs the copy.

    Args:
        model: the model to average (deep-copied).
        device: where the copy lives (ember has the CPU only).
        avg_fn: ``avg_fn(averaged, current, n_averaged) -> new averaged`` per tensor.
        multi_avg_fn: ``multi_avg_fn(averaged_list, current_list, n_averaged)`` updating the
            lists in place. Neither: the equal-weight average (SWA).
        use_buffers: average the buffers too (BatchNorm's running statistics); otherwise the
            copy's buffers are the model's latest.

    The first update copies the weights; ``n_averaged`` (an int64 buffer, saved in the
    state_dict) counts the updates.

    Example::

        >>> import ember
        >>> from ember.optim.swa_utils import AveragedModel
        >>> model = ember.nn.Linear(1, 1, bias=False)
        >>> swa = AveragedModel(model)
        >>> for value in (1.0, 2.0, 6.0):
        ...     with ember.no_grad():
        ...         _ = model.weight.fill_(value)
        ...     swa.update_parameters(model)
        >>> swa.module.weight.item(), int(swa.n_averaged)
        (3.0, 3)
    """

    def __init__(self, model: Module, device=None, avg_fn=None, multi_avg_fn=None,
                 use_buffers=False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=_dtype.int64))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    @no_grad()
    def update_parameters(self, model: Module) -> None:
        """Folds ``model``'s current parameters (and buffers, with ``use_buffers``) into the
        average."""
        if self.use_buffers:
            mine = list(itertools.chain(self.module.parameters(), self.module.buffers()))
            theirs = list(itertools.chain(model.parameters(), model.buffers()))
        else:
            mine, theirs = list(self.parameters()), list(model.parameters())
        pairs = list(zip(mine, theirs))
        first = int(self.n_averaged) == 0
        if first:
            for averaged, current in pairs:
                averaged.detach().copy_(current.detach())
        elif self.multi_avg_fn is not None:
            for group in _by_dtype(pairs):
                self.multi_avg_fn([a for a, _ in group], [c for _, c in group],
                                  self.n_averaged)
        else:
            avg_fn = self.avg_fn or get_swa_avg_fn()
            for averaged, current in pairs:
                averaged.detach().copy_(avg_fn(averaged.detach(), current.detach(),
                                               self.n_averaged))
        if not self.use_buffers:
            for mine_buffer, their_buffer in zip(self.module.buffers(), model.buffers(),
                                                 strict=True):
                mine_buffer.detach().copy_(their_buffer.detach())
        self.n_averaged += 1


def _by_dtype(pairs: list) -> list:
    """``pairs`` grouped by the averaged tensor's dtype, in first-seen order (torch groups the
    lists it hands ``multi_avg_fn`` by device and dtype)."""
    groups: dict = {}
    for averaged, current in pairs:
        groups.setdefault(averaged.dtype, []).append((averaged.detach(), current.detach()))
    return list(groups.values())


@no_grad()
def update_bn(loader, model: Module, device=None) -> None:
    """Recomputes the running statistics of every BatchNorm layer of ``model`` with one pass
    over ``loader`` (batches are tensors, or lists/tuples whose first item is the input): the
    statistics are reset and averaged over the batches (``momentum=None`` for the pass).

    Example::

        >>> import ember
        >>> from ember.optim.swa_utils import update_bn
        >>> model = ember.nn.Sequential(ember.nn.Linear(2, 2), ember.nn.BatchNorm1d(2))
        >>> update_bn([ember.ones(4, 2)], model)
        >>> int(model[1].num_batches_tracked)
        1
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for batch in loader:
        if isinstance(batch, (list, tuple)):
            batch = batch[0]
        if device is not None:
            batch = batch.to(device)
        model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals every parameter group's learning rate to ``swa_lr`` over ``anneal_epochs``
    steps (``"cos"`` or ``"linear"``), then holds it: the schedule of SWA's averaging phase.

    Args:
        optimizer: the wrapped optimizer.
        swa_lr: the final rate, for all groups or a list with one per group.
        anneal_epochs: steps of the annealing (default 10; 0 jumps to ``swa_lr``).
        anneal_strategy: ``"cos"`` (default) or ``"linear"``.
        last_epoch: the index of the last epoch (default -1).

    Example::

        >>> import ember
        >>> from ember.optim.swa_utils import SWALR
        >>> opt = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = SWALR(opt, swa_lr=0.1, anneal_epochs=2, anneal_strategy="linear")
        >>> for epoch in range(2):
        ...     opt.step(); sched.step(); print([round(lr, 4) for lr in sched.get_last_lr()])
        [0.55]
        [0.1]
    """

    def __init__(self, optimizer, swa_lr: float, anneal_epochs=10, anneal_strategy="cos",
                 last_epoch=-1) -> None:
        for value, group in zip(per_group("swa_lr", optimizer, swa_lr), optimizer.param_groups,
                                strict=True):
            group["swa_lr"] = value
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        prev_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
                    for group in self.optimizer.param_groups]
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [group["swa_lr"] * alpha + lr * (1 - alpha)
                for group, lr in zip(self.optimizer.param_groups, prev_lrs, strict=True)]

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func = (self._cosine_anneal if anneal_strategy == "cos"
                            else self._linear_anneal)

    _not_saved = ("optimizer", "anneal_func")

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        self._set_anneal_func(self._anneal_strategy)
