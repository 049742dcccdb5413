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

    def holds(self) -> bool:
        """True while the parameters keep the dtype and shapes this layout was built for."""
        return all(p._data.dtype == self.dtype and p._data.shape == s
                   for p, s in zip(self.params, self.shapes))

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

    def plan(self, idx: tuple) -> list:
        """Chunks ``(start, stop, pieces)`` covering the parameters ``idx`` (sorted indices).

        A piece ``(i, lo, hi, at)`` is elements ``lo:hi`` of parameter ``i``, at offset ``at``
        of the chunk. Chunks never cross a gap left by a parameter outside ``idx``.
        """
        plan = self.plans.get(idx)
        if plan is not None:
            return plan
        off, runs = self.offsets, []
        for i in idx:
            if runs and runs[-1][1] == off[i]:
                runs[-1][1] = off[i + 1]
            else:
                runs.append([off[i], off[i + 1]])
        plan = []
        for start, stop in runs:
            for s in range(start, stop, CHUNK):
                e = min(s + CHUNK, stop)
                pieces = []
                for i in idx:
                    lo, hi = max(s, off[i]), min(e, off[i + 1])
                    if lo < hi:
                        pieces.append((i, lo - off[i], hi - off[i], lo - s))
                plan.append((s, e, tuple(pieces)))
        if len(self.plans) > 16:
            self.plans.clear()
        self.plans[idx] = plan
        return plan


def _scratch(dtype, name: str, n: int) -> np.ndarray:
    """This thread's scratch buffer ``name`` of ``dtype``, at least ``n`` long, allocated once."""
    store = getattr(_SCRATCH, "buffers", None)
    if store is None:
        store = _SCRATCH.buffers = {}
    buf = store.get((dtype, name))
    if buf is None or buf.size < n:
        buf = store[(dtype, name)] = np.empty(max(n, CHUNK), dtype)
    return buf[:n]


def run(rule, layout: Layout, idx: tuple, params: dict, grads: dict, slots: dict, scratch: tuple,
        hyper: dict) -> None:
    """Applies ``rule(param, grad, **slots, **scratch, **hyper)`` over the parameters ``idx``.

    Args:
        rule: the update, in place on its array arguments.
        layout: where the parameters and their state live.
        idx: sorted indices (into ``layout.params``) of the parameters to update.
        params, grads: ``{index: flat 1-d array}`` of each parameter's data and gradient.
        slots: ``{rule argument name: flat state buffer}``.
        scratch: names of the chunk-sized scratch arguments the rule takes.
        hyper: the rule's remaining keyword arguments.
    """
    plan = layout.plan(idx)
    dtype = layout.dtype
    slot_items = tuple(slots.items())

    def chunk(s, e, pieces):
        n = e - s
        if len(pieces) == 1:
            i, lo, hi, _ = pieces[0]
            p, g = params[i][lo:hi], grads[i][lo:hi]
        else:
            p, g = _scratch(dtype, " param", n), _scratch(dtype, " grad", n)
            for i, lo, hi, at in pieces:
                p[at:at + hi - lo] = params[i][lo:hi]
                g[at:at + hi - lo] = grads[i][lo:hi]
        kwargs = {arg: buf[s:e] for arg, buf in slot_items}
        for name in scratch:
            kwargs[name] = _scratch(dtype, name, n)
        rule(p, g, **kwargs, **hyper)
        if len(pieces) > 1:
            for i, lo, hi, at in pieces:
                params[i][lo:hi] = p[at:at + hi - lo]

    total = plan[-1][1] - plan[0][0] if plan else 0
    threads = num_threads() if total >= PARALLEL_MIN else 1
    if threads == 1 or len(plan) == 1:
        for c in plan:
            chunk(*c)
        return
    share = _split(plan, threads)
    errstate = np.geterr()

    def work(chunks):
        with np.errstate(**errstate):
            for c in chunks:
                chunk(*c)
    futures = [_pool(len(share) - 1).submit(work, part) for part in share[1:]]
    try:
        work(share[0])
    finally:
        for f in futures:
            f.result()


def _split(plan: list, parts: int) -> list:
    """``plan`` cut into at most ``parts`` runs of consecutive chunks with about equal elements."""
    total = sum(e - s for s, e, _ in plan)
    out, current, filled = [], [], 0
    for c in plan:
        current.append(c)
        filled += c[1] - c[0]
        if filled * parts >= total * (len(out) + 1) and len(out) < parts - 1:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out
