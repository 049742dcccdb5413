"""DataLoader against torch's on the same sampler indices: batch order, shapes, dtypes, len."""
import threading
import time

import numpy as np
import pytest

import ember
from ember.utils.data import (BatchSampler, DataLoader, Dataset, IterableDataset, RandomSampler,
                              SequentialSampler, Subset, SubsetRandomSampler, TensorDataset,
                              WeightedRandomSampler, default_collate, get_worker_info)

from ._compare import assert_same

torch = pytest.importorskip("torch")
import torch.utils.data as tud  # noqa: E402

RNG = np.random.default_rng(0)
ARRAYS = {
    "float32 X, int64 y": (RNG.standard_normal((23, 4)).astype(np.float32), RNG.integers(0, 3, 23)),
    "float64 X, float32 y column": (RNG.standard_normal((23, 2)), RNG.random((23, 1)).astype(np.float32)),
    "int64 X only": (RNG.integers(0, 9, (23, 3)),),
    "bool X, int32 y": (RNG.random((23, 2)) > 0.5, RNG.integers(0, 5, 23).astype(np.int32)),
}


def _datasets(name):
    arrays = ARRAYS[name]
    return (TensorDataset(*[ember.tensor(a) for a in arrays]),
            tud.TensorDataset(*[torch.tensor(a) for a in arrays]))


def _compare(ours, theirs):
    a, b = list(ours), list(theirs)
    assert len(ours) == len(theirs) == len(a) == len(b)
    for i, (x, y) in enumerate(zip(a, b)):
        assert_same(x, y, f"batch {i}")


ORDER = [int(i) for i in RNG.permutation(23)]
CONFIGS = {
    "sequential b=5": dict(batch_size=5),
    "sequential b=5 drop_last": dict(batch_size=5, drop_last=True),
    "sequential b=23": dict(batch_size=23),
    "sequential b=1": dict(),
    "sequential b=64": dict(batch_size=64),
    "sequential b=64 drop_last": dict(batch_size=64, drop_last=True),
    "explicit order b=4": dict(batch_size=4, sampler=ORDER),
    "explicit order b=4 drop_last": dict(batch_size=4, sampler=ORDER, drop_last=True),
    "batch_sampler lists": dict(batch_sampler=[[3, 1], [0, 22, 5], [7]]),
    "batch_size=None": dict(batch_size=None, sampler=ORDER[:5]),
    "custom collate": dict(batch_size=6, collate_fn=lambda b: len(b)),
}


@pytest.mark.parametrize("config", list(CONFIGS))
@pytest.mark.parametrize("data", list(ARRAYS))
def test_loader_matches_torch_for_same_indices(data, config):
    ours, theirs = _datasets(data)
    _compare(DataLoader(ours, **CONFIGS[config]), tud.DataLoader(theirs, **CONFIGS[config]))


SAMPLERS = {
    "RandomSampler": lambda ds, g: RandomSampler(ds, generator=g),
    "RandomSampler replacement": lambda ds, g: RandomSampler(ds, True, 40, generator=g),
    "SubsetRandomSampler": lambda ds, g: SubsetRandomSampler([1, 5, 9, 13, 2], generator=g),
    "WeightedRandomSampler": lambda ds, g: WeightedRandomSampler(np.linspace(0, 1, 23), 30, generator=g),
    "SequentialSampler": lambda ds, g: SequentialSampler(ds),
}


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("sampler", list(SAMPLERS))
def test_every_sampler_gives_torch_batches_for_its_indices(sampler, drop_last):
    """Our sampler draws the indices; torch's loader is fed the same indices explicitly."""
    ours, theirs = _datasets("float32 X, int64 y")
    make = SAMPLERS[sampler]
    indices = list(make(ours, ember.Generator().manual_seed(4)))
    loader = DataLoader(ours, batch_size=4, sampler=make(ours, ember.Generator().manual_seed(4)),
                        drop_last=drop_last)
    _compare(loader, tud.DataLoader(theirs, batch_size=4, sampler=indices, drop_last=drop_last))


@pytest.mark.parametrize("sampler", list(SAMPLERS))
def test_fast_path_equals_per_sample_collation(sampler):
    ours, _ = _datasets("float64 X, float32 y column")
    make = SAMPLERS[sampler]
    fast = DataLoader(ours, batch_size=3, sampler=make(ours, ember.Generator().manual_seed(2)))
    slow = DataLoader(ours, batch_size=3, sampler=make(ours, ember.Generator().manual_seed(2)),
                      collate_fn=lambda batch: default_collate(batch))
    _compare(fast, slow)


