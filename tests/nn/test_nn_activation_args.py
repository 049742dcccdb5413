"""Every activation's arguments mean what torch's mean: non-default arguments, integer and float64
inputs (result dtype, or torch's error), and the gradient exactly at each kink.

The inputs are a grid that lands on the kinks (0, ±0.5, ±1, ±3, the thresholds used below), so a
rule that differs from torch only at a boundary (``x > t`` against ``x >= t``) shows up here.
"""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

GRID = np.arange(-16, 17) / 4.0          # -4 .. 4 in steps of 0.25: every kink used below

# (id, expression with nn / F); each runs unchanged on ember and on torch
CASES = [
    ("Threshold(0, 0.5)", lambda nn, F, x: nn.Threshold(0, 0.5)(x)),
    ("Threshold(0.5, 7)", lambda nn, F, x: nn.Threshold(0.5, 7)(x)),
    ("Threshold(-1.5, 9)", lambda nn, F, x: nn.Threshold(-1.5, 9)(x)),
    ("threshold(1.5, -3.25)", lambda nn, F, x: F.threshold(x, 1.5, -3.25)),
    ("ReLU", lambda nn, F, x: nn.ReLU()(x)),
    ("ReLU6", lambda nn, F, x: nn.ReLU6()(x)),
    ("Hardtanh(-2, 3)", lambda nn, F, x: nn.Hardtanh(-2, 3)(x)),
    ("Hardtanh(-0.5, 0.5)", lambda nn, F, x: nn.Hardtanh(min_val=-0.5, max_val=0.5)(x)),
    ("LeakyReLU(0.2)", lambda nn, F, x: nn.LeakyReLU(0.2)(x)),
    ("LeakyReLU(-1.5)", lambda nn, F, x: nn.LeakyReLU(-1.5)(x)),
    ("ELU(2.5)", lambda nn, F, x: nn.ELU(alpha=2.5)(x)),
    ("ELU(-1)", lambda nn, F, x: nn.ELU(alpha=-1)(x)),
    ("SELU", lambda nn, F, x: nn.SELU()(x)),
    ("CELU(0.5)", lambda nn, F, x: nn.CELU(0.5)(x)),
    ("celu(2)", lambda nn, F, x: F.celu(x, 2.0)),
    ("GELU", lambda nn, F, x: nn.GELU()(x)),
    ("GELU(tanh)", lambda nn, F, x: nn.GELU("tanh")(x)),
    ("Sigmoid", lambda nn, F, x: nn.Sigmoid()(x)),
    ("Tanh", lambda nn, F, x: nn.Tanh()(x)),
    ("Softplus(2, 3)", lambda nn, F, x: nn.Softplus(beta=2, threshold=3)(x)),
    ("Softplus(0.5, 1)", lambda nn, F, x: nn.Softplus(beta=0.5, threshold=1)(x)),
    ("Softplus(-1)", lambda nn, F, x: nn.Softplus(beta=-1)(x)),
    ("Softsign", lambda nn, F, x: nn.Softsign()(x)),
    ("SiLU", lambda nn, F, x: nn.SiLU()(x)),
    ("Mish", lambda nn, F, x: nn.Mish()(x)),
    ("LogSigmoid", lambda nn, F, x: nn.LogSigmoid()(x)),
    ("Hardsigmoid", lambda nn, F, x: nn.Hardsigmoid()(x)),
    ("Hardswish", lambda nn, F, x: nn.Hardswish()(x)),
    ("Hardshrink(1.5)", lambda nn, F, x: nn.Hardshrink(1.5)(x)),
    ("Hardshrink", lambda nn, F, x: nn.Hardshrink()(x)),
    ("hardshrink(-1)", lambda nn, F, x: F.hardshrink(x, -1.0)),
    ("Softshrink(1.5)", lambda nn, F, x: nn.Softshrink(1.5)(x)),
    ("Softshrink", lambda nn, F, x: nn.Softshrink()(x)),
    ("softshrink(-1)", lambda nn, F, x: F.softshrink(x, -1.0)),
    ("Tanhshrink", lambda nn, F, x: nn.Tanhshrink()(x)),
    ("RReLU(0.1, 0.3).eval", lambda nn, F, x: nn.RReLU(0.1, 0.3).eval()(x)),
    ("rrelu", lambda nn, F, x: F.rrelu(x, training=False)),
    ("GLU(0)", lambda nn, F, x: nn.GLU(0)(x[:32])),
    ("glu(-1) odd", lambda nn, F, x: F.glu(x, -1)),
    ("Softmax(0)", lambda nn, F, x: nn.Softmax(dim=0)(x)),
    ("LogSoftmax(-1)", lambda nn, F, x: nn.LogSoftmax(dim=-1)(x)),
    ("Softmin(0)", lambda nn, F, x: nn.Softmin(dim=0)(x)),
    ("Softmax2d", lambda nn, F, x: nn.Softmax2d()(x.reshape(1, 3, 11, 1))),
    ("Softmax2d 1-D", lambda nn, F, x: nn.Softmax2d()(x)),
    ("PReLU(0.1)", lambda nn, F, x: nn.PReLU(init=0.1)(x)),
]
DTYPES = {"float32": np.float32, "float64": np.float64, "int64": np.int64}


