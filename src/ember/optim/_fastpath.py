"""How an optimizer step runs: the one fast path every optimizer shares (mixed into ``Optimizer``).

A group's parameters of one dtype share a :class:`~ember.optim._flat.Layout`: each per-element
state is one flat buffer and ``optimizer.state[p]`` holds views into it. A step makes the state
of the parameters that have a gradient views into their layout (creating missing state, moving
in state that was replaced or loaded), splits them into buckets with equal scalar state (a
parameter whose step count lags gets its own rule call), and runs the rule once per bucket over
chunks of the flat space (``_flat.run``). When nothing changed since the group's last step
(same parameters, same state tensors, one dtype and one bucket), ``_Steady`` repeats that step
after a few identity checks, so a small model pays little per step.
"""
from __future__ import annotations

import functools
import inspect
import operator

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.versions import bump_all, bump_records, records
from . import _flat

__all__ = ["FastPath", "step_and_betas", "with_grads"]


class FastPath:
    """The step machinery of :class:`~ember.optim.Optimizer` (see the module docstring).

    A subclass declares ``_rule`` (the pure update), ``_scalars`` and ``_slots(group)`` (its
    state, in torch's order), ``_initial`` values, ``_advance`` (the per-step constants) and the
    ``_scratch`` buffers its rule takes; ``_elementwise = False`` for a whole-tensor rule.
    """

    #: the pure update: ``rule(param, grad, **state, **scratch, **hyper)``, in place
    _rule = None
    #: per-parameter 0-d state (torch's ``step``…), first in each parameter's state dict
    _scalars: tuple = ()
    #: names of the chunk-sized scratch buffers the rule takes as keyword arguments
    _scratch: tuple = ()
    #: False for a rule that needs a whole tensor at a time (factored or norm-based updates)
    _elementwise = True
    #: how many in-place writes torch's step makes to a parameter (its ``_version`` moves by as
    #: many), not counting a decoupled weight decay's; and whether weight decay is decoupled when
    #: the group does not say
    _param_writes = 1
    _decoupled = False

    def _slots(self, group: dict) -> tuple:
        """The per-element state the rule takes for ``group``, in torch's order."""
        return ()

    def _initial(self, name: str, group: dict) -> float:
        """The value a state entry starts from (zeros unless a subclass says otherwise)."""
        return 0.0

    def _advance(self, group: dict, scalars: dict, fresh: bool) -> dict:
        """Moves the scalar state on by one step (``scalars``: NumPy scalars of the state's dtype, to
        replace or update; ``+=`` keeps their float32 arithmetic) and returns the rule's
        keyword arguments that the group does not hold under the rule's own names (``step``,
        ``beta1``…); ``fresh`` is True on the step that created the parameters' state."""
        return {}

    def _hyper(self, group: dict, scalars: dict, fresh: bool) -> dict:
        """The rule's keyword arguments: the group's values under the rule's parameter names (as
        Python numbers, so a NumPy float64 never promotes a float32 update), then ``_advance``'s."""
        hyper = _group_values(self, group)
        hyper.update(self._advance(group, scalars, fresh))
        return hyper

    def _writes(self, group: dict) -> int:
        """How far a step moves each parameter's ``_version`` (torch's count of in-place writes)."""
        decays = group.get("weight_decay") and group.get("decoupled_weight_decay", self._decoupled)
        return self._param_writes + 1 if decays else self._param_writes

    def _arg_name(self, name: str) -> str:
        """The rule's argument that receives state ``name`` (the same name for torch's optimizers)."""
        return name

    def _apply(self, group: dict, params: list, grads: list) -> None:
        """Updates ``params`` of ``group`` from ``grads`` (arrays of the same shape and dtype)."""
        if self._rule is None:
            raise NotImplementedError(f"{type(self).__name__} must override step() (torch style) or "
                                      f"define _rule (see ember.optim.optimizer)")
        bump_all(params, self._writes(group))  # graphs that saved them can no longer use them
        if not self._elementwise:
            for p, g in zip(params, grads):
                self._apply_tensor(group, p, g)
            return
        slots = self._slots(group)
        cache = self._cache()
        steady = cache.steady.pop(id(group), None)
        if steady is not None and steady.holds(self, group, params, grads):
            cache.steady[id(group)] = steady
            steady.step(self, group, grads)
            return
        by_layout = self._members(group, params, grads)
        for layout, members in by_layout.values():
            fresh = self._sync_state(layout, members, group, slots)
            flat_p, flat_g, writeback = {}, {}, []
            for i, (p, g) in members.items():
                flat_p[i] = _flat_data(p, writeback)
                flat_g[i] = g
            buffers = {self._arg_name(name): layout.buffers[name] for name in slots}
            buckets = self._buckets(layout, sorted(members), fresh)
            for idx, is_fresh in buckets:
                scalars = {name: layout.buffers[name][idx[0]] for name in self._scalars}
                hyper = self._hyper(group, scalars, is_fresh)
                for name, value in scalars.items():
                    layout.buffers[name][list(idx)] = value
                _flat.run(self._rule, layout, idx, flat_p, flat_g, buffers, self._scratch, hyper)
            for p, flat in writeback:
                p._data[...] = flat.reshape(p._data.shape)
            if len(by_layout) == 1 and len(buckets) == 1 and not writeback:
                cache.steady[id(group)] = _Steady(self, group, params, slots, layout, members, flat_p, buffers)

    def _step_group(self, group: dict) -> None:
        """One step of ``group``: the steady repeat when it holds, else the full path."""
        steady = self.__dict__.get("_flat_cache")
        steady = steady.steady.get(id(group)) if steady is not None else None
        if steady is not None:
            grads = steady.grads(self, group)
            if grads is not None:
                steady.step(self, group, grads)
                bump_records(steady.versions, self._writes(group))
                return
        params, grads = with_grads(group)
        if params:
            self._apply(group, params, grads)

    def _apply_tensor(self, group: dict, p: Tensor, g: np.ndarray) -> None:
        """A whole-tensor rule on one parameter; its state is what ``_init_state`` made."""
        state = self.state[p]
        fresh = not state
        if fresh:
            state.update(self._init_state(p, group))
        scalars = {name: state[name]._data[()] for name in self._scalars}
        hyper = self._hyper(group, scalars, fresh)
        for name, value in scalars.items():
            state[name]._data[...] = value
        data = p._data if p._data.ndim else p._data.reshape(1)
        arrays = {self._arg_name(k): (v._data if v._data.ndim else v._data.reshape(1))
                  for k, v in state.items() if k not in self._scalars and v is not None}
        self._rule(data, g if g.ndim else g.reshape(1), **arrays, **hyper)

    def _create_state(self, group: dict) -> None:
        """Creates the state of every parameter of ``group`` now (torch's Adagrad does so at
        construction; a Keras optimizer when it is built)."""
        if not self._elementwise:
            for p in group["params"]:
                if not self.state[p]:
                    self.state[p].update(self._init_state(p, group))
            return
        slots = self._slots(group)
        for layout in self._layouts(group).values():
            self._sync_state(layout, {i: (p, None) for i, p in enumerate(layout.params)}, group, slots)

    def _init_state(self, p: Tensor, group: dict) -> dict:
        """The state of a whole-tensor rule's parameter (elementwise rules use ``_slots``)."""
        raise NotImplementedError  # abstract: whole-tensor subclasses implement it

    def _cache(self) -> "_FlatCache":
        cache = self.__dict__.get("_flat_cache")
        if cache is None:
            cache = self.__dict__["_flat_cache"] = _FlatCache()
        return cache

    def _layouts(self, group: dict, rebuild: bool = False) -> dict:
        """``{dtype: Layout}`` for the parameters of ``group``, rebuilt when they change."""
        cache = self._cache()
        params = group["params"]
        ids = tuple(map(id, params))
        entry = cache.get(id(group))
        if not rebuild and entry is not None and entry[0] is group and entry[1] == ids:
            return entry[2]
        live = {id(g) for g in self.param_groups}
        for key in [k for k in cache if k not in live]:
            del cache[key]
            cache.steady.pop(key, None)
        by_dtype: dict = {}
        for p in params:
            by_dtype.setdefault(p._data.dtype, []).append(p)
        layouts = {dtype: _flat.Layout(ps) for dtype, ps in by_dtype.items()}
        cache[id(group)] = (group, ids, layouts)
        return layouts

    def _members(self, group: dict, params: list, grads: list, rebuild: bool = False) -> dict:
        """``{id(layout): (layout, {index: (param, grad)})}``; the layouts are rebuilt once when a
        parameter's dtype or shape changed since they were made."""
        layouts = self._layouts(group, rebuild)
        out: dict = {}
        for p, g in zip(params, grads):
            layout = layouts.get(p._data.dtype)
            i = None if layout is None else layout.index.get(id(p))
            if i is None or layout.shapes[i] != p._data.shape:
                if rebuild:  # pragma: no cover - a fresh layout holds every parameter
                    raise RuntimeError("the optimizer's layout does not hold a parameter of its group")
                return self._members(group, params, grads, rebuild=True)
            out.setdefault(id(layout), (layout, {}))[1][i] = (p, g)
        return out

    def _sync_state(self, layout, members: dict, group: dict, slots: tuple) -> set:
        """Makes every state tensor of ``members`` a view into ``layout`` (creating missing state,
        moving in state that was replaced or loaded); returns the indices whose state is new."""
        fresh: set = set()
        names = self._scalars + tuple(slots)
        if not names:
            return fresh
        scalar_dtype = _dtype.get_default_dtype().np
        all_views = [layout.scalar(n, scalar_dtype) for n in self._scalars] + [layout.slot(n) for n in slots]
        for i, (p, _) in members.items():
            state = self.state[p]
            for name, views in zip(names, all_views):
                held = state.get(name)
                if held is not None and getattr(held, "_data", None) is views[i]:
                    continue
                if self._adopt(state, name, held, views[i], p, group):
                    fresh.add(i)
        return fresh

    def _adopt(self, state: dict, name: str, held, view: np.ndarray, p: Tensor, group: dict) -> bool:
        """Puts state ``name`` into ``view``: its initial value when missing (returns True), else
        the values of the tensor or array that replaced it (the tensor keeps its identity)."""
        if held is None:
            view[...] = self._initial(name, group)
            state[name] = Tensor._make(view)
            return True
        arr = held._data if isinstance(held, Tensor) else np.asarray(held)
        if np.shape(arr) != view.shape:
            raise RuntimeError(f"the optimizer state {name!r} of a parameter of shape "
                               f"{tuple(p._data.shape)} has shape {tuple(np.shape(arr))}")
        view[...] = arr
        if isinstance(held, Tensor):
            held._data = view
        else:
            state[name] = Tensor._make(view)
        return False

    def _buckets(self, layout, idx: list, fresh: set):
        """Splits ``idx`` into runs that share their scalar state and freshness (one rule call each)."""
        if not fresh:
            every = len(idx) == len(layout.params)
            for name in self._scalars:
                values = layout.buffers[name] if every else layout.buffers[name][idx]
                if values.min() != values.max():
                    break
            else:
                return [(tuple(idx), False)]
        keys = [tuple(layout.buffers[name][i] for name in self._scalars) + (i in fresh,) for i in idx]
        groups: dict = {}
        for i, k in zip(idx, keys):
            groups.setdefault(k, []).append(i)
        return [(tuple(members), k[-1]) for k, members in groups.items()]


