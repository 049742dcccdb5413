"""Every differentiable op of the engine, in one table, checked two ways.

1. Against torch in float32: forward values, result dtype and shape, the node's name
   (``grad_fn=<...>``), and the gradient of every input (including broadcast shapes), for a
   random upstream gradient.
2. With ``ember.autograd.gradcheck`` (central finite differences) in float64.

Each case is ``(id, fn, shapes, domain)``. ``fn(m, *tensors)`` is written once and
run with ``m = ember`` and ``m = torch``, so both libraries execute the same code.
"""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

ANY, POS, UNIT = "any", "pos", "unit"

CASES = [
    # ------------------------------------------------------------ binary arithmetic
    ("add", lambda m, a, b: a + b, [(3, 4), (3, 4)], ANY),
    ("add_broadcast_row", lambda m, a, b: a + b, [(3, 4), (4,)], ANY),
    ("add_broadcast_both", lambda m, a, b: a + b, [(2, 1, 3), (4, 1)], ANY),
    ("add_0d", lambda m, a, b: a + b, [(3,), ()], ANY),
    ("add_alpha", lambda m, a, b: m.add(a, b, alpha=2.5), [(3, 4), (1, 4)], ANY),
    ("add_scalar_right", lambda m, a: a + 2, [(2, 3)], ANY),
    ("add_scalar_left", lambda m, a: 2.5 + a, [(2, 3)], ANY),
    ("sub", lambda m, a, b: a - b, [(3, 1), (1, 4)], ANY),
    ("sub_scalar_left", lambda m, a: 1.5 - a, [(2, 3)], ANY),
    ("sub_scalar_right", lambda m, a: a - 1, [(2, 3)], ANY),
    ("mul", lambda m, a, b: a * b, [(2, 3, 4), (3, 1)], ANY),
    ("mul_scalar", lambda m, a: 3 * a * 0.5, [(5,)], ANY),
    ("div", lambda m, a, b: a / b, [(3, 4), (4,)], POS),
    ("div_scalar_left", lambda m, a: 2 / a, [(3, 4)], POS),
    ("div_scalar_right", lambda m, a: a / 4, [(3, 4)], ANY),
    ("pow_2", lambda m, a: a ** 2, [(3, 4)], ANY),
    ("pow_3", lambda m, a: a ** 3, [(3, 4)], ANY),
    ("pow_1", lambda m, a: a ** 1, [(3,)], ANY),
    ("pow_0", lambda m, a: a ** 0, [(3,)], ANY),
    ("pow_half", lambda m, a: a ** 0.5, [(3, 4)], POS),
    ("pow_neg", lambda m, a: a ** -1.5, [(3, 4)], POS),
    ("pow_tensor", lambda m, a, b: a ** b, [(3, 4), (4,)], POS),
    ("rpow", lambda m, a: 2 ** a, [(3, 4)], ANY),
    ("remainder", lambda m, a, b: m.remainder(a * 3, b), [(3, 4), (4,)], POS),
    ("remainder_scalar", lambda m, a: a % 0.7, [(3, 4)], POS),
    ("maximum", lambda m, a, b: m.maximum(a, b), [(3, 4), (4,)], ANY),
    ("minimum", lambda m, a, b: m.minimum(a, b), [(3, 1), (3, 4)], ANY),
    ("where", lambda m, a, b: m.where(a > 0, a, b), [(3, 4), (4,)], ANY),
    ("where_scalar", lambda m, a: m.where(a > 0, a, 0.0), [(3, 4)], ANY),
    # ---------------------------------------------------------------------- unary
    ("neg", lambda m, a: -a, [(3, 4)], ANY),
    ("neg_fn", lambda m, a: m.neg(a), [(3, 4)], ANY),
    ("abs", lambda m, a: m.abs(a), [(3, 4)], ANY),
    ("exp", lambda m, a: m.exp(a), [(3, 4)], ANY),
    ("log", lambda m, a: m.log(a), [(3, 4)], POS),
    ("log1p", lambda m, a: m.log1p(a), [(3, 4)], POS),
    ("sqrt", lambda m, a: m.sqrt(a), [(3, 4)], POS),
    ("sin", lambda m, a: m.sin(a), [(3, 4)], ANY),
    ("cos", lambda m, a: m.cos(a), [(3, 4)], ANY),
    ("expm1", lambda m, a: m.expm1(a), [(3, 4)], ANY),
    ("tan", lambda m, a: m.tan(a), [(3, 4)], UNIT),
    ("log2", lambda m, a: m.log2(a), [(3, 4)], POS),
    ("log10", lambda m, a: a.log10(), [(3, 4)], POS),
    ("rsqrt", lambda m, a: m.rsqrt(a), [(3, 4)], POS),
    ("reciprocal", lambda m, a: a.reciprocal(), [(3, 4)], POS),
    ("square", lambda m, a: m.square(a), [(3, 4)], ANY),
    ("floor_zero_grad", lambda m, a: m.floor(a * 3) + a, [(3, 4)], ANY),
    ("sign_zero_grad", lambda m, a: a.sign() * 2 + a, [(3, 4)], ANY),
    ("clamp", lambda m, a: m.clamp(a, -0.5, 0.5), [(4, 5)], ANY),
    ("clamp_tensor_bounds", lambda m, a, lo: m.clamp(a, min=lo), [(4, 5), (5,)], ANY),
    ("clamp_min", lambda m, a: a.clamp(min=0.1), [(4, 5)], ANY),
    ("clamp_max", lambda m, a: a.clamp(max=-0.1), [(4, 5)], ANY),
    ("clip", lambda m, a: m.clip(a, -0.3, 0.7), [(4, 5)], ANY),
    ("relu", lambda m, a: m.relu(a), [(3, 4)], ANY),
    ("relu_method", lambda m, a: a.relu(), [(3, 4)], ANY),
    ("sigmoid", lambda m, a: m.sigmoid(a * 4), [(3, 4)], ANY),
    ("tanh", lambda m, a: m.tanh(a), [(3, 4)], ANY),
    ("softmax_last", lambda m, a: m.softmax(a, dim=-1), [(3, 4)], ANY),
    ("softmax_0", lambda m, a: a.softmax(0), [(3, 4)], ANY),
    ("log_softmax_last", lambda m, a: m.log_softmax(a, dim=-1), [(3, 4)], ANY),
    ("log_softmax_1", lambda m, a: a.log_softmax(1), [(2, 3, 4)], ANY),
    # activations defined as rules (ember.ops.pointwise)
    ("hardsigmoid", lambda m, a: m.nn.functional.hardsigmoid(a * 4), [(3, 4)], ANY),
    ("hardswish", lambda m, a: m.nn.functional.hardswish(a * 4), [(3, 4)], ANY),
    ("hardshrink", lambda m, a: m.nn.functional.hardshrink(a, 0.4), [(3, 4)], ANY),
    ("softshrink", lambda m, a: m.nn.functional.softshrink(a, 0.4), [(3, 4)], ANY),
    ("threshold", lambda m, a: m.nn.functional.threshold(a, 0.1, -2.5), [(3, 4)], ANY),
    ("celu", lambda m, a: m.nn.functional.celu(a * 2, alpha=1.5), [(3, 4)], ANY),
    ("mish", lambda m, a: m.nn.functional.mish(a * 3), [(3, 4)], ANY),
    # trigonometric and special functions (rules of ember.ops.unary_math)
    ("acos", lambda m, a: m.acos(a), [(3, 4)], UNIT),
    ("asin", lambda m, a: a.asin(), [(3, 4)], UNIT),
    ("atan", lambda m, a: m.atan(a), [(3, 4)], ANY),
    ("sinh", lambda m, a: m.sinh(a), [(3, 4)], ANY),
    ("cosh", lambda m, a: a.cosh(), [(3, 4)], ANY),
    ("asinh", lambda m, a: m.asinh(a), [(3, 4)], ANY),
    ("acosh", lambda m, a: m.acosh(a + 1.5), [(3, 4)], POS),
    ("atanh", lambda m, a: m.atanh(a), [(3, 4)], UNIT),
    ("erf", lambda m, a: m.erf(a), [(3, 4)], ANY),
    ("erfc", lambda m, a: a.erfc(), [(3, 4)], ANY),
    ("erfinv", lambda m, a: m.erfinv(a), [(3, 4)], UNIT),
    ("exp2", lambda m, a: m.exp2(a), [(3, 4)], ANY),
    ("lgamma", lambda m, a: m.lgamma(a), [(3, 4)], POS),
    ("digamma", lambda m, a: m.digamma(a), [(3, 4)], POS),
    ("polygamma_2", lambda m, a: m.polygamma(2, a), [(3, 4)], POS),
    ("i0", lambda m, a: m.i0(a), [(3, 4)], ANY),
    ("sinc", lambda m, a: m.sinc(a), [(3, 4)], ANY),
    ("frac", lambda m, a: m.frac(a * 3), [(3, 4)], ANY),
    ("atan2", lambda m, a, b: m.atan2(a, b), [(3, 4), (4,)], ANY),
    ("cumprod", lambda m, a: m.cumprod(a, 1), [(3, 4)], ANY),
    ("cumprod_with_zero", lambda m, a: (a * m.tensor([1.0, 0.0, 1.0, 1.0])).cumprod(1), [(3, 4)], ANY),
    ("logcumsumexp", lambda m, a: m.logcumsumexp(a * 3, 0), [(3, 4)], ANY),
    ("roll", lambda m, a: m.roll(a, (1, -2), (0, 1)), [(3, 4)], ANY),
    ("scatter", lambda m, a, b: a.scatter(1, m.tensor([[0, 2], [1, 3], [3, 0]]), b), [(3, 4), (3, 2)], ANY),
    ("scatter_add", lambda m, a, b: m.scatter_add(a, 0, m.tensor([[0, 0], [2, 0]]), b), [(3, 4), (2, 2)], ANY),
    ("scatter_reduce_mean", lambda m, a, b: a.scatter_reduce(1, m.tensor([[0, 0], [1, 1], [3, 3]]), b,
                                                            "mean"), [(3, 4), (3, 2)], ANY),
    ("scatter_reduce_amax", lambda m, a, b: a.scatter_reduce(1, m.tensor([[0, 0], [1, 2], [3, 3]]), b,
                                                            "amax", include_self=False), [(3, 4), (3, 2)], ANY),
    ("det", lambda m, a: m.det(a), [(2, 3, 3)], ANY),
    ("slogdet", lambda m, a: m.slogdet(a)[1], [(3, 3)], ANY),
    ("inverse", lambda m, a: m.inverse(a + 3 * m.eye(3, dtype=a.dtype)), [(3, 3)], ANY),
    ("cholesky", lambda m, a: m.linalg.cholesky(a @ a.mT + m.eye(3, dtype=a.dtype)) if m is torch else
        m.cholesky(a @ a.mT + m.eye(3, dtype=a.dtype)), [(3, 3)], ANY),
    ("einsum_matmul", lambda m, a, b: m.einsum("ij,jk->ik", a, b), [(3, 4), (4, 2)], ANY),
    ("einsum_batch_sum", lambda m, a, b: m.einsum("bij,bj->b", a, b), [(2, 3, 4), (2, 4)], ANY),
    ("einsum_broadcast_out", lambda m, a: m.einsum("ij->j", a), [(3, 4)], ANY),
    ("einsum_diagonal", lambda m, a, b: m.einsum("ii,ij->j", a, b), [(3, 3), (3, 2)], ANY),
    ("matrix_exp", lambda m, a: m.matrix_exp(a * 0.5), [(2, 3, 3)], ANY),
    ("nuclear_norm", lambda m, a: m.linalg.matrix_norm(a, "nuc") if m is torch else m.nuclear_norm(a),
     [(4, 3)], ANY),
    ("qr_Q", lambda m, a: (m.linalg.qr(a) if m is torch else m.qr(a))[0], [(4, 3)], ANY),
    ("qr_R", lambda m, a: (m.linalg.qr(a) if m is torch else m.qr(a))[1], [(3, 3)], ANY),
    ("qr_wide_Q", lambda m, a: m.linalg.qr(a).Q, [(3, 5)], ANY),
    ("qr_wide_R_batch", lambda m, a: m.linalg.qr(a).R, [(2, 3, 4)], ANY),
    # SVD's signs are LAPACK's choice (torch's and NumPy's differ on some shapes), so the rows
    # read what does not depend on them: S, the sum of u_i v_iᵀ, and the projector U Uᵀ
    ("svd_S", lambda m, a: m.svd(a)[1], [(4, 3)], ANY),
    ("svd_UVt", lambda m, a: (lambda u, s, v: u @ v.mT)(*m.svd(a)), [(2, 3, 4)], ANY),
    ("svd_UUt", lambda m, a: (lambda u, s, v: u @ u.mT)(*m.svd(a)), [(5, 3)], ANY),
    ("lu_packed", lambda m, a: (m.linalg.lu_factor(a) if m is torch else m.lu(a))[0], [(2, 3, 3)], ANY),
    ("lu_packed_wide", lambda m, a: m.linalg.lu_factor(a).LU, [(2, 3, 5)], ANY),
    ("lu_packed_tall", lambda m, a: m.linalg.lu_factor(a).LU, [(5, 3)], ANY),
    ("lu_L_U_wide", lambda m, a: (lambda p, lo, up: lo.sum(-1) + (up * up).sum(-1))(*m.linalg.lu(a)),
     [(3, 4)], ANY),
    ("lu_L_U_tall", lambda m, a: (lambda p, lo, up: lo.sum(-2) * 2 + (up * up).sum(-2))(*m.linalg.lu(a)),
     [(2, 5, 2)], ANY),
    ("lu_solve", lambda m, a, b: m.lu_solve(b, *(m.linalg.lu_factor(a) if m is torch else m.lu(a))),
     [(3, 3), (3, 2)], ANY),
    ("orgqr", lambda m, a, tau: m.orgqr(a, tau * 0.5), [(4, 3), (3,)], ANY),
    ("ormqr_left_t", lambda m, a, tau, c: m.ormqr(a, tau * 0.5, c, True, True), [(4, 3), (3,), (4, 2)], ANY),
    ("eigh_values", lambda m, a: m.linalg.eigh(a + a.mT).eigenvalues, [(2, 3, 3)], ANY),
    ("eigh_projector", lambda m, a: (lambda w, v: (v * w.unsqueeze(-2)) @ v.mT)(*m.linalg.eigh(a + a.mT)),
     [(4, 4)], ANY),
    ("linalg_solve", lambda m, a, b: m.linalg.solve(a + 3 * m.eye(3, dtype=a.dtype), b),
     [(2, 3, 3), (2, 3, 2)], ANY),
    ("lstsq_tall", lambda m, a, b: m.linalg.lstsq(a, b).solution, [(5, 3), (5, 2)], ANY),
    ("lstsq_wide_batch", lambda m, a, b: m.linalg.lstsq(a, b, driver="gelsd").solution,
     [(2, 3, 4), (2, 3, 2)], ANY),
    # m = 3n: LOBPCG's first Rayleigh–Ritz step spans the whole space, so it is exact
    ("lobpcg_values", lambda m, a: m.lobpcg(a @ a.mT + m.eye(6, dtype=a.dtype), k=2,
                                            X=m.eye(6, 2, dtype=a.dtype))[0], [(6, 6)], ANY),
    ("tensorinv", lambda m, a: m.linalg.tensorinv(a + 3 * m.eye(6, dtype=a.dtype).reshape(6, 2, 3),
                                                  ind=1), [(6, 2, 3)], ANY),
    ("tensorsolve", lambda m, a, b: m.linalg.tensorsolve(
        a + 3 * m.eye(6, dtype=a.dtype).reshape(2, 3, 6), b), [(2, 3, 6), (2, 3)], ANY),
    ("igamma_x", lambda m, x: m.igamma(m.tensor([0.5, 1.0, 2.0, 4.0], dtype=x.dtype), x), [(3, 4)], POS),
    ("igammac_x", lambda m, x: m.igammac(m.tensor(2.5, dtype=x.dtype), x * 3), [(3, 4)], POS),
    # torch.special (ember.ops.special_functions)
    ("special_entr", lambda m, a: m.special.entr(a), [(3, 4)], POS),
    ("special_erfcx", lambda m, a: m.special.erfcx(a * 3), [(3, 4)], ANY),
    ("special_log_ndtr", lambda m, a: m.special.log_ndtr(a * 4), [(3, 4)], ANY),
    ("special_ndtr", lambda m, a: m.special.ndtr(a * 2), [(3, 4)], ANY),
    ("special_ndtri", lambda m, a: m.special.ndtri(a * 0.5 + 0.5), [(3, 4)], UNIT),
    ("special_i0e", lambda m, a: m.special.i0e(a * 6), [(3, 4)], ANY),
    ("special_i1", lambda m, a: m.special.i1(a * 6), [(3, 4)], ANY),
    ("special_i1e", lambda m, a: m.special.i1e(a * 6), [(3, 4)], ANY),
    ("special_xlog1py", lambda m, a, b: m.special.xlog1py(a, b), [(3, 4), (4,)], POS),
    ("special_zeta_q", lambda m, q: m.special.zeta(m.tensor([2.0, 3.5, 1.5, 4.0], dtype=q.dtype), q),
     [(3, 4)], POS),
    ("special_gammainc_x", lambda m, x: m.special.gammainc(m.tensor([0.5, 3.0, 25.0, 4.0], dtype=x.dtype),
                                                          x * 4), [(3, 4)], POS),
    ("special_gammaincc_x", lambda m, x: m.special.gammaincc(m.tensor(1.5, dtype=x.dtype), x), [(3, 4)], POS),
    ("norm_inf", lambda m, a: m.norm(a, float("inf"), 1), [(3, 4)], ANY),
    ("norm_half_p", lambda m, a: m.norm(a, 0.5), [(3, 4)], ANY),
    ("logsumexp", lambda m, a: m.logsumexp(a, dim=1), [(3, 4)], ANY),
    ("logsumexp_keepdim", lambda m, a: a.logsumexp(0, keepdim=True), [(3, 4)], ANY),
    ("logsumexp_all", lambda m, a: m.logsumexp(a, dim=(0, 1)), [(3, 4)], ANY),
    ("logsumexp_tuple", lambda m, a: m.logsumexp(a, dim=(0, 2)), [(2, 3, 4)], ANY),
    # --------------------------------------------------------------------- matmul
    ("matmul_1d_1d", lambda m, a, b: a @ b, [(4,), (4,)], ANY),
    ("matmul_2d_1d", lambda m, a, b: a @ b, [(3, 4), (4,)], ANY),
    ("matmul_1d_2d", lambda m, a, b: a @ b, [(4,), (4, 2)], ANY),
    ("matmul_2d_2d", lambda m, a, b: m.matmul(a, b), [(3, 4), (4, 2)], ANY),
    ("matmul_batched", lambda m, a, b: a @ b, [(2, 3, 4), (2, 4, 5)], ANY),
    ("matmul_batch_2d", lambda m, a, b: a @ b, [(2, 3, 4), (4, 5)], ANY),
    ("matmul_broadcast", lambda m, a, b: a @ b, [(2, 1, 3, 4), (5, 4, 2)], ANY),
    ("matmul_batch_1d", lambda m, a, b: a @ b, [(2, 3, 4), (4,)], ANY),
    ("mm", lambda m, a, b: m.mm(a, b), [(3, 4), (4, 2)], ANY),
    ("bmm", lambda m, a, b: m.bmm(a, b), [(2, 3, 4), (2, 4, 2)], ANY),
    ("linear_like", lambda m, x, w, b: x @ w.T + b, [(5, 3), (2, 3), (2,)], ANY),
    # ----------------------------------------------------------------- reductions
    ("sum", lambda m, a: a.sum(), [(3, 4)], ANY),
    ("sum_dim", lambda m, a: m.sum(a, 1), [(3, 4)], ANY),
    ("sum_neg_dim_keepdim", lambda m, a: a.sum(-1, keepdim=True), [(2, 3, 4)], ANY),
    ("sum_tuple", lambda m, a: a.sum((0, 2)), [(2, 3, 4)], ANY),
    ("sum_empty_dims", lambda m, a: a.sum(dim=[]), [(3, 4)], ANY),
    ("mean", lambda m, a: a.mean(), [(3, 4)], ANY),
    ("mean_empty_dims", lambda m, a: a.mean(dim=()), [(3, 4)], ANY),
    ("mean_dim", lambda m, a: m.mean(a, 0), [(3, 4)], ANY),
    ("mean_tuple_keepdim", lambda m, a: a.mean((0, 1), keepdim=True), [(2, 3, 4)], ANY),
    ("var", lambda m, a: a.var(), [(3, 4)], ANY),
    ("var_dim", lambda m, a: m.var(a, 1), [(3, 4)], ANY),
    ("var_biased", lambda m, a: a.var(0, unbiased=False), [(3, 4)], ANY),
    ("var_correction0_keepdim", lambda m, a: a.var(1, keepdim=True, correction=0), [(3, 4)], ANY),
    ("std", lambda m, a: a.std(), [(3, 4)], ANY),
    ("std_dim", lambda m, a: m.std(a, dim=0), [(3, 4)], ANY),
    ("std_tuple", lambda m, a: a.std((1, 2)), [(2, 3, 4)], ANY),
    ("max", lambda m, a: a.max(), [(3, 4)], ANY),
    ("max_dim_values", lambda m, a: m.max(a, 1)[0], [(3, 4)], ANY),
    ("max_dim_keepdim", lambda m, a: a.max(dim=0, keepdim=True).values, [(3, 4)], ANY),
    ("max_binary", lambda m, a, b: m.max(a, b), [(3, 4), (3, 4)], ANY),
    ("min", lambda m, a: m.min(a), [(3, 4)], ANY),
    ("min_dim_values", lambda m, a: a.min(-1).values, [(2, 3, 4)], ANY),
    ("amax", lambda m, a: m.amax(a, 1), [(3, 4)], ANY),
    ("amax_tuple", lambda m, a: a.amax((0, 2), keepdim=True), [(2, 3, 4)], ANY),
    ("amin", lambda m, a: m.amin(a, (0, 1)), [(2, 3, 4)], ANY),
    ("prod", lambda m, a: a.prod(), [(2, 3)], ANY),
    ("prod_dim", lambda m, a: m.prod(a, 1), [(3, 4)], ANY),
    ("prod_dim_keepdim", lambda m, a: a.prod(0, keepdim=True), [(3, 4)], ANY),
    ("cumsum", lambda m, a: a.cumsum(1), [(3, 4)], ANY),
    ("norm", lambda m, a: a.norm(), [(3, 4)], ANY),
    ("norm_dim", lambda m, a: a.norm(dim=1), [(3, 4)], ANY),
    ("norm_p1", lambda m, a: a.norm(p=1), [(3, 4)], ANY),
    ("norm_p3_dim", lambda m, a: a.norm(p=3, dim=0, keepdim=True), [(3, 4)], ANY),
    # ------------------------------------------------------------------ shape ops
    ("reshape", lambda m, a: a.reshape(4, 3) * m.arange(3.0), [(3, 4)], ANY),
    ("reshape_tuple", lambda m, a: a.reshape((2, -1)), [(3, 4)], ANY),
    ("view", lambda m, a: a.view(-1, 2), [(3, 4)], ANY),
    ("flatten", lambda m, a: a.flatten(), [(2, 3, 4)], ANY),
    ("flatten_start", lambda m, a: m.flatten(a, 1), [(2, 3, 4)], ANY),
    ("squeeze", lambda m, a: a.squeeze(), [(3, 1, 4, 1)], ANY),
    ("squeeze_dim", lambda m, a: m.squeeze(a, 1), [(3, 1, 4)], ANY),
    ("unsqueeze", lambda m, a: a.unsqueeze(1), [(3, 4)], ANY),
    ("unsqueeze_neg", lambda m, a: m.unsqueeze(a, -1), [(3, 4)], ANY),
    ("transpose", lambda m, a: a.transpose(0, 2), [(2, 3, 4)], ANY),
    ("permute", lambda m, a: a.permute(2, 0, 1), [(2, 3, 4)], ANY),
    ("permute_tuple", lambda m, a: m.permute(a, (1, 2, 0)), [(2, 3, 4)], ANY),
    ("T", lambda m, a: a.T, [(3, 4)], ANY),
    ("t", lambda m, a: a.t(), [(3, 4)], ANY),
    ("expand", lambda m, a: a.expand(2, 3, 4), [(3, 1)], ANY),
    ("expand_minus1", lambda m, a: a.expand(-1, 4), [(3, 1)], ANY),
    ("contiguous", lambda m, a: a.T.contiguous(), [(3, 4)], ANY),
    ("cat", lambda m, a, b: m.cat([a, b], dim=1), [(2, 3), (2, 4)], ANY),
    ("cat_neg_dim", lambda m, a, b: m.cat((a, b), -1), [(2, 3), (2, 1)], ANY),
    ("stack", lambda m, a, b: m.stack([a, b]), [(2, 3), (2, 3)], ANY),
    ("stack_dim1", lambda m, a, b: m.stack([a, b], dim=1), [(2, 3), (2, 3)], ANY),
    ("clone", lambda m, a: a.clone() * 2, [(3,)], ANY),
    ("flip", lambda m, a: a.flip(0) * m.arange(4.0), [(3, 4)], ANY),
    ("flip_dims", lambda m, a: m.flip(a, (0, 1)), [(3, 4)], ANY),
    ("repeat", lambda m, a: a.repeat(2, 3), [(2, 3)], ANY),
    ("repeat_new_dim", lambda m, a: a.repeat(2, 1, 1), [(2, 3)], ANY),
    ("unflatten", lambda m, a: a.unflatten(1, (2, 2)), [(3, 4)], ANY),
    ("split_first", lambda m, a: a.split(3, dim=1)[0], [(2, 5)], ANY),
    ("chunk_last", lambda m, a: a.chunk(2)[1], [(5, 2)], ANY),
    ("unbind_sum", lambda m, a: sum(r * (i + 1) for i, r in enumerate(a.unbind(1))), [(3, 4)], ANY),
    ("iterate_rows", lambda m, a: m.stack([r * (i + 1) for i, r in enumerate(a)]), [(3, 4)], ANY),
    ("swapaxes", lambda m, a: m.swapaxes(a, 0, 1), [(3, 4)], ANY),
    ("expand_as", lambda m, a, b: a.expand_as(b) * b, [(3, 1), (3, 4)], ANY),
    ("view_as", lambda m, a, b: a.view_as(b) * b, [(3, 4), (4, 3)], ANY),
    ("outer", lambda m, a, b: m.outer(a, b), [(3,), (4,)], ANY),
    ("dot", lambda m, a, b: m.dot(a, b), [(4,), (4,)], ANY),
    ("mv", lambda m, a, b: m.mv(a, b), [(3, 4), (4,)], ANY),
    ("double", lambda m, a: a.double() * 2, [(3,)], ANY),
    # ------------------------------------------------------------------- indexing
    ("index_int", lambda m, a: a[1], [(3, 4)], ANY),
    ("index_neg_int", lambda m, a: a[-1, 2], [(3, 4)], ANY),
    ("index_slice", lambda m, a: a[1:, ::2], [(3, 4)], ANY),
    ("index_none_ellipsis", lambda m, a: a[None, ..., 1], [(2, 3, 4)], ANY),
    ("index_int_list_repeated", lambda m, a: a[[0, 2, 0, 0]], [(3, 4)], ANY),
    ("index_int_tensor_repeated", lambda m, a: a[m.tensor([[1, 1], [0, 2]])], [(3, 4)], ANY),
    ("index_two_arrays", lambda m, a: a[m.tensor([0, 2, 0]), m.tensor([1, 1, 1])], [(3, 4)], ANY),
    ("index_array_and_slice", lambda m, a: a[:, [3, 0, 3]], [(3, 4)], ANY),
    ("index_bool_mask", lambda m, a: a[a > 0], [(3, 4)], ANY),
    ("index_bool_rows", lambda m, a: a[m.tensor([True, False, True])], [(3, 4)], ANY),
    ("sort_values", lambda m, a: a.sort(dim=1).values, [(3, 4)], ANY),
    ("sort_descending_dim0", lambda m, a: a.sort(0, descending=True)[0], [(3, 4)], ANY),
    ("topk_values", lambda m, a: a.topk(2).values, [(3, 4)], ANY),
    ("topk_smallest_dim0", lambda m, a: a.topk(2, dim=0, largest=False)[0], [(3, 4)], ANY),
    ("masked_fill", lambda m, a: a.masked_fill(a > 0, 0.5) * 2, [(3, 4)], ANY),
    ("masked_fill_broadcast_mask", lambda m, a: a.masked_fill(m.tensor([True, False, False, True]), -1.0), [(3, 4)], ANY),
    ("gather", lambda m, a: m.gather(a, 1, m.tensor([[0, 0], [1, 0], [3, 3]])), [(3, 4)], ANY),
    # ------------------------------------------------ nn.functional: activations
    ("leaky_relu", lambda m, a: m.nn.functional.leaky_relu(a, 0.2), [(3, 4)], ANY),
    ("elu", lambda m, a: m.nn.functional.elu(a, alpha=0.7), [(3, 4)], ANY),
    ("selu", lambda m, a: m.nn.functional.selu(a), [(3, 4)], ANY),
    ("gelu", lambda m, a: m.nn.functional.gelu(a), [(3, 4)], ANY),
    ("gelu_tanh", lambda m, a: m.nn.functional.gelu(a, approximate="tanh"), [(3, 4)], ANY),
    ("softplus", lambda m, a: m.nn.functional.softplus(a * 3, beta=2.0, threshold=1.5), [(3, 4)], ANY),
    ("softsign", lambda m, a: m.nn.functional.softsign(a), [(3, 4)], ANY),
    ("hardtanh", lambda m, a: m.nn.functional.hardtanh(a, -0.5, 0.8), [(3, 4)], ANY),
    ("relu6", lambda m, a: m.nn.functional.relu6(a * 4), [(3, 4)], ANY),
    ("silu", lambda m, a: m.nn.functional.silu(a), [(3, 4)], ANY),
    ("logsigmoid", lambda m, a: m.nn.functional.logsigmoid(a), [(3, 4)], ANY),
    ("prelu", lambda m, a, w: m.nn.functional.prelu(a, w), [(3, 4), (4,)], ANY),
    ("prelu_shared_3d", lambda m, a, w: m.nn.functional.prelu(a, w), [(2, 3, 4), (1,)], ANY),
    # ----------------------------------------------- nn.functional: layers
    ("linear", lambda m, x, w, b: m.nn.functional.linear(x, w, b), [(5, 3), (2, 3), (2,)], ANY),
    ("linear_no_bias", lambda m, x, w: m.nn.functional.linear(x, w), [(5, 3), (2, 3)], ANY),
    ("linear_3d", lambda m, x, w, b: m.nn.functional.linear(x, w, b), [(2, 5, 3), (2, 3), (2,)], ANY),
    ("linear_1d_no_bias", lambda m, x, w: m.nn.functional.linear(x, w), [(3,), (2, 3)], ANY),
    ("batch_norm_train", lambda m, x, w, b: m.nn.functional.batch_norm(x, None, None, w, b, True),
     [(5, 3), (3,), (3,)], ANY),
    ("batch_norm_3d", lambda m, x: m.nn.functional.batch_norm(x, None, None, training=True), [(4, 3, 2)], ANY),
    ("batch_norm_eval", lambda m, x, w, b: m.nn.functional.batch_norm(
        x, m.tensor([0.1, -0.2, 0.3]), m.tensor([1.5, 0.5, 2.0]), w, b, False), [(5, 3), (3,), (3,)], ANY),
    ("layer_norm", lambda m, x, w, b: m.nn.functional.layer_norm(x, (4,), w, b), [(3, 4), (4,), (4,)], ANY),
    ("layer_norm_2d", lambda m, x: m.nn.functional.layer_norm(x, (3, 4)), [(2, 3, 4)], ANY),
    ("dropout_p1", lambda m, a: m.nn.functional.dropout(a, p=1.0), [(3, 4)], ANY),
    ("pad", lambda m, a: m.nn.functional.pad(a, (1, 2)), [(3, 4)], ANY),
    ("pad_2d_value", lambda m, a: m.nn.functional.pad(a, (1, 0, 2, 1), value=0.5), [(2, 3, 4)], ANY),
    ("normalize", lambda m, a: m.nn.functional.normalize(a, dim=1), [(3, 4)], ANY),
    # ------------------------------------------------------ nn.functional: losses
    ("mse_loss", lambda m, a, b: m.nn.functional.mse_loss(a, b), [(3, 4), (3, 4)], ANY),
    ("mse_loss_none", lambda m, a, b: m.nn.functional.mse_loss(a, b, reduction="none"), [(3, 4), (3, 4)], ANY),
    ("l1_loss", lambda m, a, b: m.nn.functional.l1_loss(a, b), [(3, 4), (3, 4)], ANY),
    ("l1_loss_sum", lambda m, a, b: m.nn.functional.l1_loss(a, b, reduction="sum"), [(3, 4), (3, 4)], ANY),
    ("huber_loss", lambda m, a, b: m.nn.functional.huber_loss(a, b, delta=0.5), [(3, 4), (3, 4)], ANY),
    ("smooth_l1_loss", lambda m, a, b: m.nn.functional.smooth_l1_loss(a, b, beta=0.5), [(3, 4), (3, 4)], ANY),
    ("binary_cross_entropy", lambda m, a, b: m.nn.functional.binary_cross_entropy(
        m.sigmoid(a), m.sigmoid(b)), [(3, 4), (3, 4)], ANY),
    ("bce_with_logits_pos_weight", lambda m, a, b: m.nn.functional.binary_cross_entropy_with_logits(
        a, m.sigmoid(b), pos_weight=m.tensor([0.5, 1.0, 2.0, 3.0])), [(3, 4), (3, 4)], ANY),
    ("soft_margin_loss", lambda m, a: m.nn.functional.soft_margin_loss(a, m.tensor([[1.0, -1.0, -1.0, 1.0]] * 3)),
     [(3, 4)], ANY),
    ("hinge_embedding_loss", lambda m, a: m.nn.functional.hinge_embedding_loss(
        a, m.tensor([[1.0, -1.0, -1.0, 1.0]] * 3), margin=0.5), [(3, 4)], ANY),
    ("kl_div_batchmean", lambda m, a, b: m.nn.functional.kl_div(
        m.log_softmax(a, 1), m.softmax(b, 1), reduction="batchmean"), [(3, 4), (3, 4)], ANY),
    ("kl_div_log_target_sum", lambda m, a, b: m.nn.functional.kl_div(
        m.log_softmax(a, 1), m.log_softmax(b, 1), reduction="sum", log_target=True), [(3, 4), (3, 4)], ANY),
    ("cross_entropy", lambda m, a: m.nn.functional.cross_entropy(a, m.tensor([0, 3, 1])), [(3, 4)], ANY),
    ("cross_entropy_sum", lambda m, a: m.nn.functional.cross_entropy(a, m.tensor([0, 3, 1]), reduction="sum"),
     [(3, 4)], ANY),
    ("cross_entropy_all_options", lambda m, a: m.nn.functional.cross_entropy(
        a, m.tensor([0, 3, 1, 2]), weight=m.tensor([0.5, 1.0, 2.0, 0.3]), ignore_index=1,
        label_smoothing=0.2), [(4, 4)], ANY),
    ("cross_entropy_none", lambda m, a: m.nn.functional.cross_entropy(a, m.tensor([0, -100, 1]),
                                                                      reduction="none"), [(3, 4)], ANY),
    ("cross_entropy_spatial", lambda m, a: m.nn.functional.cross_entropy(a, m.tensor([[0, 2], [1, 1]])),
     [(2, 3, 2)], ANY),
    ("cross_entropy_unbatched", lambda m, a: m.nn.functional.cross_entropy(a, m.tensor(2)), [(4,)], ANY),
    ("cross_entropy_probs", lambda m, a, b: m.nn.functional.cross_entropy(a, m.softmax(b, 1)),
     [(3, 4), (3, 4)], ANY),
    ("embedding_bag_mean_offsets", lambda m, w: m.nn.functional.embedding_bag(
        m.tensor([1, 2, 4, 5, 4, 3, 2, 0]), w, m.tensor([0, 4, 4])), [(6, 3)], ANY),
    ("embedding_bag_sum_weighted_padding", lambda m, w, p: m.nn.functional.embedding_bag(
        m.tensor([1, 2, 4, 5, 4, 3, 2, 0]), w, m.tensor([0, 3]), mode="sum",
        per_sample_weights=p, padding_idx=2), [(6, 3), (8,)], ANY),
    ("embedding_bag_max_2d", lambda m, w: m.nn.functional.embedding_bag(
        m.tensor([[1, 2, 3], [3, 4, 0], [5, 5, 5]]), w, mode="max", padding_idx=5), [(6, 3)], ANY),
    ("embedding_bag_last_offset", lambda m, w: m.nn.functional.embedding_bag(
        m.tensor([1, 1, 4, 0, 1, 3]), w, m.tensor([0, 2, 6]), include_last_offset=True,
        mode="sum"), [(6, 3)], ANY),
    # CTC on logits (torch's gradient is the logits' one; see ember.ops.ctc)
    ("ctc_loss", lambda m, a: m.nn.functional.ctc_loss(
        m.log_softmax(a, 2), m.tensor([[1, 2, 2], [3, 1, 0]]), m.tensor([6, 5]), m.tensor([3, 2])),
     [(6, 2, 4)], ANY),
    ("ctc_loss_sum_blank_last", lambda m, a: m.nn.functional.ctc_loss(
        m.log_softmax(a, 2), m.tensor([[0, 2, 2], [1, 1, 0]]), (6, 4), (3, 2), blank=3,
        reduction="sum"), [(6, 2, 4)], ANY),
    ("ctc_loss_none_concatenated", lambda m, a: m.nn.functional.ctc_loss(
        m.log_softmax(a, 2), m.tensor([2, 1, 3, 3]), m.tensor([5, 6, 3]), m.tensor([2, 0, 2]),
        reduction="none"), [(6, 3, 4)], ANY),
    ("ctc_loss_zero_infinity", lambda m, a: m.nn.functional.ctc_loss(
        m.log_softmax(a, 2), m.tensor([[1, 2], [1, 1]]), m.tensor([5, 2]), m.tensor([2, 2]),
        reduction="none", zero_infinity=True), [(5, 2, 3)], ANY),
    ("ctc_loss_unbatched", lambda m, a: m.nn.functional.ctc_loss(
        m.log_softmax(a, 1), m.tensor([2, 1]), m.tensor(5), m.tensor(2)), [(5, 3)], ANY),
    ("nll_loss", lambda m, a: m.nn.functional.nll_loss(m.log_softmax(a, 1), m.tensor([0, 3, 1])),
     [(3, 4)], ANY),
    ("multi_margin_loss", lambda m, a: m.nn.functional.multi_margin_loss(a, m.tensor([0, 3, 1])), [(3, 4)], ANY),
    ("multi_margin_loss_p2_weight", lambda m, a: m.nn.functional.multi_margin_loss(
        a, m.tensor([0, 3, 1]), p=2, margin=0.7, weight=m.tensor([0.5, 1.0, 2.0, 0.3])), [(3, 4)], ANY),
    # ------------------------------------------------------------- attention, lookup
    ("sdpa", lambda m, q, k, v: m.nn.functional.scaled_dot_product_attention(q, k, v),
     [(2, 3, 4), (2, 5, 4), (2, 5, 3)], ANY),
    ("sdpa_causal_scale", lambda m, q, k, v: m.nn.functional.scaled_dot_product_attention(
        q, k, v, is_causal=True, scale=0.7), [(2, 1, 4, 3), (2, 1, 4, 3), (2, 1, 4, 2)], ANY),
    ("sdpa_float_mask", lambda m, q, k, v, b: m.nn.functional.scaled_dot_product_attention(
        q, k, v, attn_mask=b), [(2, 3, 4), (2, 5, 4), (2, 5, 3), (3, 5)], ANY),
    ("sdpa_bool_mask_broadcast", lambda m, q, k, v: m.nn.functional.scaled_dot_product_attention(
        q, k, v, attn_mask=m.tensor([[True, False, True], [False, True, True]])),
     [(2, 2, 2, 4), (1, 2, 3, 4), (1, 2, 3, 3)], ANY),
    ("embedding", lambda m, w: m.nn.functional.embedding(m.tensor([[0, 2], [2, 1]]), w),
     [(4, 3)], ANY),
    # ------------------------------------------------------------ in-place, recorded
    ("iadd_nonleaf", lambda m, a, b: _iadd(a, b), [(3, 4), (4,)], ANY),
    ("setitem_nonleaf", lambda m, a, b: _setitem(a, b), [(3, 4), (4,)], ANY),
    ("index_put", lambda m, a, b: a.index_put((m.tensor([2, 0]),), b), [(3, 4), (4,)], ANY),
    ("index_put_accumulate", lambda m, a, b: m.index_put(
        a, (m.tensor([0, 2, 0]), m.tensor([1, 3, 1])), b, accumulate=True), [(3, 4), (3,)], ANY),
]