def _run(lib, fn, arr, grad):
    x = lib.tensor(arr, requires_grad=grad)
    try:
        out = fn(lib.nn, lib.nn.functional, x)
    except Exception as e:  # noqa: BLE001 - the error itself is compared
        return ("error", type(e).__name__, str(e)), None
    g = None
    if grad:
        out.backward(lib.ones_like(out))
        g = x.grad.detach().numpy()
    return ("ok", out.detach().numpy(), str(out.dtype).split(".")[-1]), g


@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_matches_torch_on_the_kinks(name, fn, dtype):
    arr = (GRID * 4).astype(np.int64) if dtype == "int64" else GRID.astype(DTYPES[dtype])
    grad = dtype != "int64"
    (e_res, e_grad), (t_res, t_grad) = _run(ember, fn, arr, grad), _run(torch, fn, arr, grad)
    assert e_res[0] == t_res[0], (e_res, t_res)
    if t_res[0] == "error":
        assert e_res[1] == t_res[1] and e_res[2] == t_res[2]
        return
    assert e_res[2] == t_res[2]
    tol = dict(rtol=1e-10, atol=1e-12) if e_res[2] == "float64" else dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(e_res[1], t_res[1], **tol)
    if grad:
        if name == "Hardsigmoid":        # torch's float64 kernel uses a float32 1/6 as the slope
            tol = dict(rtol=1e-7, atol=0)
        np.testing.assert_allclose(e_grad, t_grad, **tol)


def test_threshold_keeps_integer_dtype():
    # the reported case: torch gives [0, 0, 0, 0, 1, 2]; ember gave [0.5, ..., 1.0, 2.0]
    out = ember.nn.Threshold(0, 0.5)(ember.arange(-3, 3))
    assert out.dtype == ember.int64 and out.tolist() == [0, 0, 0, 0, 1, 2]


@pytest.mark.parametrize("name", ["CELU", "Hardsigmoid", "Hardswish", "Mish", "Threshold"])
def test_inplace_option_writes_into_the_input(name):
    make = {"Threshold": lambda nn: nn.Threshold(0.5, -1.0, inplace=True)}.get(
        name, lambda nn: getattr(nn, name)(inplace=True))
    results = []
    for lib in (ember, torch):
        x = lib.tensor(GRID.astype(np.float32))
        out = make(lib.nn)(x)
        assert out is x
        results.append(x.numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("make", [lambda nn: nn.CELU(0.5), lambda nn: nn.Hardshrink(1.5),
                                  lambda nn: nn.Softshrink(), lambda nn: nn.GLU(1),
                                  lambda nn: nn.RReLU(0.1, 0.3, inplace=True), lambda nn: nn.Mish(),
                                  lambda nn: nn.Hardswish(inplace=True), lambda nn: nn.Tanhshrink(),
                                  lambda nn: nn.Softmax2d()])
def test_repr_matches_torch(make):
    assert repr(make(ember.nn)) == repr(make(torch.nn))


def test_rrelu_training_slopes_lie_between_lower_and_upper():
    ember.manual_seed(0)
    x = ember.full((10000,), -1.0, requires_grad=True)
    out = ember.nn.RReLU(0.1, 0.3)(x)
    slopes = -out.detach().numpy()
    assert 0.1 <= slopes.min() < 0.11 and 0.29 < slopes.max() <= 0.3
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes)          # the gradient is the drawn slope
    np.testing.assert_array_equal(ember.nn.RReLU()(ember.ones(3)).numpy(), np.ones(3))
