"""``ember.special`` against ``torch.special``: values over each function's whole domain and its
edges (0, negatives, ±inf, nan, large arguments) in float64 and float32, dtypes (integer inputs
promote), torch's aliases being ember's own ops, gradients that torch does not define raising
torch's error, and SciPy as a second oracle where torch itself is less accurate.

Gradients of the differentiable functions are checked (finite differences and torch) by their
rows in ``tests/ops/test_op_table.py``.
"""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

S = ember.special

_EDGES = [0.0, -0.0, 1e-300, -1e-300, 1e-8, -1e-8, 0.5, -0.5, 1.0, -1.0, 2.0, 2.09, -2.09, 5.0,
          -5.0, 8.0, -8.0, 8.32, 26.5, -26.5, 27.0, -27.0, 50.0, 51.0, 103.0, 104.0, 700.0, -700.0,
          720.0, 1e5, -1e5, 1e10, np.inf, -np.inf, np.nan]
LINE = np.concatenate([np.linspace(-40, 40, 801), _EDGES])
UNIT_LINE = np.concatenate([np.linspace(0, 1, 201), [1e-300, 1e-20, 1e-10, 1 - 1e-10, 1 - 1e-16,
                                                      -0.1, 1.1, np.nan, np.inf, -np.inf]])

ERFINV_LINE = np.concatenate([np.linspace(-1, 1, 401), [0.999, -0.999, 1e-300, 1.5, -2.0, np.nan]])

# (name, inputs, float64 rtol, float32 rtol); atol is a few ulps of the values' scale
UNARY = [
    ("entr", LINE, 1e-15, 1e-6), ("erfcx", LINE, 1e-13, 1e-5), ("log_ndtr", LINE, 1e-14, 1e-5),
    ("ndtr", LINE, 1e-15, 1e-6), ("ndtri", UNIT_LINE, 1e-14, 1e-6), ("i0e", LINE, 1e-14, 1e-6),
    ("i1", LINE, 1e-14, 1e-5), ("i1e", LINE, 1e-14, 1e-5), ("bessel_j0", LINE, 1e-12, 1e-5),
    ("bessel_j1", LINE, 1e-12, 1e-5), ("bessel_y0", LINE, 1e-12, 1e-5),
    ("bessel_y1", LINE, 1e-12, 1e-5), ("modified_bessel_i0", LINE, 1e-14, 1e-6),
    ("modified_bessel_i1", LINE, 1e-14, 1e-6), ("modified_bessel_k0", LINE, 1e-14, 1e-6),
    ("modified_bessel_k1", LINE, 1e-14, 1e-6), ("scaled_modified_bessel_k0", LINE, 1e-14, 1e-6),
    ("scaled_modified_bessel_k1", LINE, 1e-14, 1e-6), ("spherical_bessel_j0", LINE, 1e-15, 1e-6),
    ("airy_ai", LINE, 1e-13, 1e-5),
    # torch's aliases of ember's own ops
    ("expit", LINE, 1e-15, 1e-6), ("gammaln", LINE[LINE > 0], 1e-13, 1e-5),
    ("psi", LINE[LINE > 0], 1e-12, 1e-5), ("erf", LINE, 1e-15, 1e-6), ("erfc", LINE, 1e-15, 1e-6),
    ("exp2", LINE[np.abs(LINE) < 100], 1e-15, 1e-6), ("expm1", LINE[np.abs(LINE) < 100], 1e-15, 1e-6),
    ("log1p", LINE[LINE > -1], 1e-15, 1e-6), ("sinc", LINE, 1e-14, 1e-6),
    ("i0", LINE[np.abs(LINE) < 700], 1e-14, 1e-6), ("erfinv", ERFINV_LINE, 1e-12, 1e-6),
]


def _close(mine, ref, rtol, atol_scale):
    mine, ref = np.asarray(mine), np.asarray(ref)
    assert mine.dtype == ref.dtype
    np.testing.assert_array_equal(np.isnan(mine), np.isnan(ref))
    inf = np.isinf(ref)
    np.testing.assert_array_equal(mine[inf], ref[inf])
    fin = np.isfinite(ref)
    scale = np.max(np.abs(ref[fin]), initial=1.0)
    np.testing.assert_allclose(mine[fin], ref[fin], rtol=rtol, atol=atol_scale * min(scale, 1.0))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,xs,rtol64,rtol32", UNARY, ids=[u[0] for u in UNARY])
