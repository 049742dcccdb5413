"""Keras 3 on its torch backend (KERAS_BACKEND=torch), for the end-to-end run."""
from __future__ import annotations

import os
import time

import numpy as np

os.environ["KERAS_BACKEND"] = "torch"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import _harness as h  # noqa: E402
from specs import E2E  # noqa: E402


def task_e2e(path, seed=0):
    import torch
    torch.set_num_threads(h.cpu_count())
    import keras
    if keras.backend.backend() != "torch":
        raise RuntimeError(f"keras backend is {keras.backend.backend()!r}, expected 'torch'")
    x_tr, y_tr, x_te, y_te = h.load_split(path)
    sizes = E2E["sizes"]
    t0 = time.perf_counter()
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(sizes[0],))]
                             + [keras.layers.Dense(n, activation="relu") for n in sizes[1:-1]]
                             + [keras.layers.Dense(sizes[-1])])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=E2E["lr"]),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x_tr, y_tr, batch_size=E2E["batch"], epochs=E2E["epochs"], shuffle=True, verbose=0)
    wall = time.perf_counter() - t0
    logits = np.asarray(model.predict(x_te, verbose=0))
    return {"wall_s": wall, "accuracy": float(np.mean(logits.argmax(1) == y_te)),
            "version": keras.__version__}


if __name__ == "__main__":
    h.main({"e2e": task_e2e})
