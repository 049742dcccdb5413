"""The learning-rate range test: train briefly with an exponentially growing rate, watch the loss.

At step ``i`` of ``steps`` the rate is ``start_lr * (end_lr / start_lr) ** (i / (steps - 1))``.
The loss is smoothed by an exponential moving average with bias correction
(``avg = β·avg + (1 − β)·loss``, ``smoothed = avg / (1 − β^(i+1))``) and the test stops early once
the smoothed loss exceeds ``diverge_factor`` times the best one seen (or is not finite).
The model, the optimizer and ember's random generator are restored afterwards, so the test leaves
no trace.

The suggested rate is a tenth of the rate at the smallest smoothed loss: the loss still falls
fast there, safely below the rates where training becomes unstable. The rate of the steepest fall
(most negative slope against ``log(lr)`` before the minimum) is reported too; it is more
sensitive to noise. The default ``smooth=0.9`` averages over about ten steps: with the rate
growing ~0.08 decades a step (100 steps over 8 decades), a longer average such as 0.98 would lag
the loss by about 50 steps, four decades of rate, and push the minimum too far right.
"""
from __future__ import annotations

import copy
import math

import numpy as np

__all__ = ["lr_find", "LRFinderResult"]


class LRFinderResult:
    """What :func:`lr_find` measured.

    Attributes:
        lrs: the learning rates tried (list of floats).
        losses: the smoothed loss at each rate; raw_losses: the batch losses.
        suggestion: the suggested learning rate, ``min_lr / 10``.
        min_lr: the rate at the smallest smoothed loss (after the first ``skip_start`` steps,
            whose average rests on too few batches).
        steepest_lr: the rate where the smoothed loss falls fastest, before its minimum.
        diverged: whether the test stopped early because the loss blew up.
    """

    def __init__(self, lrs, losses, raw_losses, diverged: bool, skip_start: int = 5) -> None:
        self.lrs = [float(v) for v in lrs]
        self.losses = [float(v) for v in losses]
        self.raw_losses = [float(v) for v in raw_losses]
        self.diverged = bool(diverged)
        self._skip = skip_start
        if not self.lrs:
            raise RuntimeError("lr_find recorded no step: is the loader empty?")
        finite = np.where(np.isfinite(self.losses), self.losses, np.inf)
        first = skip_start if len(finite) > skip_start + 1 else 0   # first smoothed values are noisy
        best = first + int(np.argmin(finite[first:]))
        self.min_lr = self.lrs[best]
        self.suggestion = self.min_lr / 10
        self.steepest_lr = self._steepest(best)

    def _steepest(self, best: int) -> float:
        """Rate of the steepest fall of the smoothed loss against log(lr), before the minimum."""
        end = best + 1
        start = min(self._skip, max(0, end - 3))
        if end - start < 3:
            return self.min_lr
        loss = np.asarray(self.losses[start:end], dtype=np.float64)
        slope = np.gradient(loss, np.log(np.asarray(self.lrs[start:end], dtype=np.float64)))
        return self.lrs[start + int(np.argmin(slope))]

    def plot(self, path, skip_start: int = 0, skip_end: int = 1) -> None:
        """Draws smoothed loss against learning rate (log scale), marks the suggestion, saves a PNG.

        Needs matplotlib (``pip install ember[plots]``).
        """
        from ._plotting import new_figure, save_figure
        stop = max(skip_start + 1, len(self.lrs) - skip_end)
        lrs, losses = self.lrs[skip_start:stop], self.losses[skip_start:stop]
        fig = new_figure(path, figsize=(7, 4))
        ax = fig.add_subplot(1, 1, 1)
        ax.plot(lrs, losses, label="smoothed loss")
        ax.axvline(self.min_lr, color="0.5", linestyle=":", label=f"minimum {self.min_lr:.2e}")
        ax.axvline(self.suggestion, color="tab:red", linestyle="--",
                   label=f"suggestion {self.suggestion:.2e}")
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss")
        ax.set_title("Learning-rate range test")
        ax.legend()
        save_figure(fig, path)

    def __repr__(self) -> str:
        return (f"LRFinderResult(steps={len(self.lrs)}, suggestion={self.suggestion:.3g}, "
                f"min_lr={self.min_lr:.3g}, steepest_lr={self.steepest_lr:.3g}, "
                f"diverged={self.diverged})")