def step_and_betas(group: dict, scalars: dict) -> dict:
    """The Adam family's ``_advance``: ``step += 1``; the step and the group's betas as floats."""
    scalars["step"] += 1
    beta1, beta2 = group["betas"]
    return {"step": float(scalars["step"]), "beta1": float(beta1), "beta2": float(beta2)}


@functools.lru_cache(maxsize=None)
def _keywords(rule) -> tuple:
    """The keyword-only parameter names of an update rule."""
    return tuple(name for name, prm in inspect.signature(rule).parameters.items() if prm.kind is prm.KEYWORD_ONLY)


def _group_values(opt, group: dict) -> dict:
    """A new dict of the rule's keyword arguments that ``group`` holds, as plain numbers
    (:func:`_plain`). The keys are cached while the group keeps its keys, the converted values
    while its values are the same objects (a scheduler that sets ``lr`` makes a new one)."""
    cache = opt.__dict__.setdefault("_present_keys", {})
    entry = cache.get(id(group))
    if entry is None or entry[0] is not group or entry[1] != len(group):
        entry = cache[id(group)] = [group, len(group), tuple(k for k in _keywords(opt._rule) if k in group),
                                    (), {}]
    raw = tuple(map(group.__getitem__, entry[2]))
    if len(raw) != len(entry[3]) or not all(map(operator.is_, raw, entry[3])):
        entry[3], entry[4] = raw, {k: _plain(v) for k, v in zip(entry[2], raw)}
    return dict(entry[4])


