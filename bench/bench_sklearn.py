"""ember.sklearn against scikit-learn's MLP at the same architecture and epochs.

For each bundled set: standardized features, a stratified 75/25 split, the same hidden layers,
Adam, learning rate, L2 penalty, batch size and number of epochs (early stopping off, tolerance
off so both run every epoch). Reports the test score and the fit time (minimum over repeats).

Example::

    python bench/bench_sklearn.py --epochs 50 --repeats 3
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from ember import datasets
from ember.sklearn import NeuralNetClassifier, NeuralNetRegressor

SETS = {"iris": "clf", "wine": "clf", "breast_cancer": "clf", "digits": "clf", "diabetes": "reg"}


def _data(name):
    data = getattr(datasets, f"load_{name}")()
    X, y = np.asarray(data.data, np.float64), np.asarray(data.target)
    if SETS[name] == "reg":
        y = (y - y.mean()) / y.std()
    split = train_test_split(X, y, test_size=0.25, random_state=0,
                             stratify=y if SETS[name] == "clf" else None)
    scaler = StandardScaler().fit(split[0])
    return scaler.transform(split[0]), scaler.transform(split[1]), split[2], split[3]


def _pair(kind, hidden, epochs):
    common = dict(hidden_layer_sizes=hidden, learning_rate_init=1e-3, alpha=1e-4,
                  batch_size="auto", max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1,
                  random_state=0)
    if kind == "clf":
        return MLPClassifier(solver="adam", **common), NeuralNetClassifier(**common)
    return MLPRegressor(solver="adam", **common), NeuralNetRegressor(**common)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hidden", type=int, nargs="+", default=[100])
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(f"| set | sklearn score | ember score | sklearn fit s | ember fit s | speed-up |")
    print("|---|---|---|---|---|---|")
    for name, kind in SETS.items():
        X_train, X_test, y_train, y_test = _data(name)
        results = []
        for estimator in _pair(kind, tuple(args.hidden), args.epochs):
            times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                estimator.fit(X_train, y_train)
                times.append(time.perf_counter() - start)
            results.append((estimator.score(X_test, y_test), min(times)))
        (s_score, s_time), (e_score, e_time) = results
        print(f"| {name} | {s_score:.4f} | {e_score:.4f} | {s_time:.3f} | {e_time:.3f} | "
              f"{s_time / e_time:.2f}x |")


if __name__ == "__main__":
    main()
