"""In-place changes to tensors that backward still needs: torch's version counters and its error,
and the in-place updates that stay legal (optimizer steps after backward, changes nothing saved).

Every case is written once and run on ember and on torch."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
LIBS = [ember, torch]


def _leaf(m, values=(1.0, 2.0, 3.0), dtype=None):
    return m.tensor(list(values), requires_grad=True, dtype=dtype or m.float32)


def _no_grad_add(m, t):
    with m.no_grad():
        t.add_(1)


def _init(m, net):
    """The same weights in both libraries (their generators differ)."""
    with m.no_grad():
        for p in net.parameters():
            p.copy_(m.tensor(np.linspace(-0.6, 0.7, p.numel(), dtype=np.float32).reshape(tuple(p.shape))))
    return net


def _mlp_step_between(m):
    """Forward, an optimizer step, then backward: the second layer's saved weight changed."""
    net = _init(m, m.nn.Sequential(m.nn.Linear(3, 4), m.nn.Tanh(), m.nn.Linear(4, 1)))
    opt = m.optim.SGD(net.parameters(), lr=0.1)
    loss = net(m.ones(2, 3)).sum()
    loss.backward(retain_graph=True)
    opt.step()
    loss.backward()


def _two_losses_one_optimizer(m):
    """A GAN-style mistake: the first loss's step changes weights the second loss's graph saved."""
    disc = _init(m, m.nn.Sequential(m.nn.Linear(2, 3), m.nn.ReLU(), m.nn.Linear(3, 1)))
    gen = _init(m, m.nn.Linear(2, 2))
    opt_d = m.optim.Adam(disc.parameters(), lr=0.01)
    fake = gen(m.ones(4, 2))
    d_loss = disc(fake.detach()).mean()
    g_loss = -disc(fake).mean()
    d_loss.backward()
    opt_d.step()
    g_loss.backward()


