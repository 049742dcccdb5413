"""DataLoader epoch cost vs slicing the NumPy arrays by hand (1,000,000 x 32 float32, batch 256).

Run: PYTHONPATH=src python bench/bench_dataloader.py
"""
import time

import numpy as np

import ember
from ember.utils.data import DataLoader, TensorDataset

N, D, BS = 1_000_000, 32, 256


def best_ms(fn, repeats=7):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def main():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, D), dtype=np.float32)
    y = rng.integers(0, 10, N)
    ds = TensorDataset(ember.from_numpy(X), ember.from_numpy(y))
    def hand_views():
        for i in range(0, N, BS):
            X[i:i + BS], y[i:i + BS]

    def hand_copies():
        for i in range(0, N, BS):
            X[i:i + BS].copy(), y[i:i + BS].copy()

    def hand_fancy():
        perm = rng.permutation(N)
        for i in range(0, N, BS):
            j = perm[i:i + BS]
            X[j], y[j]

    def loader(shuffle, workers=0):
        dl = DataLoader(ds, batch_size=BS, shuffle=shuffle, num_workers=workers)
        return lambda: [None for _ in dl]

    rows = [("hand slicing, views", best_ms(hand_views)),
            ("hand slicing, copies", best_ms(hand_copies)),
            ("DataLoader shuffle=False", best_ms(loader(False))),
            ("hand fancy-indexing, fresh permutation", best_ms(hand_fancy)),
            ("DataLoader shuffle=True", best_ms(loader(True))),
            ("DataLoader shuffle=True, num_workers=2", best_ms(loader(True, 2), repeats=3))]
    for name, ms in rows:
        print(f"{name:<42} {ms:8.1f} ms/epoch")
    base = dict(rows)
    print(f"shuffle=False / hand copies : {base['DataLoader shuffle=False'] / base['hand slicing, copies']:.2f}x")
    print(f"shuffle=False / hand views  : {base['DataLoader shuffle=False'] / base['hand slicing, views']:.2f}x")
    print(f"shuffle=True  / hand fancy  : {base['DataLoader shuffle=True'] / base['hand fancy-indexing, fresh permutation']:.2f}x")


if __name__ == "__main__":
    main()
