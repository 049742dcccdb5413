"""ember.utils.checkpoint against torch.utils.checkpoint: outputs and gradients equal to the
uncheckpointed run (and to torch's), dropout replayed through preserve_rng_state, what the graph
keeps, SGD trajectories of checkpoint_sequential, warnings and errors."""
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.utils.checkpoint import checkpoint, checkpoint_sequential

torch = pytest.importorskip("torch")
import torch.utils.checkpoint as tcp  # noqa: E402


def _t(e, requires_grad=False):
    return torch.from_numpy(np.array(e._data, copy=True)).requires_grad_(requires_grad)


def _copy(em, tm):
    with torch.no_grad():
        for (_, p), (_, tp) in zip(em.state_dict().items(), tm.state_dict().items()):
            tp.copy_(torch.from_numpy(np.array(p._data)))


def _x(*shape, seed=0):
    return ember.tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def _mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(4, 6), lib.nn.Tanh(), lib.nn.Linear(6, 3))


def _conv(lib):
    return lib.nn.Sequential(lib.nn.Conv2d(2, 3, 3, padding=1), lib.nn.BatchNorm2d(3),
                             lib.nn.ReLU(), lib.nn.Conv2d(3, 2, 1))


class TwoOut:
    """A function of two tensors and a number returning a tuple (one output unused later)."""

    @staticmethod
    def make(lib):
        lin = lib.nn.Linear(4, 4)

        def f(a, b, scale):
            h = lin(a) * scale + b
            return h.tanh(), (h * 2).sum(-1)
        f.module = lin
        return f


# name -> (build(lib) -> callable with .parameters via module, inputs shapes, extra args)
CASES = {
    "mlp": (_mlp, [(5, 4)], ()),
    "conv_bn": (_conv, [(2, 2, 5, 5)], ()),
    "tuple_outputs_and_number": (TwoOut.make, [(3, 4), (3, 4)], (0.5,)),
}


def _module(f):
    return getattr(f, "module", f)


def _loss(out):
    outs = out if isinstance(out, tuple) else (out,)
    return sum((o * o).sum() for o in outs)


@pytest.mark.parametrize("use_reentrant", [True, False])
@pytest.mark.parametrize("case", CASES)
def test_gradients_equal_the_unchecked_run_and_torch(case, use_reentrant):
    build, shapes, extra = CASES[case]
    ef, tf = build(ember), build(torch)
    _copy(_module(ef), _module(tf))
    xs = [_x(*s, seed=i).requires_grad_() for i, s in enumerate(shapes)]
    txs = [_t(x, True) for x in xs]
    out = checkpoint(ef, *xs, *extra, use_reentrant=use_reentrant)
    tout = tcp.checkpoint(tf, *txs, *extra, use_reentrant=use_reentrant)
    _loss(out).backward()
    _loss(tout).backward()
    for o, to in zip(out if isinstance(out, tuple) else (out,), tout if isinstance(tout, tuple) else (tout,)):
        np.testing.assert_allclose(o._data, to.detach().numpy(), rtol=1e-5, atol=1e-6)
        assert o._data.dtype == np.float32
    grads = [p.grad._data.copy() for p in _module(ef).parameters()] + [x.grad._data.copy() for x in xs]
    for g, tp in zip(grads, list(_module(tf).parameters()) + txs):
        np.testing.assert_allclose(g, tp.grad.numpy(), rtol=1e-4, atol=1e-5)
    _module(ef).zero_grad()  # the same model without checkpointing
    for x in xs:
        x.grad = None
    _loss(ef(*xs, *extra)).backward()
    plain = [p.grad._data for p in _module(ef).parameters()] + [x.grad._data for x in xs]
    for g, p in zip(grads, plain):
        np.testing.assert_allclose(g, p, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_dropout_is_replayed_with_the_forward_random_state(use_reentrant):
    model = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.5), nn.Linear(8, 2))
    x = _x(4, 8).requires_grad_()
    ember.manual_seed(3)
    out = checkpoint(model, x, use_reentrant=use_reentrant)
    ember.rand(5)  # the generator moves on before backward
    out.sum().backward()
    got = [p.grad._data.copy() for p in model.parameters()]
    model.zero_grad()
    ember.manual_seed(3)
    plain = model(x)
    plain.sum().backward()
    np.testing.assert_array_equal(out._data, plain._data)
    for g, p in zip(got, model.parameters()):
        np.testing.assert_allclose(g, p.grad._data, rtol=1e-6)


