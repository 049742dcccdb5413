"""Flat state buffers for a parameter group, and the threaded runner of an update rule.

The parameters of one dtype in one group are laid end to end in a :class:`Layout`. Each
per-element state (``exp_avg``, ``momentum_buffer``…) is one flat buffer and each parameter's
state tensor is a view into it; each per-parameter scalar (``step``, ``mu_product``…) is one
small array with a 0-d view per parameter. So ``optimizer.state[p]`` keeps torch's layout while
a step reads and writes one array per state.

:func:`run` applies a rule over chunks of that flat index space. A chunk inside one parameter
hands the rule views of the parameter and of its gradient (no copy); a chunk spanning several
small parameters copies their pieces into per-thread scratch buffers and the parameters back
afterwards. Parameters keep their own memory, so every alias of them (``p.data``,
``p.detach()``, a model's ``state_dict()``) sees the update, as in torch. Large groups spread
their chunks over a few threads: NumPy releases the GIL inside ufuncs.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["Layout", "run", "num_threads", "CHUNK", "PARALLEL_MIN"]

#: Elements per rule call: large enough that the Python cost of a call (a dozen ufunc calls,
#: about a microsecond each) is small against its arithmetic, and that a thread gets whole
#: chunks; its scratch buffers (half a MiB each in float32) stay in the shared cache.
CHUNK = 1 << 17
#: Below this many elements a step runs in the calling thread: measured on 2 cores, two threads
#: gave nothing at 235 K elements (the hand-off and the GIL between ufunc calls cost as much).
PARALLEL_MIN = 1 << 19
#: Parameters smaller than this share chunks (their pieces copied in and out of scratch).
SMALL = 1 << 14
#: Threads at most: a step is bound by memory bandwidth, which a few cores saturate.
MAX_THREADS = 8

_POOL: list = [None]
_POOL_LOCK = threading.Lock()
_SCRATCH = threading.local()


def num_threads() -> int:
    """The threads an optimizer step may use: the cores this process may run on (at most 8)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_THREADS, cores))


def _pool(workers: int) -> ThreadPoolExecutor:
    with _POOL_LOCK:
        pool = _POOL[0]
        if pool is None or pool._max_workers < workers:
            if pool is not None:
                pool.shutdown(wait=False)
            pool = _POOL[0] = ThreadPoolExecutor(workers, thread_name_prefix="ember-optim")
        return pool


class Layout:
    """The parameters of one dtype in one group, end to end in a flat index space.

    Attributes:
        params: the parameters, in group order.
        offsets: ``offsets[i]:offsets[i + 1]`` is parameter ``i``'s range.
        views: ``{state name: [view per parameter]}`` (parameter-shaped, or 0-d for scalars).
    """

    __slots__ = ("params", "dtype", "shapes", "offsets", "total", "buffers", "views", "index", "plans")

    def __init__(self, params: list) -> None:
        self.params = list(params)
        self.dtype = params[0]._data.dtype
        self.shapes = [p._data.shape for p in params]
        self.offsets = [0]
        for p in params:
            self.offsets.append(self.offsets[-1] + p._data.size)
        self.total = self.offsets[-1]
        self.buffers: dict[str, np.ndarray] = {}
        self.views: dict[str, list] = {}
        self.index = {id(p): i for i, p in enumerate(params)}
        self.plans: dict[tuple, list] = {}

    def slot(self, name: str) -> list:
        """The per-parameter views of the per-element state ``name`` (its buffer made on first use)."""
        views = self.views.get(name)
        if views is None:
            buf = self.buffers[name] = np.zeros(self.total, self.dtype)
            views = self.views[name] = [buf[a:b].reshape(s) for a, b, s in
                                        zip(self.offsets[:-1], self.offsets[1:], self.shapes)]
        return views

    def scalar(self, name: str, dtype) -> list:
        """The 0-d views of the per-parameter scalar ``name`` (one small array of ``dtype``)."""
        views = self.views.get(name)
        if views is None:
            buf = self.buffers[name] = np.zeros(len(self.params), dtype)
            views = self.views[name] = [buf[i:i + 1].reshape(()) for i in range(len(self.params))]
        return views

    def plan(self, idx: tuple) -> "_Plan":
        """How to cover the parameters ``idx`` (sorted indices) with chunks.

        A parameter of ``SMALL`` elements or more gets chunks of its own (views, no copy); runs
        of smaller neighbours share one chunk. A chunk never crosses a gap left by a parameter
        outside ``idx``.
        """
        plan = self.plans.get(idx)
        if plan is None:
            if len(self.plans) > 16:
                self.plans.clear()
            plan = self.plans[idx] = _Plan(self.offsets, idx)
        return plan


