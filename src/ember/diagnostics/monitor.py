"""``TrainingMonitor``: watches a model's layers while it trains and says what went wrong.

Per weight layer (any module holding a ``weight`` of 2 or more dimensions: ``Linear``, …; the
``kernel`` of an ember.keras layer) and per step it records the gradient norm, the weight norm and the update-to-weight ratio
``‖W_after − W_before‖ / ‖W_before‖``. Per activation module it records the fraction of ReLU units
never active over an epoch and the fraction of sigmoid/tanh inputs beyond ±4 (the model's
output activation is left out of that check: confident outputs are saturated by design). It notes any NaN or
infinity in the loss, gradients, weights or activations. :meth:`TrainingMonitor.report` turns
that into findings (see :mod:`ember.diagnostics.findings`).
"""
from __future__ import annotations

import numpy as np

from ._targets import discover
from .findings import Report, diagnose

__all__ = ["TrainingMonitor"]

_THRESHOLDS = {"vanishing_ratio", "vanishing_saturation", "exploding_ratio", "dead_fraction",
               "saturated_fraction", "diverging_growth", "diverging_rebound", "diverging_spike"}


def _norm(a: np.ndarray) -> float:
    """L2 norm; computed again in float64 when the float32 sum of squares overflows."""
    flat = a.reshape(-1)
    if flat.dtype.kind == "f":
        with np.errstate(over="ignore", invalid="ignore"):
            squares = np.dot(flat, flat)
        if np.isfinite(squares):
            return float(np.sqrt(squares))
    flat = flat.astype(np.float64)
    return float(np.sqrt(np.dot(flat, flat)))


def _unit_axes(ndim: int) -> tuple:
    """Axes to reduce so that one value per unit is left: features (dim 1) or channels."""
    return tuple(i for i in range(ndim) if i != 1)


def _data(t) -> np.ndarray:
    return t._data if hasattr(t, "_data") else np.asarray(t)


