"""In-place changes of views and of their bases against torch: values, gradients, node names and
errors (torch's CopySlices / regenerated view history, ember.autograd.views).

The main table crosses every view kind with every in-place op, the side changed (the view or its
base) and what backward reads (the base, the view, both, or a tensor saved before the change);
each case runs the same program on torch and ember (float64) and compares the base's and the view's
values, the leaves' gradients and the names of the base's and view's nodes, or that both raise
(torch's message where the error is about views).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

# view kinds: (base shape, the view of base b), written once for both libraries
VIEWS = {
    "slice": ((4, 3), lambda b: b[1:3]),
    "step_slice": ((4, 3), lambda b: b[::2]),
    "select": ((4, 3), lambda b: b[2]),
    "int_index": ((4, 3), lambda b: b[1, 2]),
    "column": ((4, 3), lambda b: b[:, 1]),
    "select_method": ((4, 3), lambda b: b.select(1, 0)),
    "view": ((4, 3), lambda b: b.view(2, 6)),
    "reshape": ((4, 3), lambda b: b.reshape(12)),
    "flatten": ((2, 3, 2), lambda b: b.flatten()),
    "unsqueeze": ((4, 3), lambda b: b.unsqueeze(1)),
    "squeeze": ((4, 1, 3), lambda b: b.squeeze(1)),
    "transpose": ((4, 3), lambda b: b.transpose(0, 1)),
    "permute": ((2, 3, 2), lambda b: b.permute(2, 0, 1)),
    "t": ((4, 3), lambda b: b.t()),
    "T": ((4, 3), lambda b: b.T),
    "expand": ((1, 3), lambda b: b.expand(4, 3)),
    "narrow": ((4, 3), lambda b: b.narrow(0, 1, 2)),
    "diagonal": ((3, 4), lambda b: b.diagonal(1)),
    "unfold": ((4, 3), lambda b: b.unfold(0, 2, 2)),
    "as_strided": ((4, 3), lambda b: b.as_strided((2, 2), (3, 1), 4)),
    "split": ((4, 3), lambda b: b.split(2)[1]),
    "chunk": ((4, 3), lambda b: b.chunk(2, 1)[0]),
    "unbind": ((4, 3), lambda b: b.unbind(0)[1]),
    "view_of_view": ((4, 3), lambda b: b[1:].t()[::2]),
    "view_of_view_reshape": ((4, 3), lambda b: b.view(2, 6)[1].view(2, 3)),
}


def _masked_fill(lib, t, w):
    return t.masked_fill_(t.detach() > 0.5, -1.0)


def _index_add(lib, t, w):
    return t.index_add_(0, lib.tensor([0, 0]), w[:1].expand(2, *w.shape[1:]))


def _setitem(lib, t, w):
    t[...] = w * 2


# in-place ops: f(lib, target, operand of the target's shape that requires grad)
OPS = {
    "add_": lambda lib, t, w: t.add_(w),
    "mul_": lambda lib, t, w: t.mul_(w),
    "exp_": lambda lib, t, w: t.exp_(),
    "clamp_": lambda lib, t, w: t.clamp_(-0.5, 0.75),
    "zero_": lambda lib, t, w: t.zero_(),
    "fill_": lambda lib, t, w: t.fill_(0.25),
    "copy_": lambda lib, t, w: t.copy_(w),
    "setitem": _setitem,
    "relu_": lambda lib, t, w: lib.nn.functional.relu(t, inplace=True),
    "masked_fill_": _masked_fill,
    "index_add_": _index_add,
}

READS = ("base", "view", "both", "saved")
SIDES = ("view", "base")


def _data(shape, shift=0.0):
    n = int(np.prod(shape))
    return np.linspace(-1.5, 2.0, n).reshape(shape) + shift


def _program(lib, view_kind, op, side, read):
    """Runs one case on ``lib`` (torch or ember); returns what the comparison reads."""
    shape, make_view = VIEWS[view_kind]
    a = lib.tensor(_data(shape), dtype=lib.float64, requires_grad=True)
    b = a * 1
    v = make_view(b)
    target = v if side == "view" else b
    w = lib.tensor(_data(tuple(target.shape), 0.3), dtype=lib.float64, requires_grad=True)
    saved = v * v if read == "saved" else None
    OPS[op](lib, target, w)
    # torch makes a view's node again when it is next read (and raises there when it refuses):
    # read only where the program uses the view anyway
    names = (b.grad_fn.name() if side == "view" else None,
             v.grad_fn.name() if side == "view" or read in ("view", "both") else None)
    values = (b.detach().numpy().copy(), v.detach().numpy().copy())
    k = lib.tensor(_data(tuple(b.shape), 0.7), dtype=lib.float64)
    if read == "base":
        loss = (b * k).sum()
    elif read == "view":
        loss = (v * v).sum()
    elif read == "both":
        loss = (b * k).sum() + (v * 3).sum()
    else:
        loss = saved.sum() + b.sum()
    loss.backward()
    grads = tuple(None if t.grad is None else t.grad.numpy().copy() for t in (a, w))
    return values, names, grads


def _outcome(lib, *case):
    try:
        return _program(lib, *case), None
    except (RuntimeError, IndexError, ValueError) as e:
        return None, e


def _compare(case, want, want_err, got, got_err) -> None:
    view_kind, op, side, read = case
    if want_err is not None:
        assert got_err is not None, f"{case}: torch raised {want_err!r}; ember gave {got}"
        if read == "saved" and "view" in str(want_err):
            # torch checks a saved view's history when backward unpacks it and names the view's
            # creation; ember checks the saved memory's version and raises torch's version error
            assert str(got_err) == str(want_err) or "modified by an inplace operation" in str(got_err)
        elif "view" in str(want_err) or "leaf" in str(want_err):
            assert str(got_err) == str(want_err), case
        elif "modified by an inplace operation" in str(want_err):
            assert "modified by an inplace operation" in str(got_err), case
        return
    assert got_err is None, f"{case}: ember raised {got_err!r}; torch did not"
    (values, names, grads), (t_values, t_names, t_grads) = got, want
    for x, y in zip(values, t_values):
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-12, err_msg=str(case))
    assert names == t_names, case
    for x, y in zip(grads, t_grads):
        assert (x is None) == (y is None), case
        if x is not None:
            assert x.dtype == y.dtype == np.float64
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12, err_msg=str(case))


@pytest.mark.filterwarnings("ignore:Use of masked_fill_ on expanded tensors")
@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("view_kind", list(VIEWS))
def test_inplace_on_views_as_torch(view_kind, op, side):
    """One row per view kind, op and side; the four readouts run inside (one case each)."""
    for read in READS:
        case = (view_kind, op, side, read)
        _compare(case, *_outcome(torch, *case), *_outcome(ember, *case))


# how the base and the view were made: (make base from leaf a, grad mode while viewing)
BASES = {
    "nonleaf": (lambda a: a * 1, True),
    "leaf": (lambda a: a, True),
    "plain": (lambda a: a.detach() * 1, True),        # needs no grad: the operand brings it
    "nonleaf_no_grad_view": (lambda a: a * 1, False),
    "leaf_no_grad_view": (lambda a: a, False),
    "plain_no_grad_view": (lambda a: a.detach() * 1, False),
}
CREATION_VIEWS = {"slice": lambda b: b[1:], "select": lambda b: b[0], "t": lambda b: b.t(),
                  "unbind": lambda b: b.unbind(1)[1], "view_of_view": lambda b: b[1:][:, 1]}
CREATION_OPS = {"mul_tensor": lambda t, w: t.mul_(w), "mul_scalar": lambda t, w: t.mul_(2.0),
                "copy_": lambda t, w: t.copy_(w), "setitem": lambda t, w: t.__setitem__(0, w[0])}


def _creation_program(lib, base_kind, view_kind, op, side):
    make_base, grad_mode = BASES[base_kind]
    a = lib.tensor(_data((3, 2)), dtype=lib.float64, requires_grad=True)
    b = make_base(a)
    with lib.set_grad_enabled(grad_mode):
        v = CREATION_VIEWS[view_kind](b)
    target = v if side == "view" else b
    w = lib.tensor(_data(tuple(target.shape), 0.3), dtype=lib.float64, requires_grad=True)
    CREATION_OPS[op](target, w)
    values = (b.detach().numpy().copy(), v.detach().numpy().copy())
    loss = (b * b).sum() + (v * 3).sum()
    if loss.requires_grad:
        loss.backward()
    return values, tuple(None if t.grad is None else t.grad.numpy().copy() for t in (a, w))


# torch gives a view made in no_grad mode of a tensor that requires grad requires_grad=True (and no
# node), so a view of it made later (also setitem's x[key]) has a node and torch's message names
# it; ember's no_grad view does not require grad, and its message is the one for a view without a
# node
_KNOWN = {("nonleaf_no_grad_view", "view_of_view"), ("leaf_no_grad_view", "view_of_view")}


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("op", list(CREATION_OPS))
@pytest.mark.parametrize("view_kind", list(CREATION_VIEWS))
@pytest.mark.parametrize("base_kind", list(BASES))
def test_view_creation_and_leaves_as_torch(base_kind, view_kind, op, side):
    """Leaves, tensors that need no grad, views made in no_grad mode, multi-output views: the same
    values and gradients as torch, or torch's error."""
    case = (base_kind, view_kind, op, side)
    try:
        want, want_err = _creation_program(torch, *case), None
    except RuntimeError as e:
        want, want_err = None, e
    try:
        got, got_err = _creation_program(ember, *case), None
    except RuntimeError as e:
        got, got_err = None, e
    if want_err is not None:
        assert got_err is not None, f"torch raised {want_err!r}; ember gave {got}"
        if side == "view" and ((base_kind, view_kind) in _KNOWN or op == "setitem" and "no_grad"
                                in base_kind and base_kind != "plain_no_grad_view"):
            assert "no_grad mode" in str(got_err)
        else:
            assert str(got_err).startswith(str(want_err).split(" Hint:")[0]), case
        return
    assert got_err is None, f"ember raised {got_err!r}; torch did not"
    for x, y in zip(got[0] + got[1], want[0] + want[1]):
        assert (x is None) == (y is None)
        if x is not None:
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-12)