def test_without_preserve_rng_state_the_recomputation_draws_a_new_mask():
    model = nn.Sequential(nn.Linear(16, 16), nn.Dropout(0.5))
    x = _x(8, 16).requires_grad_()
    ember.manual_seed(3)
    out = checkpoint(model, x, use_reentrant=False, preserve_rng_state=False)
    out.sum().backward()
    got = model[0].weight.grad._data.copy()
    model.zero_grad()
    ember.manual_seed(3)
    model(x).sum().backward()
    assert not np.allclose(got, model[0].weight.grad._data)


def test_graph_keeps_only_the_inputs():
    model = _mlp(ember)
    x = _x(5, 4).requires_grad_()
    y = checkpoint(model, x, use_reentrant=True)
    assert [n for n in y.grad_fn.next_functions if n is not None] == [x]
    y = checkpoint(model, x, use_reentrant=False)
    inputs = [n for n in y.grad_fn.next_functions if n is not None]
    assert inputs[0] is x and {id(n) for n in inputs[1:]} == {id(p) for p in model.parameters()}


def test_non_reentrant_gives_parameters_gradients_without_input_grad_and_supports_grad():
    model = _mlp(ember)
    x = _x(5, 4)
    y = checkpoint(model, x, use_reentrant=False)
    (gw,) = ember.autograd.grad(y.sum(), [model[0].weight])
    model(x).sum().backward()
    np.testing.assert_allclose(gw._data, model[0].weight.grad._data, rtol=1e-5, atol=1e-6)


def test_reentrant_without_input_grad_warns_and_gives_no_gradient_as_torch():
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        y = checkpoint(_mlp(ember), _x(2, 4), use_reentrant=True)
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        ty = tcp.checkpoint(_mlp(torch), torch.ones(2, 4), use_reentrant=True)
    assert y.requires_grad is ty.requires_grad is False


def test_non_reentrant_passes_keyword_arguments():
    lin = nn.Linear(3, 3)
    x = _x(2, 3).requires_grad_()
    y = checkpoint(lambda a, scale=1.0: lin(a) * scale, x, use_reentrant=False, scale=3.0)
    np.testing.assert_allclose(y._data, (lin(x) * 3.0)._data, rtol=1e-6)


@pytest.mark.parametrize("use_reentrant", [True, False])
@pytest.mark.parametrize("segments", [1, 2, 3])
def test_checkpoint_sequential_trains_like_torch(use_reentrant, segments):
    def build(lib):
        return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 8),
                                 lib.nn.Tanh(), lib.nn.Linear(8, 1))
    em, tm = build(ember), build(torch)
    _copy(em, tm)
    x = _x(6, 4).requires_grad_()
    tx = _t(x, True)
    opt = ember.optim.SGD(em.parameters(), lr=0.05, momentum=0.9)
    topt = torch.optim.SGD(tm.parameters(), lr=0.05, momentum=0.9)
    for _ in range(3):
        opt.zero_grad(), topt.zero_grad()
        loss = checkpoint_sequential(em, segments, x, use_reentrant=use_reentrant).pow(2).mean()
        tloss = tcp.checkpoint_sequential(tm, segments, tx, use_reentrant=use_reentrant).pow(2).mean()
        loss.backward(), tloss.backward()
        opt.step(), topt.step()
        np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-5)
    for (_, p), (_, tp) in zip(em.named_parameters(), tm.named_parameters()):
        np.testing.assert_allclose(p._data, tp.detach().numpy(), rtol=1e-4, atol=1e-6)