# ember composes these from other nodes, so ``grad_fn`` prints the last node's name, not torch's
COMPOSITES = {"div_scalar_left", "tan", "log2", "log10", "clamp_tensor_bounds",
              "sum_empty_dims", "mean_empty_dims", "std", "std_dim", "std_tuple", "repeat", "repeat_new_dim", "sort_values", "sort_descending_dim0",
              "topk_values", "topk_smallest_dim0", "masked_fill_broadcast_mask",
              # torch decomposes einsum into bmm and views; ember runs it as one Einsum node
              "einsum_matmul", "einsum_batch_sum", "einsum_broadcast_out", "einsum_diagonal",
              # the Q and R reads of ember's one packed QR node are slices of it
              "qr_Q", "qr_R", "qr_wide_Q", "qr_wide_R_batch",
              # torch sums the singular values of an SVD node; ember has one NuclearNorm node
              "nuclear_norm",
              # torch's SVD node returns U, S and V; ember's one SVD node is read by slices
              "svd_S", "eigh_values",
              # lu_solve is U⁻¹ L⁻¹ Pᵀ b from ember's nodes; torch has one LuSolve node
              "lu_solve",
              # Householder products written with ember's ops; torch has one node each
              "orgqr", "ormqr_left_t",
              # inverse/solve of the tensor read as a matrix, then reshaped: the last node is a
              # reshape in both, which torch records as a view
              "tensorinv", "tensorsolve",
              # E and X are slices of ember's one packed LOBPCG node
              "lobpcg_values"}


