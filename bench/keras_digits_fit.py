"""Times ``fit`` of the 64-128-10 model on the bundled digits (20 epochs, batch 32, Adam):
ember.keras against Keras 3 on the torch backend (when installed).

Run: ``PYTHONPATH=src python bench/keras_digits_fit.py [--repeat 3]``
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys

CHILD = r"""
import os, sys, time
os.environ["KERAS_BACKEND"] = "torch"
import numpy as np
from ember.datasets import load_digits
d = load_digits()
X = (d.data / 16.0).astype(np.float32); y = d.target.astype(np.int64)
if sys.argv[1] == "ember":
    import ember
    keras = ember.keras
    ember.manual_seed(0)
else:
    import keras
    keras.utils.set_random_seed(0)

def build():
    m = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(128, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m

build().fit(X[:64], y[:64], epochs=1, batch_size=32, verbose=0)  # warm-up (imports, first calls)
m = build()
t = time.perf_counter()
h = m.fit(X, y, epochs=20, batch_size=32, verbose=0)
print(time.perf_counter() - t, h.history["loss"][-1], h.history["accuracy"][-1])
"""


def run(which: str) -> tuple[float, float, float] | None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(["src", os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", CHILD, which], capture_output=True, text=True,
                          env=env)
    if proc.returncode != 0:
        if which == "keras" and "No module named 'keras'" in proc.stderr:
            return None
        raise RuntimeError(proc.stderr)
    seconds, loss, acc = (float(v) for v in proc.stdout.split()[-3:])
    return seconds, loss, acc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("fit 64-128-10 on digits (1797 samples), 20 epochs, batch 32, Adam; best of "
          f"{args.repeat} runs, each in a fresh process")
    for which in ("ember", "keras"):
        runs = [run(which) for _ in range(args.repeat)]
        if runs[0] is None:
            print(f"{which:>6}: not installed")
            continue
        best = min(runs)
        print(f"{which:>6}: {best[0]:.2f} s  ({best[0] / (20 * 57) * 1e3:.2f} ms/step)  "
              f"final loss {best[1]:.4f}  accuracy {best[2]:.4f}")


if __name__ == "__main__":
    main()
