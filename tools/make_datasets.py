"""Derives ember's bundled data sets from scikit-learn's bundled copies (run once, by hand).

Writes ``src/ember/datasets/data/<name>.npz`` (arrays ``X`` and ``y``, no pickled objects)
and ``src/ember/datasets/data/names.json`` (feature and class names). scikit-learn is only
needed to run this script, never at run time.

Run: python tools/make_datasets.py
"""
from __future__ import annotations

import json
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


if __name__ == "__main__":
    main()
