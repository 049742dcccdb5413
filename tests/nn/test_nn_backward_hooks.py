"""Module backward hooks (full, pre and the deprecated non-full one) against torch 2.13: values of
grad_input/grad_output, order of calls, replacements and torch's errors."""
import warnings

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(0)


def _copy_weights(e_mod, t_mod):
    for (name, pe), (_, pt) in zip(e_mod.named_parameters(), t_mod.named_parameters()):
        a = RNG.standard_normal(pe.shape).astype(np.float32)
        pe.data = ember.tensor(a)
        with torch.no_grad():
            pt.copy_(torch.tensor(a))


class _Two:
    """A module with two inputs (one not requiring grad), a keyword and two outputs."""

    @staticmethod
    def build(lib):
        class Two(lib.nn.Module):
            def forward(self, a, b, k=2.0):
                return a * b * k, a + 1
        return Two()


def _arr(g):
    return None if g is None else g.detach().numpy()


def _record(lib, mod, log):
    """Hooks on mod and its children that log (tag, grad_input, grad_output) in call order."""
    for name, sub in mod.named_modules():
        def full(m, gi, go, name=name):
            log.append(("full", name, [_arr(g) for g in gi], [_arr(g) for g in go]))

        def pre(m, go, name=name):
            log.append(("pre", name, [_arr(g) for g in go]))
        sub.register_full_backward_hook(full)
        sub.register_full_backward_pre_hook(pre)


def _case(lib, kind):
    nn = lib.nn
    if kind == "linear":
        return nn.Linear(3, 2), [(2, 3)], lambda out: out.sum()
    if kind == "conv2d":
        return nn.Conv2d(2, 3, 3, padding=1), [(1, 2, 5, 5)], lambda out: (out ** 2).sum()
    if kind == "sequential":
        return (nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)), [(5, 3)],
                lambda out: (out * out).sum())
    if kind == "two_inputs":
        return _Two.build(lib), [(3,), (3,)], lambda out: (out[0] * 3).sum()
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["linear", "conv2d", "sequential", "two_inputs"])
def test_full_backward_hooks_match_torch(kind):
    (e_mod, shapes, loss), (t_mod, _, _) = _case(ember, kind), _case(torch, kind)
    _copy_weights(e_mod, t_mod)
    inputs = [RNG.standard_normal(s).astype(np.float32) for s in shapes]
    results = []
    for lib, mod in ((ember, e_mod), (torch, t_mod)):
        log = []
        _record(lib, mod, log)
        xs = [lib.tensor(a, requires_grad=(i == 0)) for i, a in enumerate(inputs)]
        out = mod(*xs)
        first = out[0] if isinstance(out, tuple) else out
        assert first.grad_fn.name() == "BackwardHookFunctionBackward"
        loss(out).backward()
        results.append((log, _arr(xs[0].grad)))
    (e_log, e_grad), (t_log, t_grad) = results
    assert [entry[:2] for entry in e_log] == [entry[:2] for entry in t_log]
    for e, t in zip(e_log, t_log):
        for eg, tg in zip(e[2:], t[2:]):
            assert len(eg) == len(tg)
            for a, b in zip(eg, tg):
                assert (a is None) == (b is None)
                if a is not None:
                    assert a.dtype == np.float32
                    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(e_grad, t_grad, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_replacements_order_and_remove(lib):
    lin = lib.nn.Linear(2, 2)
    calls = []
    lin.register_full_backward_hook(lambda m, gi, go: calls.append("b") or (gi[0] * 3,))
    lin.register_full_backward_hook(lambda m, gi, go: calls.append("a"), prepend=True)
    h = lin.register_full_backward_pre_hook(lambda m, go: calls.append("p") or (go[0] * 2,))
    x = lib.ones(1, 2, requires_grad=True)
    lin(x).sum().backward()
    with lib.no_grad():
        expected = lin.weight.sum(0) * 6
    np.testing.assert_allclose(x.grad.numpy()[0], expected.numpy(), rtol=1e-6)
    np.testing.assert_allclose(lin.bias.grad.numpy(), [2.0, 2.0])
    assert calls == ["p", "a", "b"]
    h.remove()
    lin.bias.grad = None
    lin(x).sum().backward()
    np.testing.assert_allclose(lin.bias.grad.numpy(), [1.0, 1.0])


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_no_input_requires_grad_fires_on_outputs(lib):
    lin = lib.nn.Linear(2, 1)
    seen = []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go[0].shape)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lin(lib.ones(3, 2)).sum().backward()
    assert seen == [((None,), (3, 1))]
    assert any("no inputs require gradients" in str(w.message) for w in caught)
    lin.register_full_backward_hook(lambda m, gi, go: (lib.ones(3, 2),))
    with pytest.raises(RuntimeError, match="should always return None or None for all gradients"):
        lin(lib.ones(3, 2)).sum().backward()


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
@pytest.mark.parametrize("case", ["inplace_in_forward", "inplace_on_output", "mixed", "bad_count",
                                  "bad_pre_count"])
