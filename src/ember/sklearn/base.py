"""The training core the scikit-learn estimators share: parameters, the module, the epoch loop
and early stopping. ``estimators.py`` adds what differs between classification and regression.

The estimator trains an ``ember.nn.Module`` with ``ember.optim``: nothing here owns maths.
"""
from __future__ import annotations

import copy
import warnings

import numpy as np


def _sklearn():
    try:
        import sklearn  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("ember.sklearn needs scikit-learn: pip install scikit-learn") from exc
    return sklearn


_sklearn()
from sklearn.base import BaseEstimator  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data  # noqa: E402

import ember  # noqa: E402
from ember import nn  # noqa: E402

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "logistic": nn.Sigmoid, "identity": nn.Identity,
               "gelu": nn.GELU, "silu": nn.SiLU, "elu": nn.ELU, "leaky_relu": nn.LeakyReLU}
OPTIMIZERS = {"adam": "Adam", "sgd": "SGD", "adamw": "AdamW", "rmsprop": "RMSprop"}


def default_mlp(n_in: int, n_out: int, hidden_layer_sizes, activation: str) -> nn.Module:
    """``Linear -> activation`` per hidden size, then a ``Linear`` to ``n_out`` outputs."""
    layers, width = [], n_in
    for size in hidden_layer_sizes:
        layers += [nn.Linear(width, int(size)), ACTIVATIONS[activation]()]
        width = int(size)
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


def _reset(module: nn.Module) -> None:
    for sub in module.modules():
        if hasattr(sub, "reset_parameters") and sub is not module or \
                (sub is module and hasattr(sub, "reset_parameters")):
            sub.reset_parameters()