def test_unary_values_match_torch(name, xs, rtol64, rtol32, dtype):
    x = xs.astype(dtype)
    with np.errstate(all="ignore"):
        mine = getattr(S, name)(ember.tensor(x)).numpy()
    ref = getattr(torch.special, name)(torch.from_numpy(x)).numpy()
    if name == "airy_ai" and dtype == "float32":   # torch's float32 phase -2/3 (-x)^1.5 + π/4
        ref = torch.special.airy_ai(torch.from_numpy(x.astype("float64"))).numpy().astype(dtype)
    # near the zeros of J/Y torch's float32 kernels carry ~1e-5 absolute error
    tiny = np.finfo(dtype).eps * (8 if dtype == "float64" or "bessel" not in name else 128)
    _close(mine, ref, rtol64 if dtype == "float64" else rtol32, tiny)


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-7), ("float32", 1e-6)])
def test_erfinv_tails_match_torch(dtype, rtol):
    # the old Newton on a series erf was 1e-6 off at 0.999 and gave inf at 1 - 1e-10; so close to
    # ±1 Newton's step divides by exp(-x²) ≈ 1e-10, so float64 agrees to ~1e-8, not to ulps
    y = np.array([0.9999, -0.99999, 0.9999999, -0.9999999, 1 - 1e-10], dtype)
    y = y[np.abs(y) < 1]                  # 1 - 1e-10 is 1 in float32
    mine = S.erfinv(ember.tensor(y)).numpy()
    assert np.all(np.isfinite(mine))
    np.testing.assert_allclose(mine, torch.special.erfinv(torch.from_numpy(y)).numpy(), rtol=rtol)


_A = np.array([-2, -1.5, -1, 0, 1e-3, 0.5, 1, 1.0000001, 2, 3.5, 10, 50, 250, np.inf, np.nan])
_X = np.concatenate([_A, [-3.0, 100.0, 1e6]])
BINARY = [("xlog1py", 1e-15, 1e-6), ("xlogy", 1e-15, 1e-6), ("zeta", 1e-13, 1e-5),
          # torch's uniform asymptotic expansion for a ≈ x (a > 20) is good to ~2e-9 only (it
          # multiplies by a float π); test_incomplete_gamma_matches_scipy checks ember tightly
          ("gammainc", 5e-9, 2e-5), ("gammaincc", 5e-9, 2e-5)]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,rtol64,rtol32", BINARY, ids=[b[0] for b in BINARY])
def test_binary_values_match_torch(name, rtol64, rtol32, dtype):
    a, x = (v.astype(dtype) for v in np.meshgrid(_A, _X))
    mine = getattr(S, name)(ember.tensor(a), ember.tensor(x)).numpy()
    ref = getattr(torch.special, name)(torch.from_numpy(a), torch.from_numpy(x)).numpy()
    if dtype == "float32":          # torch's float32 kernels underflow earlier (denormal tails)
        mine = np.where(np.abs(ref) < 1e-30, ref, mine)
    _close(mine, ref, rtol64 if dtype == "float64" else rtol32, np.finfo(dtype).eps * 8)


def test_incomplete_gamma_matches_scipy():
    special = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(0)
    a = np.exp(rng.uniform(-5, 6, 3000))
    x = a * np.exp(rng.uniform(-2, 2, 3000))
    np.testing.assert_allclose(S.gammainc(ember.tensor(a), ember.tensor(x)).numpy(),
                               special.gammainc(a, x), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(S.gammaincc(ember.tensor(a), ember.tensor(x)).numpy(),
                               special.gammaincc(a, x), rtol=1e-12, atol=1e-300)


# J/Y are left out: below x = 5 torch's rationals drop the leading term of Cephes' monic
# denominators (p1evl read as polevl), 1e-11 to 1e-9 off SciPy and mpmath; ember follows torch
@pytest.mark.parametrize("name", ["ndtri", "log_ndtr", "erfcx", "i1e", "airy_ai",
                                  "modified_bessel_k1"])
def test_matches_scipy(name):
    special = pytest.importorskip("scipy.special")
    ref_fn = {"airy_ai": lambda v: special.airy(v)[0],
              "modified_bessel_k1": special.k1}.get(name, getattr(special, name, None))
    x = np.linspace(0.01, 0.99, 99) if name == "ndtri" else np.linspace(0.05, 30, 300)
    np.testing.assert_allclose(getattr(S, name)(ember.tensor(x)).numpy(), ref_fn(x),
                               rtol=1e-11, atol=1e-15)


POLYNOMIALS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
               "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
               "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
               "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
               "laguerre_polynomial_l", "legendre_polynomial_p"]