def test_fast_path_batches_are_fresh_memory():
    x = np.zeros((6, 2), np.float32)
    for xb, in DataLoader(TensorDataset(x), batch_size=3):
        xb.add_(1.0)
    assert not x.any()


def test_subset_of_tensor_dataset_matches_torch():
    ours, theirs = _datasets("float32 X, int64 y")
    idx = ORDER[:11]
    _compare(DataLoader(Subset(ours, idx), batch_size=4),
             tud.DataLoader(tud.Subset(theirs, idx), batch_size=4))


class Squares(Dataset):
    def __len__(self):
        return 9

    def __getitem__(self, i):
        return {"x": np.array([i, i * i], np.float32), "i": i, "w": float(i) / 2, "name": f"n{i}"}


class SquaresT(tud.Dataset):
    __len__, __getitem__ = Squares.__len__, Squares.__getitem__


@pytest.mark.parametrize("kwargs", [dict(batch_size=4), dict(batch_size=4, drop_last=True),
                                    dict(batch_size=None), dict(batch_size=2, sampler=[8, 0, 3, 3])])
def test_map_style_dicts_match_torch(kwargs):
    _compare(DataLoader(Squares(), **kwargs), tud.DataLoader(SquaresT(), **kwargs))


class Stream(IterableDataset):
    def __init__(self, n, with_len=True):
        self.n, self.with_len = n, with_len

    def __iter__(self):
        return iter([(np.float32(i), i) for i in range(self.n)])

    def __len__(self):
        if not self.with_len:
            raise TypeError("no len")
        return self.n


class StreamT(tud.IterableDataset):
    def __init__(self, n):
        self.n = n

    __iter__, __len__ = Stream.__iter__, Stream.__len__
    with_len = True


@pytest.mark.parametrize("kwargs", [dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                    dict(batch_size=None), dict(batch_size=20)])
def test_iterable_dataset_matches_torch(kwargs):
    _compare(DataLoader(Stream(10), **kwargs), tud.DataLoader(StreamT(10), **kwargs))


