"""``TrainingMonitor``: watches a model's layers while it trains and says what went wrong.

Per weight layer (any module holding a ``weight`` of 2 or more dimensions: ``Linear``, …) and
per step it records the gradient norm, the weight norm and the update-to-weight ratio
``‖W_after − W_before‖ / ‖W_before‖``. Per activation module it records the fraction of ReLU units
never active over an epoch and the fraction of sigmoid/tanh inputs beyond ±4. It notes any NaN or
infinity in the loss, gradients, weights or activations. :meth:`TrainingMonitor.report` turns
that into findings (see :mod:`ember.diagnostics.findings`).
"""
from __future__ import annotations

import numpy as np

from .findings import Report, diagnose

__all__ = ["TrainingMonitor"]

_THRESHOLDS = {"vanishing_ratio", "exploding_ratio", "dead_fraction", "saturated_fraction",
               "diverging_growth", "diverging_rebound", "diverging_spike"}
_DEAD_KINDS = ("ReLU", "ReLU6")
_SATURATING_KINDS = ("Sigmoid", "Tanh")


def _norm(a: np.ndarray) -> float:
    """L2 norm, accumulated in float64 so that large float32 values don't overflow."""
    flat = a.reshape(-1)
    return float(np.sqrt(np.dot(flat.astype(np.float64, copy=False),
                                flat.astype(np.float64, copy=False))))


def _unit_axes(ndim: int) -> tuple:
    """Axes to reduce so that one value per unit is left: features (dim 1) or channels."""
    return tuple(i for i in range(ndim) if i != 1) if ndim > 1 else ()


def _data(t) -> np.ndarray:
    return t._data if hasattr(t, "_data") else np.asarray(t)


