"""ember.linalg's least squares, tensor inverse/solve and LDLᵀ against torch.linalg: every output
of lstsq for each CPU driver (values, shapes, dtypes), the solution's gradient, the packed LDLᵀ
factors and pivots (LAPACK's sytrf, compared exactly), and torch's refusals.
"""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

rng = np.random.default_rng(7)


def _f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


TALL, WIDE, SQUARE = _f32(5, 3), _f32(3, 5), _f32(4, 4)
TALL_B, WIDE_B, SQUARE_B = _f32(5, 2), _f32(3, 2), _f32(4, 3)
BATCH, BATCH_B, BATCH_V = _f32(2, 5, 3), _f32(1, 5, 2), _f32(2, 5)
RANK1 = np.outer(_f32(5), _f32(3))  # exactly rank 1: every driver's minimum-norm answer agrees

LSTSQ_CASES = [
    (a, b, driver)
    for a, b in [(TALL, TALL_B), (WIDE, WIDE_B), (SQUARE, SQUARE_B), (BATCH, BATCH_B),
                 (BATCH, BATCH_V), (TALL, TALL_B[:, 0].copy()), (RANK1, TALL_B)]
    for driver in [None, "gels", "gelsy", "gelsd", "gelss"]
    if not (driver == "gels" and a is RANK1)  # gels assumes full rank (garbage in LAPACK too)
]
FIELDS = ["solution", "residuals", "rank", "singular_values"]


def _dtype(t):
    return str(t.dtype).split(".")[-1]


@pytest.mark.parametrize("a,b,driver", LSTSQ_CASES,
                         ids=[f"{a.shape}-{b.shape}-{d}" for a, b, d in LSTSQ_CASES])
def test_lstsq_outputs_match_torch(a, b, driver):
    theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    ours = ember.linalg.lstsq(ember.tensor(a), ember.tensor(b), driver=driver)
    assert type(ours).__name__ == "linalg_lstsq" and list(ours._fields) == FIELDS
    for name, t, e in zip(FIELDS, theirs, ours):
        assert tuple(e.shape) == tuple(t.shape), name
        assert e.dtype.name == _dtype(t), name
        # the smallest singular values of a rank-1 float32 matrix are rounding noise
        atol = 1e-5 if name != "singular_values" or a is not RANK1 else 1e-5 + 1e-6 * abs(a).sum()
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-4, atol=atol, err_msg=name)


def test_lstsq_rcond_cuts_the_rank_like_gelsd():
    a, b = _f32(6, 4), _f32(6, 2)
    s = np.linalg.svd(a, compute_uv=False)
    rcond = float(s[1] / s[0]) * 1.01      # cuts all but the largest singular value
    t = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), rcond=rcond, driver="gelsd")
    e = ember.linalg.lstsq(ember.tensor(a), ember.tensor(b), rcond=rcond, driver="gelsd")
    assert e.rank.item() == t.rank.item() == 1
    np.testing.assert_allclose(e.solution.numpy(), t.solution.numpy(), rtol=1e-4, atol=1e-5)