# x = nan is left out: torch's kernels return an uninitialized value there for some n
_PX = np.concatenate([np.linspace(-3, 3, 61), [-1.0, 0.0, 1.0, 0.5, 1e-20, np.inf, -np.inf]])
_PN = np.array([-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 2.7, np.nan, np.inf, 129, 513])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomials_match_torch(name, dtype):
    x, n = (v.astype(dtype) for v in np.meshgrid(_PX, _PN))
    mine = getattr(S, name)(ember.tensor(x), ember.tensor(n)).numpy()
    ref = getattr(torch.special, name)(torch.from_numpy(x), torch.from_numpy(n)).numpy()
    # near float32's overflow torch's fused multiply-adds keep a finite value or inf where
    # separate roundings give inf or nan: compare where both are representable
    limit = 1e300 if dtype == "float64" else 1e37
    big = (np.abs(ref) > limit) | (np.abs(mine) > limit) | (np.isnan(ref) != np.isnan(mine))
    assert big.mean() < 0.05
    rtol = 1e-11 if dtype == "float64" else 2e-4
    _close(mine[~big], ref[~big], rtol, np.finfo(dtype).eps * 64)


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomial_degree_scalar_or_tensor_and_keyword_x(name):
    x = np.linspace(-1.5, 1.5, 13).astype(np.float32)
    ref = getattr(torch.special, name)(torch.from_numpy(x), 5)
    for mine in (getattr(S, name)(ember.tensor(x), 5), getattr(S, name)(x=ember.tensor(x), n=5),
                 getattr(S, name)(ember.tensor(x), ember.tensor(5))):
        assert mine.dtype == ember.float32 and not mine.requires_grad
        np.testing.assert_allclose(mine.numpy(), ref.numpy(), rtol=1e-5, atol=1e-4)
    scalar_x = getattr(S, name)(0.25, ember.tensor([0, 1, 2, 3]))
    np.testing.assert_allclose(scalar_x.numpy(), getattr(torch.special, name)(
        0.25, torch.tensor([0, 1, 2, 3])).numpy(), rtol=1e-6)
    assert scalar_x.dtype == ember.float32


@pytest.mark.parametrize("name", ["entr", "erfcx", "ndtri", "i1", "bessel_j0", "airy_ai"])
def test_integer_input_promotes_to_the_default_float(name):
    mine = getattr(S, name)(ember.tensor([0, 1, 2]))
    ref = getattr(torch.special, name)(torch.tensor([0, 1, 2]))
    assert mine.dtype.name == str(ref.dtype).replace("torch.", "") == "float32"
    np.testing.assert_allclose(mine.numpy(), ref.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ["bessel_j0", "modified_bessel_k1", "airy_ai",
                                  "spherical_bessel_j0"])
def test_functions_torch_does_not_differentiate_return_no_graph(name):
    x = ember.tensor([0.5, 1.5], requires_grad=True)
    y = getattr(S, name)(x)
    assert not y.requires_grad and y.grad_fn is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


@pytest.mark.parametrize("name,message", [("zeta", "the derivative for 'zeta' is not implemented."),
                                          ("gammainc", "the derivative for 'igamma: input' is not "
                                                       "implemented."),
                                          ("gammaincc", "the derivative for 'igammac: input' is not "
                                                        "implemented.")])
def test_first_argument_gradient_raises_torchs_error(name, message):
    for m in (torch, ember):
        a = m.tensor([2.5, 3.0], dtype=m.float64, requires_grad=True)
        out = getattr(m.special, name)(a, m.tensor([1.5, 2.0], dtype=m.float64))
        with pytest.raises(NotImplementedError) as info:
            out.sum().backward()
        assert str(info.value) == message


@pytest.mark.parametrize("alias,target", [("expit", "sigmoid"), ("gammaln", "lgamma"),
                                          ("psi", "digamma"), ("multigammaln", "mvlgamma"),
                                          ("gammainc", "igamma"), ("gammaincc", "igammac"),
                                          ("erf", "erf"), ("i0", "i0"), ("xlogy", "xlogy"),
                                          ("softmax", "softmax"), ("logsumexp", "logsumexp"),
                                          ("round", "round"), ("i1", "i1")])
def test_aliases_are_embers_own_ops(alias, target):
    assert getattr(S, alias) is getattr(ember, target)


def test_softmax_dtype_and_multigammaln_match_torch():
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    for fn in ("softmax", "log_softmax"):
        mine = getattr(S, fn)(ember.tensor(x), 1, dtype=ember.float64)
        ref = getattr(torch.special, fn)(torch.from_numpy(x), 1, dtype=torch.float64)
        assert mine.dtype == ember.float64
        np.testing.assert_allclose(mine.numpy(), ref.numpy(), rtol=1e-12)
    a = np.array([2.0, 3.5, 10.0], np.float32)
    np.testing.assert_allclose(S.multigammaln(ember.tensor(a), 3).numpy(),
                               torch.special.multigammaln(torch.from_numpy(a), 3).numpy(), rtol=1e-6)


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_polygamma_edges_match_torch_and_do_not_hang(n):
    # ±inf and far negative poles once looped forever shifting the argument up to 10; n = 1 at
    # the poles is left out (torch's trigamma returns ~1e31 there from sin(πx) rounding)
    x = np.array([np.inf, -np.inf, np.nan, -1e10, 0.0, -0.0, -3.0, -2.5, 1e-8, 1e5])
    if n == 1:
        x = x[~((x <= 0) & (x == np.floor(x)))]
    if n >= 2:
        x = x[x > -1e9]         # torch's zeta shifts -1e10 up one by one
    mine = S.polygamma(n, ember.tensor(x)).numpy()
    ref = torch.special.polygamma(n, torch.from_numpy(x)).numpy()
    _close(mine, ref, 1e-9, 1e-15)
