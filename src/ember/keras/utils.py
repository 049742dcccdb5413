"""Small Keras utilities: ``to_categorical``, ``set_random_seed`` and ``clear_session``.

Example::

    >>> keras.utils.to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
"""
from __future__ import annotations

import random as _pyrandom

import numpy as np

from .. import random as _random


def to_categorical(x, num_classes=None) -> np.ndarray:
    """One-hot encodes integer class labels (a trailing axis of size 1 is dropped), as float32."""
    labels = np.asarray(x)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.size and (labels.min() < 0 or not np.all(labels == np.round(labels))):
        raise ValueError(f"to_categorical expects non-negative integer labels, received min "
                         f"{labels.min()}")
    labels = labels.astype(np.int64)
    n = int(labels.max()) + 1 if num_classes is None else int(num_classes)
    if labels.size and labels.max() >= n:
        raise ValueError(f"Label {int(labels.max())} is out of range for num_classes={n}")
    return np.eye(n, dtype=np.float32)[labels]


def set_random_seed(seed: int) -> None:
    """Seeds ember's global generator, NumPy's legacy global one and Python's ``random``, and
    re-creates ``keras.random``'s global SeedGenerator from them (Keras's reproducibility)."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} "
                         f"(of type {type(seed)})")
    from .random import reset_global_seed_generator
    reset_global_seed_generator()
    _random.manual_seed(seed)
    np.random.seed(seed % (2 ** 32))
    _pyrandom.seed(seed)


def clear_session() -> None:
    """Forgets the automatic layer names given so far (the next Dense is ``dense`` again), as
    ``keras.utils.clear_session()`` does."""
    from ._utils import _NAME_COUNTS
    _NAME_COUNTS.clear()
