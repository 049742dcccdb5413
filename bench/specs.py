"""What the suite measures: the training-step cells, the end-to-end task, the data and memory runs.

Shared by the orchestrator (``run.py``) and every worker, so each framework builds the
same network on the same shapes.
"""
from __future__ import annotations

# name -> (layer sizes, batch size)
STEP_CELLS = {
    "xor": ((2, 4, 1), 4),
    "tabular": ((8, 16, 3), 32),
    "digits": ((64, 128, 10), 64),
    "mnist-b32": ((784, 256, 128, 10), 32),
    "mnist-b128": ((784, 256, 128, 10), 128),
    "wide": ((784, 1024, 1024, 10), 256),
}
# cells reported in GFLOP/s against the machine's matmul peak
FLOP_CELLS = ("mnist-b128", "wide")
# cells where per-op overhead dominates (looser ember/NumPy target)
SMALL_CELLS = ("xor", "tabular")
LARGE_CELLS = ("mnist-b32", "mnist-b128", "wide")

LR = 1e-3
BETAS = (0.9, 0.999)
EPS = 1e-8

E2E = {"sizes": (64, 128, 10), "batch": 64, "epochs": 30, "lr": 1e-3}
DATA = {"rows": 1_000_000, "cols": 32, "batch": 256}
MEMORY_CELL = "wide"


def n_classes(sizes) -> int:
    """The xor cell has one output unit; cross-entropy needs two classes, so it uses 2 logits."""
    return max(sizes[-1], 2)


def layer_sizes(sizes) -> tuple:
    """The sizes actually built: the last layer widened to ``n_classes``."""
    return tuple(sizes[:-1]) + (n_classes(sizes),)


def step_flops(sizes, batch: int) -> int:
    """Matmul FLOPs of one training step: forward, grad of weights, grad of inputs (not of x)."""
    sizes = layer_sizes(sizes)
    total = 0
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        per = 2 * batch * a * b
        total += per * (2 if i == 0 else 3)
    return total
