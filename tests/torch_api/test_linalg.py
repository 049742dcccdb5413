"""ember.linalg against torch.linalg: values, dtypes, shapes and the gradient of every float
input, on the same arrays (one table); LAPACK's sign choices for singular and eigen-vectors are
read through sign-free products.
"""
import math

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

rng = np.random.default_rng(1)
A = rng.standard_normal((3, 3)).astype(np.float32) + 3 * np.eye(3, dtype=np.float32)
Ab = rng.standard_normal((2, 3, 3)).astype(np.float32) + 3 * np.eye(3, dtype=np.float32)
R = rng.standard_normal((4, 3)).astype(np.float32)
B = rng.standard_normal((3, 2)).astype(np.float32)
v = rng.standard_normal(3).astype(np.float32)

CASES = [
 ("vector_norm", lambda m,a: m.linalg.vector_norm(a), [R]),
 ("vector_norm_ord", lambda m,a: m.linalg.vector_norm(a, ord=3, dim=1, keepdim=True), [R]),
 ("vector_norm_inf", lambda m,a: m.linalg.vector_norm(a, ord=math.inf, dim=(0,)), [R]),
 ("matrix_norm_fro", lambda m,a: m.linalg.matrix_norm(a), [Ab]),
 ("matrix_norm_nuc", lambda m,a: m.linalg.matrix_norm(a, 'nuc'), [R]),
 ("matrix_norm_1", lambda m,a: m.linalg.matrix_norm(a, 1), [R]),
 ("matrix_norm_-1_keep", lambda m,a: m.linalg.matrix_norm(a, -1, keepdim=True), [Ab]),
 ("matrix_norm_inf", lambda m,a: m.linalg.matrix_norm(a, math.inf, dim=(0,1)), [R]),
 ("matrix_norm_2", lambda m,a: m.linalg.matrix_norm(a, 2), [R]),
 ("matrix_norm_-2_keep", lambda m,a: m.linalg.matrix_norm(a, -2, keepdim=True), [Ab]),
 ("norm", lambda m,a: m.linalg.norm(a), [Ab]),
 ("norm_dim", lambda m,a: m.linalg.norm(a, dim=1), [R]),
 ("norm_ord_2d", lambda m,a: m.linalg.norm(a, ord=1), [R]),
 ("norm_ord_1d", lambda m,a: m.linalg.norm(a, ord=1), [v]),
 ("norm_dims", lambda m,a: m.linalg.norm(a, ord='nuc', dim=(1,2)), [Ab]),
 ("det", lambda m,a: m.linalg.det(a), [Ab]),
 ("slogdet", lambda m,a: m.linalg.slogdet(a).logabsdet, [A]),
 ("inv", lambda m,a: m.linalg.inv(a), [Ab]),
 ("inv_ex", lambda m,a: m.linalg.inv_ex(a).inverse, [A]),
 ("inv_ex_info", lambda m,a: m.linalg.inv_ex(a)[1], [Ab]),
 ("cholesky", lambda m,a: m.linalg.cholesky(a@a.mT+m.eye(3)), [A]),
 ("cholesky_upper", lambda m,a: m.linalg.cholesky(a@a.mT+m.eye(3), upper=True), [A]),
 ("qr_R", lambda m,a: m.linalg.qr(a).R.abs(), [R]),
 ("qr_complete_square", lambda m,a: (lambda q, r: q@r)(*m.linalg.qr(a, mode='complete')), [A]),
 ("qr_r", lambda m,a: m.linalg.qr(a.detach(), mode='r')[1].abs(), [R]),
 ("svd_S", lambda m,a: m.linalg.svd(a).S, [R]),
 ("svd_reduced_UVh", lambda m,a: (lambda u,s,vh: u@vh)(*m.linalg.svd(a.mT, full_matrices=False)), [R]),
 ("svd_full_U_grad", lambda m,a: (lambda u,s,vh: u[:, :3]@u[:, :3].mT)(*m.linalg.svd(a)), [R]),
 ("svd_full_Vh_grad", lambda m,a: (lambda u,s,vh: vh[:3].mT@vh[:3])(*m.linalg.svd(a.mT)), [R]),
 ("svd_full_shapes", lambda m,a: m.tensor([list(t.shape) for t in m.linalg.svd(a)[::2]]), [R]),
 ("svdvals", lambda m,a: m.linalg.svdvals(a), [Ab]),
 ("solve", lambda m,a,b: m.linalg.solve(a,b), [A,B]),
 ("solve_vec", lambda m,a,b: m.linalg.solve(a,b), [A,v]),
 ("solve_batch_vec", lambda m,a,b: m.linalg.solve(a,b), [Ab,np.stack([v,v])]),
 ("solve_broadcast", lambda m,a,b: m.linalg.solve(a,b), [Ab,B]),
 ("solve_right", lambda m,a,b: m.linalg.solve(a,b,left=False), [A,B.T.copy()]),
 ("solve_ex", lambda m,a,b: m.linalg.solve_ex(a,b).result, [A,B]),
 ("solve_triangular", lambda m,a,b: m.linalg.solve_triangular(a.triu(),b,upper=True), [A,B]),
 ("solve_triangular_right_unit", lambda m,a,b: m.linalg.solve_triangular(a.tril(),b,upper=False,left=False,unitriangular=True), [A,B.T.copy()]),
 ("lu_factor", lambda m,a: m.linalg.lu_factor(a).LU, [Ab]),
 ("lu_factor_ex_piv", lambda m,a: m.linalg.lu_factor_ex(a).pivots, [Ab]),
 ("lu_P", lambda m,a: m.linalg.lu(a).P, [A]),
 ("lu_L", lambda m,a: m.linalg.lu(a).L, [A]),
 ("lu_U", lambda m,a: m.linalg.lu(a)[2], [Ab]),
 ("lu_solve", lambda m,a,b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b), [A,B]),
 ("lu_solve_adjoint", lambda m,a,b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b, adjoint=True), [A,B]),
 ("lu_solve_right", lambda m,a,b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b, left=False), [A,B.T.copy()]),
 ("matrix_exp", lambda m,a: m.linalg.matrix_exp(a*0.3), [A]),
 ("matrix_power", lambda m,a: m.linalg.matrix_power(a, -2), [A]),
 ("pinv", lambda m,a: m.linalg.pinv(a), [R]),
 # a singular value below the cut: torch's gradient treats the rank as fixed (torch's own
 # gradcheck fails there); ember's is the derivative (tested by finite differences below)
 ("pinv_rtol", lambda m,a: m.linalg.pinv(a.detach(), rtol=0.5), [R]),
 ("cross", lambda m,a,b: m.linalg.cross(a,b), [R[:, :3].copy(), R[::-1].copy()]),
 ("matmul", lambda m,a,b: m.linalg.matmul(a,b), [R,B]),
 ("multi_dot", lambda m,a,b,c: m.linalg.multi_dot([a,b,c]), [v,A,B]),
 ("multi_dot_vec", lambda m,a,b,c: m.linalg.multi_dot([a,b,c]), [R,A,v]),
 ("vecdot", lambda m,a,b: m.linalg.vecdot(a,b), [R,v]),
 ("diagonal", lambda m,a: m.linalg.diagonal(a, offset=1), [Ab]),
 ("householder", lambda m,a,t: m.linalg.householder_product(a,t), [R, v*0.5]),
 ("vander", lambda m,a: m.linalg.vander(a, N=4), [v]),
 ("matrix_rank", lambda m,a: m.linalg.matrix_rank(a), [np.ones((3,3),np.float32)]),
 ("matrix_rank2", lambda m,a: m.linalg.matrix_rank(a, atol=1.0), [Ab]),
 ("cond", lambda m,a: m.linalg.cond(a), [A]),
 # torch's own backward of cond with a p other than 2 fails (it writes into inv's output)
 ("cond_fro", lambda m,a: m.linalg.cond(a.detach(), 'fro'), [A]),
 ("cond_1", lambda m,a: m.linalg.cond(a.detach(), 1), [Ab]),
 ("eigh_vals", lambda m,a: m.linalg.eigh(a+a.mT).eigenvalues, [Ab]),
 ("eigh_proj", lambda m,a: (lambda w,V: (V*w.unsqueeze(-2))@V.mT)(*m.linalg.eigh(a+a.mT)), [A]),
 ("eigh_U", lambda m,a: m.linalg.eigh(a, UPLO='U').eigenvalues, [A]),
 ("eigvalsh", lambda m,a: m.linalg.eigvalsh(a+a.mT), [A]),
]


