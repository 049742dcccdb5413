"""dtype promotion like torch (torch.result_type) for tensors, 0-d tensors and scalars,
and the float32 discipline: no float32 work silently turns float64."""
import itertools

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

DTYPES = ["float32", "float64", "int64", "int32", "bool"]


def _tensor(m, dtype, zero_dim):
    data = 1 if dtype == "bool" else 2
    return m.tensor(data if zero_dim else [data, data], dtype=getattr(m, dtype))


TENSORS = [(d, z) for d in DTYPES for z in (False, True)]
SCALARS = [2, 2.5, True, np.float64(2.0), np.float32(2.0), np.int64(2), np.int32(3)]
OPS = [("add", lambda a, b: a + b), ("mul", lambda a, b: a * b), ("sub", lambda a, b: a - b),
       ("div", lambda a, b: a / b), ("maximum", None)]


def _name(x):
    return str(x.dtype).replace("torch.", "").replace("ember.", "")


@pytest.mark.parametrize("left,right", list(itertools.product(TENSORS, TENSORS)),
                         ids=lambda t: f"{t[0]}{'_0d' if t[1] else ''}")
@pytest.mark.parametrize("op", ["add", "mul", "div", "maximum", "where"])
def test_tensor_tensor_promotion(left, right, op):
    def run(m):
        a, b = _tensor(m, *left), _tensor(m, *right)
        if op == "where":
            return m.where(m.tensor(True), a, b)
        return {"add": lambda: a + b, "mul": lambda: a * b, "div": lambda: a / b,
                "maximum": lambda: m.maximum(a, b)}[op]()
    expected = run(torch)  # torch accepts every combination in this table
    got = run(ember)
    assert _name(got) == _name(expected)
    assert got.shape == tuple(expected.shape)


@pytest.mark.parametrize("tensor", TENSORS, ids=lambda t: f"{t[0]}{'_0d' if t[1] else ''}")
@pytest.mark.parametrize("scalar", SCALARS, ids=lambda s: f"{type(s).__name__}")
@pytest.mark.parametrize("op", ["add", "mul", "radd", "rmul", "div", "rsub", "pow"])
def test_tensor_scalar_promotion(tensor, scalar, op):
    def run(m):
        a = _tensor(m, *tensor)
        return {"add": lambda: a + scalar, "mul": lambda: a * scalar, "radd": lambda: scalar + a,
                "rmul": lambda: scalar * a, "div": lambda: a / scalar, "rsub": lambda: scalar - a,
                "pow": lambda: a ** scalar}[op]()
    try:
        expected = run(torch)
    except RuntimeError as refusal:
        # torch refuses `scalar - tensor` when a bool is involved; ember must refuse too, not guess a dtype.
        assert "bool" in str(refusal)
        with pytest.raises((RuntimeError, TypeError), match="(?i)bool.*subtract|subtract.*bool"):
            run(ember)
        return
    if not isinstance(expected, torch.Tensor):
        pytest.skip("NumPy handled the operator, not torch")
    got = run(ember)
    assert isinstance(got, ember.Tensor)
    assert _name(got) == _name(expected)


def test_issue_rules_spelled_out():
    f32, f64 = ember.ones(2), ember.ones(2, dtype=ember.float64)
    i64 = ember.tensor([1, 2])
    assert (f32 + f64).dtype == ember.float64
    assert (i64 + f32).dtype == ember.float32
    assert (i64 + f64).dtype == ember.float64
    assert (i64 * 0.5).dtype == ember.float32
    assert (f32 * np.float64(0.5)).dtype == ember.float32
    assert (np.float64(0.5) * f32).dtype == ember.float32
    assert (f32 + ember.tensor(1.0, dtype=ember.float64)).dtype == ember.float32  # 0-d doesn't promote
    assert (i64 + ember.tensor(1.5)).dtype == ember.float32  # but a 0-d float beats an int tensor


@pytest.mark.parametrize("make", [
    lambda x: x.mean(), lambda x: x.var(), lambda x: x.std(), lambda x: x.sum() / 3,
    lambda x: x.softmax(-1), lambda x: x.log_softmax(-1), lambda x: x.logsumexp(-1),
    lambda x: 2 / (x + 3), lambda x: x ** 2, lambda x: x ** 0.5 if False else x.abs().sqrt(),
    lambda x: x.max(0)[0], lambda x: x.amax(0), lambda x: x.prod(), lambda x: x.norm(),
    lambda x: x * np.float64(3.0), lambda x: x + np.array(2.0), lambda x: x.clamp(-0.5, 0.5),
    lambda x: x.clamp(np.float64(-0.5), np.float64(0.5)), lambda x: ember.maximum(x, np.float64(0.1)),
    lambda x: ember.where(x > 0, x, 0.0), lambda x: x.sigmoid() * x.tanh(), lambda x: x.exp().log1p(),
    lambda x: ember.cat([x, x]), lambda x: x[[0, 0]], lambda x: x.mean(0, keepdim=True) - x,
])
def test_float32_stays_float32_forward_and_backward(make):
    x = ember.tensor(np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    y = make(x)
    assert y.dtype == ember.float32
    y.sum().backward()
    assert x.grad.dtype == ember.float32


@pytest.mark.parametrize("data", [[1, 2, 3], [True, False]])
def test_mean_on_int_tensors_refuses_like_torch(data):
    with pytest.raises(RuntimeError, match="mean"):
        ember.tensor(data).mean()


def test_int_ops_stay_int():
    x = ember.tensor([1, 2, 3])
    assert (x + 1).dtype == ember.int64 and (x * x).dtype == ember.int64 and x.sum().dtype == ember.int64
    assert (x / 2).dtype == ember.float32 and x.float().mean().dtype == ember.float32
    assert ember.tensor([1, 2], dtype=ember.int32).sum().dtype == ember.int64  # like torch


def test_inplace_keeps_dtype_and_refuses_float_into_int():
    x = ember.tensor([1.0, 2.0])
    x.add_(np.float64(1.5))
    x.mul_(ember.tensor([2.0], dtype=ember.float64))
    assert x.dtype == ember.float32
    i = ember.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.add_(0.5)
