"""The baselines every ``ember train`` run is measured against, fitted on the same split.

* **linear**: softmax (multinomial logistic) regression with an L2 penalty for classification,
  fitted by ember's own ``optim.LBFGS`` (strong-Wolfe line search) in float64; ridge regression
  in closed form for regression. Both see the standardised training rows the network trains on.
* **trivial**: the training rows' majority class, or their mean; for a forecasting run
  (``--model lstm``, windows of a series) the naive forecast, each window's last value.

Their test metrics are the ones the network gets (``ember.cli.metrics``), so the three can be
shown side by side, and :func:`verdict` says in one sentence whether the network beat the
linear model.

Example::

    >>> scores = fit_baselines(splits, spec)             # splits as ember.cli.train prepares them
    >>> scores["linear"]["accuracy"], scores["trivial"]["accuracy"]
    (0.9666666666666667, 0.3)
"""
from __future__ import annotations

import numpy as np

import ember

from .. import nn, optim
from .data import classes, task, unscale_target
from .metrics import classification_metrics, regression_metrics

# The penalty's strength: scikit-learn's defaults (LogisticRegression's C=1, Ridge's alpha=1),
# i.e. 0.5 * ||W||^2 added to the summed loss.
L2 = 1.0
LBFGS_ITERATIONS = 200

NAMES = {"network": "network", "linear": "linear model", "trivial": "trivial predictor"}
LINEAR_KIND = {"classification": "softmax regression (L2, C=1)", "regression": "ridge regression (alpha=1)"}
TRIVIAL_KIND = {"classification": "majority class", "regression": "training mean",
                "forecasting": "last value (naive forecast)"}


def fit_softmax(X: np.ndarray, y: np.ndarray, n_classes: int, l2: float = L2,
                iterations: int = LBFGS_ITERATIONS) -> nn.Linear:
    """Multinomial logistic regression: minimises ``sum(cross-entropy) + l2/2 * ||W||^2`` (the
    bias is not penalised) with ``optim.LBFGS``; returns the float64 ``nn.Linear``.

    Args:
        X: standardised features, shape (N, F).
        y: class indices in ``[0, n_classes)``, shape (N,).
    """
    Xt = ember.from_numpy(np.asarray(X, dtype=np.float64))
    yt = ember.from_numpy(np.asarray(y, dtype=np.int64))
    model = nn.Linear(X.shape[1], n_classes, dtype=ember.float64)
    nn.init.zeros_(model.weight)
    nn.init.zeros_(model.bias)
    opt = optim.LBFGS(model.parameters(), max_iter=iterations, line_search_fn="strong_wolfe",
                      tolerance_grad=1e-6)
    loss_fn = nn.CrossEntropyLoss()
    scale = l2 / (2 * max(len(X), 1))  # the mean loss: the penalty divided by N too

    def closure():
        opt.zero_grad()
        loss = loss_fn(model(Xt), yt) + (model.weight * model.weight).sum() * scale
        loss.backward()
        return loss

    with np.errstate(all="ignore"):
        opt.step(closure)
    return model


def fit_ridge(X: np.ndarray, y: np.ndarray, alpha: float = L2) -> tuple:
    """Ridge regression in closed form on centred data: ``(coef, intercept)`` (float64)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(len(X), -1)
    x_mean, y_mean = X.mean(axis=0), y.mean(axis=0)
    Xc = X - x_mean
    coef = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ (y - y_mean))
    return coef, y_mean - x_mean @ coef


def fit_baselines(splits: dict, spec: dict) -> dict | None:
    """``{"linear": metrics, "trivial": metrics}`` on the test split (None without one); both
    are fitted on the training split (``splits["train"]``), as the network is."""
    if splits.get("test") is None:
        return None
    (X, y), (Xt, yt) = splits["train"], splits["test"]
    if task(spec) == "classification":
        labels = classes(spec)
        model = fit_softmax(X, y, len(labels))
        with ember.no_grad():
            linear = model(ember.from_numpy(Xt.astype(np.float64)))
        majority = np.bincount(y, minlength=len(labels)).argmax()
        return {"linear": {"model": LINEAR_KIND["classification"],
                           **classification_metrics(yt, linear.numpy().argmax(axis=1), labels)},
                "trivial": {"model": TRIVIAL_KIND["classification"],
                            **classification_metrics(yt, np.full(len(yt), majority), labels)}}
    coef, intercept = fit_ridge(X, y)
    true = unscale_target(spec, yt)
    linear = unscale_target(spec, Xt.astype(np.float64) @ coef + intercept)
    if "window" in spec:   # inputs and target share one scaling: the window's last value
        kind, naive = TRIVIAL_KIND["forecasting"], Xt[:, -1:].astype(np.float64)
    else:
        kind, naive = TRIVIAL_KIND["regression"], np.full((len(yt), 1), np.mean(y, dtype=np.float64))
    trivial = unscale_target(spec, naive)
    return {"linear": {"model": LINEAR_KIND["regression"], **regression_metrics(true, linear)},
            "trivial": {"model": kind, **regression_metrics(true, trivial)}}


def score(metrics: dict) -> tuple:
    """``(name, value)`` of the number the models are compared on: accuracy, or R²."""
    return ("accuracy", metrics["accuracy"]) if "accuracy" in metrics else ("R²", metrics["r2"])


def comparison_rows(network: dict, baselines: dict) -> list:
    """``[(model, kind, metrics)]``: the network first, then the linear and trivial baselines."""
    kind = "classification" if "accuracy" in network else "regression"
    return [("network", "ember train", network),
            ("linear model", baselines["linear"].get("model", LINEAR_KIND[kind]), baselines["linear"]),
            ("trivial predictor", baselines["trivial"].get("model", TRIVIAL_KIND[kind]),
             baselines["trivial"])]


def verdict(network: dict, baselines: dict) -> str:
    """One sentence: does the network beat the linear baseline on the test split?"""
    name, net = score(network)
    _, lin = score(baselines["linear"])
    fmt = "{:.4f}".format
    if net > lin:
        return (f"The network beats the linear baseline on the test split ({name} {fmt(net)} "
                f"against {fmt(lin)}).")
    if net == lin:
        return (f"The network does not beat the linear baseline on the test split: both reach "
                f"{name} {fmt(net)}.")
    return (f"The network does not beat the linear baseline on the test split ({name} {fmt(net)} "
            f"against {fmt(lin)}): a linear model is enough for this data, or the network needs "
            f"other options.")


def comparison(network: dict | None, baselines: dict | None) -> dict | None:
    """The three models' headline scores for ``metrics.json``: ``{"metric", "network",
    "linear", "trivial", "beats_linear", "verdict"}``; None without a test split."""
    if not network or not baselines:
        return None
    name, net = score(network)
    lin, triv = score(baselines["linear"])[1], score(baselines["trivial"])[1]
    return {"metric": "r2" if name == "R²" else name, "network": net, "linear": lin,
            "trivial": triv, "beats_linear": bool(net > lin), "verdict": verdict(network, baselines)}


def console_lines(network: dict, baselines: dict) -> list:
    """The side-by-side comparison for the console: one line per model, then the verdict."""
    rows = comparison_rows(network, baselines)
    width = max(len(r[0]) for r in rows)
    lines = []
    for label, _, metrics in rows:
        name, value = score(metrics)
        extra = (f"  macro F1 {metrics['macro_f1']:.4f}" if "accuracy" in metrics
                 else f"  MAE {metrics['mae']:.4g}")
        lines.append(f"  {label:<{width}}  {name} {value:.4f}{extra}")
    return lines + [verdict(network, baselines)]
