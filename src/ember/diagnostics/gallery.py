"""The activation gallery: every activation of ``ember.nn`` beside its derivative.

The derivative drawn is the one ember's autograd computes (``y.sum().backward()`` gives
``f'(x)`` in ``x.grad``); the table below also holds each derivative written out by hand (the
course notes' table of activations and derivatives), so the picture doubles as a check of the
gradients: :func:`plot_activations` returns the largest gap between the two for each function.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["ACTIVATIONS", "ActivationSpec", "autograd_derivative", "plot_activations"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _erf(x: np.ndarray) -> np.ndarray:
    """Vectorised erf (Abramowitz & Stegun 7.1.26; absolute error below 1.5e-7)."""
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                                                                           + t * 1.061405429))))
    return s * (1.0 - poly * np.exp(-a * a))


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _phi(x):       # standard normal density
    return np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _Phi(x):       # standard normal distribution function
    return 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))


@dataclass(frozen=True)
class ActivationSpec:
    """One row of the table: how to build it in ember, and f, f' written out in NumPy.

    ``kinks`` are the points where f is not differentiable (autograd picks a one-sided value).
    """

    name: str
    make: Callable        # () -> callable on Tensors (an ember.nn module, or a function)
    f: Callable           # ndarray -> ndarray
    df: Callable          # ndarray -> ndarray
    formula: str
    derivative: str
    kinks: tuple = ()


def _module(cls_name, *args, **kwargs):
    def make():
        import ember
        return getattr(ember.nn, cls_name)(*args, **kwargs)
    return make


def _heaviside():
    import ember
    return lambda x: ember.heaviside(x, ember.ones((), dtype=x.dtype))


ACTIVATIONS: tuple[ActivationSpec, ...] = (
    ActivationSpec("Heaviside step", _heaviside, lambda x: (x >= 0).astype(x.dtype),
                   lambda x: np.zeros_like(x), "1 if x ≥ 0 else 0", "0 (undefined at 0)", (0.0,)),
    ActivationSpec("Sigmoid", _module("Sigmoid"), _sigmoid,
                   lambda x: _sigmoid(x) * (1 - _sigmoid(x)), "1 / (1 + e^-x)", "f (1 − f)"),
    ActivationSpec("Tanh", _module("Tanh"), np.tanh, lambda x: 1 - np.tanh(x) ** 2,
                   "tanh x", "1 − f²"),
    ActivationSpec("ReLU", _module("ReLU"), lambda x: np.maximum(x, 0),
                   lambda x: (x > 0).astype(x.dtype), "max(0, x)", "1 if x > 0 else 0", (0.0,)),
    ActivationSpec("LeakyReLU", _module("LeakyReLU", 0.01),
                   lambda x: np.where(x > 0, x, 0.01 * x), lambda x: np.where(x > 0, 1.0, 0.01),
                   "x if x > 0 else 0.01 x", "1 if x > 0 else 0.01", (0.0,)),
    ActivationSpec("PReLU", _module("PReLU"), lambda x: np.where(x > 0, x, 0.25 * x),
                   lambda x: np.where(x > 0, 1.0, 0.25), "x if x > 0 else a x (a = 0.25, learnt)",
                   "1 if x > 0 else a", (0.0,)),
    ActivationSpec("ELU", _module("ELU"), lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
                   lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0))),
                   "x if x > 0 else e^x − 1", "1 if x > 0 else e^x", (0.0,)),
    ActivationSpec("SELU", _module("SELU"),
                   lambda x: _SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(np.minimum(x, 0))),
                   lambda x: _SELU_SCALE * np.where(x > 0, 1.0, _SELU_ALPHA * np.exp(np.minimum(x, 0))),
                   "λ (x if x > 0 else α (e^x − 1))", "λ (1 if x > 0 else α e^x)", (0.0,)),
    ActivationSpec("GELU", _module("GELU"), lambda x: x * _Phi(x), lambda x: _Phi(x) + x * _phi(x),
                   "x Φ(x)", "Φ(x) + x φ(x)"),
    ActivationSpec("SiLU", _module("SiLU"), lambda x: x * _sigmoid(x),
                   lambda x: _sigmoid(x) * (1 + x * (1 - _sigmoid(x))), "x σ(x)",
                   "σ(x) (1 + x (1 − σ(x)))"),
    ActivationSpec("Softplus", _module("Softplus"), lambda x: np.logaddexp(0, x), _sigmoid,
                   "log(1 + e^x)", "σ(x)"),
    ActivationSpec("Softsign", _module("Softsign"), lambda x: x / (1 + np.abs(x)),
                   lambda x: 1 / (1 + np.abs(x)) ** 2, "x / (1 + |x|)", "1 / (1 + |x|)²"),
    ActivationSpec("Hardtanh", _module("Hardtanh"), lambda x: np.clip(x, -1, 1),
                   lambda x: ((x > -1) & (x < 1)).astype(x.dtype), "clip(x, −1, 1)",
                   "1 if −1 < x < 1 else 0", (-1.0, 1.0)),
    ActivationSpec("ReLU6", _module("ReLU6"), lambda x: np.clip(x, 0, 6),
                   lambda x: ((x > 0) & (x < 6)).astype(x.dtype), "min(max(0, x), 6)",
                   "1 if 0 < x < 6 else 0", (0.0, 6.0)),
)


def _spec(name: str) -> ActivationSpec:
    for spec in ACTIVATIONS:
        if spec.name == name:
            return spec
    raise ValueError(f"Unknown activation {name!r}; expected one of "
                     f"{[s.name for s in ACTIVATIONS]}")


def autograd_derivative(name: str, x) -> tuple[np.ndarray, np.ndarray]:
    """``(f(x), f'(x))`` for activation ``name``, f' from ember's autograd (float32 arrays).

    An activation without a gradient (the Heaviside step) gives zeros.

    Example::

        >>> y, dy = autograd_derivative("Tanh", np.array([0.0], np.float32))
        >>> float(y[0]), float(dy[0])
        (0.0, 1.0)
    """
    import ember
    fn = _spec(name).make()
    t = ember.tensor(np.asarray(x, dtype=np.float32), requires_grad=True)
    y = fn(t)
    if y.requires_grad:
        y.sum().backward()
    grad = t.grad._data.copy() if t.grad is not None else np.zeros_like(t._data)
    return y.detach()._data.copy(), grad


def _away_from_kinks(x: np.ndarray, kinks, gap: float = 1e-3) -> np.ndarray:
    keep = np.ones(x.shape, dtype=bool)
    for k in kinks:
        keep &= np.abs(x - k) > gap
    return keep


def plot_activations(path, x_min: float = -7.0, x_max: float = 7.0,
                     points: int = 561) -> dict[str, float]:
    """Draws every activation (solid) and its autograd derivative (dashed) to a PNG at ``path``.

    Each panel also states the largest gap between the autograd derivative and the derivative
    written out by hand (away from kinks), and the same numbers are returned.
    Needs matplotlib (``pip install ember[plots]``).

    Returns:
        ``{activation name: max |autograd f' − analytic f'|}``.

    Example::

        >>> gaps = plot_activations("activations.png")
        >>> max(gaps.values()) < 1e-4
        True
    """
    if not x_max > x_min:
        raise ValueError(f"Invalid range: x_min={x_min!r}, x_max={x_max!r}; expected x_min < x_max")
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ValueError(f"Invalid points: {points!r}; expected an integer >= 2")
    from ._plotting import new_figure, save_figure
    x = np.linspace(x_min, x_max, points, dtype=np.float32)
    cols = 4
    rows = -(-len(ACTIVATIONS) // cols)
    fig = new_figure(path, figsize=(4 * cols, 3.2 * rows))
    gaps = {}
    for i, spec in enumerate(ACTIVATIONS):
        y, dy = autograd_derivative(spec.name, x)
        keep = _away_from_kinks(x, spec.kinks)
        exact = spec.df(x.astype(np.float64))
        gaps[spec.name] = float(np.max(np.abs(dy[keep] - exact[keep])))
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.axhline(0, color="0.8", linewidth=0.8)
        ax.axvline(0, color="0.8", linewidth=0.8)
        ax.plot(x, y, label=f"f(x) = {spec.formula}")
        ax.plot(x, dy, linestyle="--", label=f"f'(x) = {spec.derivative}")
        ax.set_title(f"{spec.name}   (autograd vs table: {gaps[spec.name]:.1e})", fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
        ax.set_ylim(min(-1.5, float(np.min(y)) - 0.2), max(1.5, min(float(np.max(y)), 7) + 0.2))
    fig.suptitle("ember.nn activations (solid) and their derivatives from autograd (dashed)")
    save_figure(fig, path)
    return gaps