class NeuralNetBase(BaseEstimator):
    """Shared fit/partial_fit machinery (see ``NeuralNetClassifier``/``NeuralNetRegressor``)."""

    def __init__(self, module=None, hidden_layer_sizes=(100,), activation="relu", optimizer="adam",
                 learning_rate_init=0.001, alpha=0.0001, batch_size="auto", max_iter=200,
                 shuffle=True, tol=1e-4, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, random_state=None, verbose=False):
        self.module = module
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.verbose = verbose

    # ---- hooks for the subclasses ---------------------------------------------------------
    def _targets(self, y, first: bool, classes=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def _loss(self):  # pragma: no cover - abstract
        raise NotImplementedError

    # ---- checks ---------------------------------------------------------------------------
    def _check_params(self) -> None:
        def bad(name, expected):
            raise ValueError(f"{type(self).__name__}: {name}={getattr(self, name)!r}, expected "
                             f"{expected}")
        if self.module is None:
            sizes = self.hidden_layer_sizes
            sizes = [sizes] if np.isscalar(sizes) else list(sizes)
            if not all(int(s) == s and s > 0 for s in sizes):
                bad("hidden_layer_sizes", "positive ints")
            if self.activation not in ACTIVATIONS:
                bad("activation", f"one of {sorted(ACTIVATIONS)}")
        elif not (isinstance(self.module, nn.Module) or callable(self.module)):
            bad("module", "an ember.nn.Module or a callable(n_features, n_outputs) returning one")
        if self.optimizer not in OPTIMIZERS:
            bad("optimizer", f"one of {sorted(OPTIMIZERS)}")
        if not self.learning_rate_init > 0:
            bad("learning_rate_init", "> 0")
        if not self.alpha >= 0:
            bad("alpha", ">= 0")
        if not (self.batch_size == "auto" or (isinstance(self.batch_size, (int, np.integer))
                                               and self.batch_size > 0)):
            bad("batch_size", "'auto' or a positive int")
        if not (isinstance(self.max_iter, (int, np.integer)) and self.max_iter > 0):
            bad("max_iter", "a positive int")
        if not 0 < self.validation_fraction < 1:
            bad("validation_fraction", "in (0, 1)")
        if not (isinstance(self.n_iter_no_change, (int, np.integer)) and self.n_iter_no_change > 0):
            bad("n_iter_no_change", "a positive int")

    # ---- building ---------------------------------------------------------------------------
    def _build(self, n_in: int, n_out: int) -> None:
        if self.module is None:
            sizes = self.hidden_layer_sizes
            sizes = [sizes] if np.isscalar(sizes) else list(sizes)
            module = default_mlp(n_in, n_out, sizes, self.activation)
        elif isinstance(self.module, nn.Module):
            module = copy.deepcopy(self.module)
            _reset(module)
        else:
            module = self.module(n_in, n_out)
        self.module_ = module
        params = [p for p in module.parameters() if p.requires_grad]
        kwargs = {"lr": float(self.learning_rate_init)}
        if self.alpha:
            kwargs["weight_decay"] = float(self.alpha)
        self.optimizer_ = getattr(ember.optim, OPTIMIZERS[self.optimizer])(params, **kwargs)
        self.loss_curve_, self.n_iter_, self.t_ = [], 0, 0
        self.best_loss_, self._no_improvement = np.inf, 0
        self.validation_scores_ = [] if self.early_stopping else None
        self.best_validation_score_ = -np.inf if self.early_stopping else None

    def _seeded(self):
        """A context running with ember's generator seeded from ``random_state``, restoring the
        global state afterwards (fits are reproducible and leave no trace)."""
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        return _SeedScope(seed), rng

    # ---- training -----------------------------------------------------------------------------
    def _batch_size(self, n: int) -> int:
        return min(200, n) if self.batch_size == "auto" else min(int(self.batch_size), n)

    def _epoch(self, X: np.ndarray, Y: np.ndarray, rng) -> float:
        module, opt, loss_fn = self.module_, self.optimizer_, self._loss()
        module.train()
        n, size = len(X), self._batch_size(len(X))
        order = rng.permutation(n) if self.shuffle else np.arange(n)
        total = 0.0
        for start in range(0, n, size):
            index = order[start:start + size]
            xb, yb = ember.from_numpy(X[index]), ember.from_numpy(Y[index])
            opt.zero_grad()
            loss = loss_fn(module(xb), yb)
            loss.backward()
            opt.step()
            total += float(loss.item()) * len(index)
        self.t_ += n
        return total / n

    def _fit_loop(self, X, Y, rng, epochs: int, early_stopping: bool) -> None:
        if early_stopping:
            X, X_val, Y, Y_val = self._split(X, Y, rng)
        best_state = None
        for _ in range(epochs):
            loss = self._epoch(X, Y, rng)
            self.n_iter_ += 1
            self.loss_curve_.append(loss)
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {loss:.8f}")
            if early_stopping:
                score = self._score_arrays(X_val, Y_val)
                self.validation_scores_.append(score)
                if score > self.best_validation_score_ + self.tol:
                    self._no_improvement = 0
                else:
                    self._no_improvement += 1
                if score > self.best_validation_score_:
                    self.best_validation_score_ = score
                    best_state = {k: v.clone() for k, v in self.module_.state_dict().items()}
            else:
                self._no_improvement = self._no_improvement + 1 if loss > self.best_loss_ - self.tol else 0
                self.best_loss_ = min(self.best_loss_, loss)
            if self._no_improvement >= self.n_iter_no_change:
                if self.verbose:
                    print(f"No improvement for {self.n_iter_no_change} epochs: stopping.")
                break
        else:
            if epochs == self.max_iter and epochs > 1:
                warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                              "and the optimization hasn't converged yet.", ConvergenceWarning)
        if best_state is not None:
            self.module_.load_state_dict(best_state)

    def _split(self, X, Y, rng):
        from sklearn.model_selection import train_test_split
        stratify = Y if getattr(self, "_stratify", False) else None
        n_val = max(1, int(round(self.validation_fraction * len(X))))
        if len(X) - n_val < 1:
            raise ValueError(f"{type(self).__name__}: early_stopping needs at least 2 samples, got "
                             f"{len(X)}")
        try:
            return train_test_split(X, Y, test_size=n_val, random_state=rng, stratify=stratify)
        except ValueError:  # a class too small to stratify
            return train_test_split(X, Y, test_size=n_val, random_state=rng)

    def _forward(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "module_")
        module = self.module_
        module.eval()
        with ember.no_grad():
            out = module(ember.from_numpy(X))
        return out.numpy()

    def _fit(self, X, y, *, partial: bool, classes=None):
        self._check_params()
        first = not (partial and hasattr(self, "module_"))
        X, y = validate_data(self, X, y, reset=first, dtype=np.float32, multi_output=True,
                             y_numeric=not getattr(self, "_stratify", False))
        Y = self._targets(y, first, classes)
        scope, rng = self._seeded() if first else (_SeedScope(None), self._rng)
        with scope:
            if first:
                self._build(X.shape[1], self._n_outputs)
                self._rng = rng
            epochs = 1 if partial else int(self.max_iter)
            self._fit_loop(X, Y, rng, epochs, self.early_stopping and not partial)
        return self


class _SeedScope:
    """Seeds ember's global generator for the duration of a ``with`` block, then restores it."""

    def __init__(self, seed) -> None:
        self.seed = seed

    def __enter__(self):
        if self.seed is not None:
            self.saved = ember.random.get_rng_state()
            ember.manual_seed(self.seed)
        return self

    def __exit__(self, *exc):
        if self.seed is not None:
            ember.random.set_rng_state(self.saved)
        return False
