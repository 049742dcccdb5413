"""The catalogue of data sets ember knows by name: ``list()`` and ``load(name)`` (for the CLI)."""
from __future__ import annotations

from collections import namedtuple

from . import bundled, generators, sequences
from ._bunch import Bunch

__all__ = ["DatasetInfo", "list_datasets", "load"]

DatasetInfo = namedtuple("DatasetInfo", ["name", "task", "shape"])

_BUNDLED = {"iris": (bundled.load_iris, (150, 4)), "wine": (bundled.load_wine, (178, 13)),
            "breast_cancer": (bundled.load_breast_cancer, (569, 30)),
            "digits": (bundled.load_digits, (1797, 64)), "diabetes": (bundled.load_diabetes, (442, 10)),
            "sunspots": (sequences.load_sunspots, (309, 1))}
_GENERATED = {"xor": (generators.make_xor, "binary", (200, 2)),
              "moons": (generators.make_moons, "binary", (100, 2)),
              "circles": (generators.make_circles, "binary", (100, 2)),
              "spirals": (generators.make_spirals, "multiclass", (300, 2)),
              "blobs": (generators.make_blobs, "multiclass", (100, 2)),
              "regression": (generators.make_regression, "regression", (100, 10))}


def list_datasets() -> list:
    """Every data set ``load`` knows: ``(name, task, shape)`` rows, bundled ones first, then
    generators (with their default sizes).

    Example::

        >>> ember.datasets.list()[0]
        DatasetInfo(name='iris', task='multiclass', shape=(150, 4))
    """
    rows = [DatasetInfo(name, bundled.TASKS.get(name, "regression"), shape)
            for name, (_, shape) in _BUNDLED.items()]
    rows += [DatasetInfo(name, task, shape) for name, (_, task, shape) in _GENERATED.items()]
    return rows


def load(name: str, **kwargs) -> Bunch:
    """A data set by name as a :class:`Bunch` (generators take their usual keyword arguments).

    Example::

        >>> ember.datasets.load("moons", n_samples=50, random_state=0).X.shape
        (50, 2)
    """
    if name in _BUNDLED:
        return _BUNDLED[name][0](**kwargs)
    if name in _GENERATED:
        make, task, _ = _GENERATED[name]
        X, y = make(**kwargs)[:2]
        classes = None if task == "regression" else [str(k) for k in range(int(y.max()) + 1)]
        task = task if task == "regression" else ("binary" if len(classes) == 2 else "multiclass")
        return Bunch(name=name, X=X, y=y, feature_names=[f"x{i}" for i in range(X.shape[1])],
                     target_names=classes, description=f"Synthetic {name} data from make_{name}"
                     f"({', '.join(f'{k}={v!r}' for k, v in kwargs.items())}).", task=task)
    known = ", ".join(list(_BUNDLED) + list(_GENERATED))
    raise ValueError(f"unknown data set {name!r}; known data sets: {known}")