class _Plan:
    """Chunks ``(start, stop, i, lo, hi)``: elements ``lo:hi`` of parameter ``i``, or with
    ``i = -1`` and ``lo`` a tuple of ``(index, offset in the chunk, size)``: whole small
    parameters gathered into one chunk. ``longest`` and ``total`` count elements."""

    __slots__ = ("chunks", "longest", "total", "bound")

    def __init__(self, off: list, idx: tuple) -> None:
        chunks, pending = [], []

        def flush():
            if pending:
                s = off[pending[0]]
                members = tuple((i, off[i] - s, off[i + 1] - off[i]) for i in pending)
                if len(members) == 1:
                    chunks.append((s, off[pending[0] + 1], pending[0], 0, off[pending[0] + 1] - s))
                else:
                    chunks.append((s, off[pending[-1] + 1], -1, members, None))
                pending.clear()
        for i in idx:
            start, stop = off[i], off[i + 1]
            if pending and (off[pending[-1] + 1] != start or stop - off[pending[0]] > CHUNK):
                flush()
            if stop - start < min(SMALL, CHUNK):
                pending.append(i)
                continue
            flush()
            for s in range(start, stop, CHUNK):
                e = min(s + CHUNK, stop)
                chunks.append((s, e, i, s - start, e - start))
        flush()
        self.chunks = chunks
        self.longest = max((c[1] - c[0] for c in chunks), default=0)
        self.total = sum(c[1] - c[0] for c in chunks)
        self.bound: tuple = (None, None)

    def bind(self, slots: dict) -> list:
        """Each chunk with its slices of the state buffers ``slots`` (kept while they are the same)."""
        key = tuple((k, id(v)) for k, v in slots.items())
        if self.bound[0] != key:
            self.bound = (key, [(c, {arg: buf[c[0]:c[1]] for arg, buf in slots.items()}) for c in self.chunks])
        return self.bound[1]


def _scratch(dtype, name: str, n: int) -> np.ndarray:
    """This thread's scratch buffer ``name`` of ``dtype``, at least ``n`` long, allocated once."""
    store = _SCRATCH.__dict__.setdefault("buffers", {})
    buf = store.get((dtype, name))
    if buf is None or buf.size < n:
        buf = store[(dtype, name)] = np.empty(max(n, CHUNK), dtype)
    return buf


def run(rule, layout: Layout, idx: tuple, params: dict, grads: dict, slots: dict, scratch: tuple,
        hyper: dict) -> None:
    """Applies ``rule(param, grad, **slots, **scratch, **hyper)`` over the parameters ``idx``.

    Args:
        rule: the update, in place on its array arguments.
        layout: where the parameters and their state live.
        idx: sorted indices (into ``layout.params``) of the parameters to update.
        params: ``{index: flat 1-d array}`` of each parameter's data.
        grads: ``{index: array}`` of each parameter's gradient (any layout).
        slots: ``{rule argument name: flat state buffer}``.
        scratch: names of the chunk-sized scratch arguments the rule takes.
        hyper: the rule's remaining keyword arguments.
    """
    plan = layout.plan(idx)
    dtype = layout.dtype
    names = scratch + (" param", " grad")
    flat_grads: dict = {}

    def work(chunks):
        buffers = [_scratch(dtype, name, plan.longest) for name in names]
        kwargs = dict(hyper)
        for (s, e, i, lo, hi), state in chunks:
            n = e - s
            for name, buf in zip(scratch, buffers):
                kwargs[name] = buf[:n]
            kwargs.update(state)
            if i >= 0:
                g = flat_grads.get(i)
                if g is None:
                    g = grads[i]
                    g = flat_grads[i] = g.reshape(-1) if g.flags.c_contiguous else np.ascontiguousarray(g).ravel()
                rule(params[i][lo:hi], g[lo:hi], **kwargs)
                continue
            p = np.concatenate([params[j] for j, _, _ in lo], axis=None, out=buffers[-2][:n])
            g = np.concatenate([grads[j] for j, _, _ in lo], axis=None, out=buffers[-1][:n])
            rule(p, g, **kwargs)
            for j, at, size in lo:
                params[j][...] = p[at:at + size]

    bound = plan.bind(slots)
    threads = num_threads() if plan.total >= PARALLEL_MIN else 1
    if threads == 1 or len(bound) == 1:
        work(bound)
        return
    share = _split(bound, threads)
    errstate = np.geterr()

    def work_in_thread(chunks):
        with np.errstate(**errstate):
            work(chunks)
    futures = [_pool(len(share) - 1).submit(work_in_thread, part) for part in share[1:]]
    try:
        work(share[0])
    finally:
        for f in futures:
            f.result()


def _split(plan: list, parts: int) -> list:
    """``plan`` (bound chunks) cut into at most ``parts`` runs of consecutive chunks with about
    equal elements."""
    total = sum(c[1] - c[0] for c, _ in plan)
    out, current, filled = [], [], 0
    for c in plan:
        current.append(c)
        filled += c[0][1] - c[0][0]
        if filled * parts >= total * (len(out) + 1) and len(out) < parts - 1:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out
