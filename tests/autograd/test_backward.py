"""The backward pass: accumulation, retain_grad, is_leaf, retain_graph, torch's errors,
graph topologies (shared leaves, diamonds), the 100,000-op chain and freed saved arrays."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

# Graphs where a leaf is reached along several paths: the engine must sum, never alias.
GRAPHS = [
    ("shared_leaf_add", lambda m, a, b: (a + a * b + a).sum()),
    ("add_passes_same_grad_twice", lambda m, a, b: ((a + b * 3) * 2 + a * 5).sum()),
    ("diamond", lambda m, a, b: ((a * 2) * (a * 2 + b)).sum()),
    ("add_chain_same_leaf", lambda m, a, b: (a + (a + (a + b))).sum()),
    ("contiguous_passthrough", lambda m, a, b: ((a + b).T.contiguous() + a.T).sum()),
    ("self_add", lambda m, a, b: (a + a).sum() + (b + b).sum()),
    ("reuse_output", lambda m, a, b: (lambda y: (y * y + y).sum())(a * b)),
    ("index_rows_summed", lambda m, a, b: a[0].sum() * 1 + a[1].sum() * 2 + (b * 0 + 0).sum()),
    ("zero_plus_rows", lambda m, a, b: 0 + a[0].sum() + a[1].sum() + b.sum()),
    ("stack_of_rows", lambda m, a, b: m.stack([a[0], a[1], b[0]]).pow(2).sum()),
    ("broadcast_shared", lambda m, a, b: (a + a[0] + a[:, :1]).sum() + (b * b).mean()),
]


@pytest.mark.parametrize("name,fn", GRAPHS, ids=[g[0] for g in GRAPHS])
def test_graph_topologies_match_torch(name, fn):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(2)]
    e = [ember.tensor(x, requires_grad=True) for x in arrays]
    t = [torch.tensor(x, requires_grad=True) for x in arrays]
    fn(ember, *e).backward()
    fn(torch, *t).backward()
    for ei, ti in zip(e, t):
        np.testing.assert_allclose(ei.grad.numpy(), ti.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert e[0].grad._data is not e[1].grad._data
    assert not np.shares_memory(e[0].grad._data, e[1].grad._data)


class _NoGradForSecond(ember.autograd.Function):
    """An op whose backward gives no gradient to its second input."""

    def forward(self, x, y):
        return x + y

    def backward(self, g):
        return g, None


def test_node_receiving_no_gradient_does_not_block_its_inputs():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3  # reached along two paths, one of which carries no gradient
    out = _NoGradForSecond.apply(x, h) + h
    out.sum().backward()
    assert x.grad.tolist() == [4.0, 4.0]


def test_two_leaves_never_share_a_grad_array():
    a = ember.ones(3, requires_grad=True)
    b = ember.ones(3, requires_grad=True)
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad._data, b.grad._data)
    with ember.no_grad():
        a.grad.mul_(10.0)
    assert b.grad.tolist() == [1.0, 1.0, 1.0]


def test_user_gradient_is_not_aliased_or_modified():
    a = ember.ones(3, requires_grad=True)
    g = ember.tensor([1.0, 2.0, 3.0])
    (a * 1).backward(g)
    a.grad.add_(5.0)
    assert g.tolist() == [1.0, 2.0, 3.0]
    a.grad = None
    a.backward(g)  # backward on a leaf
    a.grad.add_(5.0)
    assert g.tolist() == [1.0, 2.0, 3.0]


def test_gradients_accumulate_across_backward_calls():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    grad_obj = x.grad
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 7.0])
    assert x.grad is grad_obj  # accumulated into the same tensor, like torch


def test_is_leaf_requires_grad_and_grad_fn():
    x = ember.ones(2, requires_grad=True)
    c = ember.ones(2)
    y = x * 2
    z = c * 2
    assert x.is_leaf and c.is_leaf and not y.is_leaf and z.is_leaf
    assert y.requires_grad and not z.requires_grad
    assert y.grad_fn.name() == "MulBackward0" and x.grad_fn is None and z.grad_fn is None


def test_non_leaf_grad_is_none_unless_retained():
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    h = y * 3
    h.retain_grad()
    assert h.retains_grad and not y.retains_grad
    (h * h).sum().backward()
    assert y.grad is None
    np.testing.assert_array_equal(h.grad.numpy(), [12.0, 12.0])
    np.testing.assert_array_equal(x.grad.numpy(), [72.0, 72.0])


def test_retain_graph_allows_a_second_backward():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first)


def test_second_backward_through_freed_graph_raises():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_saved_arrays_are_released_after_backward():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    y = (h * x).sum()
    nodes = [y.grad_fn, h.grad_fn]
    mul_node = y.grad_fn.next_functions[0]
    nodes.append(mul_node)
    assert mul_node.__dict__  # Mul saved its inputs
    y.backward()
    assert all(not n.__dict__ for n in nodes)


def test_saved_arrays_kept_with_retain_graph():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    mul_node = y.grad_fn.next_functions[0]
    y.backward(retain_graph=True)
    assert mul_node.__dict__


def test_non_scalar_backward_needs_gradient():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    (x * 2).backward(ember.tensor([1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 0.0, -2.0])


def test_backward_gradient_shape_mismatch():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"\(2,\).*\(3,\)"):
        (x * 2).backward(ember.ones(2))


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ember.ones(2).sum().backward()


def test_inplace_on_leaf_requiring_grad_raises():
    w = ember.ones(2, requires_grad=True)
    for update in (lambda: w.add_(1.0), lambda: w.mul_(2.0), lambda: w.zero_(),
                   lambda: w.fill_(1.0), lambda: w.copy_(ember.zeros(2)), lambda: w.clamp_(0, 1)):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            update()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w -= 1.0
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w[0] = 3.0


@pytest.mark.parametrize("update,expected", [
    (lambda w: w.__isub__(0.25 * w.grad), [0.5, 1.0]),
    (lambda w: w.add_(w.grad, alpha=-0.25), [0.5, 1.0]),
    (lambda w: w.sub_(w.grad), [-1.0, -2.0]),
    (lambda w: w.mul_(2.0), [2.0, 4.0]),
    (lambda w: w.div_(2), [0.5, 1.0]),
    (lambda w: w.zero_(), [0.0, 0.0]),
    (lambda w: w.fill_(7.0), [7.0, 7.0]),
    (lambda w: w.copy_(ember.tensor([5.0, 6.0])), [5.0, 6.0]),
    (lambda w: w.clamp_(1.5, 1.8), [1.5, 1.8]),
])
def test_inplace_updates_under_no_grad_keep_memory(update, expected):
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()  # grad = [2, 4]
    memory = w._data
    with ember.no_grad():
        out = update(w)
    assert out is w and w._data is memory
    assert w.requires_grad and w.is_leaf and w.dtype == ember.float32
    np.testing.assert_allclose(w.tolist(), expected)


def test_sgd_step_like_the_seeds():
    w = ember.tensor([1.0, -2.0], requires_grad=True)
    lr = 0.1
    for _ in range(3):
        loss = (w ** 2).sum()
        loss.backward()
        with ember.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
    np.testing.assert_allclose(w.tolist(), np.array([1.0, -2.0]) * 0.8 ** 3, rtol=1e-6)
    assert w.dtype == ember.float32


def test_inplace_on_non_leaf_is_recorded():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y.mul_(x)
    y.add_(1.0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


def test_long_chain_has_no_recursion_error():
    x = ember.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward()
    assert x.grad.tolist() == [1.0]


def test_autograd_grad_does_not_touch_dot_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (gx,) = ember.autograd.grad((x ** 2).sum(), x)
    np.testing.assert_array_equal(gx.numpy(), [2.0, 4.0])
    assert x.grad is None


def test_autograd_grad_for_non_leaf_inputs_matches_torch():
    def run(m):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        h = x * 2
        out = (h ** 2).sum()
        return m.autograd.grad(out, [h, x])
    for e, t in zip(run(ember), run(torch)):
        np.testing.assert_allclose(e.numpy(), t.numpy())


def test_autograd_grad_unused_input():
    x, y = ember.ones(2, requires_grad=True), ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        ember.autograd.grad((x * 2).sum(), [x, y])
    gx, gy = ember.autograd.grad((x * 2).sum(), [x, y], allow_unused=True)
    assert gx.tolist() == [2.0, 2.0] and gy is None


def test_float32_gradients_stay_float32_through_mixed_graph():
    w = ember.randn(3, 2, requires_grad=True)
    x = ember.tensor(np.random.default_rng(0).standard_normal((4, 3)))  # float64 data
    loss = (x.float() @ w).relu().mean() + w.var() + w.std(0).sum() + np.float64(2.0) * w.sum()
    assert loss.dtype == ember.float32
    loss.backward()
    assert w.grad.dtype == ember.float32


def test_register_hook_matches_torch():
    def run(m):
        seen = []
        x = m.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        h.register_hook(lambda g: seen.append(g.tolist()))
        h.register_hook(lambda g: g * 2)  # replaces the gradient flowing on
        handle = x.register_hook(lambda g: g + 1)
        (h * h).sum().backward()
        handle.remove()
        x.grad = None
        (x * 1).sum().backward()
        return seen, x.grad.tolist()
    assert run(ember) == run(torch)


def test_register_hook_needs_grad():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ember.ones(2).register_hook(print)


def test_post_accumulate_grad_hook_matches_torch():
    """The hook sees the accumulated .grad (after the leaf's own hooks), on every backward, until
    removed; an optimizer stepping inside backward gives the same weights as torch."""
    def run(m):
        seen = []
        w = m.tensor([1.0, -2.0, 0.5], requires_grad=True)
        w.register_hook(lambda g: g * 2)
        handle = w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
        (w * 3).sum().backward()
        (w * w).sum().backward()
        handle.remove()
        (w * 5).sum().backward()
        v = m.tensor([1.0, 2.0], requires_grad=True)
        opt = m.optim.SGD([v], lr=0.1)

        def step(t):
            opt.step()
            opt.zero_grad()
        v.register_post_accumulate_grad_hook(step)
        for _ in range(3):
            (v * v).sum().backward()
        return seen, w.grad.tolist(), v.tolist(), v.grad
    e, t = run(ember), run(torch)
    assert e[:3] == t[:3]
    assert e[3] is None and t[3] is None


@pytest.mark.parametrize("make, message", [
    (lambda m: m.ones(2), "doesn't require gradient"),
    (lambda m: m.ones(2, requires_grad=True) * 2, "cannot be registered on non-leaf tensors"),
])
def test_post_accumulate_grad_hook_refuses_like_torch(make, message):
    for m in (ember, torch):
        with pytest.raises(RuntimeError, match=message):
            make(m).register_post_accumulate_grad_hook(print)


@pytest.mark.parametrize("shared", [False, True])
def test_post_accumulate_hooks_fire_as_soon_as_the_leaf_is_complete(shared):
    """A leaf's hook fires once its last contribution has arrived, before backward reaches the
    layers below (DDP starts a bucket's allreduce there), in torch's order; a weight used by
    two layers waits for both."""
    r = np.random.default_rng(0)
    a1, a2, ax = (r.standard_normal(s).astype(np.float32) for s in ((3, 4), (3, 3), (2, 3)))

    def run(m):
        events = []
        w1 = m.tensor(a1, requires_grad=True)
        w2 = w1 if shared else m.tensor(a2, requires_grad=True)
        for name, w in (("w1", w1), ("w2", w2))[:1 if shared else 2]:
            w.register_post_accumulate_grad_hook(lambda t, name=name: events.append(name))
        z1 = (m.tensor(ax) @ w1[:, :3]).tanh()
        z1.register_hook(lambda grad: events.append("z1"))
        (z1 @ w2[:, :3]).sum().backward()
        return events, w1.grad.numpy().copy()
    (ev, grad), (tev, tgrad) = run(ember), run(torch)
    assert ev == tev == (["z1", "w1"] if shared else ["w2", "z1", "w1"])
    np.testing.assert_allclose(grad, tgrad, rtol=1e-6)


def test_leaf_hook_sees_the_summed_gradient_once():
    """A leaf used twice gets one hook call with the sum of both contributions, as torch's
    AccumulateGrad (a non-linear hook shows the difference)."""
    def run(m):
        seen = []
        x = m.tensor([1.0, 2.0], requires_grad=True)
        x.register_hook(lambda g: (seen.append(g.tolist()), g * g)[1])
        (x * x + 3 * x).sum().backward()
        return seen, x.grad.tolist()
    assert run(ember) == run(torch)
