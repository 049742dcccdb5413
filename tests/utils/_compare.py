"""Turns ember and torch batches into the same plain structure so tests can compare them."""
import numpy as np

import ember


def plain(obj):
    """Tensors → ('tensor', dtype name, ndarray); containers keep their kind; rest as is."""
    if isinstance(obj, ember.Tensor):
        return ("tensor", obj.dtype.name, obj._data)
    if type(obj).__module__.startswith("torch") and hasattr(obj, "numpy"):
        return ("tensor", str(obj.dtype).replace("torch.", ""), obj.detach().numpy())
    if isinstance(obj, dict):
        return ("dict", {k: plain(v) for k, v in obj.items()})
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return ("namedtuple", type(obj).__name__, [plain(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [plain(v) for v in obj])
    return ("value", obj)


def assert_same(a, b, path="batch"):
    """Structure, dtype names, shapes and values all equal."""
    pa, pb = plain(a), plain(b)
    _same(pa, pb, path)


def _same(pa, pb, path):
    assert pa[0] == pb[0], f"{path}: {pa[0]} vs {pb[0]}"
    if pa[0] == "tensor":
        assert pa[1] == pb[1], f"{path}: dtype {pa[1]} vs {pb[1]}"
        assert pa[2].shape == pb[2].shape, f"{path}: shape {pa[2].shape} vs {pb[2].shape}"
        np.testing.assert_array_equal(pa[2], pb[2], err_msg=path)
    elif pa[0] == "dict":
        assert list(pa[1]) == list(pb[1]), f"{path}: keys {list(pa[1])} vs {list(pb[1])}"
        for k in pa[1]:
            _same(pa[1][k], pb[1][k], f"{path}[{k!r}]")
    elif pa[0] == "namedtuple":
        assert pa[1] == pb[1]
        assert len(pa[2]) == len(pb[2])
        for i, (x, y) in enumerate(zip(pa[2], pb[2])):
            _same(x, y, f"{path}[{i}]")
    elif pa[0] in ("list", "tuple"):
        assert len(pa[1]) == len(pb[1]), f"{path}: length {len(pa[1])} vs {len(pb[1])}"
        for i, (x, y) in enumerate(zip(pa[1], pb[1])):
            _same(x, y, f"{path}[{i}]")
    else:
        assert pa == pb, f"{path}: {pa} vs {pb}"