def _saved_by_custom_function(m):
    class Square(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    x = _leaf(m)
    h = x * 1
    y = Square.apply(h)
    h.mul_(3)
    y.sum().backward()


def _saved_twice_changed_twice(m):
    a = _leaf(m)
    b = a.exp()
    b.add_(1)
    b.add_(1)
    b.sum().backward()


# (id, code) where torch raises its in-place error: ember must raise the same text. For a linear
# layer torch saves a transposed view of the weight (it names it "output 0 of AsStrided" with the
# transposed shape); ember saves the weight itself: those rows compare the versions only.
WEIGHT_VIEWS = {"optimizer_step_between_forward_and_backward", "gan_style_step_before_second_backward",
                "nn_init_on_a_saved_weight"}
CAUGHT = [
    ("output_saved_then_add_", lambda m: (lambda b: (b.add_(1), b.sum().backward()))(_leaf(m).exp())),
    ("output_saved_changed_twice", _saved_twice_changed_twice),
    ("sigmoid_output_mul_", lambda m: (lambda b: (lambda c: (b.mul_(2), c.sum().backward()))(b * 1))(
        _leaf(m).sigmoid())),
    ("tanh_output_zero_float64", lambda m: (lambda b: (b.zero_(), b.sum().backward()))(
        _leaf(m, dtype=m.float64).tanh())),
    ("softmax_output_fill_", lambda m: (lambda b: (lambda c: (b.fill_(0.5), c.backward()))(
        (b * m.tensor([1.0, 2.0, 3.0])).sum()))(_leaf(m).softmax(0))),
    ("relu_inplace_on_sigmoid_output", lambda m: (lambda b: (lambda c: (
        m.nn.functional.relu(b, inplace=True), c.backward()))(b.sum() * 1))(_leaf(m).sigmoid())),
    ("leaf_changed_under_no_grad", lambda m: (lambda w, x: (lambda y: (_no_grad_add(m, w), y.backward()))(
        (w * x).sum()))(_leaf(m), _leaf(m))),
    ("input_without_grad_changed", lambda m: (lambda w, x: (lambda y: (x.add_(1), y.backward()))(
        (w * x).sum()))(_leaf(m), m.tensor([1.0, 2.0, 3.0]))),
    ("saved_non_leaf_changed_with_grad", lambda m: (lambda b: (lambda c: (b.add_(1), c.sum().backward()))(
        b * b))(_leaf(m) * 2)),
    ("setitem_on_saved_input", lambda m: (lambda w, x: (lambda y: (x.__setitem__(0, 5.0), y.backward()))(
        (w * x).sum()))(_leaf(m), m.tensor([1.0, 2.0, 3.0]))),
    ("copy_into_saved_input", lambda m: (lambda w, x: (lambda y: (x.copy_(m.zeros(3)), y.backward()))(
        (w * x).sum()))(_leaf(m), m.tensor([1.0, 2.0, 3.0]))),
    ("detached_view_changed", lambda m: (lambda w, x: (lambda y: (x.detach().mul_(2), y.backward()))(
        (w * x).sum()))(_leaf(m), m.tensor([1.0, 2.0, 3.0]))),
    ("optimizer_step_between_forward_and_backward", _mlp_step_between),
    ("gan_style_step_before_second_backward", _two_losses_one_optimizer),
    ("custom_function_saved_input", _saved_by_custom_function),
    ("view_of_saved_output_changed", lambda m: (lambda b: (b[0:2].mul_(2), b.sum().backward()))(_leaf(m).exp())),
    ("base_of_saved_view_changed", lambda m: (lambda w, x: (lambda y: (x.add_(1), y.backward()))(
        (w * x[1:]).sum()))(_leaf(m), m.tensor([0.5, 1.0, 2.0, 3.0]))),
    ("relu__on_exp_output", lambda m: (lambda b: (b.relu_(), b.sum().backward()))(_leaf(m).exp())),
    ("mul_input_scaled", lambda m: (lambda w, x: (lambda y: (x.mul_(2), y.backward()))(
        (w * x).sum()))(_leaf(m), m.tensor([1.0, 2.0, 3.0]))),
    ("divisor_changed", lambda m: (lambda w, d: (lambda y: (d.sub_(0.5), y.backward()))(
        (w / d).sum()))(_leaf(m), m.tensor([1.0, 2.0, 3.0]))),
    ("pow_base_changed_with_grad", lambda m: (lambda x: (lambda y: (x.add_(1), y.backward()))(
        (x ** 2).sum()))(_leaf(m) * 1)),
    ("nn_init_on_a_saved_weight", lambda m: (lambda lin: (lambda y: (m.nn.init.zeros_(lin.weight), y.backward()))(
        lin(m.ones(2, 3, requires_grad=True)).sum()))(m.nn.Linear(3, 2))),
]


def _error(m, code):
    with pytest.raises(RuntimeError, match="modified by an inplace operation") as info:
        code(m)
    return str(info.value)


@pytest.mark.parametrize("name,code", CAUGHT, ids=[c[0] for c in CAUGHT])
def test_torchs_error_with_torchs_text(name, code):
    ours, theirs = _error(ember, code), _error(torch, code)
    # torch's text up to its hint: the tensor's type and shape, what made it, its versions
    ours, theirs = ours.split(" Hint:")[0], theirs.split(" Hint:")[0]
    if name in WEIGHT_VIEWS:
        ours, theirs = ours.split(" is at version")[1], theirs.split(" is at version")[1]
    assert ours == theirs


def _adam_loop(m, steps=3):
    net = _init(m, m.nn.Sequential(m.nn.Linear(3, 4), m.nn.ReLU(inplace=True), m.nn.Linear(4, 2)))
    opt = m.optim.Adam(net.parameters(), lr=0.05)
    x = m.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3))
    y = m.tensor([0, 1, 1, 0, 1])
    for _ in range(steps):
        opt.zero_grad()
        loss = m.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
    return loss.item()


def _manual_sgd(m):
    w, b = _leaf(m), m.tensor(0.5, requires_grad=True)
    x = m.tensor([0.5, -1.0, 2.0])
    for _ in range(3):
        loss = ((w * x).sum() + b - 1) ** 2
        loss.backward()
        with m.no_grad():
            w -= 0.1 * w.grad
            b.sub_(0.1 * b.grad)
            w.grad.zero_()
            b.grad.zero_()
    return w.tolist() + [b.item()]


def _unsaved_leaf_changed(m):
    x = _leaf(m)
    y = x + 1                       # an addition saves nothing
    _no_grad_add(m, x)
    y.sum().backward()
    return x.grad.tolist()


def _weight_changed_when_only_it_needs_grad(m):
    w = _leaf(m)
    y = (w * m.tensor([1.0, 2.0, 3.0])).sum()   # only the data is saved (for w's gradient)
    _no_grad_add(m, w)
    y.backward()
    return w.grad.tolist()


def _non_leaf_scaled_in_place(m):
    a = _leaf(m)
    b = a + 1
    b.mul_(2)                        # b was saved by nothing
    b.sum().backward()
    return a.grad.tolist()


def _in_place_product_with_its_input(m):
    x = _leaf(m)
    y = x * 1
    y.mul_(x)                         # mul_ needs y's old values for x's gradient: it keeps them
    y.add_(1.0)
    (y * y).sum().backward()
    return x.grad.tolist()


