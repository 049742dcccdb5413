"""``DataLoader``: batches, shuffles and (optionally) prefetches samples of a dataset.

Semantics follow ``torch.utils.data.DataLoader``. Two things are ember's own:

* **Fast path.** A ``TensorDataset`` (or a ``Subset`` of one) with the default collate and
  one of ember's samplers is batched with one slicing or fancy-indexing call per tensor per
  batch instead of collating samples one by one. The batches are the same (fresh tensors,
  same dtypes and shapes) as the per-sample route would give.
* **Workers are threads.** ``num_workers > 0`` fetches up to ``num_workers * prefetch_factor``
  batches ahead in a thread pool. Batches still come out in sampler order (``in_order=True``)
  and the order is decided in the calling thread, so runs are reproducible. An
  ``IterableDataset`` is read by one background thread (it is not replicated per worker).
"""
from __future__ import annotations

import collections
import concurrent.futures
import itertools
import math
import queue
import threading

from .collate import default_collate, default_convert
from .dataset import IterableDataset, _supports_batcher
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, _index_batches

__all__ = ["DataLoader", "get_worker_info", "WorkerInfo"]

_FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")
_LOCAL = threading.local()


class WorkerInfo:
    """What a worker thread knows about itself: ``id``, ``num_workers``, ``seed``, ``dataset``."""

    def __init__(self, id: int, num_workers: int, seed: int, dataset) -> None:  # noqa: A002
        self.id, self.num_workers, self.seed, self.dataset = id, num_workers, seed, dataset

    def __repr__(self) -> str:
        return f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed})"


def get_worker_info():
    """The current worker's :class:`WorkerInfo`, or ``None`` outside a loader's worker thread."""
    return getattr(_LOCAL, "info", None)


class _InfiniteConstantSampler(Sampler):
    """The placeholder sampler of an ``IterableDataset``: yields ``None`` forever."""

    def __iter__(self):
        while True:
            yield None


