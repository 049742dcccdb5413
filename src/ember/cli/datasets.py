"""``ember datasets``: the bundled data sets and generators that DATA can name."""
from __future__ import annotations

from .data import _GENERATOR_ARGS, BUNDLED, GENERATORS


def add_arguments(parser) -> None:
    pass


def _rows() -> list:
    try:
        from .. import datasets
        listed = datasets.list()
    except (ImportError, AttributeError):
        listed = None
    rows = []
    for entry in listed or []:
        get = entry.get if isinstance(entry, dict) else (lambda k, e=entry: getattr(e, k, None))
        name, task, shape = get("name"), get("task"), get("shape")
        if name in _GENERATOR_ARGS and shape:
            args = _GENERATOR_ARGS[name]
            shape = (args["n_samples"], args.get("n_features", tuple(shape)[-1]))
        if name in BUNDLED or name in GENERATORS:
            rows.append((str(name), str(task or ""), "×".join(map(str, shape)) if shape else ""))
    known = {r[0] for r in rows}
    rows += [(n, "", "bundled") for n in BUNDLED if n not in known]
    rows += [(n, "", "generated") for n in GENERATORS if n not in known]
    return rows


def run(args) -> int:
    rows = _rows()
    width = max(len(r[0]) for r in rows) + 2
    print(f"{'name':<{width}}{'task':<16}shape")
    for name, task, shape in rows:
        print(f"{name:<{width}}{task:<16}{shape}")
    print("\nor a CSV file: ember train data.csv --target COLUMN")
    return 0