def _gc_view_changed(a, w):
    b = a.sin()
    b[1:3].t().mul_(w)
    return b * b


def _gc_base_changed(a, w):
    b = a * 2
    v = b.t()[::2]
    b.mul_(w.t())
    return v.exp()


def _gc_diagonal_copy(a, w):
    b = a.clone()
    b.diagonal().copy_(w[:, 0])
    return (b @ b.t()).sin()


def _gc_unfold_twice(a, w):
    b = a.sin()
    u = b.view(-1).unfold(0, 4, 4)
    u.mul_(w.reshape(-1)[:4])
    u[0].add_(w.reshape(-1)[2:])
    return b.sum(0) * u.sum()


@pytest.mark.parametrize("fn", [_gc_view_changed, _gc_base_changed, _gc_diagonal_copy,
                                _gc_unfold_twice], ids=lambda f: f.__name__[4:])
def test_gradcheck_composite_inplace_on_views(fn):
    rng = np.random.default_rng(0)
    a0, w0 = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)) + 1.5
    if fn is _gc_view_changed:
        w0 = rng.normal(size=(3, 2))
    elif fn is _gc_base_changed:
        w0 = rng.normal(size=(3, 4))
    a = ember.tensor(a0, requires_grad=True)
    w = ember.tensor(w0, requires_grad=True)
    assert a.dtype == ember.float64
    assert ember.autograd.gradcheck(fn, (a, w), eps=1e-6, atol=1e-6, rtol=1e-5)
    ta = torch.tensor(a0, requires_grad=True)
    tw = torch.tensor(w0, requires_grad=True)
    out, t_out = fn(a, w), fn(ta, tw)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12)
    grads = ember.autograd.grad(out.sum(), (a, w))
    t_grads = torch.autograd.grad(t_out.sum(), (ta, tw))
    for g, tg in zip(grads, t_grads):
        np.testing.assert_allclose(g.numpy(), tg.numpy(), rtol=1e-10, atol=1e-12)


def test_node_names_and_versions_as_torch():
    """The base's node is CopySlices (torch's name and repr), the views' AsStridedBackward0, and a
    view and its base share one version count."""
    for lib in (torch, ember):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = a * 1
        v, w = b[:2], b[1:]
        v.mul_(2)
        b.add_(1)
        assert b.grad_fn.name() == "AddBackward0"
        assert w.grad_fn.name() == v.grad_fn.name() == "AsStridedBackward0"
        assert (b._version, v._version, w._version) == (2, 2, 2)
        c = a * 1
        c[:2].mul_(2)
        assert c.grad_fn.name() == "torch::autograd::CopySlices"
        assert repr(c).endswith("grad_fn=<CopySlices>)")
        assert c._base is None and v._base is b