def _data_changed(m):
    w = _leaf(m)
    y = (w * w).sum()
    w.data.mul_(1.0)                  # torch's .data: no version change
    y.backward()
    return w.grad.tolist()


def _changed_after_backward(m):
    a = _leaf(m)
    b = a.exp()
    b.sum().backward()
    b.add_(1)                         # backward is done: nothing needs b any more
    return a.grad.tolist() + b.tolist()


def _relu_inplace_on_linear(m):
    lin = _init(m, m.nn.Linear(3, 2))
    out = m.nn.functional.relu(lin(m.ones(4, 3)), inplace=True).sum()
    out.backward()
    return lin.weight.grad.tolist()


def _add_after_times_two(m):
    a = _leaf(m)
    x = a * 1
    y = x * 2                         # a product with a number saves neither side
    x.add_(1)
    y.sum().backward()
    return a.grad.tolist()


def _unary_input_changed(m, op):
    a = _leaf(m)
    x = a * 1
    y = getattr(x, op)()              # exp, sigmoid and tanh save their output, not their input
    x.mul_(3)
    y.sum().backward()
    return a.grad.tolist() + y.tolist()


LEGAL = [
    ("add__after_y_is_x_times_two", _add_after_times_two),
    ("exp_input_changed", lambda m: _unary_input_changed(m, "exp")),
    ("sigmoid_input_changed", lambda m: _unary_input_changed(m, "sigmoid")),
    ("tanh_input_changed", lambda m: _unary_input_changed(m, "tanh")),
    ("adam_training_loop_with_inplace_relu", _adam_loop),
    ("manual_sgd_under_no_grad", _manual_sgd),
    ("unsaved_leaf_changed", _unsaved_leaf_changed),
    ("weight_changed_when_not_saved", _weight_changed_when_only_it_needs_grad),
    ("non_leaf_scaled_in_place", _non_leaf_scaled_in_place),
    ("in_place_product_with_its_input", _in_place_product_with_its_input),
    ("data_changed", _data_changed),
    ("changed_after_backward", _changed_after_backward),
    ("relu_inplace_on_linear_output", _relu_inplace_on_linear),
]


@pytest.mark.parametrize("name,code", LEGAL, ids=[c[0] for c in LEGAL])
def test_legal_inplace_updates_still_work_and_agree_with_torch(name, code):
    np.testing.assert_allclose(np.array(code(ember), dtype=float), np.array(code(torch), dtype=float),
                               rtol=1e-5, atol=1e-6)


def _versions(m):
    x = m.zeros(3)
    seen = [x._version]
    x.add_(1)
    seen.append(x._version)
    x.detach().add_(1)                # shares the counter
    seen.append(x._version)
    x.data.add_(1)                    # does not
    seen.append(x._version)
    view = x[0:2]
    view.mul_(2)                      # a view shares its base's counter
    seen += [x._version, view._version]
    x += 1
    x[0] = 5
    x.fill_(2)
    x.zero_()
    x.clamp_(0, 1)
    x.copy_(m.ones(3))
    seen.append(x._version)
    w = m.ones(2, requires_grad=True)
    h = w * 2
    h.add_(1)                         # recorded in place: h's counter moves too
    seen += [h._version, w._version]
    return seen


def test_version_counts_match_torch():
    assert _versions(ember) == _versions(torch)


INITS = [("uniform_", ()), ("normal_", ()), ("constant_", (0.5,)), ("ones_", ()),
         ("zeros_", ()), ("eye_", ()), ("xavier_uniform_", ()), ("xavier_normal_", ()),
         ("kaiming_uniform_", ()), ("kaiming_normal_", ())]
# (torch's trunc_normal_, dirac_, orthogonal_ and sparse_ write 1 or 2, 4, 2 and 5 times: artefacts
# of how each is written; ember counts one write)


@pytest.mark.parametrize("name,args", INITS, ids=[i[0] for i in INITS])
def test_nn_init_moves_the_version_as_torch(name, args):
    def versions(m):
        t = m.empty(3, 4)
        getattr(m.nn.init, name)(t, *args)
        lin = m.nn.Linear(3, 4)       # its constructor initialises in place
        return [t._version, lin.weight._version, lin.bias._version]
    assert versions(ember) == versions(torch)