def _plain(value):
    """A hyper-parameter as a Python bool or float (None and tuples as they are)."""
    if type(value) is float or type(value) is bool:
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.number)):
        return float(value)
    return value


class _FlatCache(dict):
    """``{id(group): (group, parameter ids, {dtype: Layout})}`` and ``steady``: ``{id(group):
    _Steady}``. A copied optimizer starts with an empty one (its copied state tensors are no
    longer views into the copied buffers)."""

    def __init__(self) -> None:
        super().__init__()
        self.steady: dict = {}

    def __deepcopy__(self, memo):
        return _FlatCache()

    def __copy__(self):
        return _FlatCache()


def with_grads(group: dict) -> tuple:
    """The parameters of ``group`` that have a gradient, and their gradients as arrays."""
    params, grads = [], []
    for p in group["params"]:
        g = p.grad
        if g is not None:
            g, data = g._data, p._data
            if not (type(g) is np.ndarray and g.shape == data.shape and g.dtype is data.dtype):
                g = _checked_grad(p, g)
            params.append(p)
            grads.append(g)
    return params, grads


def _checked_grad(p: Tensor, grad) -> np.ndarray:
    """``grad`` as an array of ``p``'s shape and dtype (a NumPy scalar becomes a 0-d array)."""
    data = p._data
    if type(grad) is np.ndarray and grad.shape == data.shape and (grad.dtype is data.dtype or grad.dtype == data.dtype):
        return grad
    if type(grad) is not np.ndarray:
        grad = np.asarray(grad)
    if grad.dtype != p._data.dtype or grad.shape != p._data.shape:
        raise RuntimeError(f"a parameter of shape {tuple(p._data.shape)} and dtype {p._data.dtype} "
                           f"has a gradient of shape {tuple(grad.shape)} and dtype {grad.dtype}; "
                           f"they must match")
    return grad