def _iadd(a, b):
    y = a * 1
    y += b
    y *= 2
    return y


def _setitem(a, b):
    y = a * 1
    y[1] = b * 3
    return y


def _arrays(shapes, domain, dtype, seed):
    rng = np.random.default_rng(seed)
    out = []
    for s in shapes:
        if domain == POS:
            a = rng.uniform(0.5, 2.0, s)
        elif domain == UNIT:
            a = rng.uniform(-0.9, 0.9, s)
        else:
            a = rng.standard_normal(s)
            a = np.where(np.abs(a) < 0.05, 0.3, a)  # keep away from kinks (abs, relu, where)
        out.append(np.asarray(a, dtype))
    return out


def _torch_dtype_name(t):
    return str(t.dtype).replace("torch.", "")


IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name,fn,shapes,domain", CASES, ids=IDS)
def test_matches_torch_float32(name, fn, shapes, domain):
    arrays = _arrays(shapes, domain, np.float32, seed=len(name))
    e_in = [ember.tensor(a, requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    e_out, t_out = fn(ember, *e_in), fn(torch, *t_in)

    assert e_out.shape == tuple(t_out.shape)
    assert e_out.dtype.name == _torch_dtype_name(t_out)
    if name in COMPOSITES:  # the list stays exact: a composite that gains torch's name leaves it
        assert e_out.grad_fn.name() != t_out.grad_fn.name()
    else:
        assert e_out.grad_fn.name() == t_out.grad_fn.name()
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-5, atol=1e-5)

    upstream = np.random.default_rng(1).standard_normal(e_out.shape).astype(np.float32)
    e_out.backward(ember.tensor(upstream))
    t_out.backward(torch.tensor(upstream))
    for e, t in zip(e_in, t_in):
        if t.grad is None:
            assert e.grad is None
            continue
        assert e.grad is not None
        assert e.grad.shape == e.shape
        assert e.grad.dtype == ember.float32
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name,fn,shapes,domain", CASES, ids=IDS)
def test_gradcheck_float64(name, fn, shapes, domain):
    arrays = _arrays(shapes, domain, np.float64, seed=len(name) + 7)
    inputs = [ember.tensor(a, requires_grad=True) for a in arrays]
    out = fn(ember, *inputs)
    assert out.dtype == ember.float64  # float64 in, float64 out: no silent downcast
    assert ember.autograd.gradcheck(lambda *xs: fn(ember, *xs), inputs, eps=1e-6, atol=1e-5)
