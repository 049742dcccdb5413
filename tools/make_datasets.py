"""Derives ember's bundled data sets from scikit-learn's bundled copies (run once, by hand).

Writes ``src/ember/datasets/data/<name>.npz`` (arrays ``X`` and ``y``, no pickled objects)
and ``src/ember/datasets/data/names.json`` (feature and class names). scikit-learn is only
needed to run this script, never at run time.

Run: python tools/make_datasets.py
     python tools/make_datasets.py --sunspots path/to/sunspots.csv   (from the statsmodels
     wheel: statsmodels/datasets/sunspots/sunspots.csv; columns YEAR, SUNACTIVITY)
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn import datasets

OUT = Path(__file__).resolve().parent.parent / "src" / "ember" / "datasets" / "data"


def _exact_dtype(X: np.ndarray) -> np.ndarray:
    """The smallest dtype that holds ``X`` exactly (uint8 for 0..255 integers, else float64)."""
    if np.all(X == np.round(X)) and X.min() >= 0 and X.max() <= 255:
        return X.astype(np.uint8)
    return X.astype(np.float64)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    sources = {
        "iris": datasets.load_iris(),
        "wine": datasets.load_wine(),
        "breast_cancer": datasets.load_breast_cancer(),
        "digits": datasets.load_digits(),
        "diabetes": datasets.load_diabetes(scaled=False),  # ember scales at load time
    }
    names = {}
    for name, bunch in sources.items():
        X = _exact_dtype(np.asarray(bunch.data))
        y = np.asarray(bunch.target)
        y = y.astype(np.int64) if name != "diabetes" else y.astype(np.float64)
        np.savez_compressed(OUT / f"{name}.npz", X=X, y=y)
        target_names = getattr(bunch, "target_names", None)
        names[name] = {
            "feature_names": [str(f) for f in bunch.feature_names],
            "target_names": None if target_names is None else [str(t) for t in target_names],
        }
    names["_generated_from"] = f"scikit-learn {sklearn.__version__}"
    (OUT / "names.json").write_text(json.dumps(names, indent=1) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(sources)} data sets to {OUT} ({total / 1024:.0f} KiB in all)")


def sunspots(path: str) -> None:
    """Writes ``sunspots.npz``: ``X`` the years (int16, one column) and ``y`` the sunspot
    numbers times 10 (uint16; exact, the values have one decimal)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    years = np.array([int(r["YEAR"]) for r in rows], np.int16)
    values = np.array([float(r["SUNACTIVITY"]) for r in rows])
    tenths = np.round(values * 10).astype(np.uint16)
    if not np.allclose(tenths / 10, values) or not np.all(np.diff(years) == 1):
        raise SystemExit("unexpected sunspots.csv: values must have one decimal, years consecutive")
    np.savez_compressed(OUT / "sunspots.npz", X=years[:, None], y=tenths)
    print(f"wrote {len(years)} years ({years[0]}-{years[-1]}) to {OUT / 'sunspots.npz'}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--sunspots":
        sunspots(sys.argv[2])
    else:
        main()
