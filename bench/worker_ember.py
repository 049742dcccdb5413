"""ember, through its two front doors: the torch-style loop and ember.keras ``fit``."""
from __future__ import annotations

import time

import numpy as np

import _harness as h
from specs import BETAS, DATA, E2E, EPS, LR


def _mlp(ember, sizes):
    nn = ember.nn
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _stepper(ember, sizes, x, y):
    model = _mlp(ember, sizes)
    opt = ember.optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS)
    loss_fn = ember.nn.CrossEntropyLoss()
    xt, yt = ember.from_numpy(x), ember.from_numpy(y)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
    return step, model


def task_step(cell, budget_s=0.5, warmup_s=0.1):
    import ember
    ember.manual_seed(0)
    sizes, x, y = h.step_data(cell)
    step, model = _stepper(ember, sizes, x, y)
    out = h.time_steps(step, budget_s, warmup_s=warmup_s)
    dtypes = {str(p._data.dtype) for p in model.parameters()}
    dtypes |= {str(p.grad._data.dtype) for p in model.parameters() if p.grad is not None}
    out["dtype"] = ",".join(sorted(dtypes))
    return out


def task_memory(cell="wide", steps=5):
    import ember
    ember.manual_seed(0)

    def build():
        sizes, x, y = h.step_data(cell)
        return _stepper(ember, sizes, x, y)[0]
    return h.memory_run(build, steps)


def _accuracy(logits, y):
    return float(np.mean(np.asarray(logits).argmax(1) == y))


def task_e2e(path, seed=0):
    """The torch-style loop: TensorDataset + DataLoader(shuffle) + Adam."""
    import ember
    from ember.utils.data import DataLoader, TensorDataset
    x_tr, y_tr, x_te, y_te = h.load_split(path)
    t0 = time.perf_counter()
    ember.manual_seed(seed)
    model = _mlp(ember, E2E["sizes"])
    opt = ember.optim.Adam(model.parameters(), lr=E2E["lr"])
    loss_fn = ember.nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(ember.from_numpy(x_tr), ember.from_numpy(y_tr)),
                        batch_size=E2E["batch"], shuffle=True)
    model.train()
    for _ in range(E2E["epochs"]):
        for xb, yb in loader:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
    wall = time.perf_counter() - t0
    model.eval()
    with ember.no_grad():
        logits = model(ember.from_numpy(x_te))._data
    return {"wall_s": wall, "accuracy": _accuracy(logits, y_te)}


def task_e2e_keras(path, seed=0):
    """ember.keras: Sequential of Dense layers, compile with Adam, fit."""
    import ember
    import ember.keras as keras
    x_tr, y_tr, x_te, y_te = h.load_split(path)
    sizes = E2E["sizes"]
    t0 = time.perf_counter()
    ember.manual_seed(seed)
    model = keras.Sequential([keras.Input(shape=(sizes[0],))]
                             + [keras.layers.Dense(n, activation="relu") for n in sizes[1:-1]]
                             + [keras.layers.Dense(sizes[-1])])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=E2E["lr"]),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x_tr, y_tr, batch_size=E2E["batch"], epochs=E2E["epochs"], shuffle=True, verbose=0)
    wall = time.perf_counter() - t0
    logits = model.predict(x_te, verbose=0)
    return {"wall_s": wall, "accuracy": _accuracy(logits, y_te)}


def task_data(rows=DATA["rows"], cols=DATA["cols"], batch=DATA["batch"], epochs=3):
    """Shuffled epochs of ember's DataLoader over a TensorDataset; the best one."""
    import ember
    from ember.utils.data import DataLoader, TensorDataset
    rng = np.random.default_rng(0)
    x = ember.from_numpy(rng.standard_normal((rows, cols), dtype=np.float32))
    y = ember.from_numpy(rng.integers(0, 10, size=rows).astype(np.int64))
    ember.manual_seed(0)

    def epoch():
        seen = 0
        for xb, yb in DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=True):
            seen += len(yb)
        return seen
    return h.best_epoch(epoch, epochs)


if __name__ == "__main__":
    h.main({"step": task_step, "memory": task_memory, "e2e": task_e2e, "e2e_keras": task_e2e_keras,
            "data": task_data})