def test_lstsq_gelsy_truncated_rank_is_the_minimum_norm_solution_of_the_pivoted_columns():
    """torch's gelsy leaves geqp3's pivot array uninitialised, so on a truncated rank its answer
    changes from call to call; ember's is LAPACK's with free pivoting: the minimum-norm
    solution of A restricted to its largest column (rank 1 here)."""
    a, b = rng.standard_normal((6, 4)), rng.standard_normal((6, 1))
    out = ember.linalg.lstsq(ember.tensor(a), ember.tensor(b), rcond=0.99)
    assert out.rank.item() == 1
    j = int(np.argmax(np.linalg.norm(a, axis=0)))
    q = a[:, j] / np.linalg.norm(a[:, j])
    row = q @ a                                   # A ≈ q rowᵀ, rank 1
    expected = row[:, None] * (q @ b) / (row @ row)
    np.testing.assert_allclose(out.solution.numpy(), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("a,b", [(TALL, TALL_B), (WIDE, WIDE_B), (BATCH, BATCH_V),
                                 (BATCH, BATCH_B)], ids=["tall", "wide", "vector", "broadcast"])
def test_lstsq_gradient_matches_torch(a, b):
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ea, eb = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
    tx, ex = torch.linalg.lstsq(ta, tb).solution, ember.linalg.lstsq(ea, eb).solution
    g = np.random.default_rng(2).standard_normal(tuple(tx.shape)).astype(np.float32)
    tx.backward(torch.tensor(g))
    ex.backward(ember.tensor(g))
    for e, t in [(ea, ta), (eb, tb)]:
        assert e.grad.dtype == ember.float32
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("shapes", [((5, 3), (5, 2)), ((3, 5), (3,)), ((2, 4, 4), (2, 4, 1))])
def test_lstsq_gradcheck_float64(shapes):
    arrays = [ember.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    assert ember.autograd.gradcheck(lambda a, b: ember.linalg.lstsq(a, b).solution, arrays,
                                    eps=1e-6, atol=1e-5)


TENSOR_CASES = [
    ("tensorinv", lambda m, a: m.linalg.tensorinv(a.reshape(2, 3, 6), ind=2), _f32(36)),
    ("tensorinv_ind1", lambda m, a: m.linalg.tensorinv(a.reshape(6, 2, 3), ind=1), _f32(36)),
    ("tensorsolve", lambda m, a: m.linalg.tensorsolve(a.reshape(2, 3, 6), a[:6].reshape(2, 3)),
     _f32(36)),
    ("tensorsolve_dims", lambda m, a: m.linalg.tensorsolve(a.reshape(6, 2, 3), a[:6].reshape(2, 3),
                                                           dims=(0,)), _f32(36)),
    ("tensorsolve_two_dims", lambda m, a: m.linalg.tensorsolve(a.reshape(2, 3, 6),
                                                               a[:6].reshape(3, 2), dims=(0, 2)),
     _f32(36)),
]


@pytest.mark.parametrize("name,fn,array", TENSOR_CASES, ids=[c[0] for c in TENSOR_CASES])
def test_tensorinv_tensorsolve_match_torch(name, fn, array):
    ta, ea = torch.tensor(array, requires_grad=True), ember.tensor(array, requires_grad=True)
    t, e = fn(torch, ta), fn(ember, ea)
    assert tuple(e.shape) == tuple(t.shape) and e.dtype == ember.float32
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-4, atol=1e-4)
    g = np.random.default_rng(3).standard_normal(tuple(t.shape)).astype(np.float32)
    t.backward(torch.tensor(g))
    e.backward(ember.tensor(g))
    np.testing.assert_allclose(ea.grad.numpy(), ta.grad.numpy(), rtol=1e-3, atol=1e-3)
    wide = ember.tensor(array.astype(np.float64), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: fn(ember, x), [wide], eps=1e-6, atol=1e-5)


def _symmetric(n, dtype, small_diagonal=False, zero_corner=False, batch=()):
    a = rng.standard_normal(batch + (n, n))
    a = a + np.swapaxes(a, -1, -2)
    if small_diagonal:   # forces interchanges and 2×2 blocks
        a[..., np.arange(n), np.arange(n)] *= 0.01
    if zero_corner:
        a[..., 0, 0] = 0.0
    return a.astype(dtype)


LDL_CASES = [
    _symmetric(1, np.float64), _symmetric(2, np.float64, zero_corner=True),
    _symmetric(5, np.float64), _symmetric(6, np.float64, small_diagonal=True),
    _symmetric(7, np.float32, small_diagonal=True, zero_corner=True),
    _symmetric(4, np.float32, batch=(3,)), _symmetric(8, np.float64, small_diagonal=True, batch=(2,)),
    np.array([[4.0, 2.0], [2.0, 3.0]], np.float32),                  # positive definite
    _symmetric(70, np.float64, small_diagonal=True),                  # LAPACK's blocked size
]


@pytest.mark.parametrize("a", LDL_CASES, ids=[f"{a.shape}-{a.dtype}-{i}"
                                              for i, a in enumerate(LDL_CASES)])
def test_ldl_factor_and_solve_match_torch_exactly(a):
    ld_t, piv_t = torch.linalg.ldl_factor(torch.tensor(a))
    ld_e, piv_e = ember.linalg.ldl_factor(ember.tensor(a))
    assert piv_e.dtype == ember.int32 and ld_e.dtype.name == str(a.dtype)
    np.testing.assert_array_equal(piv_e.numpy(), piv_t.numpy())
    tol = 1e-4 if a.dtype == np.float32 else 1e-10
    np.testing.assert_allclose(ld_e.numpy(), ld_t.numpy(), rtol=tol, atol=tol)
    ex = ember.linalg.ldl_factor_ex(ember.tensor(a))
    assert np.all(ex.info.numpy() == 0) and ex.info.shape == tuple(a.shape[:-2])
    b = rng.standard_normal(a.shape[:-1] + (2,)).astype(a.dtype)
    x_t = torch.linalg.ldl_solve(ld_t, piv_t, torch.tensor(b))
    x_e = ember.linalg.ldl_solve(ld_e, piv_e, ember.tensor(b))
    assert x_e.dtype.name == str(a.dtype)
    np.testing.assert_allclose(x_e.numpy(), x_t.numpy(), rtol=tol * 10, atol=tol * 10)
    np.testing.assert_allclose(a @ x_e.numpy(), b, rtol=tol * 100, atol=tol * 100)


def test_ldl_factor_ex_reports_a_zero_block_like_torch():
    a = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 2.0]], np.float32)
    t, e = torch.linalg.ldl_factor_ex(torch.tensor(a)), ember.linalg.ldl_factor_ex(ember.tensor(a))
    for x, y in zip(t, e):
        np.testing.assert_array_equal(y.numpy(), x.numpy())
    assert e.info.dtype == ember.int32
    with pytest.raises(ember.linalg.LinAlgError, match="not invertible"):
        ember.linalg.ldl_factor(ember.tensor(a))


@pytest.mark.parametrize("call", [
    lambda m: m.linalg.lstsq(m.ones(5, 3), m.ones(5, 2), driver="gelsx"),
    lambda m: m.linalg.lstsq(m.ones(5), m.ones(5)),
    lambda m: m.linalg.lstsq(m.ones(5, 3), m.ones(4, 2)),
    lambda m: m.linalg.lstsq(m.ones(5, 3), m.ones(5, 2, dtype=m.float64)),
    lambda m: m.linalg.tensorinv(m.ones(4, 6, 8, 3), ind=0),
    lambda m: m.linalg.tensorinv(m.ones(4, 6, 8, 3), ind=1),
    lambda m: m.linalg.tensorsolve(m.ones(2, 3, 6), m.ones(2, 4)),
    lambda m: m.linalg.ldl_factor(m.ones(3, 4)),
])
def test_refuses_like_torch(call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as ours:
        call(ember)
    assert (type(ours.value), str(ours.value)) == (type(theirs.value), str(theirs.value))
