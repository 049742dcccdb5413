"""torch's namespace functions and Tensor methods that ember composes from its ops, against torch:
values, dtypes, and (for float inputs) the gradient of every input, on the same arrays.

Each case is ``(id, fn, inputs)``; ``fn(m, *tensors)`` runs once with ``m = ember`` and once with
``m = torch``. ``inputs`` are array specs: a shape (standard-normal float32 that requires grad),
or a fixed array (used as given, without grad).
"""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

I = np.array  # noqa: E741 - a fixed input (no grad)
X = np.array([[3.0, -1.0, 2.0, 0.5], [-2.0, 4.0, 1.0, -0.5], [0.25, 1.5, -3.0, 2.5]], np.float32)
V = np.array([1.5, -2.0, 0.5, 3.0, -1.0], np.float32)

CASES = [
    # reductions and order statistics
    ("median", lambda m, a: m.median(a), [(3, 5)]),
    ("median_dim", lambda m, a: m.median(a, 1).values, [(3, 5)]),
    ("median_dim_indices", lambda m, a: m.median(a, 0)[1], [I(X)]),
    ("nanmedian", lambda m, a: m.nanmedian(a), [I(np.array([1.0, np.nan, 3.0, 2.0], np.float32))]),
    ("kthvalue", lambda m, a: m.kthvalue(a, 2, 1).values, [(3, 5)]),
    ("mode", lambda m, a: m.mode(a).values, [I(np.array([[1, 2, 2, 3], [4, 4, 1, 1]]))]),
    ("quantile", lambda m, a: m.quantile(a, 0.3, dim=1), [(3, 5)]),
    ("quantile_q_tensor", lambda m, a: m.quantile(a, m.tensor([0.1, 0.9]), dim=0, keepdim=True),
     [(4, 3)]),
    ("quantile_nearest", lambda m, a: m.quantile(a, 0.4, interpolation="nearest"), [(7,)]),
    ("quantile_midpoint", lambda m, a: m.quantile(a, 0.25, dim=0, interpolation="midpoint"), [(5, 2)]),
    ("nanquantile", lambda m, a: m.nanquantile(a, 0.5),
     [I(np.array([1.0, np.nan, 3.0, 2.0, 7.0], np.float32))]),
    ("nansum", lambda m, a: m.nansum(a * m.tensor([1.0, float("nan"), 1.0, 1.0, 1.0])), [(2, 5)]),
    ("nanmean_dim", lambda m, a: m.nanmean(a, 0), [I(np.array([[1.0, np.nan], [3.0, 4.0]],
                                                              np.float32))]),
    ("aminmax", lambda m, a: m.aminmax(a, dim=1).max, [(3, 4)]),
    ("std_mean", lambda m, a: m.std_mean(a, 1)[0], [(3, 4)]),
    ("var_mean_correction0", lambda m, a: m.var_mean(a, dim=0, correction=0)[1], [(3, 4)]),
    ("cummax_values", lambda m, a: m.cummax(a, 1).values, [(3, 5)]),
    ("cummax_indices", lambda m, a: m.cummax(a, 1).indices, [I(np.array([[5.0, 5.0, 0.0, 7.0]]))]),
    ("cummin", lambda m, a: m.cummin(a, 0)[0], [(4, 3)]),
    ("diff", lambda m, a: m.diff(a, dim=1), [(3, 5)]),
    ("diff_n2_prepend", lambda m, a: m.diff(a, n=2, dim=0, prepend=a[:1] * 2), [(4, 3)]),
    ("cumsum_int_dtype", lambda m, a: m.cumsum(a, 0), [I(np.array([1, 2, 3], np.int32))]),
    ("prod_dtype", lambda m, a: a.prod(dtype=m.float64), [(2, 3)]),
    ("sum_axis_keepdims", lambda m, a: a.sum(axis=0, keepdims=True), [(3, 4)]),
    ("argmax_axis", lambda m, a: a.argmax(axis=1), [I(X)]),
    ("cumsum_axis", lambda m, a: m.cumsum(a, axis=1), [(3, 4)]),
    # elementwise maths
    ("hypot", lambda m, a, b: m.hypot(a, b), [(3, 4), (4,)]),
    ("xlogy", lambda m, a, b: m.xlogy(a, b.abs() + 0.1), [(3, 4), (3, 4)]),
    ("xlogy_zero", lambda m, a: m.xlogy(m.tensor([0.0, 2.0]), a.abs() + 1), [(2,)]),
    ("logaddexp", lambda m, a, b: m.logaddexp(a, b), [(3, 4), (3, 4)]),
    ("logaddexp2", lambda m, a, b: m.logaddexp2(a, b), [(3, 4), (4,)]),
    ("copysign", lambda m, a, b: m.copysign(a, b), [(3, 4), (3, 4)]),
    ("fmax", lambda m, a, b: m.fmax(a, b), [(3, 4), (3, 4)]),
    ("fmod", lambda m, a: m.fmod(a * 3, 1.5), [(3, 4)]),
    ("fmod_int", lambda m, a: m.fmod(a, 3), [I(np.array([-7, -3, 5, 8]))]),
    ("float_power", lambda m, a: m.float_power(a.abs(), 2.5), [(3, 4)]),
    # (with an integer exponent of -1 torch's gradient is 0: it computes 2 ** -1 in integers)
    ("ldexp", lambda m, a: m.ldexp(a, m.tensor([1.0, 2.0, 3.0, -1.0])), [(3, 4)]),
    ("lerp", lambda m, a, b: m.lerp(a, b, 0.3), [(3, 4), (3, 4)]),
    ("addcmul", lambda m, a, b, c: m.addcmul(a, b, c, value=0.5), [(3, 4), (3, 4), (4,)]),
    ("addcdiv", lambda m, a, b, c: m.addcdiv(a, b, c.abs() + 1, value=2), [(3, 4), (3, 4), (3, 4)]),
    ("logit_eps", lambda m, a: m.logit(m.sigmoid(a), eps=1e-3), [(3, 4)]),
    ("nan_to_num", lambda m, a: m.nan_to_num(a * m.tensor([1.0, float("nan"), float("inf"), 1.0]),
                                             posinf=9.0), [(3, 4)]),
    ("deg2rad", lambda m, a: m.deg2rad(a), [(3,)]),
    ("mvlgamma", lambda m, a: m.mvlgamma(a.abs() + 2, 3), [(3, 4)]),
    ("clamp_min", lambda m, a: m.clamp_min(a, 0.2), [(3, 4)]),
    ("isclose", lambda m, a, b: m.isclose(a, b, atol=0.5), [I(X), I(X + 0.3)]),
    ("isin", lambda m, a: m.isin(a, m.tensor([2, 5])), [I(np.array([1, 2, 3, 5]))]),
    ("gcd", lambda m, a: m.gcd(a, m.tensor([8, 4, 9])), [I(np.array([12, -18, 6]))]),
    ("bitwise_left_shift", lambda m, a: m.bitwise_left_shift(a, 2), [I(np.array([1, 2, 3]))]),
    ("frexp_mantissa", lambda m, a: m.frexp(a).mantissa, [I(V)]),
    ("signbit", lambda m, a: m.signbit(a), [I(V)]),
    # indexing
    ("index_select", lambda m, a: m.index_select(a, 1, m.tensor([3, 0, 3])), [(3, 4)]),
    ("masked_select", lambda m, a: m.masked_select(a, m.tensor([True, False, True, True])), [(3, 4)]),
    ("take", lambda m, a: m.take(a, m.tensor([[0, 5], [11, 5]])), [(3, 4)]),
    ("take_along_dim", lambda m, a: m.take_along_dim(a, m.tensor([[1], [0], [3]]), dim=1), [(3, 4)]),
    ("index_add", lambda m, a, b: a.index_add(0, m.tensor([0, 2, 0]), b, alpha=2), [(3, 4), (3, 4)]),
    ("index_copy", lambda m, a, b: m.index_copy(a, 1, m.tensor([3, 0]), b), [(3, 4), (3, 2)]),
    ("index_fill", lambda m, a: a.index_fill(1, m.tensor([1, 2]), -1.0), [(3, 4)]),
    ("masked_scatter", lambda m, a, b: a.masked_scatter(m.tensor([True, False, True, False]), b),
     [(3, 4), (3, 4)]),
    ("put", lambda m, a, b: a.put(m.tensor([1, 7]), b, accumulate=True), [(3, 4), (2,)]),
    ("diagonal", lambda m, a: m.diagonal(a, 1), [(3, 4)]),
    ("diagonal_3d", lambda m, a: a.diagonal(offset=-1, dim1=0, dim2=2), [(3, 2, 4)]),
    ("diag_vector", lambda m, a: m.diag(a, -1), [(3,)]),
    ("diag_embed", lambda m, a: m.diag_embed(a, 1), [(2, 3)]),
    ("diagflat", lambda m, a: m.diagflat(a), [(2, 2)]),
    ("tril", lambda m, a: m.tril(a, -1), [(3, 4)]),
    ("triu", lambda m, a: a.triu(1), [(2, 3, 4)]),
    ("trace", lambda m, a: m.trace(a), [(3, 4)]),
    ("narrow", lambda m, a: m.narrow(a, 1, 1, 2), [(3, 4)]),
    ("select_scatter", lambda m, a, b: m.select_scatter(a, b, 0, 1), [(3, 4), (4,)]),
    ("slice_scatter", lambda m, a, b: m.slice_scatter(a, b, 1, 0, 4, 2), [(3, 4), (3, 2)]),
    ("diagonal_scatter", lambda m, a, b: m.diagonal_scatter(a, b, 1), [(3, 4), (3,)]),
    ("nonzero", lambda m, a: m.nonzero(a), [I(np.array([[0, 1], [1, 1]]))]),
    ("tril_indices", lambda m: m.tril_indices(3, 4, 1), []),
    # layout
    ("tile", lambda m, a: m.tile(a, (2,)), [(3, 4)]),
    ("tensor_tile_ints", lambda m, a: a.tile(2, 1, 3), [(3, 4)]),
    ("tensor_tile_int", lambda m, a: a.tile(2), [(3, 4)]),
    ("tensor_tile_list", lambda m, a: a.tile([2, 2]), [(3, 4)]),
    ("movedim", lambda m, a: m.movedim(a, (0, 1), (2, 0)), [(2, 3, 4)]),
    ("hstack", lambda m, a, b: m.hstack([a, b]), [(3,), (2,)]),
    ("vstack", lambda m, a, b: m.vstack((a, b)), [(3,), (2, 3)]),
    ("dstack", lambda m, a, b: m.dstack([a, b]), [(2, 3), (2, 3)]),
    ("column_stack", lambda m, a, b: m.column_stack([a, b]), [(3,), (3, 2)]),
    ("atleast_3d", lambda m, a: m.atleast_3d(a), [(2, 3)]),
    ("tensor_split_int", lambda m, a: m.tensor_split(a, 3, dim=1)[2], [(2, 7)]),
    ("tensor_split_indices", lambda m, a: a.tensor_split([1, 4])[1], [(6, 2)]),
    ("hsplit", lambda m, a: m.hsplit(a, 2)[1], [(3, 4)]),
    ("rot90", lambda m, a: m.rot90(a, 1, (0, 1)), [(2, 3)]),
    ("rot90_k3", lambda m, a: a.rot90(3, [1, 0]), [(2, 3)]),
    ("repeat_interleave", lambda m, a: m.repeat_interleave(a, 2, dim=0), [(2, 3)]),
    ("repeat_interleave_tensor", lambda m, a: a.repeat_interleave(m.tensor([1, 0, 2]), dim=1),
     [(2, 3)]),
    ("broadcast_tensors", lambda m, a, b: m.broadcast_tensors(a, b)[1], [(3, 1), (4,)]),
    ("meshgrid_xy", lambda m, a, b: m.meshgrid(a, b, indexing="xy")[0], [(3,), (2,)]),
    ("cartesian_prod", lambda m, a, b: m.cartesian_prod(a, b), [(3,), (2,)]),
    ("combinations", lambda m, a: m.combinations(a, 2), [(4,)]),
    ("block_diag", lambda m, a, b: m.block_diag(a, b), [(2, 2), (1, 3)]),
    ("unfold", lambda m, a: a.unfold(1, 2, 1), [(2, 5)]),
    ("as_strided", lambda m, a: m.as_strided(a, (2, 2), (1, 2), 1), [(3, 4)]),
    ("fliplr", lambda m, a: m.fliplr(a), [(2, 3)]),
    ("ravel", lambda m, a: m.ravel(a.T), [(2, 3)]),
    # linear algebra
    ("addmm", lambda m, a, b, c: m.addmm(a, b, c, beta=0.5, alpha=2), [(3, 2), (3, 4), (4, 2)]),
    ("addmv", lambda m, a, b, c: m.addmv(a, b, c), [(3,), (3, 4), (4,)]),
    ("addr", lambda m, a, b, c: m.addr(a, b, c, alpha=0.5), [(3, 2), (3,), (2,)]),
    ("baddbmm", lambda m, a, b, c: m.baddbmm(a, b, c), [(2, 3, 2), (2, 3, 4), (2, 4, 2)]),
    ("addbmm", lambda m, a, b, c: m.addbmm(a, b, c), [(3, 2), (2, 3, 4), (2, 4, 2)]),
    ("inner", lambda m, a, b: m.inner(a, b), [(3, 4), (2, 4)]),
    ("kron", lambda m, a, b: m.kron(a, b), [(2, 3), (2, 2)]),
    ("tensordot", lambda m, a, b: m.tensordot(a, b, dims=([1, 0], [0, 1])), [(3, 4), (4, 3)]),
    ("cross", lambda m, a, b: m.cross(a, b, dim=1), [(2, 3), (2, 3)]),
    ("cdist", lambda m, a, b: m.cdist(a, b), [(3, 4), (2, 4)]),
    ("cdist_p1", lambda m, a, b: m.cdist(a, b, p=1.0), [(3, 4), (2, 4)]),
    ("dist", lambda m, a, b: m.dist(a, b, 3), [(3, 4), (3, 4)]),
    ("renorm", lambda m, a: m.renorm(a, 2, 0, 1.0), [(3, 4)]),
    ("cov", lambda m, a: m.cov(a), [(3, 5)]),
    ("cov_weights", lambda m, a: m.cov(a, correction=0, aweights=m.tensor([1.0, 2.0, 1.0, 3.0])),
     [(2, 4)]),
    ("corrcoef", lambda m, a: m.corrcoef(a), [(3, 5)]),
    ("trapezoid", lambda m, a: m.trapezoid(a, dx=0.5), [(3, 5)]),
    ("trapezoid_x", lambda m, a: m.trapezoid(a, m.tensor([0.0, 1.0, 3.0, 4.0, 7.0])), [(3, 5)]),
    ("cumulative_trapezoid", lambda m, a: m.cumulative_trapezoid(a, dim=0), [(4, 2)]),
    ("vander", lambda m, a: m.vander(a, 3), [I(V)]),    # torch's backward fails on its own vander
    ("matrix_power", lambda m, a: m.matrix_power(a, 3), [(3, 3)]),
    ("logdet", lambda m, a: m.logdet(a @ a.mT + m.eye(3)), [(3, 3)]),
    ("triangular_solve", lambda m, b, a: m.triangular_solve(b, a + 3 * m.eye(3), upper=False,
                                                            transpose=True).solution, [(3, 2), (3, 3)]),
    ("triangular_solve_unit", lambda m, b, a: m.triangular_solve(b, a, unitriangular=True)[0],
     [(3, 2), (3, 3)]),
    ("cholesky_solve", lambda m, b, a: m.cholesky_solve(b, m.linalg.cholesky(a @ a.mT + m.eye(3))
                                                        if m is torch else m.cholesky(a @ a.mT + m.eye(3))),
     [(3, 2), (3, 3)]),
    ("cholesky_inverse", lambda m, a: m.cholesky_inverse(a.tril() + 3 * m.eye(3)), [(3, 3)]),
    ("pinverse_tall", lambda m, a: m.pinverse(a), [(4, 3)]),
    ("pinverse_wide", lambda m, a: a.pinverse(), [(2, 4)]),
    # rank 1: the SVD-based pseudo-inverse (values; its gradient is checked by finite differences
    # in tests/torch_api/test_linalg.py, torch's treats the rank as fixed)
    ("pinverse_rank_deficient", lambda m, a: m.pinverse(a, rcond=1e-5),
     [I(np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]], np.float32))]),
    # factorisations (signs of singular vectors are LAPACK's: only S and sign-free products)
    ("svd_some_false_S", lambda m, a: m.svd(a, some=False)[1], [(3, 3)]),
    ("svd_no_uv", lambda m, a: m.svd(a, compute_uv=False)[0], [I(X)]),
    ("svd_method_S", lambda m, a: a.svd().S, [(2, 4, 3)]),
    ("lu_pivots", lambda m, a: (m.linalg.lu_factor(a) if m is torch else m.lu(a))[1],
     [I(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]], np.float32))]),
    ("lu_unpack_P", lambda m, a: m.lu_unpack(*(m.linalg.lu_factor(a) if m is torch else m.lu(a))).P,
     [(2, 3, 3)]),
    ("lu_unpack_L", lambda m, a: m.lu_unpack(*(m.linalg.lu_factor(a) if m is torch else m.lu(a))).L,
     [(3, 3)]),
    ("lu_unpack_U", lambda m, a: m.lu_unpack(*(m.linalg.lu_factor(a) if m is torch else m.lu(a)))[2],
     [(3, 3)]),
    ("tensor_lu_solve", lambda m, b, a: b.lu_solve(*(m.linalg.lu_factor(a) if m is torch else a.lu())),
     [(3, 2), (3, 3)]),
    ("geqrf_a", lambda m, a: m.geqrf(a).a, [I(X.T.copy())]),
    ("geqrf_tau", lambda m, a: a.geqrf()[1], [I(X.T.copy())]),
    ("orgqr_of_geqrf", lambda m, a: m.orgqr(*m.geqrf(a)), [I(X.T.copy())]),
    ("ormqr_right", lambda m, c, a: m.ormqr(*m.geqrf(a), c, left=False), [(2, 4), I(X.T.copy())]),
    ("index_reduce_amax", lambda m, a, b: a.index_reduce(0, m.tensor([0, 0, 2]), b, "amax"),
     [(3, 2), (3, 2)]),
    ("index_reduce_mean", lambda m, a, b: a.index_reduce(1, m.tensor([1, 1]), b, "mean",
                                                         include_self=False), [(3, 2), (3, 2)]),
    # statistics without gradients
    ("histc", lambda m, a: m.histc(a, bins=4, min=-3, max=3), [I(X)]),
    ("histogram", lambda m, a: m.histogram(a, bins=3).hist, [I(V)]),
    ("bincount", lambda m, a: m.bincount(a, minlength=6), [I(np.array([0, 1, 1, 3]))]),
    ("bucketize", lambda m, a: m.bucketize(a, m.tensor([1, 3, 5, 7, 9])), [I(np.array([1, 5, 9]))]),
    ("searchsorted_right", lambda m, a: m.searchsorted(a, m.tensor([3, 6, 9]), right=True),
     [I(np.array([1, 3, 5, 7, 9]))]),
    ("unique_counts", lambda m, a: m.unique(a, return_counts=True)[1], [I(np.array([2, 1, 2, 3]))]),
    ("unique_inverse", lambda m, a: m.unique(a, return_inverse=True)[1], [I(np.array([2, 1, 2, 3]))]),
    ("unique_consecutive", lambda m, a: m.unique_consecutive(a, return_counts=True)[1],
     [I(np.array([1, 1, 2, 2, 3, 1]))]),
    # nn-flavoured namespace functions
    ("selu", lambda m, a: m.selu(a), [(3, 4)]),
    ("celu", lambda m, a: m.celu(a, 0.5), [(3, 4)]),
    ("threshold", lambda m, a: m.threshold(a, 0.1, -2.0), [(3, 4)]),
    ("kl_div_int_reduction", lambda m, a, b: m.kl_div(m.log_softmax(a, 1), m.softmax(b, 1), 2),
     [(3, 4), (3, 4)]),
    ("bce_logits_none", lambda m, a, b: m.binary_cross_entropy_with_logits(a, b.sigmoid(), None,
                                                                            None, 0), [(3, 4), (3, 4)]),
    ("pairwise_distance", lambda m, a, b: m.pairwise_distance(a, b), [(3, 4), (3, 4)]),
    ("layer_norm", lambda m, a: m.layer_norm(a, [4]), [(3, 4)]),
    ("batch_norm_order", lambda m, a: m.batch_norm(a, None, None, None, None, True, 0.1, 1e-5,
                                                   False), [(4, 3)]),
    ("norm_fro_dim", lambda m, a: m.norm(a, "fro", dim=(0, 1)), [(3, 4)]),
    ("norm_nuc", lambda m, a: m.norm(a, "nuc"), [(3, 4)]),
    ("norm_nuc_dim_keepdim", lambda m, a: m.norm(a, "nuc", dim=(0, 2), keepdim=True), [(3, 4, 5)]),
    ("frobenius_norm", lambda m, a: m.frobenius_norm(a, (0,)), [(3, 4)]),
]


