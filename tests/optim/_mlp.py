"""A small MLP built from engine ops, trained identically by ember and torch optimizers."""
from __future__ import annotations

import numpy as np

import ember

SHAPES = {"W1": (4, 8), "b1": (8,), "W2": (8, 3), "b2": (3,)}
N_BATCHES = 8


def initial_weights(dtype, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    return {name: (rng.standard_normal(shape) * 0.5).astype(dtype) for name, shape in SHAPES.items()}


def batches(dtype, seed: int = 1) -> list:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(N_BATCHES):
        x = rng.standard_normal((16, 4)).astype(dtype)
        y = np.tanh(x @ rng.standard_normal((4, 3))).astype(dtype)
        out.append((x, y))
    return out


def ember_params(weights: dict) -> list:
    return [ember.tensor(w.copy(), requires_grad=True) for w in weights.values()]


def torch_params(torch, weights: dict) -> list:
    return [torch.tensor(w.copy(), requires_grad=True) for w in weights.values()]


def ember_loss(params, x, y):
    w1, b1, w2, b2 = params
    h = ember.relu(ember.tensor(x) @ w1 + b1)
    return ((h @ w2 + b2 - ember.tensor(y)) ** 2).mean()


def torch_loss(torch, params, x, y):
    w1, b1, w2, b2 = params
    h = torch.relu(torch.tensor(x) @ w1 + b1)
    return ((h @ w2 + b2 - torch.tensor(y)) ** 2).mean()


def train_ember(opt, params, data, steps: int, start: int = 0) -> None:
    for i in range(start, start + steps):
        x, y = data[i % len(data)]
        opt.zero_grad()
        ember_loss(params, x, y).backward()
        opt.step()


def train_torch(torch, opt, params, data, steps: int) -> None:
    for i in range(steps):
        x, y = data[i % len(data)]
        opt.zero_grad()
        torch_loss(torch, params, x, y).backward()
        opt.step()
