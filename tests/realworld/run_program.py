"""Runs a PyTorch program on ember by changing only its import lines.

``run(path, "ember")`` reads the program's source, rewrites ``import torch``,
``import torch.nn as nn``, ``from torch import nn``, ``from torch.utils.data import …`` (and
the like) to the same names from ``ember``, executes it, and returns what its ``main()`` returns;
``run(path, "torch")`` runs it unchanged. Nothing else in the source is touched.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

PROGRAMS = Path(__file__).parent / "programs"

_IMPORT = re.compile(r"^(\s*)(import|from)\s+torch\b", re.M)


def ember_source(source: str) -> str:
    """``source`` with every ``import torch…``/``from torch… import`` line pointed at ember."""
    def swap(m: re.Match) -> str:
        return f"{m.group(1)}{m.group(2)} ember"
    out = _IMPORT.sub(swap, source)
    # "import ember" binds the name ember; programs refer to torch
    return re.sub(r"^(\s*)import ember$", r"\1import ember as torch", out, flags=re.M)


def run(name: str, library: str):
    """Executes ``programs/<name>.py`` with ``library`` ("torch" or "ember"); returns ``main()``."""
    path = PROGRAMS / f"{name}.py"
    source = path.read_text()
    if library == "ember":
        source = ember_source(source)
    namespace = {"__name__": f"program_{name}", "__file__": str(path)}
    exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 - the repository's own programs
    return namespace["main"]()


def assert_same(e, t, rtol=1e-4, atol=1e-5, path="result") -> None:
    """Nested results (dicts, lists, numbers, arrays, strings) agree between ember and torch."""
    if isinstance(t, dict):
        assert set(e) == set(t), (path, set(e) ^ set(t))
        for k in t:
            assert_same(e[k], t[k], rtol, atol, f"{path}[{k!r}]")
    elif isinstance(t, (list, tuple)):
        assert len(e) == len(t), (path, len(e), len(t))
        for i, (a, b) in enumerate(zip(e, t)):
            assert_same(a, b, rtol, atol, f"{path}[{i}]")
    elif isinstance(t, str):
        assert e == t.replace("torch", "ember") or e == t, (path, e, t)
    else:
        np.testing.assert_allclose(np.asarray(e, dtype=np.float64), np.asarray(t, dtype=np.float64),
                                   rtol=rtol, atol=atol, err_msg=path)