class TrainingMonitor:
    """Records layer statistics during training and reports problems in plain words.

    Call :meth:`step` once per batch *after* ``optimizer.step()`` (pass the loss), and
    :meth:`epoch_end` after each epoch; then read :meth:`report` or draw :meth:`plot`.

    Args:
        model: an ``ember.nn.Module`` (or an ``ember.keras`` model).
        saturation_threshold: ``|pre-activation|`` above which a sigmoid/tanh unit counts as
            saturated (default 4).
        **thresholds: passed to :func:`ember.diagnostics.findings.diagnose`
            (``vanishing_ratio``, ``dead_fraction``, …).

    Attributes:
        layers: names of the watched weight layers, in forward order.
        history: ``{"grad_norm" | "weight_norm" | "update_ratio": {layer: [value per step]}}``.
        losses: the losses given to :meth:`step`.
        dead_fraction: ``{relu module: [fraction never active, per epoch]}``.
        saturation: ``{sigmoid/tanh module: [fraction saturated, per step]}``.
        non_finite: ``[(step, where)]`` for every NaN/inf seen.

    Example::

        >>> monitor = TrainingMonitor(model)
        >>> for x, y in loader:
        ...     optimizer.zero_grad()
        ...     loss = loss_fn(model(x), y)
        ...     loss.backward()
        ...     optimizer.step()
        ...     monitor.step(loss=loss)
        >>> monitor.epoch_end()
        >>> print(monitor.report())
        No problems found.
    """

    def __init__(self, model, saturation_threshold: float = 4.0, **thresholds) -> None:
        if not saturation_threshold > 0:
            raise ValueError(f"Invalid saturation_threshold: {saturation_threshold!r}; expected a "
                             f"positive number")
        unknown = sorted(set(thresholds) - _THRESHOLDS)
        if unknown:
            raise TypeError(f"Unknown threshold(s) {unknown}; expected some of {sorted(_THRESHOLDS)}")
        self.model = model
        self.saturation_threshold = float(saturation_threshold)
        self.thresholds = thresholds
        self._target = discover(model)
        self._weights = self._target.weights
        self._watches = self._target.watches
        if not self._weights:
            raise ValueError(f"TrainingMonitor found no layer with a weight matrix in "
                             f"{type(model).__name__}; expected e.g. nn.Linear or Dense layers")
        self._order: list[tuple[str, str]] = []   # (kind, name) in first-forward order
        self._handles: list = []
        self.attach()
        self._previous = {n: w._data.copy() for n, w in self._weights.items()}
        self._scratch: dict[str, np.ndarray] = {}
        self.steps = 0
        self.epochs = 0
        self.losses: list[float] = []
        self.history = {k: {n: [] for n in self._weights}
                        for k in ("grad_norm", "weight_norm", "update_ratio")}
        self.dead_fraction = {w.name: [] for w in self._watches if w.dies}
        self.saturation = {w.name: [] for w in self._watches if not w.dies}
        self.non_finite: list[tuple[int, str]] = []

    # ------------------------------------------------------------------ hooks
    def attach(self) -> None:
        """Hooks into the model (done by the constructor; again after :meth:`close`)."""
        if not self._handles:
            self._handles = self._target.attach(self._record, self._seen)

    def _seen(self, key: tuple) -> None:
        if key not in self._order:
            self._order.append(key)

    def _record(self, watch, pre, output) -> None:
        """Called on each training forward pass of a watched activation."""
        out = _data(output)
        if watch.dies:
            fired = (out > 0).any(axis=_unit_axes(out.ndim)) if out.ndim > 1 else out > 0
            if watch.active is None or watch.active.shape != fired.shape:
                watch.active = fired
            else:
                watch.active |= fired
        else:
            watch.saturated += int(np.count_nonzero(self._saturated(watch.kind, pre, out)))
            watch.total += out.size
        if not np.isfinite(out).all():
            self.non_finite.append((self.steps + 1, f"activations of {watch.name!r}"))

    def _saturated(self, kind: str, pre, out: np.ndarray) -> np.ndarray:
        t = self.saturation_threshold
        if pre is not None:
            return np.abs(_data(pre)) > t
        if kind == "tanh":                       # |z| > t  <=>  |tanh z| > tanh t
            return np.abs(out) > np.tanh(t)
        low = 1.0 / (1.0 + np.exp(t))            # sigmoid(-t)
        return (out < low) | (out > 1.0 - low)

    # ------------------------------------------------------------------ recording
    @property
    def layers(self) -> list[str]:
        known = [n for kind, n in self._order if kind == "weight" and n in self._weights]
        return known + [n for n in self._weights if n not in known]

    def step(self, loss=None) -> None:
        """Records this step. Call it after ``optimizer.step()`` (gradients still present).

        Args:
            loss: the batch loss (Tensor or number), used to detect a diverging loss.
        """
        self.steps += 1
        if loss is not None:
            value = float(_data(loss).reshape(-1)[0]) if not isinstance(loss, (int, float)) \
                else float(loss)
            self.losses.append(value)
            if not np.isfinite(value):
                self.non_finite.append((self.steps, "loss"))
        for name, w in self._weights.items():
            self._record_layer(name, w)
        for watch in self._watches:
            if not watch.dies and watch.total:
                self.saturation[watch.name].append(watch.saturated / watch.total)
                watch.saturated = watch.total = 0

    def _record_layer(self, name: str, w) -> None:
        data, before = w._data, self._previous[name]
        h = self.history
        g = w.grad
        gnorm = _norm(_data(g)) if g is not None else float("nan")   # nan: no gradient yet
        wnorm = _norm(data)
        if data.shape == before.shape:
            scratch = self._scratch.get(name)
            if scratch is None or scratch.shape != data.shape:
                scratch = self._scratch[name] = np.empty_like(data)
            np.subtract(data, before, out=scratch)
            prev_norm = h["weight_norm"][name][-1] if h["weight_norm"][name] else _norm(before)
            ratio = _norm(scratch) / prev_norm if prev_norm > 0 else float("inf")
            np.copyto(before, data)
        else:                                     # the layer was resized: no update to measure
            ratio = float("nan")
            self._previous[name] = data.copy()
        h["grad_norm"][name].append(gnorm)
        h["weight_norm"][name].append(wnorm)
        h["update_ratio"][name].append(ratio)
        if g is not None and not np.isfinite(gnorm):
            self.non_finite.append((self.steps, f"gradient of {name!r}"))
        if not np.isfinite(wnorm):
            self.non_finite.append((self.steps, f"weights of {name!r}"))

    def epoch_end(self) -> None:
        """Closes the window over which ReLU units are checked for never being active."""
        self.epochs += 1
        for watch in self._watches:
            if watch.dies and watch.active is not None:
                self.dead_fraction[watch.name].append(1.0 - float(watch.active.mean()))
                watch.active = None

    def _current_dead(self) -> dict[str, float]:
        out = {}
        for watch in self._watches:
            if not watch.dies:
                continue
            if self.dead_fraction[watch.name]:
                out[watch.name] = self.dead_fraction[watch.name][-1]
            elif watch.active is not None:           # no epoch closed yet: the open window
                out[watch.name] = 1.0 - float(watch.active.mean())
        return out

    def _current_saturation(self) -> dict[str, float]:
        """Recent saturated fraction per hidden sigmoid/tanh. The output activation is left out:
        a confident classifier's output sigmoid is saturated by design."""
        out = {}
        output = self._target.output_watches(self._order)
        for name, values in self.saturation.items():
            if values and name not in output:
                recent = values[-max(1, len(values) // 5):]
                out[name] = float(np.mean(recent))
        return out

    # ------------------------------------------------------------------ results
    def grad_norms(self) -> np.ndarray:
        """Array (steps, layers) of weight-gradient norms, layers in forward order."""
        if not self.steps:
            return np.zeros((0, len(self._weights)))
        return np.array([self.history["grad_norm"][n] for n in self.layers], dtype=np.float64).T

    def report(self) -> Report:
        """Findings in plain words, each with a suggestion; empty (prints "No problems found.")
        when training looks healthy."""
        return diagnose(self.layers, self.grad_norms(), np.asarray(self.losses, dtype=np.float64),
                        self._current_dead(), self._current_saturation(), self.non_finite,
                        **self.thresholds)

    def summary(self) -> str:
        """An aligned table of the latest statistics, one row per watched layer."""
        rows = [("layer", "grad norm", "weight norm", "update/weight")]
        for n in self.layers:
            h = self.history
            last = [h[k][n][-1] if h[k][n] else float("nan")
                    for k in ("grad_norm", "weight_norm", "update_ratio")]
            rows.append((n, *(f"{v:.3e}" for v in last)))
        for name, d in self._current_dead().items():
            rows.append((name, "dead units", f"{100 * d:.0f}%", ""))
        for name, s in self._current_saturation().items():
            rows.append((name, "saturated", f"{100 * s:.0f}%", ""))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)

    def plot(self, path) -> None:
        """Draws the per-layer gradient norms over the steps (and the loss) to a PNG at ``path``.

        Needs matplotlib (``pip install ember[plots]``).
        """
        from ._plotting import new_figure, save_figure
        if not self.steps:
            raise RuntimeError("Nothing to plot: call monitor.step() during training first")
        panels = 2 if self.losses else 1
        fig = new_figure(path, figsize=(8, 3.2 * panels))
        ax = fig.add_subplot(panels, 1, 1)
        steps = np.arange(1, self.steps + 1)
        zero = []
        for name in self.layers:
            values = np.asarray(self.history["grad_norm"][name], dtype=np.float64)
            if not (values > 0).any():
                zero.append(name)
            ax.plot(steps, np.where(values > 0, values, np.nan), label=name)
        if zero:
            ax.text(0.02, 0.02, f"gradient exactly 0 throughout: {', '.join(zero)}",
                    transform=ax.transAxes, fontsize="small", color="tab:red")
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel("gradient norm")
        ax.set_title("Gradient norm per layer")
        ax.legend(fontsize="small", ncol=2)
        if self.losses:
            ax2 = fig.add_subplot(panels, 1, 2)
            ax2.plot(np.arange(1, len(self.losses) + 1), self.losses, color="black")
            ax2.set_xlabel("step")
            ax2.set_ylabel("loss")
        save_figure(fig, path)

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Removes the hooks (the recorded history stays)."""
        for h in self._handles:
            h.remove()
        self._handles = []

    def __enter__(self) -> "TrainingMonitor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"TrainingMonitor(layers={self.layers}, activations="
                f"{[w.name for w in self._watches]}, steps={self.steps})")