def _copy_state(obj):
    """Deep copy of a state dict whose tensors/arrays are copied too (no shared memory)."""
    if hasattr(obj, "_data"):
        return obj.detach().clone() if hasattr(obj, "clone") else copy.deepcopy(obj)
    if isinstance(obj, np.ndarray):
        return obj.copy()
    if isinstance(obj, dict):
        return {k: _copy_state(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_copy_state(v) for v in obj)
    return copy.deepcopy(obj)


def _batches(loader):
    """Cycles over the loader for as long as needed."""
    while True:
        empty = True
        for batch in loader:
            empty = False
            yield batch
        if empty:
            raise RuntimeError("lr_find got an empty loader: expected at least one batch")


def _split(batch):
    if isinstance(batch, (list, tuple)) and len(batch) == 2:
        return batch[0], batch[1]
    raise TypeError(f"lr_find expects the loader to yield (inputs, targets) pairs, got "
                    f"{type(batch).__name__}" + (f" of length {len(batch)}"
                                                 if isinstance(batch, (list, tuple)) else ""))


def lr_find(model, loss_fn, loader, optimizer=None, start_lr: float = 1e-7, end_lr: float = 10,
            steps: int = 100, smooth: float = 0.9, diverge_factor: float = 4.0) -> LRFinderResult:
    """Runs the learning-rate range test and restores everything it changed.

    Args:
        model: an ``ember.nn.Module``.
        loss_fn: called as ``loss_fn(model(inputs), targets)``.
        loader: iterable of ``(inputs, targets)`` batches (cycled if shorter than ``steps``).
        optimizer: the optimizer to test (its rate is overwritten during the test and restored);
            default ``ember.optim.SGD(model.parameters(), lr=start_lr)``.
        start_lr, end_lr: the range of rates, tried on a log scale.
        steps: number of batches (rates) to try.
        smooth: β of the exponential moving average of the loss, in [0, 1).
        diverge_factor: stop once the smoothed loss exceeds this multiple of the best one.

    Returns:
        :class:`LRFinderResult` with ``.lrs``, ``.losses``, ``.suggestion`` and ``.plot(path)``.

    Example::

        >>> result = lr_find(model, nn.CrossEntropyLoss(), loader, steps=50)
        >>> optimizer = ember.optim.SGD(model.parameters(), lr=result.suggestion)
    """
    _validate(start_lr, end_lr, steps, smooth, diverge_factor)
    import ember
    if optimizer is None:
        optimizer = ember.optim.SGD(model.parameters(), lr=start_lr)
    model_state = _copy_state(model.state_dict())
    optim_state = _copy_state(optimizer.state_dict())
    rng_state = ember.get_rng_state()
    was_training = getattr(model, "training", True)
    lrs, smoothed, raw = [], [], []
    diverged = False
    try:
        model.train()
        ratio = end_lr / start_lr
        avg, best = 0.0, math.inf
        batches = _batches(loader)
        for i in range(steps):
            lr = start_lr * ratio ** (i / (steps - 1)) if steps > 1 else start_lr
            for group in optimizer.param_groups:
                group["lr"] = lr
            inputs, targets = _split(next(batches))
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            optimizer.step()
            value = float(loss.item())
            avg = smooth * avg + (1 - smooth) * value
            current = avg / (1 - smooth ** (i + 1))
            lrs.append(lr)
            raw.append(value)
            smoothed.append(current)
            if not math.isfinite(current) or (i > 0 and current > diverge_factor * best):
                diverged = True
                break
            best = min(best, current)
    finally:
        model.load_state_dict(model_state)
        optimizer.load_state_dict(optim_state)
        optimizer.zero_grad()
        ember.set_rng_state(rng_state)
        model.train(was_training)
    return LRFinderResult(lrs, smoothed, raw, diverged)


def _validate(start_lr, end_lr, steps, smooth, diverge_factor) -> None:
    if not (isinstance(start_lr, (int, float)) and start_lr > 0):
        raise ValueError(f"Invalid start_lr: {start_lr!r}; expected a positive number")
    if not (isinstance(end_lr, (int, float)) and end_lr > start_lr):
        raise ValueError(f"Invalid end_lr: {end_lr!r}; expected a number above start_lr={start_lr!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise ValueError(f"Invalid steps: {steps!r}; expected an integer >= 2")
    if not (isinstance(smooth, (int, float)) and 0 <= smooth < 1):
        raise ValueError(f"Invalid smooth: {smooth!r}; expected a number in [0, 1)")
    if not (isinstance(diverge_factor, (int, float)) and diverge_factor > 1):
        raise ValueError(f"Invalid diverge_factor: {diverge_factor!r}; expected a number above 1")
