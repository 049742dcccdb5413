"""Hypothesis property tests: broadcasting arithmetic and reductions over random shapes,
checked against torch (values, dtypes and gradients)."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

SETTINGS = settings(max_examples=25, deadline=None)
# tiny magnitudes are left out: their products underflow, where torch's prod gradient (out / x) differs
FLOATS = st.floats(-3, 3, width=32).filter(lambda v: v == 0 or abs(v) > 1e-3)
BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b.abs() + 0.5), "maximum": lambda a, b: a.maximum(b),
}


@st.composite
def broadcastable_pair(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4))
    a = draw(hnp.arrays(np.float32, shapes.input_shapes[0], elements=FLOATS))
    b = draw(hnp.arrays(np.float32, shapes.input_shapes[1], elements=FLOATS))
    return a, b


def _compare(e, t):
    assert e.shape == tuple(t.shape)
    assert e.dtype.name == str(t.dtype).replace("torch.", "")
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("op", list(BINARY))
@SETTINGS
@given(pair=broadcastable_pair())
def test_broadcasting_arithmetic(op, pair):
    fn = BINARY[op]
    ea, eb = (ember.tensor(x, requires_grad=True) for x in pair)
    ta, tb = (torch.tensor(x, requires_grad=True) for x in pair)
    e, t = fn(ea, eb), fn(ta, tb)
    _compare(e, t)
    e.sum().backward()
    t.sum().backward()
    _compare(ea.grad, ta.grad)
    _compare(eb.grad, tb.grad)


@st.composite
def array_and_dims(draw):
    a = draw(hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=4, max_side=4), elements=FLOATS,
                        unique=True))
    dims = draw(st.lists(st.integers(0, a.ndim - 1), unique=True, min_size=1, max_size=a.ndim))
    negate = draw(st.booleans())
    dims = tuple(d - a.ndim if negate else d for d in dims)
    return a, dims, draw(st.booleans())


REDUCTIONS = {
    "sum": lambda x, d, k: x.sum(d, keepdim=k),
    "mean": lambda x, d, k: x.mean(d, keepdim=k),
    "amax": lambda x, d, k: x.amax(d, keepdim=k),
    "amin": lambda x, d, k: x.amin(d, keepdim=k),
    "logsumexp": lambda x, d, k: x.logsumexp(d, keepdim=k),
    "var_biased": lambda x, d, k: x.var(d, keepdim=k, unbiased=False),
    "max_dim": lambda x, d, k: x.max(d[0], keepdim=k)[0],
    "min_dim": lambda x, d, k: x.min(d[0], keepdim=k)[0],
    "prod_dim": lambda x, d, k: x.prod(d[0], keepdim=k),
    "softmax": lambda x, d, k: x.softmax(d[0]),
}


@pytest.mark.parametrize("name", list(REDUCTIONS))
@SETTINGS
@given(case=array_and_dims())
def test_reductions(name, case):
    a, dims, keepdim = case
    fn = REDUCTIONS[name]
    e_in, t_in = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    e, t = fn(e_in, dims, keepdim), fn(t_in, dims, keepdim)
    _compare(e, t)
    w = np.linspace(-1, 1, max(e.numel(), 1), dtype=np.float32).reshape(e.shape)
    (e * ember.tensor(w)).sum().backward()
    (t * torch.tensor(w)).sum().backward()
    _compare(e_in.grad, t_in.grad)


@pytest.mark.filterwarnings("ignore:.*degrees of freedom:UserWarning")  # torch and ember both warn
@SETTINGS
@given(a=hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=FLOATS))
def test_full_reductions_and_argmax(a):
    e, t = ember.tensor(a), torch.tensor(a)
    for name in ("sum", "mean", "amax", "amin"):
        _compare(getattr(e, name)(), getattr(t, name)())
    _compare(e.var(), t.var())
    _compare(e.std(), t.std())
    assert a.reshape(-1)[e.argmax().item()] == a.max() and a.reshape(-1)[e.argmin().item()] == a.min()
    assert e.argmax(-1).dtype == ember.int64
