"""default_collate / default_convert against torch's, on the same samples."""
import collections

import numpy as np
import pytest

import ember
from ember.utils.data import default_collate, default_convert

from ._compare import assert_same

torch = pytest.importorskip("torch")
from torch.utils.data import default_collate as torch_collate  # noqa: E402
from torch.utils.data import default_convert as torch_convert  # noqa: E402

Point = collections.namedtuple("Point", ["x", "y"])


def _both(make):
    """The same samples built for ember (tensor=ember.tensor) and torch (tensor=torch.tensor)."""
    return make(ember.tensor), make(torch.tensor)


CASES = {
    "python ints": lambda T: [1, 2, 3],
    "python floats": lambda T: [1.5, 2.0],
    "python bools": lambda T: [True, False],
    "strings": lambda T: ["a", "bc"],
    "float32 tensors": lambda T: [T([1.0, 2.0]), T([3.0, 4.0])],
    "int64 tensors": lambda T: [T([[1, 2]]), T([[3, 4]])],
    "0-d tensors": lambda T: [T(1.5), T(2.5)],
    "float64 arrays": lambda T: [np.array([1.0, 2.0]), np.array([3.0, 4.0])],
    "float32 arrays": lambda T: [np.ones((2, 2), np.float32), np.zeros((2, 2), np.float32)],
    "int32 arrays": lambda T: [np.array([1, 2], np.int32), np.array([3, 4], np.int32)],
    "numpy float32 scalars": lambda T: [np.float32(1.5), np.float32(2.5)],
    "numpy float64 scalars": lambda T: [np.float64(1.5), np.float64(2.5)],
    "numpy int32 scalars": lambda T: [np.int32(1), np.int32(2)],
    "numpy bool scalars": lambda T: [np.bool_(True), np.bool_(False)],
    "tuples (TensorDataset samples)": lambda T: [(T([1.0, 2.0]), T(0)), (T([3.0, 4.0]), T(1))],
    "lists": lambda T: [[1, 2.5], [3, 4.5]],
    "dicts": lambda T: [{"x": T([1.0]), "y": 1}, {"x": T([2.0]), "y": 0}],
    "namedtuples": lambda T: [Point(1.0, T([1])), Point(2.0, T([2]))],
    "nested": lambda T: [{"a": (np.array([1.0], np.float32), [1, "s"]), "b": {"c": 2.0}},
                         {"a": (np.array([2.0], np.float32), [2, "t"]), "b": {"c": 3.0}}],
}


@pytest.mark.parametrize("name", list(CASES))
def test_default_collate_matches_torch(name):
    ours, theirs = _both(CASES[name])
    assert_same(default_collate(ours), torch_collate(theirs))


@pytest.mark.parametrize("name", ["float64 arrays", "numpy int32 scalars", "nested", "strings",
                                  "tuples (TensorDataset samples)"])
def test_default_convert_matches_torch(name):
    ours, theirs = _both(CASES[name])
    assert_same(default_convert(ours), torch_convert(theirs))


@pytest.mark.parametrize("batch, error, match", [
    ([[1, 2], [3]], RuntimeError, "equal size"),
    ([object(), object()], TypeError, "found"),
    ([np.array(["a"]), np.array(["b"])], TypeError, "<U1"),
    ([ember.zeros(2), ember.zeros(3)], RuntimeError, "equal size"),
])
def test_default_collate_errors(batch, error, match):
    with pytest.raises(error, match=match):
        default_collate(batch)


def test_collate_keeps_graph_for_tensors_that_require_grad():
    a = ember.ones(2, requires_grad=True)
    b = ember.zeros(2, requires_grad=True)
    out = default_collate([a, b])
    out.sum().backward()
    np.testing.assert_array_equal(a.grad._data, np.ones(2, np.float32))