OPTIMIZERS = [("SGD", {}), ("SGD", {"momentum": 0.9}), ("Adam", {}), ("Adam", {"amsgrad": True}),
              ("AdamW", {}), ("AdamW", {"weight_decay": 0.0}), ("NAdam", {}),
              ("NAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True}), ("RAdam", {}),
              ("Adamax", {}), ("RMSprop", {}), ("Rprop", {}), ("Adagrad", {}), ("Adadelta", {}), ("ASGD", {}),
              ("Adafactor", {}), ("Adafactor", {"weight_decay": 0.1})]


@pytest.mark.parametrize("name,kwargs", OPTIMIZERS, ids=[f"{n}-{k}" for n, k in OPTIMIZERS])
def test_optimizer_steps_move_the_version_as_torch(name, kwargs):
    def versions(m):
        w, b = m.nn.Parameter(m.ones(2, 3)), m.nn.Parameter(m.zeros(3))
        frozen = m.nn.Parameter(m.ones(3))              # no gradient: not stepped
        opt = getattr(m.optim, name)([w, b, frozen], lr=0.1, **kwargs)
        seen = []
        for _ in range(3):
            w.grad, b.grad = m.ones(2, 3), m.ones(3)
            opt.step()
            seen += [w._version, b._version, frozen._version]
        return seen
    assert versions(ember) == versions(torch)


# Ops after which the output (``y.add_(1)``) or the input (``h.add_(1)``) is changed before
# backward: ember raises exactly where torch does (tests/autograd/test_inplace_saved_table.py
# has every module and more ops).
def _fn(f):
    return lambda m: f


OPS = {
    "linear": lambda m: m.nn.Linear(4, 2), "conv2d": lambda m: m.nn.Conv2d(3, 2, 3),
    "batchnorm2d": lambda m: m.nn.BatchNorm2d(3), "layernorm": lambda m: m.nn.LayerNorm(4),
    "relu": lambda m: m.nn.ReLU(), "gelu": lambda m: m.nn.GELU(), "silu": lambda m: m.nn.SiLU(),
    "leaky_relu": lambda m: m.nn.LeakyReLU(0.1), "elu": lambda m: m.nn.ELU(), "tanh": lambda m: m.nn.Tanh(),
    "sigmoid": lambda m: m.nn.Sigmoid(), "softplus": lambda m: m.nn.Softplus(),
    "maxpool": lambda m: m.nn.MaxPool2d(2), "avgpool": lambda m: m.nn.AvgPool2d(2),
    "dropout": lambda m: m.nn.Dropout(0.5), "softmax": lambda m: m.nn.Softmax(dim=1),
    "log_softmax": lambda m: m.nn.LogSoftmax(dim=1), "flatten": lambda m: m.nn.Flatten(),
    "exp": _fn(lambda t: t.exp()), "sqrt": _fn(lambda t: (t * t + 1).sqrt()),
    "log": _fn(lambda t: (t * t + 1).log()), "sin": _fn(lambda t: t.sin()), "atan": _fn(lambda t: t.atan()),
    "erf": _fn(lambda t: t.erf()), "square": _fn(lambda t: t.square()), "pow3": _fn(lambda t: t ** 3),
    "pow_half": _fn(lambda t: (t * t + 1) ** 0.5), "abs": _fn(lambda t: t.abs()),
    "div": _fn(lambda t: t / (t * t + 1)), "mul_self": _fn(lambda t: t * t),
    "mean": _fn(lambda t: t.mean(dim=1)), "amax": _fn(lambda t: t.amax(dim=1)),
    "norm": _fn(lambda t: t.norm(dim=1)), "matmul": _fn(lambda t: t @ t.transpose(-1, -2)),
    "clamp": _fn(lambda t: t.clamp(-0.5, 0.5)), "reshape": _fn(lambda t: t.reshape(2, -1) * 2),
    "lstm": lambda m: (lambda mod: lambda t: mod(t.reshape(2, 12, 4))[0])(m.nn.LSTM(4, 3, batch_first=True)),
}
OP_CASES = [(change, name) for change in ("output", "input") for name in OPS]


def _raises_after_change(m, name, change):
    m.manual_seed(0)
    op = OPS[name](m)
    x = m.tensor(np.linspace(-1, 1, 96, dtype=np.float32).reshape(2, 3, 4, 4), requires_grad=True)
    h = x * 1
    y = op(h)
    (y if change == "output" else h).add_(1)
    try:
        (y * 1).sum().backward()
    except RuntimeError as err:
        assert "modified by an inplace operation" in str(err)
        return True
    return False


@pytest.mark.parametrize("change,name", OP_CASES, ids=[f"{c}-{n}" for c, n in OP_CASES])
def test_which_in_place_changes_raise_as_in_torch(change, name):
    assert _raises_after_change(ember, name, change) == _raises_after_change(torch, name, change)
