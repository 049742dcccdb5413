"""Runs one expression on ember and on torch and compares what comes back (or what is raised).

``twin(expr)`` evaluates ``expr`` with ``m`` bound to the library (and ``F``/``nn`` to its
``nn.functional``/``nn``), returns a normalised outcome per library: ``("error", type name,
message)``, or ``("value", kind, payload)`` where tensors become arrays and torch's own type
names (``torch.Size``, ``torch.float32``) read as ember's.
"""
from __future__ import annotations

import warnings

import numpy as np

import ember


def _normal(value):
    import torch
    if isinstance(value, (torch.Tensor, ember.Tensor)):
        arr = value.detach().numpy() if hasattr(value, "detach") else value.numpy()
        return ("tensor", str(value.dtype).split(".")[-1], np.array(arr, copy=True))
    if isinstance(value, (tuple, list)) and not isinstance(value, (torch.Size, ember.Size)):
        return (type(value).__name__ if type(value) in (tuple, list) else "tuple",
                [_normal(v) for v in value])
    if isinstance(value, (torch.Size, ember.Size)):
        return ("Size", tuple(value))
    if isinstance(value, (torch.dtype, ember.dtype)):
        return ("dtype", str(value).split(".")[-1])
    if isinstance(value, (torch.device, ember.device)):
        return ("device", str(value))
    if isinstance(value, str):
        return ("value", value.replace("torch.", "ember."))
    return ("value", value)


def outcome(lib, expr: str, **names):
    env = {"m": lib, "F": lib.nn.functional, "nn": lib.nn, "np": np, **names}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _normal(eval(expr, env))  # noqa: S307 - the test tables' own expressions
        except Exception as e:  # noqa: BLE001 - the error itself is the outcome
            return ("error", type(e).__name__, str(e).replace("torch.", "ember.").replace(
                "Torch not compiled", "Torch not compiled"))


def same(a, b, rtol=1e-6, atol=1e-7) -> bool:
    if type(a) is not type(b) or len(a) != len(b):
        return False
    if a[0] == "tensor":
        return (a[1] == b[1] and a[2].shape == b[2].shape
                and np.allclose(a[2], b[2], rtol=rtol, atol=atol, equal_nan=True))
    if a[0] in ("list", "tuple") and isinstance(a[1], list):
        return len(a[1]) == len(b[1]) and all(same(x, y, rtol, atol) for x, y in zip(a[1], b[1]))
    if a[0] == "value" and isinstance(a[1], float) and isinstance(b[1], float):
        return np.isclose(a[1], b[1], rtol=rtol, atol=atol, equal_nan=True)
    return a == b


def assert_twin(expr: str, message: bool = True, **names) -> None:
    """``expr`` gives the same result (or the same error) on ember as on torch."""
    import torch
    e, t = outcome(ember, expr, **names), outcome(torch, expr, **names)
    if e[0] == "error" and t[0] == "error":
        assert e[1] == t[1], (expr, e, t)
        if message:
            assert e[2] == t[2], (expr, e, t)
        return
    assert same(e, t), (expr, e, t)