def _inputs(lib, specs, seed):
    rng = np.random.default_rng(seed)
    out = []
    for spec in specs:
        if isinstance(spec, tuple):
            out.append(lib.tensor(rng.standard_normal(spec).astype(np.float32), requires_grad=True))
        else:
            out.append(lib.tensor(spec))
    return out


def _outputs(value):
    return list(value) if isinstance(value, (tuple, list)) else [value]


@pytest.mark.parametrize("name,fn,specs", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, fn, specs):
    e_in, t_in = _inputs(ember, specs, len(name)), _inputs(torch, specs, len(name))
    e_out, t_out = _outputs(fn(ember, *e_in)), _outputs(fn(torch, *t_in))
    assert len(e_out) == len(t_out)
    for e, t in zip(e_out, t_out):
        assert tuple(e.shape) == tuple(t.shape), (e.shape, t.shape)
        assert e.dtype.name == str(t.dtype).split(".")[-1]
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=2e-5, atol=2e-6)
    grads = [(e, t) for e, t in zip(e_out, t_out) if t.requires_grad]
    if not grads:
        return
    rng = np.random.default_rng(7)
    for e, t in grads:
        g = rng.standard_normal(tuple(t.shape)).astype(np.float32)
        e.backward(ember.tensor(g), retain_graph=True)
        t.backward(torch.tensor(g), retain_graph=True)
    for e, t in zip(e_in, t_in):
        if not t.requires_grad:
            continue
        if t.grad is None or e.grad is None:       # "no gradient" and "zero gradient" agree
            for grad in (e.grad, t.grad):
                assert grad is None or not grad.numpy().any()
            continue
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=2e-4, atol=2e-5)