class _Watch:
    """Per-activation-module accumulators; filled by the forward hook."""

    def __init__(self, name: str, kind: str) -> None:
        self.name, self.kind = name, kind
        self.active: np.ndarray | None = None   # ReLU: unit was > 0 at least once in the window
        self.samples = 0                         # samples seen in the window
        self.saturated = 0                       # sigmoid/tanh: entries beyond the threshold
        self.total = 0                           # sigmoid/tanh: entries seen since the last step


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
        self.model = model
        self.module = _find_module(model)
        self.saturation_threshold = float(saturation_threshold)
        self.thresholds = thresholds
        unknown = sorted(set(thresholds) - _THRESHOLDS)
        if unknown:
            raise TypeError(f"Unknown threshold(s) {unknown}; expected some of {sorted(_THRESHOLDS)}")
        self._weights: dict[str, object] = {}
        self._watches: list[_Watch] = []
        self._order: list[str] = []
        self._handles: list = []
        for name, mod in self.module.named_modules():
            w = getattr(mod, "weight", None)
            if w is not None and hasattr(w, "_data") and w._data.ndim >= 2:
                self._weights[name or type(mod).__name__] = w
                self._handles.append(self._hook(mod, self._order_hook(name or type(mod).__name__)))
            kind = type(mod).__name__
            if kind in _DEAD_KINDS + _SATURATING_KINDS:
                watch = _Watch(name or kind, kind)
                self._watches.append(watch)
                self._handles.append(self._hook(mod, self._activation_hook(watch)))
        if not self._weights:
            raise ValueError(f"TrainingMonitor found no layer with a weight matrix in "
                             f"{type(model).__name__}; expected e.g. nn.Linear layers")
        self._previous = {n: w._data.copy() for n, w in self._weights.items()}
        self.steps = 0
        self.epochs = 0
        self.losses: list[float] = []
        self.history = {k: {n: [] for n in self._weights}
                        for k in ("grad_norm", "weight_norm", "update_ratio")}
        self.dead_fraction = {w.name: [] for w in self._watches if w.kind in _DEAD_KINDS}
        self.saturation = {w.name: [] for w in self._watches if w.kind in _SATURATING_KINDS}
        self.non_finite: list[tuple[int, str]] = []

    # ------------------------------------------------------------------ hooks
    @staticmethod
    def _hook(module, fn):
        if hasattr(module, "register_forward_hook"):
            return module.register_forward_hook(fn)
        return _ForwardWrapper(module, fn)

    def _order_hook(self, name: str):
        def hook(module, inputs, output):
            if name not in self._order:
                self._order.append(name)
        return hook

    def _activation_hook(self, watch: _Watch):
        def hook(module, inputs, output):
            if not getattr(module, "training", True):
                return
            if watch.kind in _DEAD_KINDS:
                out = _data(output)
                fired = (out > 0).any(axis=_unit_axes(out.ndim)) if out.ndim > 1 else out > 0
                watch.active = fired if watch.active is None or watch.active.shape != fired.shape \
                    else watch.active | fired
                watch.samples += out.shape[0] if out.ndim > 1 else 1
            else:
                z = _data(inputs[0])
                watch.saturated += int(np.count_nonzero(np.abs(z) > self.saturation_threshold))
                watch.total += z.size
            if not np.isfinite(_data(output)).all():
                self.non_finite.append((self.steps + 1, f"activations of {watch.name!r}"))
        return hook

    # ------------------------------------------------------------------ recording
    @property
    def layers(self) -> list[str]:
        known = [n for n in self._order if n in self._weights]
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
            data, before = w._data, self._previous[name]
            g = w.grad
            gnorm = _norm(_data(g)) if g is not None else 0.0
            wnorm = _norm(before)
            delta = _norm(data - before) if data.shape == before.shape else float("nan")
            self.history["grad_norm"][name].append(gnorm)
            self.history["weight_norm"][name].append(_norm(data))
            self.history["update_ratio"][name].append(delta / wnorm if wnorm > 0 else float("inf"))
            if not np.isfinite(gnorm):
                self.non_finite.append((self.steps, f"gradient of {name!r}"))
            if not np.isfinite(self.history["weight_norm"][name][-1]):
                self.non_finite.append((self.steps, f"weights of {name!r}"))
            if data.shape == before.shape:
                np.copyto(before, data)
            else:
                self._previous[name] = data.copy()
        for watch in self._watches:
            if watch.kind in _SATURATING_KINDS and watch.total:
                self.saturation[watch.name].append(watch.saturated / watch.total)
                watch.saturated = watch.total = 0

    def epoch_end(self) -> None:
        """Closes the window over which ReLU units are checked for never being active."""
        self.epochs += 1
        for watch in self._watches:
            if watch.kind in _DEAD_KINDS and watch.active is not None:
                self.dead_fraction[watch.name].append(1.0 - float(watch.active.mean()))
                watch.active, watch.samples = None, 0

    def _current_dead(self) -> dict[str, float]:
        out = {}
        for watch in self._watches:
            if watch.kind not in _DEAD_KINDS:
                continue
            if self.dead_fraction[watch.name]:
                out[watch.name] = self.dead_fraction[watch.name][-1]
            elif watch.active is not None:           # no epoch closed yet: the open window
                out[watch.name] = 1.0 - float(watch.active.mean())
        return out

    def _current_saturation(self) -> dict[str, float]:
        out = {}
        for name, values in self.saturation.items():
            if values:
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

    def as_keras_callback(self):
        """This monitor as an ``ember.keras`` callback (see :class:`KerasMonitor`)."""
        from .keras_callback import KerasMonitor
        return KerasMonitor(monitor=self)

    def __repr__(self) -> str:
        return (f"TrainingMonitor(layers={self.layers}, activations="
                f"{[w.name for w in self._watches]}, steps={self.steps})")


class _ForwardWrapper:
    """Calls ``fn(module, inputs, output)`` after ``module.forward`` for modules without hooks."""

    def __init__(self, module, fn) -> None:
        self.module = module
        original = module.forward

        def forward(*args, **kwargs):
            out = original(*args, **kwargs)
            fn(module, args, out)
            return out
        module.forward = forward

    def remove(self) -> None:
        self.module.__dict__.pop("forward", None)


def _find_module(model):
    """The ``ember.nn`` module behind ``model`` (itself, or an ember.keras model's module)."""
    if hasattr(model, "named_modules"):
        return model
    for attr in ("module", "_module", "torch_module", "_nn"):
        inner = getattr(model, attr, None)
        if inner is not None and hasattr(inner, "named_modules"):
            return inner
    raise TypeError(f"TrainingMonitor expects an ember.nn.Module or an ember.keras model, got "
                    f"{type(model).__name__}")
