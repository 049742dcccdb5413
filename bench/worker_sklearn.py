"""scikit-learn's MLPClassifier with the end-to-end run's architecture, optimizer and schedule."""
from __future__ import annotations

import time
import warnings

import numpy as np

import _harness as h
from specs import E2E


def task_e2e(path, seed=0):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    x_tr, y_tr, x_te, y_te = h.load_split(path)
    t0 = time.perf_counter()
    clf = MLPClassifier(hidden_layer_sizes=tuple(E2E["sizes"][1:-1]), solver="adam",
                        batch_size=E2E["batch"], max_iter=E2E["epochs"],
                        learning_rate_init=E2E["lr"], tol=0, n_iter_no_change=1000,
                        random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x_tr, y_tr)
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "accuracy": float(np.mean(clf.predict(x_te) == y_te)),
            "epochs": int(clf.n_iter_)}


if __name__ == "__main__":
    h.main({"e2e": task_e2e})