def _flat_data(p: Tensor, writeback: list) -> np.ndarray:
    """A 1-d view of ``p``'s data, or a contiguous copy to be written back after the step."""
    data = p._data
    if type(data) is not np.ndarray:
        data = p._data = np.array(data)
    if data.flags.c_contiguous and data.flags.writeable:
        return data.reshape(-1)
    flat = np.ascontiguousarray(data).reshape(-1)
    writeback.append((p, flat))
    return flat


class _Steady:
    """A group's last step, kept to repeat it: valid while the same parameters have gradients,
    their data keeps its dtype, shape and layout, their state tensors are still the layout's views
    and all their scalar state is equal (one bucket). A small group's chunks are bound once to
    their state slices and scratch buffers, so a step is a few NumPy calls."""

    __slots__ = ("params", "versions", "datas", "flat_p", "layout", "idx", "checks", "state", "slots", "buffers",
                 "every", "calls")

    def __init__(self, opt, group, params, slots, layout, members, flat_p, buffers) -> None:
        self.params = list(group["params"])
        self.layout, self.idx = layout, tuple(sorted(members))
        self.datas = [members[i][0]._data for i in self.idx]
        self.versions = records(members[i][0] for i in self.idx)  # of the parameters a step changes
        self.flat_p, self.buffers, self.slots, self.state = dict(flat_p), buffers, slots, opt.state
        names = opt._scalars + tuple(slots)
        self.checks = [(members[i][0], opt.state[members[i][0]],
                        tuple((name, opt.state[members[i][0]][name], layout.views[name][i]) for name in names))
                       for i in self.idx] if names else []  # (a stateless rule makes no state entries)
        self.every = len(self.idx) == len(layout.params)
        plan = layout.plan(self.idx)
        self.calls = None if plan.total >= _flat.PARALLEL_MIN else self._bind(opt, plan)

    def _bind(self, opt, plan) -> list:
        """Per chunk: ``(positions of its parameters, None or the gathered chunk's buffers and
        views, static arguments)``; see :meth:`_gathered`."""
        position = {i: k for k, i in enumerate(self.idx)}
        scratch = {name: _flat._scratch(self.layout.dtype, name, plan.longest) for name in opt._scratch}
        calls = []
        for (s, e, i, lo, hi), state in plan.bind(self.buffers):
            static = {**state, **{name: buf[:e - s] for name, buf in scratch.items()}}
            if i >= 0:
                calls.append(((position[i], lo, hi), None, static))
            else:
                bufs = (np.empty(e - s, self.layout.dtype), np.empty(e - s, self.layout.dtype), lo)
                calls.append(([position[j] for j, _, _ in lo], self._gathered(bufs), static))
        return calls

    def _gathered(self, bufs: tuple) -> tuple:
        """A gathered chunk: its parameter and gradient buffers, the parameters' flat views, and
        (parameter view, piece of the buffer) pairs to copy the result back (made again when a
        parameter gets new data)."""
        p_buf, g_buf, pieces = bufs
        views = [self.flat_p[j] for j, _, _ in pieces]
        back = [(self.flat_p[j], p_buf[at:at + size]) for j, at, size in pieces]
        return p_buf, g_buf, views, back, bufs

    def grads(self, opt, group) -> list | None:
        """The gradients for this step when the steady repeat holds, else None. One pass over the
        group: the same parameters have gradients (valid arrays), the same data objects (or
        same-layout replacements), the same state tensors as views, equal scalar state."""
        state, params = self.state, group["params"]
        if opt.state is not state or len(params) != len(self.params) or opt._slots(group) != self.slots:
            return None
        if len(self.idx) == len(params):  # every parameter of the group, in order: the common case
            grads = []
            for p, q, data in zip(params, self.params, self.datas):
                g = p.grad
                if p is not q or g is None:
                    return None
                if p._data is not data:
                    return self._grads(opt, params)
                g = g._data
                if not (type(g) is np.ndarray and g.shape == data.shape and g.dtype is data.dtype):
                    g = _checked_grad(p, g)
                grads.append(g)
            return grads if self._state_holds(opt) else None
        return self._grads(opt, params)

    def _grads(self, opt, params: list) -> list | None:
        """:meth:`grads` for a step on part of the group, or after a parameter got new data."""
        grads, layout, datas, k = [], self.layout, self.datas, 0
        for p, q in zip(params, self.params):
            if p is not q:
                return None
            g = p.grad
            if g is None:
                if k < len(self.idx) and layout.params[self.idx[k]] is p:
                    return None
                continue
            if k >= len(self.idx) or layout.params[self.idx[k]] is not p:
                return None
            g, data = g._data, p._data
            if data is not datas[k]:
                i = self.idx[k]
                if (type(data) is not np.ndarray or data.dtype != layout.dtype or data.shape != layout.shapes[i]
                        or not data.flags.c_contiguous or not data.flags.writeable):
                    return None
                datas[k], self.flat_p[i] = data, data.reshape(-1)
                self.versions[k] = records((p,))[0]
                if self.calls is not None:
                    self.calls = [(w, c if c is None else self._gathered(c[-1]), st) for w, c, st in self.calls]
            if not (type(g) is np.ndarray and g.shape == data.shape and g.dtype is data.dtype):
                g = _checked_grad(p, g)
            grads.append(g)
            k += 1
        return grads if k == len(self.idx) and self._state_holds(opt) else None

    def holds(self, opt, group, params: list, grads: list) -> bool:
        """For ``_apply`` called with its own parameters and gradients (Keras's ``apply``)."""
        layout, idx = self.layout, self.idx
        if (opt.state is not self.state or len(params) != len(idx) or opt._slots(group) != self.slots
                or any(layout.params[i] is not p or p._data is not d for i, p, d in zip(idx, params, self.datas))):
            return False
        return self._state_holds(opt)

    def _state_holds(self, opt) -> bool:
        state, layout = self.state, self.layout
        for p, st, held in self.checks:
            if state.get(p) is not st:
                return False
            for name, t, view in held:
                if st.get(name) is not t or t._data is not view:
                    return False
        for name in opt._scalars:
            values = layout.buffers[name] if self.every else layout.buffers[name][list(self.idx)]
            values = values.tolist()
            if values.count(values[0]) != len(values):
                return False
        return True

    def step(self, opt, group, grads) -> None:
        layout, idx = self.layout, self.idx
        scalars = {name: layout.buffers[name][idx[0]] for name in opt._scalars}
        hyper = opt._hyper(group, scalars, False)
        for name, value in scalars.items():
            if self.every:
                layout.buffers[name][...] = value
            else:
                layout.buffers[name][list(idx)] = value
        if self.calls is None:
            _flat.run(opt._rule, layout, idx, self.flat_p, dict(zip(idx, grads)), self.buffers, opt._scratch, hyper)
            return
        rule, flat_p = opt._rule, self.flat_p
        for where, gathered, static in self.calls:
            if gathered is None:
                k, lo, hi = where
                g = grads[k]
                g = g.reshape(-1) if g.flags.c_contiguous else np.ascontiguousarray(g).ravel()
                rule(flat_p[idx[k]][lo:hi], g[lo:hi], **static, **hyper)
                continue
            p_buf, g_buf, views, back, _ = gathered
            np.concatenate(views, out=p_buf)
            np.concatenate([grads[k] for k in where], axis=None, out=g_buf)
            rule(p_buf, g_buf, **static, **hyper)
            for view, piece in back:
                view[...] = piece
