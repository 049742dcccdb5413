"""The rules that turn recorded training statistics into findings in plain words.

Each rule is a small function on plain NumPy arrays, so the rules can be tested without a
network. :class:`~ember.diagnostics.TrainingMonitor` records the statistics and calls
:func:`diagnose`.

Thresholds (all keyword arguments of :func:`diagnose`):

=====================  =======  =============================================================
vanishing_ratio        1e-3     first layer's gradient norm below this fraction of the last's
vanishing_saturation   0.1      or: the first layer's gradient below the last's while more than
                                this fraction of some hidden sigmoid/tanh layer's inputs are
                                beyond ±4 (saturation is then named as the cause)
exploding_ratio        1e3      gradient norm growing this much over training, or the first
                                layer's gradient this many times the last's
dead_fraction          0.5      more than this fraction of a ReLU layer's units never active
saturated_fraction     0.25     more than this fraction of sigmoid/tanh inputs beyond ±4
diverging_growth       1.5      loss this many times higher at the end than at the start
diverging_rebound      4.0      loss this many times higher at the end than at its best
diverging_spike        10.0     loss this many times higher than at the start at any point
=====================  =======  =============================================================
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Finding", "Report", "diagnose", "SUGGESTIONS"]

SUGGESTIONS = {
    "vanishing_gradients": "use ReLU (or Leaky ReLU/GELU) instead of sigmoid/tanh in the hidden "
                           "layers, He (Kaiming) initialisation, batch normalisation, or fewer "
                           "layers/residual connections.",
    "exploding_gradients": "clip the gradients (ember.nn.utils.clip_grad_norm_(model.parameters(), "
                           "1.0)), lower the learning rate, and check the initial weight scale.",
    "non_finite": "lower the learning rate, clip the gradients, check the inputs for NaN/inf, and "
                  "feed logits to CrossEntropyLoss/BCEWithLogitsLoss instead of taking log(softmax) "
                  "or log(sigmoid) yourself.",
    "no_gradient": "look for dead ReLUs before it, check that its output reaches the loss and that "
                   "its parameters require gradients.",
    "dead_relu": "use Leaky ReLU (or ELU/GELU), lower the learning rate, and start biases at zero "
                 "or slightly positive.",
    "saturation": "standardise the inputs, use a smaller initialisation (Xavier/Glorot for "
                  "sigmoid/tanh), add batch normalisation, or switch the hidden layers to ReLU.",
    "diverging_loss": "lower the learning rate (try 10x smaller, or ember.diagnostics.lr_find), "
                      "clip the gradients, and check that the loss gets what it expects (logits "
                      "for CrossEntropyLoss).",
}


@dataclass(frozen=True)
class Finding:
    """One problem seen during training: what it is, where, in words, and what to try.

    Example::

        >>> f = Finding("dead_relu", "62% of the units of 'act1' were never active.",
        ...             SUGGESTIONS["dead_relu"], layer="act1")
        >>> str(f).startswith("[dead_relu] layer 'act1': 62% of the units")
        True
    """

    kind: str
    message: str
    suggestion: str
    layer: str | None = None

    def __str__(self) -> str:
        where = f"layer {self.layer!r}: " if self.layer else ""
        return f"[{self.kind}] {where}{self.message} Try: {self.suggestion}"


class Report(list):
    """A list of :class:`Finding`; ``str(report)`` prints one finding per line.

    Example::

        >>> print(Report())
        No problems found.
    """

    def kinds(self) -> set[str]:
        """The kinds of problem found, e.g. ``{"vanishing_gradients"}``."""
        return {f.kind for f in self}

    def __str__(self) -> str:
        if not self:
            return "No problems found."
        return "\n".join(str(f) for f in self)


def _windows(values: np.ndarray) -> np.ndarray:
    """Medians of consecutive windows (a fifth of the series each, at least one value)."""
    n = values.shape[0]
    size = max(1, n // 5)
    count = n // size
    return np.median(values[:count * size].reshape(count, size), axis=1)


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def check_vanishing(names: list[str], grad_norms: np.ndarray, ratio: float = 1e-3,
                    saturated: dict[str, float] | None = None,
                    saturation: float = 0.1) -> list[Finding]:
    """``grad_norms``: (steps, layers) in forward order; ``saturated``: hidden sigmoid/tanh layer
    → fraction of inputs beyond ±4.

    Flags the median first/last gradient ratio ``r`` when ``r < ratio``, or when ``r < 1`` (the
    gradient shrinks on its way back) while some hidden sigmoid/tanh layer has more than
    ``saturation`` of its inputs saturated; the finding then names the saturated layers as the
    cause. Measured on 10-layer nets trained 5 steps (seeds 0-9): sigmoid with N(0, 1) weights
    has ``r`` 4e-4..0.47 at widths 8-128 (shallower falls at larger widths, where the big weights
    offset the small slope) with 24-69% of a hidden layer's inputs saturated; ReLU + He nets have
    ``r`` 0.2..5.4 and no sigmoid/tanh at all; tanh/sigmoid nets with Xavier or torch's default
    init saturate 0% of their inputs.
    """
    if len(names) < 2 or grad_norms.shape[0] == 0:
        return []
    first, last = grad_norms[:, 0], grad_norms[:, -1]
    # steps where the first layer gets exactly nothing are no_gradient's business, not vanishing
    ok = np.isfinite(first) & np.isfinite(last) & (last > 0) & (first > 0)
    if not ok.any():
        return []
    r = float(np.median(first[ok] / last[ok]))
    causes = {n: s for n, s in (saturated or {}).items() if s > saturation}
    if not (r < ratio or (causes and r < 1.0)):
        return []
    message = (f"the gradient of the first layer ({names[0]!r}, median norm "
               f"{_fmt(np.median(first[ok]))}) is {_fmt(r)} times that of the last layer "
               f"({names[-1]!r}, {_fmt(np.median(last[ok]))}): the early layers barely learn.")
    if causes:
        worst = sorted(causes, key=causes.get, reverse=True)
        shown = ", ".join(f"{n!r} {100 * causes[n]:.0f}%" for n in worst[:4])
        message += (f" Cause: saturation. The sigmoid/tanh inputs of hidden layer(s) {shown} are "
                    f"beyond ±4, where the derivative is nearly 0, so each saturated layer passes "
                    f"back only a little of the gradient.")
    return [Finding("vanishing_gradients", message, SUGGESTIONS["vanishing_gradients"])]


def check_exploding(names: list[str], grad_norms: np.ndarray,
                    ratio: float = 1e3) -> list[Finding]:
    """Flags a layer whose gradient norm grew ``ratio``-fold, or first/last above ``ratio``."""
    found = []
    if grad_norms.shape[0] >= 5:
        for j, name in enumerate(names):
            col = grad_norms[:, j]
            col = col[np.isfinite(col)]
            if col.shape[0] < 5:
                continue
            w = _windows(col)
            if w[0] > 0 and w[-1] / w[0] >= ratio:
                found.append(Finding(
                    "exploding_gradients",
                    f"the gradient norm grew from {_fmt(w[0])} to {_fmt(w[-1])} during training "
                    f"({_fmt(w[-1] / w[0])} times larger).", SUGGESTIONS["exploding_gradients"],
                    layer=name))
    if len(names) >= 2 and grad_norms.shape[0]:
        first, last = grad_norms[:, 0], grad_norms[:, -1]
        ok = np.isfinite(first) & np.isfinite(last) & (last > 0)
        if ok.any():
            r = float(np.median(first[ok] / last[ok]))
            if r >= ratio:
                found.append(Finding(
                    "exploding_gradients",
                    f"the gradient of the first layer ({names[0]!r}) is {_fmt(r)} times that of "
                    f"the last layer ({names[-1]!r}): gradients grow on their way back.",
                    SUGGESTIONS["exploding_gradients"]))
    return found


def check_no_gradient(names: list[str], grad_norms: np.ndarray) -> list[Finding]:
    """Flags a layer whose gradient was exactly zero at every step it had one."""
    found = []
    for j, name in enumerate(names):
        col = grad_norms[:, j]
        col = col[~np.isnan(col)]
        if col.shape[0] and not col.any():
            found.append(Finding("no_gradient",
                                 f"the gradient was exactly 0 at all {col.shape[0]} step(s): this "
                                 f"layer does not learn.", SUGGESTIONS["no_gradient"], layer=name))
    return found


def check_non_finite(events: list[tuple[int, str]]) -> list[Finding]:
    """``events``: (step, where) pairs at which NaN/inf appeared; reports the first few."""
    if not events:
        return []
    first = events[0]
    places = sorted({where for _, where in events})
    shown = ", ".join(places[:5]) + (f" and {len(places) - 5} more" if len(places) > 5 else "")
    return [Finding("non_finite",
                    f"NaN or infinite values appeared at step {first[0]} (first in {first[1]}); "
                    f"seen in: {shown}. Training cannot recover from this.",
                    SUGGESTIONS["non_finite"])]


def check_dead(dead: dict[str, float], fraction: float = 0.5) -> list[Finding]:
    """``dead``: ReLU layer name → fraction of units never active over the last window."""
    return [Finding("dead_relu",
                    f"{100 * d:.0f}% of the units were never active (output 0 for every sample) "
                    f"over the last epoch, so they receive no gradient and cannot recover.",
                    SUGGESTIONS["dead_relu"], layer=name)
            for name, d in dead.items() if d > fraction]


def check_saturation(saturated: dict[str, float], fraction: float = 0.25) -> list[Finding]:
    """``saturated``: sigmoid/tanh layer name → fraction of inputs with ``|z| > 4``."""
    return [Finding("saturation",
                    f"{100 * s:.0f}% of the inputs are beyond ±4 where the curve is flat "
                    f"(derivative below 0.02 for sigmoid, 0.0014 for tanh), so little gradient "
                    f"passes back through them.", SUGGESTIONS["saturation"], layer=name)
            for name, s in saturated.items() if s > fraction]


def check_diverging(losses: np.ndarray, growth: float = 1.5, rebound: float = 4.0,
                    spike: float = 10.0) -> list[Finding]:
    """Flags a loss that is not finite, ends ``growth``× above its start or ``rebound``× above
    its best, or jumps ``spike``× above its start at some point (even if it comes back)."""
    if losses.shape[0] == 0:
        return []
    bad = np.flatnonzero(~np.isfinite(losses))
    if bad.size:
        return [Finding("diverging_loss",
                        f"the loss became {losses[bad[0]]} at step {bad[0] + 1}.",
                        SUGGESTIONS["diverging_loss"])]
    if losses.shape[0] < 5:
        return []
    w = _windows(losses)
    size = losses.shape[0] // w.shape[0]
    start, end, best = float(w[0]), float(w[-1]), float(w.min())
    base = min(start, float(losses[0]))
    peak = int(np.argmax(w))
    if end > growth * start and end > start + 1e-12:
        what = f"rose from {_fmt(start)} at the start to {_fmt(end)} at the end"
    elif base > 0 and w[peak] > spike * base:
        what = (f"jumped from {_fmt(base)} to {_fmt(w[peak])} around steps {peak * size + 1}-"
                f"{(peak + 1) * size} and ended at {_fmt(end)}")
    elif best > 0 and end > rebound * best and end - best > 0.1 * start:
        what = f"fell to {_fmt(best)} then rose to {_fmt(end)}"
    else:
        return []
    return [Finding("diverging_loss", f"the loss {what} (medians over a fifth of the steps).",
                    SUGGESTIONS["diverging_loss"])]


def diagnose(names: list[str], grad_norms: np.ndarray, losses: np.ndarray,
             dead: dict[str, float], saturated: dict[str, float],
             non_finite: list[tuple[int, str]], *, vanishing_ratio: float = 1e-3,
             vanishing_saturation: float = 0.1, exploding_ratio: float = 1e3,
             dead_fraction: float = 0.5,
             saturated_fraction: float = 0.25, diverging_growth: float = 1.5,
             diverging_rebound: float = 4.0, diverging_spike: float = 10.0) -> Report:
    """Runs every rule and returns a :class:`Report` (empty when training looks healthy).

    Args:
        names: the weight layers in forward order.
        grad_norms: array of shape (steps, layers) of weight-gradient L2 norms.
        losses: the loss at each step (may be empty).
        dead: ReLU layer → fraction of units never active; saturated: sigmoid/tanh layer →
            fraction of saturated inputs; non_finite: (step, where) events.

    Example::

        >>> norms = np.array([[1e-6, 1.0]] * 10)
        >>> diagnose(["fc1", "fc2"], norms, np.array([]), {}, {}, []).kinds()
        {'vanishing_gradients'}
    """
    report = Report()
    report += check_non_finite(non_finite)
    report += check_diverging(np.asarray(losses, dtype=np.float64), diverging_growth,
                              diverging_rebound, diverging_spike)
    report += check_vanishing(names, grad_norms, vanishing_ratio, saturated, vanishing_saturation)
    report += check_exploding(names, grad_norms, exploding_ratio)
    report += check_dead(dead, dead_fraction)
    report += check_no_gradient(names, grad_norms)
    report += check_saturation(saturated, saturated_fraction)
    return report
