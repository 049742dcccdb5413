"""``ember datasets``: the data sets DATA can name (``ember.datasets.list()``), at the sizes
``ember train`` uses."""
from __future__ import annotations

from .. import datasets
from .data import GENERATOR_ARGS


def add_arguments(parser) -> None:
    pass


def _rows() -> list:
    rows = []
    for info in datasets.list():
        shape = tuple(info.shape)
        if info.name in GENERATOR_ARGS:  # train draws its own number of samples
            args = GENERATOR_ARGS[info.name]
            shape = (args["n_samples"], args.get("n_features", shape[-1]))
        rows.append((info.name, info.task, "×".join(map(str, shape))))
    return rows


def run(args) -> int:
    rows = _rows()
    width = max(len(r[0]) for r in rows) + 2
    print(f"{'name':<{width}}{'task':<16}shape")
    for name, task, shape in rows:
        print(f"{name:<{width}}{task:<16}{shape}")
    print("\nor a CSV file: ember train data.csv --target COLUMN")
    return 0