def _capture(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn()
            error = (None, None)
        except Exception as exc:  # noqa: BLE001 - compared with torch's
            error = (type(exc), str(exc))
    return error, sorted({(w.category, str(w.message)) for w in caught})


MISUSES = {
    "no_use_reentrant": lambda lib, cp: cp.checkpoint(lib.nn.Linear(2, 2), lib.ones(1, 2)),
    "sequential_no_use_reentrant": lambda lib, cp: cp.checkpoint_sequential(
        lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Tanh()), 2, lib.ones(1, 2,
                                                                            requires_grad=True)),
    "reentrant_kwargs": lambda lib, cp: cp.checkpoint(lib.nn.Linear(2, 2), lib.ones(1, 2),
                                                      use_reentrant=True, scale=2),
    "reentrant_context_fn": lambda lib, cp: cp.checkpoint(
        lib.nn.Linear(2, 2), lib.ones(1, 2), use_reentrant=True,
        context_fn=lambda: (None, None)),
    "reentrant_debug": lambda lib, cp: cp.checkpoint(lib.nn.Linear(2, 2), lib.ones(1, 2),
                                                     use_reentrant=True, debug=True),
    "sequential_kwargs": lambda lib, cp: cp.checkpoint_sequential(
        lib.nn.Sequential(lib.nn.Linear(2, 2)), 1, lib.ones(1, 2), use_reentrant=False, foo=1),
    "no_output_requires_grad": lambda lib, cp: cp.checkpoint(
        lambda a: a.detach(), lib.ones(1, 2, requires_grad=True), use_reentrant=True).sum()
        .backward(),
    "detach_variable_list": lambda lib, cp: cp.detach_variable([lib.ones(1)]),
    "reentrant_under_grad": lambda lib, cp: _partial_backward(lib, cp, True),
    "reentrant_backward_inputs": lambda lib, cp: _partial_backward(lib, cp, False),
}


def _partial_backward(lib, cp, with_grad):
    x = lib.ones(1, 2, requires_grad=True)
    y = cp.checkpoint(lib.nn.Linear(2, 2), x, use_reentrant=True).sum()
    if with_grad:
        lib.autograd.grad(y, [x])
    else:
        y.backward(inputs=[x])


@pytest.mark.parametrize("case", MISUSES)
def test_warnings_and_errors_match_torch(case):
    got = _capture(lambda: MISUSES[case](ember, __import__("ember.utils.checkpoint").utils.checkpoint))
    want = _capture(lambda: MISUSES[case](torch, tcp))
    assert got[0] == want[0]
    assert got[1] == want[1]


def test_non_reentrant_refuses_a_captured_tensor_with_history_and_takes_it_as_an_argument():
    f, g = nn.Linear(3, 3), nn.Linear(3, 3)
    x = _x(2, 3).requires_grad_()
    skip = f(x)
    with pytest.raises(RuntimeError, match="pass that tensor to checkpoint"):
        checkpoint(lambda h: g(h) * skip, x, use_reentrant=False)
    y = checkpoint(lambda h, s: g(h) * s, x, skip, use_reentrant=False)
    (y.sum() + skip.sum()).backward()
    got = [p.grad._data.copy() for p in list(f.parameters()) + list(g.parameters())] + [x.grad._data.copy()]
    f.zero_grad(), g.zero_grad()
    x.grad = None
    skip = f(x)
    ((g(x) * skip).sum() + skip.sum()).backward()
    want = [p.grad._data for p in list(f.parameters()) + list(g.parameters())] + [x.grad._data]
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_grad_fn_names_match_torch(use_reentrant):
    def names(lib, cp):
        x = lib.ones(1, 2, requires_grad=True)
        single = cp.checkpoint(lib.nn.Linear(2, 2), x, use_reentrant=use_reentrant)
        pair = cp.checkpoint(lambda a: (a * 2, a + 1), x, use_reentrant=use_reentrant)
        return [t.grad_fn.name() for t in (single, *pair)]
    ours = names(ember, __import__("ember.utils.checkpoint").utils.checkpoint)
    theirs = names(torch, tcp)
    assert ours == theirs
