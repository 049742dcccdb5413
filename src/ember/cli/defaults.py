"""Training defaults that scale with the data: ``ember train``'s batch size, epochs, patience and
L2 penalty, chosen from the number of training rows once the data is split.

* **batch size**: the power of two at or below ``sqrt(rows)``, within [16, 256] (16 for 100
  rows, 32 for digits' 1,257, 256 from 65,536 rows on).
* **epochs**: a budget of optimizer steps (``--steps``, default :data:`STEP_BUDGET`) turned into
  epochs at that batch size, within [:data:`MIN_EPOCHS`, :data:`MAX_EPOCHS`].
* **early stopping** on the validation loss, restoring the best weights: a patience of about
  :data:`PATIENCE_STEPS` steps, within [5, 20] epochs.
* **L2 penalty** on the weights: :data:`L2_ROWS` / rows (a prior worth a fixed number of rows,
  so it fades as data grows: 0.05 for 100 rows, 5e-5 for 100,000).

With ``--swa`` (weights averaged over the last epochs) early stopping is off unless given.

An option given explicitly (command line or ``--config``) always wins; ``--epochs`` wins over
``--steps``. The chosen values are written into the run's ``config.json``, so ``--resume``
continues with them.

Example::

    >>> resolve({"batch_size": None, "epochs": None, "steps": None, "early_stopping": None,
    ...          "l2": None}, n_train=105)
    {'batch_size': 16, 'steps': 3000, 'epochs': 429, 'early_stopping': 20, 'l2': 0.0476}
"""
from __future__ import annotations

import math

STEP_BUDGET = 3000
MIN_EPOCHS, MAX_EPOCHS = 10, 1000
MIN_BATCH, MAX_BATCH = 16, 256
PATIENCE_STEPS = 600
MIN_PATIENCE, MAX_PATIENCE = 5, 20
L2_ROWS = 5.0

# The options this module fills in when they are left out (None).
AUTO = ("batch_size", "steps", "epochs", "early_stopping", "l2")


def batch_size(n_train: int) -> int:
    """The default batch: the power of two at or below ``sqrt(n_train)``, within [16, 256]."""
    power = 1 << max(0, int(math.isqrt(max(n_train, 1))).bit_length() - 1)
    return max(MIN_BATCH, min(MAX_BATCH, power))


def steps_per_epoch(n_train: int, batch) -> int:
    return 1 if batch == "full" else math.ceil(n_train / min(batch, max(n_train, 1)))


def epochs(n_train: int, batch, steps: int = STEP_BUDGET) -> int:
    """Epochs that make about ``steps`` optimizer steps, within [MIN_EPOCHS, MAX_EPOCHS]."""
    return max(MIN_EPOCHS, min(MAX_EPOCHS, math.ceil(steps / steps_per_epoch(n_train, batch))))


def patience(n_train: int, batch) -> int:
    """Epochs without a better validation loss before stopping: about PATIENCE_STEPS steps."""
    return max(MIN_PATIENCE, min(MAX_PATIENCE, math.ceil(PATIENCE_STEPS / steps_per_epoch(n_train, batch))))


def l2(n_train: int) -> float:
    """The default L2 penalty: ``L2_ROWS / n_train``, rounded to 3 significant digits."""
    return float(f"{L2_ROWS / max(n_train, 1):.3g}")


def resolve(cfg: dict, n_train: int) -> dict:
    """Fills every option of :data:`AUTO` that is None in ``cfg`` (in place) for ``n_train``
    training rows; returns the values it chose."""
    chosen = {}
    if cfg.get("batch_size") is None:
        chosen["batch_size"] = cfg["batch_size"] = batch_size(n_train)
    if cfg.get("steps") is None:
        chosen["steps"] = cfg["steps"] = STEP_BUDGET
    if cfg.get("epochs") is None:
        chosen["epochs"] = cfg["epochs"] = epochs(n_train, cfg["batch_size"], cfg["steps"])
    if cfg.get("early_stopping") is None and cfg.get("swa"):
        chosen["early_stopping"] = cfg["early_stopping"] = 0  # averaging replaces choosing an epoch
    if cfg.get("early_stopping") is None:
        chosen["early_stopping"] = cfg["early_stopping"] = patience(n_train, cfg["batch_size"])
    if cfg.get("l2") is None:
        chosen["l2"] = cfg["l2"] = l2(n_train)
    return chosen
