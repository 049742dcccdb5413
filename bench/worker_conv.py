"""The LeNet-5 cells for one framework: a training step, peak memory, and the convolutions alone.

Run by ``bench_conv.py`` (and so by ``run.py``) as
``python bench/worker_conv.py step '{"framework": "ember", "batch": 32, "threads": 1}'``;
prints one ``RESULT {json}`` line. Frameworks: ``ember`` (its torch-style API), ``torch``
(eager) and ``keras`` (Keras 3 on the torch backend, ``train_on_batch``). The BLAS/intra-op
thread count is set in-process (threadpoolctl for NumPy's OpenBLAS, ``torch.set_num_threads``).

The network (LeNet-5 with ReLU): 1×28×28 → conv 6@5×5 pad 2 → ReLU → max-pool 2 → conv 16@5×5 →
ReLU → max-pool 2 → 400 → 120 → 84 → 10, Adam (lr 1e-3), cross-entropy on logits.
"""
from __future__ import annotations

import os

import numpy as np

import _harness as h

# multiply-add FLOPs of the two convolutions per sample: forward, weight gradient, and the input
# gradient of the second (the first one's input needs none)
CONV1 = 2 * (6 * 28 * 28) * (1 * 5 * 5)
CONV2 = 2 * (16 * 10 * 10) * (6 * 5 * 5)
CONV_FLOPS_PER_SAMPLE = 2 * CONV1 + 3 * CONV2


def _limit_threads(threads: int):
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=threads)


def _data(batch: int, channels_last: bool = False):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 1, 28, 28), dtype=np.float32)
    if channels_last:
        x = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
    return x, rng.integers(0, 10, size=batch).astype(np.int64)


def _lenet(m):
    nn = m.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def _torch_like(framework: str, threads: int):
    _limit_threads(threads)
    if framework == "torch":
        import torch as m
        m.set_num_threads(threads)
    else:
        import ember as m
    return m


def _stepper(framework: str, batch: int, threads: int):
    """A closure running one training step, built for ``framework``."""
    if framework == "keras":
        os.environ.setdefault("KERAS_BACKEND", "torch")
        _limit_threads(threads)
        import torch
        torch.set_num_threads(threads)
        import keras
        from keras import layers
        keras.utils.set_random_seed(0)
        model = keras.Sequential([
            keras.Input((28, 28, 1)), layers.Conv2D(6, 5, padding="same", activation="relu"),
            layers.MaxPooling2D(), layers.Conv2D(16, 5, activation="relu"), layers.MaxPooling2D(),
            layers.Flatten(), layers.Dense(120, activation="relu"),
            layers.Dense(84, activation="relu"), layers.Dense(10)])
        model.compile(optimizer=keras.optimizers.Adam(1e-3),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        x, y = _data(batch, channels_last=True)
        return lambda: model.train_on_batch(x, y)
    m = _torch_like(framework, threads)
    m.manual_seed(0)
    model = _lenet(m)
    opt = m.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = m.nn.CrossEntropyLoss()
    xn, yn = _data(batch)
    x, y = m.from_numpy(xn), m.from_numpy(yn)

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def task_step(framework: str, batch: int, threads: int, budget_s: float = 0.5) -> dict:
    out = h.time_steps(_stepper(framework, batch, threads), budget_s, min_steps=10, warmup_s=0.2)
    out["threads"] = threads
    return out


def task_memory(framework: str, batch: int, threads: int = 1, steps: int = 5) -> dict:
    return h.memory_run(lambda: _stepper(framework, batch, threads), steps)


def task_conv(framework: str, batch: int, threads: int, budget_s: float = 0.3) -> dict:
    """The two convolutions alone, forward and backward (as in the step): GFLOP/s."""
    m = _torch_like(framework, threads)
    m.manual_seed(0)
    conv1, conv2 = m.nn.Conv2d(1, 6, 5, padding=2), m.nn.Conv2d(6, 16, 5)
    rng = np.random.default_rng(0)
    x1 = m.from_numpy(rng.standard_normal((batch, 1, 28, 28), dtype=np.float32))
    x2 = m.from_numpy(rng.standard_normal((batch, 6, 14, 14), dtype=np.float32)).requires_grad_()
    g1 = m.from_numpy(np.ones((batch, 6, 28, 28), np.float32))
    g2 = m.from_numpy(np.ones((batch, 16, 10, 10), np.float32))

    def step():
        conv1(x1).backward(g1)
        conv2(x2).backward(g2)
    out = h.time_steps(step, budget_s, min_steps=10, warmup_s=0.1)
    out["gflops"] = CONV_FLOPS_PER_SAMPLE * batch / out["median_s"] / 1e9
    out["threads"] = threads
    return out


if __name__ == "__main__":
    h.main({"step": task_step, "memory": task_memory, "conv": task_conv})