def _name(t):
    return str(t.dtype).split(".")[-1]


@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, fn, arrays):
    e_in = [ember.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    t_in = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    e_out, t_out = fn(ember, *e_in), fn(torch, *t_in)
    assert tuple(e_out.shape) == tuple(t_out.shape) and _name(e_out) == _name(t_out)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-4, atol=1e-5)
    if not t_out.requires_grad:
        assert not e_out.requires_grad
        return
    g = np.random.default_rng(2).standard_normal(tuple(t_out.shape)).astype(np.float32)
    e_out.backward(ember.tensor(g))
    t_out.backward(torch.tensor(g))
    for e, t in zip(e_in, t_in):
        if t.grad is None:
            continue
        assert e.grad is not None and e.grad.dtype == ember.float32
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("fn", [
    lambda m, a: m.linalg.pinv(a, rtol=0.5),
    lambda m, a: m.pinverse(a[:, :2] @ a[:1, :2].mT @ a[:1, :2], rcond=1e-6),  # rank 1
    lambda m, a: m.linalg.pinv(a),
    lambda m, a: m.linalg.matrix_norm(a, -2),
    lambda m, a: m.linalg.cond(a[:3], "fro"),
    lambda m, a: m.linalg.lu_solve(*m.linalg.lu_factor(a[:3]), a.mT, adjoint=True),
])
def test_gradcheck_float64(fn):
    a = ember.tensor(R.astype(np.float64), requires_grad=True)
    assert fn(ember, a).dtype == ember.float64
    assert ember.autograd.gradcheck(lambda x: fn(ember, x), [a], eps=1e-6, atol=1e-5)


