"""ember.autograd.Function in torch's form (static forward/backward with ctx), compared with torch
on the same user functions, written the way the tutorials and the "extending" notes write them.

Every function is defined once per library by ``_library(m)`` (m = ember or torch), so both run
the same code; each test compares values, gradients, node names and errors."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
LIBS = [ember, torch]


def _library(m):
    """The user functions, subclassing ``m.autograd.Function``."""

    class Quartic(m.autograd.Function):
        """P(x) = (x^4 - 2 x^2) / 4, with its derivative written by hand."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return (x ** 4 - 2 * x ** 2) / 4

        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return grad_output * (x ** 3 - x)

    class Affine(m.autograd.Function):
        """x @ w.T (+ b), computing only the gradients that are needed."""

        @staticmethod
        def forward(ctx, x, w, b=None):
            ctx.save_for_backward(x, w, b)
            out = x.mm(w.t())
            return out if b is None else out + b.unsqueeze(0).expand_as(out)

        @staticmethod
        def backward(ctx, grad_output):
            x, w, b = ctx.saved_tensors
            gx = gw = gb = None
            if ctx.needs_input_grad[0]:
                gx = grad_output.mm(w)
            if ctx.needs_input_grad[1]:
                gw = grad_output.t().mm(x)
            if b is not None and ctx.needs_input_grad[2]:
                gb = grad_output.sum(0)
            return gx, gw, gb

    class ScaleBy(m.autograd.Function):
        """A tensor times a Python number; the number gets no gradient."""

        @staticmethod
        def forward(ctx, x, factor):
            ctx.factor = factor
            return x * factor

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.factor, None

    class Shifted(m.autograd.Function):
        """The setup_context form: forward takes only the inputs."""

        @staticmethod
        def forward(x, shift, power=2):
            return (x + shift) ** power

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, shift, power = inputs
            ctx.save_for_backward(x)
            ctx.shift, ctx.power = shift, power

        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return grad_output * ctx.power * (x + ctx.shift) ** (ctx.power - 1), None, None

    class SortRows(m.autograd.Function):
        """Two outputs: sorted values (differentiable) and their indices (not)."""

        @staticmethod
        def forward(ctx, x):
            values, indices = x.sort(dim=1)
            ctx.mark_non_differentiable(indices)
            ctx.save_for_backward(indices)
            ctx.shape = x.shape
            return values, indices

        @staticmethod
        def backward(ctx, grad_values, grad_indices):
            indices, = ctx.saved_tensors
            return grad_values.gather(1, indices.argsort(dim=1))   # undo the permutation

    class Pair(m.autograd.Function):
        """Two differentiable outputs; with materialize off an unused one's gradient is None."""

        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            ctx.save_for_backward(x)
            return x * 2, x * x

        @staticmethod
        def backward(ctx, g_double, g_square):
            x, = ctx.saved_tensors
            SEEN.append((g_double is None, g_square is None))
            total = 0
            if g_double is not None:
                total = total + g_double * 2
            if g_square is not None:
                total = total + g_square * 2 * x
            return total, None

    class RoundThrough(m.autograd.Function):
        """Rounds in forward and passes the gradient straight through (a quantiser's trick)."""

        @staticmethod
        def forward(ctx, x):
            return x.round()

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    class AddOneInPlace(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    class Identity(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * 3

    class WrongCount(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, grad_output):
            return (grad_output,)

    class WrongShape(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output[:1]

    class SummedBack(m.autograd.Function):
        """Returns a gradient with an extra leading axis: the engine sums it to the input's shape."""

        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):
            return m.stack([grad_output, grad_output])

    class SavesNumber(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(3)
            return x

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    return {k: v for k, v in locals().items() if isinstance(v, type)}


SEEN = []  # what Pair's backward received: (first gradient is None, second is None)
FN = {m: _library(m) for m in LIBS}


def _pair(values, requires_grad=True, dtype=np.float32):
    arr = np.asarray(values, dtype)
    return ember.tensor(arr, requires_grad=requires_grad), torch.tensor(arr, requires_grad=requires_grad)


def _same(e, t, rtol=1e-5, atol=1e-6):
    t = t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)
    np.testing.assert_allclose(np.asarray(e._data), t, rtol=rtol, atol=atol)
    assert str(e.dtype).split(".")[-1] == str(t.dtype)


def _name(t):
    return t.grad_fn.name() if t.grad_fn is not None else None


RNG = np.random.default_rng(0)
X34 = RNG.standard_normal((3, 4))

# (id, how to call the function given the library and its inputs, input arrays)
CALLS = [
    ("quartic", lambda m, f, x: f["Quartic"].apply(x).sum(), [X34]),
    ("affine_with_bias", lambda m, f, x, w, b: f["Affine"].apply(x, w, b).pow(2).sum(),
     [X34, RNG.standard_normal((2, 4)), RNG.standard_normal(2)]),
    ("affine_no_bias", lambda m, f, x, w: f["Affine"].apply(x, w).sum(), [X34, RNG.standard_normal((2, 4))]),
    ("scale_by_number", lambda m, f, x: (f["ScaleBy"].apply(x, 2.5) * x).sum(), [X34]),
    ("scale_keyword", lambda m, f, x: f["ScaleBy"].apply(x, factor=-1.5).exp().sum(), [X34]),
    ("setup_context", lambda m, f, x: f["Shifted"].apply(x, 0.5).sum(), [X34]),
    ("setup_context_keyword", lambda m, f, x: f["Shifted"].apply(x, 0.5, power=3).sum(), [X34]),
    ("round_through", lambda m, f, x: (f["RoundThrough"].apply(x * 3) * x).sum(), [X34]),
    ("identity_returns_input", lambda m, f, x: f["Identity"].apply(x).sum(), [X34]),
    ("pair_both_used", lambda m, f, x: sum(o.sum() for o in f["Pair"].apply(x, True)), [X34]),
    ("pair_first_only", lambda m, f, x: f["Pair"].apply(x, True)[0].sum(), [X34]),
    ("pair_second_only_unmaterialized", lambda m, f, x: f["Pair"].apply(x, False)[1].sum(), [X34]),
    ("summed_back", lambda m, f, x: f["SummedBack"].apply(x).sum(), [X34]),
    ("sort_rows", lambda m, f, x: (f["SortRows"].apply(x)[0] * m.arange(4.0)).sum(), [X34]),
    ("chained", lambda m, f, x, w: f["Quartic"].apply(f["Affine"].apply(x, w)).mean(),
     [X34, RNG.standard_normal((2, 4))]),
]


@pytest.mark.parametrize("name,call,arrays", CALLS, ids=[c[0] for c in CALLS])
def test_custom_function_matches_torch(name, call, arrays):
    pairs = [_pair(a) for a in arrays]
    e_in, t_in = [p[0] for p in pairs], [p[1] for p in pairs]
    e_out, t_out = call(ember, FN[ember], *e_in), call(torch, FN[torch], *t_in)
    _same(e_out, t_out)
    e_out.backward()
    t_out.backward()
    for e, t in zip(e_in, t_in):
        _same(e.grad, t.grad)


@pytest.mark.parametrize("m", LIBS, ids=["ember", "torch"])
def test_forward_and_backward_run_without_grad_mode_and_needs_input_grad_follows_inputs(m):
    seen = {}

    class Probe(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, k):
            seen["forward"] = (m.is_grad_enabled(), tuple(ctx.needs_input_grad))
            return x * y * k

        @staticmethod
        def backward(ctx, g):
            seen["backward"] = m.is_grad_enabled()
            return g, None, None

    x = m.ones(2, requires_grad=True)
    Probe.apply(x, m.ones(2), 2.0).sum().backward()
    with m.no_grad():
        Probe.apply(x, m.ones(2), 2.0)
    assert seen == {"forward": (False, (True, False, False)), "backward": False}
    out = Probe.apply(x.detach(), m.ones(2), 2.0)
    assert seen["forward"] == (False, (False, False, False)) and not out.requires_grad


@pytest.mark.parametrize("name", ["Quartic", "ScaleBy", "Pair"])
def test_node_names_and_reprs_match_torch(name):
    args = {"Quartic": (), "ScaleBy": (2.0,), "Pair": (True,)}[name]
    e_x, t_x = _pair([1.0, 2.0])
    e_out, t_out = FN[ember][name].apply(e_x, *args), FN[torch][name].apply(t_x, *args)
    e_first = e_out[0] if isinstance(e_out, tuple) else e_out
    t_first = t_out[0] if isinstance(t_out, tuple) else t_out
    assert _name(e_first) == _name(t_first) == name + "Backward"
    assert type(e_first.grad_fn).__name__ == name + "Backward" or isinstance(e_out, tuple)
    assert repr(e_first).endswith(f"grad_fn=<{name}Backward>)")


def test_outputs_marked_non_differentiable_and_integer_outputs_need_no_grad():
    for m in LIBS:
        x = m.tensor(X34.astype(np.float32), requires_grad=True)
        values, indices = FN[m]["SortRows"].apply(x)
        assert values.requires_grad and not indices.requires_grad and indices.grad_fn is None
    e_x, t_x = _pair(X34)
    e_v, _ = FN[ember]["SortRows"].apply(e_x)
    t_v, _ = FN[torch]["SortRows"].apply(t_x)
    _same(e_v, t_v)


@pytest.mark.parametrize("materialize", [True, False])
def test_unused_output_gradient_is_zeros_or_none_as_torch_says(materialize):
    grads = []
    for m in LIBS:
        SEEN.clear()
        x = m.tensor([1.0, 2.0], requires_grad=True)
        FN[m]["Pair"].apply(x, materialize)[1].sum().backward()
        grads.append((SEEN[0], x.grad.tolist()))
    assert grads[0] == grads[1] == ((not materialize, False), [2.0, 4.0])


def test_mark_dirty_makes_the_input_the_output_like_torch():
    results = []
    for m in LIBS:
        x = m.tensor([1.0, 2.0], requires_grad=True)
        h = x * 2
        out = FN[m]["AddOneInPlace"].apply(h)
        (out * out).sum().backward()
        results.append((out is h, _name(h), h.tolist(), x.grad.tolist()))
    assert results[0] == results[1] == (True, "AddOneInPlaceBackward", [3.0, 5.0], [12.0, 20.0])


@pytest.mark.parametrize("m", LIBS, ids=["ember", "torch"])
def test_mark_dirty_on_a_leaf_that_requires_grad_raises(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad has been used in an in-place"):
        FN[m]["AddOneInPlace"].apply(x)


def test_returning_an_input_gives_a_new_tensor_with_the_node():
    for m in LIBS:
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = FN[m]["Identity"].apply(x)
        assert y is not x and _name(y) == "IdentityBackward" and x.grad_fn is None


ERRORS = [
    ("WrongCount", lambda f, x: f["WrongCount"].apply(x, x).sum().backward(), RuntimeError,
     r"function WrongCountBackward returned an incorrect number of gradients \(expected 2, got 1\)"),
    ("WrongShape", lambda f, x: f["WrongShape"].apply(x).sum().backward(), RuntimeError,
     r"Function WrongShapeBackward returned an invalid gradient at index 0 - got \[1\] but expected "
     r"shape compatible with \[2\]"),
    ("SavesNumber", lambda f, x: f["SavesNumber"].apply(x), TypeError,
     "save_for_backward can only save variables, but argument 0 is of type int"),
]


@pytest.mark.parametrize("m", LIBS, ids=["ember", "torch"])
@pytest.mark.parametrize("name,call,err,match", ERRORS, ids=[e[0] for e in ERRORS])
def test_user_errors_get_torchs_messages(m, name, call, err, match):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(err, match=match):
        call(FN[m], x)


@pytest.mark.parametrize("m", LIBS, ids=["ember", "torch"])
def test_saved_tensors_are_freed_after_backward(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = FN[m]["Quartic"].apply(x)
    y.sum().backward(retain_graph=True)
    assert len(y.grad_fn.saved_tensors) == 1
    y.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.grad_fn.saved_tensors


def test_no_input_requires_grad_records_nothing():
    for m in LIBS:
        y = FN[m]["Quartic"].apply(m.tensor([1.0, 2.0]))
        assert not y.requires_grad and y.grad_fn is None


def _fit(m, steps=30):
    """The tutorial's loop: fit y = a + b P(c + d x) to cos(x) with a custom P, by hand-written SGD."""
    x = m.tensor(np.linspace(-2, 2, 50).astype(np.float32))
    y = m.cos(x)
    a, b, c, d = (m.tensor(v, requires_grad=True) for v in (0.1, -0.4, 0.05, 0.6))
    losses = []
    for _ in range(steps):
        pred = a + b * FN[m]["Quartic"].apply(c + d * x)
        loss = (pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with m.no_grad():
            for p in (a, b, c, d):
                p -= 2e-3 * p.grad
                p.grad = None
    return losses, [p.item() for p in (a, b, c, d)]


def test_training_loop_with_a_custom_function_follows_torch():
    e_losses, e_params = _fit(ember)
    t_losses, t_params = _fit(torch)
    np.testing.assert_allclose(e_losses, t_losses, rtol=1e-4)
    np.testing.assert_allclose(e_params, t_params, rtol=1e-4, atol=1e-6)
    assert e_losses[-1] < e_losses[0]


def test_custom_relu_inside_a_module_trains_like_torch():
    def run(m):
        class ClampBelow(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x.clamp(min=0)

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                g = g.clone()
                g[x < 0] = 0
                return g

        class Net(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1, self.fc2 = m.nn.Linear(3, 8), m.nn.Linear(8, 1)

            def forward(self, x):
                return self.fc2(ClampBelow.apply(self.fc1(x)))

        m.manual_seed(0)
        net = Net()
        rng = np.random.default_rng(1)
        with m.no_grad():
            for p in net.parameters():
                p.copy_(m.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32) * 0.5))
        x = m.tensor(rng.standard_normal((16, 3)).astype(np.float32))
        y = m.tensor(rng.standard_normal((16, 1)).astype(np.float32))
        opt = m.optim.SGD(net.parameters(), lr=0.05)
        for _ in range(10):
            opt.zero_grad()
            loss = m.nn.functional.mse_loss(net(x), y)
            loss.backward()
            opt.step()
        return loss.item(), [p.detach().numpy().copy() for p in net.parameters()]

    (e_loss, e_params), (t_loss, t_params) = run(ember), run(torch)
    assert e_loss == pytest.approx(t_loss, rel=1e-4)
    for e, t in zip(e_params, t_params):
        np.testing.assert_allclose(e, t, rtol=1e-4, atol=1e-5)


def test_gradcheck_accepts_the_custom_functions():
    x = ember.tensor(X34, requires_grad=True)
    w = ember.tensor(RNG.standard_normal((2, 4)), requires_grad=True)
    f = FN[ember]
    assert ember.autograd.gradcheck(f["Quartic"].apply, (x,))
    assert ember.autograd.gradcheck(f["Affine"].apply, (x, w))
    assert ember.autograd.gradcheck(lambda t: f["Shifted"].apply(t, 0.3, 3), (x,))
    assert ember.autograd.gradcheck(lambda t: f["Pair"].apply(t, True), (x,))
