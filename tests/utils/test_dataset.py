"""Dataset, TensorDataset, Subset, ConcatDataset and random_split against torch."""
import numpy as np
import pytest

import ember
from ember.utils.data import (ConcatDataset, Dataset, IterableDataset, StackDataset, Subset,
                              TensorDataset, random_split)

from ._compare import assert_same

torch = pytest.importorskip("torch")
import torch.utils.data as tud  # noqa: E402

X = np.arange(30, dtype=np.float32).reshape(10, 3)
Y = np.arange(10, dtype=np.int64) % 3


def _pair():
    ours = TensorDataset(ember.tensor(X), ember.tensor(Y))
    theirs = tud.TensorDataset(torch.tensor(X), torch.tensor(Y))
    return ours, theirs


@pytest.mark.parametrize("index", [0, 3, -1, slice(2, 5), [1, 4]])
def test_tensor_dataset_items_match_torch(index):
    ours, theirs = _pair()
    assert len(ours) == len(theirs)
    assert_same(list(ours[index]), list(theirs[index]))


def test_tensor_dataset_accepts_numpy_without_copy():
    ds = TensorDataset(X, Y)
    assert ds.tensors[0]._data is X
    assert ds[2][1].dtype == ember.int64


@pytest.mark.parametrize("tensors, match", [
    ((np.zeros((3, 2)), np.zeros(4)), r"\[3, 4\]"),
    ((), "at least one"),
    ((np.zeros(3), [1, 2, 3]), "list"),
    ((np.float32(1.0),), "ndarray|0-d|float32"),
])
def test_tensor_dataset_errors(tensors, match):
    with pytest.raises((ValueError, TypeError), match=match):
        TensorDataset(*tensors)


@pytest.mark.parametrize("indices, index", [([7, 2, 5], 1), ([7, 2, 5], -1), ([7, 2, 5], [0, 2]),
                                            (range(3, 8), 4)])
def test_subset_matches_torch(indices, index):
    ours, theirs = _pair()
    a, b = Subset(ours, indices), tud.Subset(theirs, indices)
    assert len(a) == len(b)
    assert_same(a[index], b[index])
    assert_same(a.__getitems__([0, 1]), b.__getitems__([0, 1]))


@pytest.mark.parametrize("index", [0, 9, 10, 14, -1, -15])
def test_concat_dataset_matches_torch(index):
    ours, theirs = _pair()
    small = TensorDataset(ember.tensor(X[:5]), ember.tensor(Y[:5]))
    small_t = tud.TensorDataset(torch.tensor(X[:5]), torch.tensor(Y[:5]))
    a, b = ours + small, theirs + small_t
    assert isinstance(a, ConcatDataset)
    assert a.cumulative_sizes == b.cumulative_sizes
    assert_same(list(a[index]), list(b[index]))


def test_concat_of_three_datasets_matches_torch_at_every_index():
    sizes = [4, 3, 5]
    ours = ConcatDataset([TensorDataset(ember.tensor(X[:k]) * (j + 1)) for j, k in enumerate(sizes)])
    theirs = tud.ConcatDataset([tud.TensorDataset(torch.tensor(X[:k]) * (j + 1)) for j, k in enumerate(sizes)])
    assert ours.cumulative_sizes == theirs.cumulative_sizes == [4, 7, 12]
    for index in range(-12, 12):
        assert_same(list(ours[index]), list(theirs[index]))


@pytest.mark.parametrize("index", [15, -16])
def test_concat_dataset_out_of_range(index):
    ours, _ = _pair()
    with pytest.raises((IndexError, ValueError), match=str(index)):
        (ours + TensorDataset(X[:5], Y[:5]))[index]


def test_concat_rejects_iterable_and_empty():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter([1])
    with pytest.raises(TypeError, match="IterableDataset"):
        ConcatDataset([Stream()])
    with pytest.raises(ValueError, match="empty"):
        ConcatDataset([])
    assert list(Stream() + Stream()) == [1, 1]


def test_stack_dataset():
    ours, _ = _pair()
    assert StackDataset(ours, ours)[1][0][1].item() == 1
    assert set(StackDataset(a=ours, b=ours)[0]) == {"a", "b"}
    with pytest.raises(ValueError, match=r"\[10, 5\]"):
        StackDataset(ours, TensorDataset(X[:5]))


def test_base_dataset_requires_getitem():
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]


@pytest.mark.parametrize("n, fractions", [(10, [0.8, 0.2]), (11, [0.5, 0.5]), (7, [0.3, 0.3, 0.4]),
                                          (101, [0.1, 0.2, 0.7]), (5, [1 / 3, 1 / 3, 1 / 3]),
                                          (3, [0.25, 0.25, 0.25, 0.25]), (6, [1.0, 0.0]), (6, [0.0, 1.0])])
def test_random_split_fraction_sizes_match_torch(n, fractions):
    empty = n < len(fractions) or 0.0 in fractions  # an empty split warns
    with pytest.warns(UserWarning, match="Length of split") if empty else _no_warning():
        ours = random_split(range(n), fractions, generator=ember.Generator().manual_seed(0))
    with pytest.warns(UserWarning) if empty else _no_warning():
        theirs = tud.random_split(range(n), fractions, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    everything = sorted(i for s in ours for i in s)
    assert everything == list(range(n))


class _no_warning:
    def __enter__(self):
        import warnings
        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


@pytest.mark.parametrize("lengths", [[3, 7], [0, 10], [10]])
def test_random_split_lengths(lengths):
    parts = random_split(range(10), lengths, generator=ember.Generator().manual_seed(1))
    assert [len(p) for p in parts] == lengths
    assert sorted(i for p in parts for i in p) == list(range(10))


def test_random_split_is_reproducible():
    def split(**kw):
        return [list(s) for s in random_split(range(20), [0.5, 0.5], **kw)]
    assert split(generator=ember.Generator().manual_seed(3)) == split(generator=ember.Generator().manual_seed(3))
    assert split(generator=ember.Generator().manual_seed(3)) != split(generator=ember.Generator().manual_seed(4))
    ember.manual_seed(5)
    first = split()
    ember.manual_seed(5)
    assert split() == first
    assert split() != first


@pytest.mark.parametrize("lengths, match", [([3, 3], "Sum of input lengths"), ([0.5, 0.6], "fractions summing to 1"),
                                            ([1.5, -0.5], r"Fraction at index 0 is not between 0 and 1, got 1\.5"),
                                            ([-0.25, 1.25], r"Fraction at index 0 is not between 0 and 1, got -0\.25"), ([], "at least")])
def test_random_split_errors(lengths, match):
    with pytest.raises(ValueError, match=match):
        random_split(range(10), lengths)
