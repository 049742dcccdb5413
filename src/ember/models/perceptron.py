"""Rosenblatt's perceptron: one neuron, a threshold activation and the perceptron learning rule.

The rule, applied to one sample at a time in the order given::

    y_hat = f(w · x + b)            f = step (outputs 0/1) or sign (outputs -1/+1)
    w    <- w + lr * (y - y_hat) * x
    b    <- b + lr * (y - y_hat)

An epoch with no mistake means every sample is on its correct side: the perceptron has
converged. The perceptron convergence theorem says this always happens after finitely many
updates when a hyperplane separates the two classes, and never happens otherwise (XOR).
"""
from __future__ import annotations

import warnings

import numpy as np

from .._tensor import Tensor

__all__ = ["Perceptron", "PerceptronConvergenceWarning"]

_LABELS = {"step": (0, 1), "sign": (-1, 1)}


class PerceptronConvergenceWarning(UserWarning):
    """Raised (as a warning) when ``Perceptron.fit`` stops at its epoch limit without converging."""


def _as_array(data, name: str) -> np.ndarray:
    if isinstance(data, Tensor):
        return data._data
    try:
        return np.asarray(data)
    except Exception as exc:  # pragma: no cover - NumPy's own message is kept
        raise TypeError(f"{name} must be array-like (a Tensor, ndarray or nested lists), "
                        f"got {type(data).__name__}") from exc