class DataLoader:
    """Iterates over a dataset in batches.

    Args:
        dataset: a map-style ``Dataset`` (``len`` and ``[i]``) or an ``IterableDataset``.
        batch_size: samples per batch; ``None`` turns automatic batching off.
        shuffle: a new random order every epoch (reproducible under ``ember.manual_seed`` or
            with ``generator``).
        sampler: the order of indices (exclusive with ``shuffle``).
        batch_sampler: yields lists of indices (exclusive with ``batch_size``, ``shuffle``,
            ``sampler`` and ``drop_last``).
        num_workers: background threads that prefetch batches; 0 loads in the calling thread.
        collate_fn: turns a list of samples into a batch (default: :func:`default_collate`).
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        timeout: seconds to wait for a worker's batch (0: forever).
        worker_init_fn: called as ``fn(worker_id)`` in each worker thread when it starts.
        generator: an ``ember.Generator`` for the shuffling order.
        prefetch_factor: batches fetched ahead per worker (default 2 when ``num_workers > 0``).
        persistent_workers: keep the worker threads between epochs.
        in_order: yield batches in sampler order (``False``: as soon as they are ready).
        pin_memory, pin_memory_device, multiprocessing_context: accepted for torch
            compatibility; they change nothing on the CPU.

    Example::

        >>> ds = TensorDataset(ember.randn(10, 3), ember.arange(10))
        >>> loader = DataLoader(ds, batch_size=4, shuffle=True)
        >>> len(loader), [xb.shape for xb, yb in loader]
        (3, [ember.Size([4, 3]), ember.Size([4, 3]), ember.Size([2, 3])])
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers: int = 0, collate_fn=None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True) -> None:
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(f"num_workers option should be non-negative; use num_workers=0 to "
                             f"disable background loading, got num_workers={num_workers!r}")
        if timeout < 0:
            raise ValueError(f"timeout option should be non-negative, got timeout={timeout!r}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified with num_workers > 0; "
                             f"got prefetch_factor={prefetch_factor!r} and num_workers=0")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and (not isinstance(prefetch_factor, int) or prefetch_factor < 1):
            raise ValueError(f"prefetch_factor option should be a positive integer, "
                             f"got prefetch_factor={prefetch_factor!r}")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                       or batch_size <= 0):
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size!r}")

        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            if shuffle not in (False, None):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            if iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.generator = generator
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self._user_collate = collate_fn
        self.collate_fn = collate_fn if collate_fn is not None else (
            default_collate if batch_sampler is not None else default_convert)
        self._pool = None
        self._initialized = True

    def __setattr__(self, name, value) -> None:
        if name in _FROZEN and self.__dict__.get("_initialized", False):
            raise ValueError(f"{name} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            length = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def __iter__(self):
        if isinstance(self.dataset, IterableDataset):
            batches = self._iterable_batches()
            return batches if self.num_workers == 0 else self._prefetch_thread(batches)
        fetch, indices = self._plan()
        if self.num_workers == 0:
            return map(fetch, indices)
        return self._prefetch_pool(fetch, indices)

    # ------------------------------------------------------------------ map-style
    def _plan(self):
        """(fetch, index iterator): the fast path's batcher and index arrays when it applies,
        else fetching sample by sample and collating."""
        if self._auto_collation and self.collate_fn is default_collate and _supports_batcher(self.dataset):
            plan = _index_batches(self.batch_sampler)
            if plan is not None:
                contiguous, batches = plan
                return self.dataset._batcher(contiguous), batches
        dataset, collate_fn = self.dataset, self.collate_fn
        if not self._auto_collation:
            return (lambda index: collate_fn(dataset[index])), iter(self.sampler)
        getitems = getattr(dataset, "__getitems__", None)
        if callable(getitems):
            return (lambda indices: collate_fn(getitems(indices))), iter(self.batch_sampler)
        return (lambda indices: collate_fn([dataset[i] for i in indices])), iter(self.batch_sampler)

    def _base_seed(self) -> int:
        """Workers' seeds (reported in WorkerInfo) derive from the generator's initial seed,
        drawing nothing from it, so ``num_workers`` never changes the shuffling stream."""
        from ...random import default_generator
        return (self.generator or default_generator).initial_seed()

    def _worker_pool(self):
        if self._pool is not None:
            return self._pool
        counter = itertools.count()
        lock = threading.Lock()
        base_seed = self._base_seed()

        def init():
            with lock:
                worker_id = next(counter)
            _LOCAL.info = WorkerInfo(worker_id, self.num_workers, base_seed + worker_id, self.dataset)
            if self.worker_init_fn is not None:
                self.worker_init_fn(worker_id)

        pool = concurrent.futures.ThreadPoolExecutor(self.num_workers, initializer=init,
                                                     thread_name_prefix="ember-loader")
        if self.persistent_workers:
            self.__dict__["_pool"] = pool
        return pool

    def _wait(self, future):
        try:
            return future.result(timeout=self.timeout or None)
        except concurrent.futures.TimeoutError:
            raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds") from None

    def _prefetch_pool(self, fetch, indices):
        pool = self._worker_pool()
        depth = self.num_workers * self.prefetch_factor
        pending = collections.deque(pool.submit(fetch, idx) for idx in itertools.islice(indices, depth))
        try:
            while pending:
                if self.in_order:
                    future = pending.popleft()
                else:
                    done, _ = concurrent.futures.wait(pending, self.timeout or None,
                                                      concurrent.futures.FIRST_COMPLETED)
                    future = done.pop() if done else pending[0]
                    pending.remove(future)
                batch = self._wait(future)
                for idx in itertools.islice(indices, 1):
                    pending.append(pool.submit(fetch, idx))
                yield batch
        finally:
            for future in pending:
                future.cancel()
            if not self.persistent_workers:
                pool.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------ iterable-style
    def _iterable_batches(self):
        stream = iter(self.dataset)
        if not self._auto_collation:
            for sample in stream:
                yield self.collate_fn(sample)
            return
        while True:
            batch = list(itertools.islice(stream, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield self.collate_fn(batch)

    def _prefetch_thread(self, batches):
        """Runs ``batches`` in one background thread, ``num_workers * prefetch_factor`` ahead."""
        ready = queue.Queue(maxsize=self.num_workers * self.prefetch_factor)
        stop = threading.Event()
        end = object()
        seed = self._base_seed()

        def put(item) -> bool:
            while not stop.is_set():
                try:
                    ready.put(item, timeout=0.05)
                    return True
                except queue.Full:
                    continue
            return False

        def produce():
            try:
                _LOCAL.info = WorkerInfo(0, 1, seed, self.dataset)
                if self.worker_init_fn is not None:
                    self.worker_init_fn(0)
                for batch in batches:
                    if not put((True, batch)):
                        return
                put((True, end))
            except BaseException as error:  # noqa: BLE001 - handed to the consumer
                put((False, error))

        threading.Thread(target=produce, name="ember-loader-0", daemon=True).start()
        try:
            while True:
                try:
                    ok, item = ready.get(timeout=self.timeout or None)
                except queue.Empty:
                    raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds") from None
                if not ok:
                    raise item
                if item is end:
                    return
                yield item
        finally:
            stop.set()