def test_errors_as_torch(lib, case):
    x = lib.ones(2, 2, requires_grad=True)
    if case == "inplace_in_forward":
        r = lib.nn.ReLU(inplace=True)
        r.register_full_backward_hook(lambda *a: None)
        with pytest.raises(RuntimeError, match="Output 0 of BackwardHookFunction is a view and is being "
                                               "modified inplace. This view was created inside a custom"):
            r(x * 1)
    elif case == "inplace_on_output":
        lin = lib.nn.Linear(2, 2)
        lin.register_full_backward_pre_hook(lambda *a: None)
        with pytest.raises(RuntimeError, match="Output 0 of BackwardHookFunction is a view"):
            lin(x).relu_()
    elif case == "mixed":
        lin = lib.nn.Linear(2, 2)
        lin.register_full_backward_hook(lambda *a: None)
        with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full"):
            lin.register_backward_hook(lambda *a: None)
        other = lib.nn.Linear(2, 2)
        other.register_backward_hook(lambda *a: None)
        with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full"):
            other.register_full_backward_hook(lambda *a: None)
    elif case == "bad_count":
        lin = lib.nn.Linear(2, 2)
        lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
        with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
            lin(x).sum().backward()
    else:
        lin = lib.nn.Linear(2, 2)
        lin.register_full_backward_pre_hook(lambda m, go: (go[0], go[0]))
        with pytest.raises(RuntimeError, match="invalid number of grad_output, got 2, but expected 1"):
            lin(x).sum().backward()


def test_deprecated_backward_hook_on_last_node_matches_torch():
    got = []
    for lib in (ember, torch):
        act = lib.nn.Sigmoid()
        seen = []
        act.register_backward_hook(lambda m, gi, go: seen.append((_arr(gi[0]), _arr(go[0]))) or (gi[0] * 2,))
        x = lib.tensor([[0.5, -1.0]], requires_grad=True)
        with pytest.warns(FutureWarning, match="forward contains multiple autograd Nodes"):
            y = act(x)
        (y * lib.tensor([[1.0, 3.0]])).sum().backward()
        got.append((seen, _arr(x.grad)))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            act(x * 1)  # the input's node feeds the output's node: no warning
    (e_seen, e_grad), (t_seen, t_grad) = got
    assert len(e_seen) == len(t_seen) == 1
    for a, b in zip(e_seen[0], t_seen[0]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(e_grad, t_grad, rtol=1e-6)


GLOBAL_MODULE = {ember: ember.nn.modules.module, torch: torch.nn.modules.module}


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_global_module_hooks_order(lib):
    g = GLOBAL_MODULE[lib]
    net = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Tanh())
    calls = []
    net[0].register_forward_pre_hook(lambda m, i: calls.append(("own-pre", type(m).__name__)))
    net[0].register_forward_hook(lambda m, i, o: calls.append(("own-fwd", type(m).__name__)))
    net[0].register_full_backward_hook(lambda m, gi, go: calls.append(("own-bwd", type(m).__name__)))
    handles = [g.register_module_forward_pre_hook(lambda m, i: calls.append(("pre", type(m).__name__))),
               g.register_module_forward_hook(lambda m, i, k, o: calls.append(("fwd", type(m).__name__, sorted(k))),
                                              with_kwargs=True),
               g.register_module_full_backward_pre_hook(lambda m, go: calls.append(("bpre", type(m).__name__))),
               g.register_module_full_backward_hook(lambda m, gi, go: calls.append(("bwd", type(m).__name__)))]
    try:
        with pytest.raises(RuntimeError, match="as a global Module hook"):
            g.register_module_backward_hook(lambda *a: None)
        net(lib.ones(1, 2, requires_grad=True)).sum().backward()
    finally:
        for h in handles:
            h.remove()
    assert calls == [("pre", "Sequential"), ("pre", "Linear"), ("own-pre", "Linear"), ("fwd", "Linear", []),
                     ("own-fwd", "Linear"), ("pre", "Tanh"), ("fwd", "Tanh", []), ("fwd", "Sequential", []),
                     ("bpre", "Sequential"), ("bpre", "Tanh"), ("bwd", "Tanh"), ("bpre", "Linear"),
                     ("bwd", "Linear"), ("own-bwd", "Linear"), ("bwd", "Sequential")]
    calls.clear()
    net(lib.ones(1, 2))
    assert calls == [("own-pre", "Linear"), ("own-fwd", "Linear")]


def _graph_case(lib, case, log):
    lin = lib.nn.Linear(2, 2)
    with lib.no_grad():
        lin.weight.copy_(lib.tensor([[1.0, 2.0], [3.0, -1.0]]))
        lin.bias.copy_(lib.tensor([0.5, -0.5]))
    lin.register_full_backward_hook(lambda m, gi, go: log.append(([_arr(g) for g in gi], [_arr(g) for g in go])))
    x = lib.tensor([[1.0, 2.0]], requires_grad=True)
    if case == "output_used_twice":
        y = lin(x)
        (y.sum() + (y * y).mean()).backward()
    elif case == "module_called_twice":
        lin(lin(x)).sum().backward()
    elif case == "retain_graph":
        s = lin(x).sum()
        s.backward(retain_graph=True)
        s.backward()
    elif case == "no_grad":
        with lib.no_grad():
            lin(x)
    elif case == "autograd_grad_part":
        lib.autograd.grad(lin(x)[0, 0], x)
    else:
        class Mixed(lib.nn.Module):
            def forward(self, a):
                return a * 2, 3, a.sum()
        f = Mixed()
        f.register_full_backward_hook(lambda m, gi, go: log.append(([_arr(g) for g in gi], [_arr(g) for g in go])))
        out = f(x)
        assert out[1] == 3
        (out[0].sum() * out[2]).backward()


@pytest.mark.parametrize("case", ["output_used_twice", "module_called_twice", "retain_graph", "no_grad",
                                  "autograd_grad_part", "tuple_with_non_tensor"])
def test_hooks_in_graph_shapes_match_torch(case):
    logs = []
    for lib in (ember, torch):
        log = []
        _graph_case(lib, case, log)
        logs.append(log)
    assert len(logs[0]) == len(logs[1])
    for e, t in zip(*logs):
        for eg, tg in zip(e, t):
            assert [g is None for g in eg] == [g is None for g in tg]
            for a, b in zip(eg, tg):
                if a is not None:
                    np.testing.assert_allclose(a, b, rtol=1e-6)
