"""Runs a Keras 3 program on ember.keras by changing only its import lines.

``run_keras(name, "ember")`` reads ``keras_programs/<name>.py``, points ``import keras`` and
``from keras… import …`` at ``ember.keras``, executes it and returns what its ``main()``
returns; ``run_keras(name, "keras")`` runs it unchanged on Keras 3 (torch backend).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

PROGRAMS = Path(__file__).parent / "keras_programs"

_FROM = re.compile(r"^(\s*)from\s+keras\b", re.M)
_IMPORT = re.compile(r"^(\s*)import\s+keras\s*$", re.M)
_TORCH = re.compile(r"^(\s*)import\s+torch\s*$", re.M)


def ember_keras_source(source: str) -> str:
    """``source`` with ``import keras`` and ``from keras… import`` lines pointed at ember.keras
    (and ``import torch``, which Keras's torch-backend guides use, at ember)."""
    out = _IMPORT.sub(lambda m: f"{m.group(1)}import ember.keras as keras", source)
    out = _TORCH.sub(lambda m: f"{m.group(1)}import ember as torch", out)
    return _FROM.sub(lambda m: f"{m.group(1)}from ember.keras", out)


def run_keras(name: str, library: str):
    """Executes the program with ``library`` ("keras" or "ember"); returns its ``main()``."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    path = PROGRAMS / f"{name}.py"
    source = path.read_text()
    if library == "ember":
        source = ember_keras_source(source)
    namespace = {"__name__": f"keras_program_{name}", "__file__": str(path)}
    exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 - the repository's own programs
    return namespace["main"]()