@pytest.mark.parametrize("call", [
    lambda m: m.linalg.qr(m.ones(3, 3), mode="thin"),
    lambda m: m.linalg.matrix_norm(m.ones(3, 3), 3),
    lambda m: m.linalg.norm(m.ones(2, 2, 2), ord=2),
    lambda m: m.linalg.multi_dot([m.ones(3)]),
    lambda m: m.linalg.solve(m.ones(2, 3), m.ones(2)),
    lambda m: m.linalg.solve(m.eye(3), m.ones(2, 1)),
    lambda m: m.linalg.eigh(m.ones(2, 3)),
    lambda m: m.linalg.eigh(m.eye(2), UPLO="X"),
])
def test_refuses_like_torch(call):
    """torch's exception type and message, word for word."""
    with pytest.raises(Exception) as theirs:
        call(torch)
    try:
        call(ember)
    except Exception as ours:  # noqa: BLE001 - compared with torch's below
        assert (type(ours), str(ours)) == (type(theirs.value), str(theirs.value))
    else:
        pytest.fail(f"ember accepted what torch refuses: {theirs.value}")


@pytest.mark.parametrize("call", [
    lambda m: m.linalg.inv(m.zeros(2, 2)),
    lambda m: m.inverse(m.zeros(2, 2)),
    lambda m: m.linalg.cholesky(-m.eye(2)),
    lambda m: m.linalg.solve(m.zeros(2, 2), m.ones(2)),
])
def test_singular_matrices_raise_linalg_error(call):
    """torch raises torch.linalg.LinAlgError, a RuntimeError; so does ember."""
    with pytest.raises(torch.linalg.LinAlgError):
        call(torch)
    with pytest.raises(ember.linalg.LinAlgError) as ours:
        call(ember)
    assert isinstance(ours.value, RuntimeError) and str(ours.value).startswith(("linalg.", "torch.linalg"))