@pytest.mark.parametrize("num_workers, prefetch", [(1, 1), (2, 2), (3, 4)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_workers_preserve_order_and_determinism(num_workers, prefetch, shuffle):
    ours, _ = _datasets("float32 X, int64 y")
    serial = DataLoader(ours, batch_size=4, shuffle=shuffle, generator=ember.Generator().manual_seed(1))
    threaded = DataLoader(ours, batch_size=4, shuffle=shuffle, num_workers=num_workers,
                          prefetch_factor=prefetch, generator=ember.Generator().manual_seed(1))
    _compare(threaded, serial)


@pytest.mark.parametrize("num_workers", [1, 2])
def test_workers_leave_the_global_shuffling_stream_alone(num_workers):
    ours, _ = _datasets("float32 X, int64 y")

    def three_epochs(workers):
        ember.manual_seed(11)
        loader = DataLoader(ours, batch_size=4, shuffle=True, num_workers=workers)
        return [[yb.tolist() for _, yb in loader] for _ in range(3)]
    assert three_epochs(num_workers) == three_epochs(0)


class Slow(Dataset):
    """Later items come back sooner, so out-of-order workers would reorder them."""

    def __len__(self):
        return 12

    def __getitem__(self, i):
        time.sleep(0.002 * (12 - i))
        return np.array([i], np.int64), threading.get_ident(), get_worker_info().id


def test_workers_run_in_threads_in_order_and_call_init_fn():
    started = []
    loader = DataLoader(Slow(), batch_size=2, num_workers=3, worker_init_fn=started.append)
    batches = list(loader)
    assert [b[0][:, 0].tolist() for b in batches] == [[i, i + 1] for i in range(0, 12, 2)]
    assert sorted(started) == [0, 1, 2]
    assert all(0 <= wid < 3 for b in batches for wid in b[2].tolist())
    assert get_worker_info() is None


def test_unordered_workers_yield_every_batch():
    batches = list(DataLoader(Slow(), batch_size=2, num_workers=3, in_order=False))
    assert sorted(v for b in batches for v in b[0][:, 0].tolist()) == list(range(12))


def test_iterable_dataset_with_workers():
    _compare(DataLoader(Stream(10), batch_size=3, num_workers=2),
             tud.DataLoader(StreamT(10), batch_size=3))


class Broken(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 2:
            raise KeyError(f"bad item {i}")
        return i


@pytest.mark.parametrize("num_workers", [0, 2])
def test_worker_errors_reach_the_caller(num_workers):
    with pytest.raises(KeyError, match="bad item 2"):
        list(DataLoader(Broken(), batch_size=1, num_workers=num_workers))


@pytest.mark.parametrize("dataset", [Slow(), Stream(10)], ids=["map-style", "iterable"])
def test_worker_timeout(dataset):
    class Stuck(type(dataset)):
        def __iter__(self):
            time.sleep(0.5)
            return super().__iter__()

        def __getitem__(self, i):
            time.sleep(0.5)
            return i
    with pytest.raises(RuntimeError, match="timed out after 0.05 seconds"):
        next(iter(DataLoader(Stuck() if isinstance(dataset, Slow) else Stuck(10), batch_size=2,
                             num_workers=1, timeout=0.05)))


class BrokenStream(IterableDataset):
    def __iter__(self):
        yield 1
        raise OSError("disk gone")


def test_iterable_worker_errors_reach_the_caller():
    with pytest.raises(OSError, match="disk gone"):
        list(DataLoader(BrokenStream(), batch_size=1, num_workers=1))


def test_persistent_workers_reuse_threads():
    loader = DataLoader(Squares(), batch_size=3, num_workers=2, persistent_workers=True)
    first = list(loader)
    _compare(loader, first)
    assert loader._pool is not None


def test_shuffle_reproducible_under_manual_seed_and_generator():
    ours, _ = _datasets("float32 X, int64 y")

    def epochs(loader, n=2):
        return [[yb.tolist() for _, yb in loader] for _ in range(n)]
    loader = DataLoader(ours, batch_size=5, shuffle=True)
    ember.manual_seed(0)
    first = epochs(loader)
    assert first[0] != first[1]
    ember.manual_seed(0)
    assert epochs(loader) == first
    def seeded(seed):
        return epochs(DataLoader(ours, batch_size=5, shuffle=True, generator=ember.Generator().manual_seed(seed)))
    assert seeded(9) == seeded(9)
    assert seeded(9) != seeded(10)  # the generator, not something fixed, decides the order


def test_shuffle_covers_every_row_once():
    ours, _ = _datasets("int64 X only")
    rows = np.concatenate([xb._data for xb, in DataLoader(ours, batch_size=4, shuffle=True)])
    assert sorted(map(tuple, rows.tolist())) == sorted(map(tuple, ours.tensors[0]._data.tolist()))


@pytest.mark.parametrize("kwargs, match", [
    (dict(num_workers=-1), "num_workers"), (dict(timeout=-1), "timeout"),
    (dict(prefetch_factor=2), "prefetch_factor"), (dict(persistent_workers=True), "persistent_workers"),
    (dict(sampler=[0, 1], shuffle=True), "mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_size=None, drop_last=True), "drop_last"), (dict(batch_size=0), "batch_size=0"),
])
def test_invalid_options_raise_like_torch(kwargs, match):
    ours, theirs = _datasets("int64 X only")
    with pytest.raises(ValueError, match=match):
        DataLoader(ours, **kwargs)
    with pytest.raises((ValueError, TypeError)):
        tud.DataLoader(theirs, **kwargs)


def test_prefetch_factor_must_be_positive():
    with pytest.raises(ValueError, match="prefetch_factor=0"):
        DataLoader(Squares(), num_workers=1, prefetch_factor=0)


@pytest.mark.parametrize("kwargs", [dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])])
def test_iterable_dataset_rejects_sampling_options(kwargs):
    with pytest.raises(ValueError, match="IterableDataset"):
        DataLoader(Stream(3), **kwargs)


def test_attributes_are_frozen_and_len_needs_dataset_len():
    loader = DataLoader(Squares(), batch_size=2)
    with pytest.raises(ValueError, match="batch_size attribute should not be set"):
        loader.batch_size = 3
    with pytest.raises(TypeError, match="no len"):
        len(DataLoader(Stream(3, with_len=False), batch_size=2))


def test_batch_sampler_object_and_default_samplers():
    ours, theirs = _datasets("float32 X, int64 y")
    bs = BatchSampler(SequentialSampler(ours), 6, True)
    _compare(DataLoader(ours, batch_sampler=bs),
             tud.DataLoader(theirs, batch_sampler=tud.BatchSampler(tud.SequentialSampler(theirs), 6, True)))
    assert isinstance(DataLoader(ours, shuffle=True).sampler, RandomSampler)
    assert isinstance(DataLoader(ours).sampler, SequentialSampler)


def test_grad_tensors_keep_their_graph_through_the_loader():
    w = ember.ones(6, 2, requires_grad=True)
    xb, = next(iter(DataLoader(TensorDataset(w), batch_size=3)))
    xb.sum().backward()
    np.testing.assert_array_equal(w.grad._data, np.r_[np.ones((3, 2)), np.zeros((3, 2))].astype(np.float32))
