"""Formats tensors the way torch prints them: ``tensor([-0.0955,  1.9813])``."""
from __future__ import annotations

import numpy as np

_PRECISION = 4
_LINEWIDTH = 80
_THRESHOLD = 1000
_EDGEITEMS = 3


def _float_formatter(values: np.ndarray):
    finite = values[np.isfinite(values)]
    nonzero = np.abs(finite[finite != 0])
    if finite.size and np.all(np.ceil(finite) == finite):
        if nonzero.size and (nonzero.max() / nonzero.min() > 1000.0 or nonzero.max() > 1.0e8):
            return lambda v: _sci(v)
        return lambda v: _nonfinite(v) or f"{v:.0f}."
    if nonzero.size and (nonzero.max() / nonzero.min() > 1000.0 or nonzero.max() > 1.0e8
                         or nonzero.min() < 1.0e-4):
        return lambda v: _sci(v)
    return lambda v: _nonfinite(v) or f"{v:.{_PRECISION}f}"


def _nonfinite(v) -> str:
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return ""


def _sci(v) -> str:
    return _nonfinite(v) or f"{v:.{_PRECISION}e}"


def _summarize(a: np.ndarray) -> np.ndarray:
    """The values shown when a large tensor is printed with '...'."""
    if a.ndim == 0:
        return a.reshape(1)
    if a.shape[0] > 2 * _EDGEITEMS:
        a = np.concatenate([a[:_EDGEITEMS], a[-_EDGEITEMS:]])
    if a.ndim == 1:
        return a
    return np.concatenate([_summarize(row) for row in a])


def _format_nd(a: np.ndarray, fmt, width: int, indent: int, summarize: bool) -> str:
    if a.ndim == 1:
        items = [" ..." if isinstance(v, str) else fmt(v).rjust(width) for v in _edge(a, summarize)]
        per_line = max(1, (_LINEWIDTH - indent) // (width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    rows = [r if isinstance(r, str) else _format_nd(r, fmt, width, indent + 1, summarize)
            for r in _edge(a, summarize)]
    return "[" + sep.join(rows) + "]"


def _edge(a: np.ndarray, summarize: bool):
    if summarize and a.shape[0] > 2 * _EDGEITEMS:
        return list(a[:_EDGEITEMS]) + ["..."] + list(a[-_EDGEITEMS:])
    return list(a)


def format_array(a: np.ndarray, indent: int) -> str:
    """The bracketed body of a tensor's repr (without the ``tensor(`` prefix)."""
    summarize = a.size > _THRESHOLD
    shown = _summarize(a) if summarize else a.ravel()
    if a.dtype.kind == "f":
        fmt = _float_formatter(shown.astype(np.float64))
    elif a.dtype.kind == "b":
        fmt = lambda v: "True" if v else "False"  # noqa: E731
    else:
        fmt = lambda v: str(int(v))  # noqa: E731
    width = max((len(fmt(v)) for v in shown), default=1)
    if a.ndim == 0:
        return fmt(a.item())
    return _format_nd(a, fmt, width, indent, summarize)


def tensor_repr(t, prefix: str = "tensor(") -> str:
    from . import _dtype

    a = t._data
    if a.size == 0 and a.shape != (0,):
        body = "[]"
    else:
        body = format_array(a, len(prefix))
    suffixes = []
    if a.size == 0 and a.shape != (0,):
        suffixes.append(f"size={tuple(a.shape)}")
    default_dtypes = (_dtype.get_default_dtype().np, np.dtype(np.int64), np.dtype(np.bool_))
    if a.dtype not in default_dtypes or (a.size == 0 and a.dtype != _dtype.get_default_dtype().np):
        suffixes.append(f"dtype={t.dtype!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name().rpartition('::')[2]}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, len(prefix))


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    """Appends ``, dtype=...`` etc., moving a suffix to its own line when it would pass the width."""
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > _LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)