class Perceptron:
    """A single threshold neuron trained by the perceptron learning rule.

    Args:
        activation: ``"step"`` (labels 0/1, the default) or ``"sign"`` (labels -1/+1).
        init: ``"zeros"`` (the default; deterministic) or ``"random"`` (small normal weights,
            drawn from ember's global generator, or from ``generator`` when given).
        shuffle: visit the samples in a new random order every epoch (default: the given order).
        generator: an :class:`ember.Generator` for ``init="random"`` and ``shuffle``.

    After :meth:`fit`: ``weights`` (Tensor of shape ``(n_features,)``), ``bias`` (0-d Tensor),
    ``mistakes`` (misclassified samples in each epoch), ``converged`` (bool), ``n_epochs``
    (epochs run) and ``reason`` (one sentence saying why training stopped).

    Example::

        >>> import ember
        >>> X = [[0, 0], [0, 1], [1, 0], [1, 1]]
        >>> p = ember.models.Perceptron().fit(X, [0, 0, 0, 1], lr=1.0, epochs=20)   # AND
        >>> p.converged, p.predict(X).tolist()
        (True, [0, 0, 0, 1])
    """

    def __init__(self, activation: str = "step", init: str = "zeros", shuffle: bool = False,
                 generator=None) -> None:
        if activation not in _LABELS:
            raise ValueError(f"Invalid activation: {activation!r}; expected 'step' or 'sign'")
        if init not in ("zeros", "random"):
            raise ValueError(f"Invalid init: {init!r}; expected 'zeros' or 'random'")
        self.activation = activation
        self.init = init
        self.shuffle = bool(shuffle)
        self.generator = generator
        self._w: np.ndarray | None = None
        self._b: np.ndarray | None = None
        self.mistakes: list[int] = []
        self.converged = False
        self.n_epochs = 0
        self.reason = "not fitted yet"

    # ------------------------------------------------------------------ inputs
    def _check_X(self, X, fitting: bool) -> np.ndarray:
        x = _as_array(X, "X")
        if x.ndim != 2:
            raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {tuple(x.shape)}")
        if x.shape[0] == 0:
            raise ValueError("X is empty: expected at least one sample")
        if x.dtype.kind not in "biuf":
            raise TypeError(f"X must hold numbers, got dtype {x.dtype}")
        if x.dtype.kind != "f":
            x = x.astype(np.float32)
        if not np.isfinite(x).all():
            raise ValueError("X contains NaN or infinite values")
        if not fitting:
            if self._w is None:
                raise RuntimeError("This Perceptron is not fitted yet: call fit(X, y) first")
            if x.shape[1] != self._w.shape[0]:
                raise ValueError(f"X has {x.shape[1]} features, but the perceptron was fitted "
                                 f"with {self._w.shape[0]}")
            x = x.astype(self._w.dtype, copy=False)
        return x

    def _check_y(self, y, n: int) -> np.ndarray:
        t = _as_array(y, "y").reshape(-1)
        if t.shape[0] != n:
            raise ValueError(f"y has {t.shape[0]} labels but X has {n} samples")
        allowed = _LABELS[self.activation]
        bad = np.setdiff1d(np.unique(t), allowed)
        if bad.size:
            raise ValueError(f"Invalid labels {bad.tolist()} for activation={self.activation!r}: "
                             f"expected only {list(allowed)}")
        return t

    # ------------------------------------------------------------------ model
    def _activate(self, z: np.ndarray) -> np.ndarray:
        if self.activation == "step":
            return (z >= 0).astype(np.int64)
        return np.where(z >= 0, 1, -1).astype(np.int64)

    def decision_function(self, X) -> Tensor:
        """``w · x + b`` for each row of ``X`` (the signed distance, up to ``|w|``)."""
        x = self._check_X(X, fitting=False)
        return Tensor._make(x @ self._w + self._b)

    def predict(self, X) -> Tensor:
        """Class of each row of ``X``: 0/1 for ``"step"``, -1/+1 for ``"sign"`` (int64 Tensor)."""
        x = self._check_X(X, fitting=False)
        return Tensor._make(self._activate(x @ self._w + self._b))

    def score(self, X, y) -> float:
        """Fraction of the rows of ``X`` whose predicted class equals ``y``."""
        x = self._check_X(X, fitting=False)
        t = self._check_y(y, x.shape[0])
        return float(np.mean(self._activate(x @ self._w + self._b) == t))

    @property
    def weights(self) -> Tensor:
        if self._w is None:
            raise RuntimeError("This Perceptron is not fitted yet: call fit(X, y) first")
        return Tensor._make(self._w.copy())

    @property
    def bias(self) -> Tensor:
        if self._b is None:
            raise RuntimeError("This Perceptron is not fitted yet: call fit(X, y) first")
        return Tensor._make(self._b.copy())

    # ------------------------------------------------------------------ training
    def fit(self, X, y, lr: float = 1.0, epochs: int = 100) -> "Perceptron":
        """Trains with the perceptron rule until an epoch has no mistake or ``epochs`` run out.

        Stops early, with ``converged = True``, after the first mistake-free epoch. Otherwise
        ``converged`` is False, ``reason`` explains why, and a
        :class:`PerceptronConvergenceWarning` is issued. When the samples are visited in a fixed
        order and the weights come back to a state they had at the start of an earlier epoch,
        training would repeat forever: that proves the data are not linearly separable.

        Returns ``self``.
        """
        if isinstance(lr, bool) or not isinstance(lr, (int, float, np.number)) or not lr > 0 \
                or not np.isfinite(lr):
            raise ValueError(f"Invalid learning rate: {lr!r}; expected a positive number")
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
            raise ValueError(f"Invalid epochs: {epochs!r}; expected a positive integer")
        x = self._check_X(X, fitting=True)
        t = self._check_y(y, x.shape[0]).astype(x.dtype)
        dtype = x.dtype
        rate = dtype.type(lr)
        from ..random import _gen
        rng = _gen(self.generator) if (self.init == "random" or self.shuffle) else None
        w = (rng.normal(0.0, 0.01, x.shape[1]).astype(dtype) if self.init == "random"
             else np.zeros(x.shape[1], dtype))
        b = np.zeros((), dtype)
        low = _LABELS[self.activation][0]
        self.mistakes, self.converged = [], False
        seen: dict[bytes, int] = {}
        order = np.arange(x.shape[0])
        cycle_from = None
        for epoch in range(1, int(epochs) + 1):
            if self.shuffle:
                order = rng.permutation(x.shape[0])
            else:
                key = w.tobytes() + b.tobytes()
                if key in seen:
                    cycle_from = seen[key]
                    break
                seen[key] = epoch
            errors = 0
            # The rule is sequential: each update changes the next sample's prediction.
            for i in order:
                xi = x[i]
                diff = t[i] - (1 if np.dot(w, xi) + b >= 0 else low)
                if diff != 0:
                    w += rate * diff * xi
                    b += rate * diff
                    errors += 1
            self.mistakes.append(errors)
            if errors == 0:
                self.converged = True
                break
        self._w, self._b = w, b
        self.n_epochs = len(self.mistakes)
        self.reason = self._explain(cycle_from, int(epochs))
        if not self.converged:
            warnings.warn(self.reason, PerceptronConvergenceWarning, stacklevel=2)
        return self

    def _explain(self, cycle_from: int | None, epochs: int) -> str:
        if self.converged:
            return (f"converged after {self.n_epochs} epoch(s): every sample is on the correct side "
                    f"of the hyperplane w·x + b = 0")
        if cycle_from is not None:
            last = self.n_epochs
            span = (f"epoch {last}" if cycle_from == last else f"epochs {cycle_from} to {last}")
            return (f"did not converge: after epoch {last} the weights were back to their value at "
                    f"the start of epoch {cycle_from}, so {span} would repeat forever, each with "
                    f"at least {min(self.mistakes[cycle_from - 1:])} mistake(s). The data are not "
                    f"linearly separable (like XOR): no line or hyperplane puts the two classes "
                    f"on different sides. Use a network with a hidden layer.")
        return (f"did not converge within {epochs} epoch(s) ({self.mistakes[-1]} mistake(s) in "
                f"the last one). A perceptron converges only when the classes are linearly "
                f"separable (it can never learn XOR): either they are not, or more epochs are "
                f"needed. Use a network with a hidden layer for data that are not separable.")

    def __repr__(self) -> str:
        state = "unfitted" if self._w is None else f"n_features={self._w.shape[0]}, " \
                                                     f"converged={self.converged}"
        return f"Perceptron(activation={self.activation!r}, {state})"
