"""ember.lobpcg against torch.lobpcg and a dense eigen-solver: eigenvalues (largest and smallest,
with and without B, batched, float32/float64), eigenvectors through their residual, the
gradient (A only, as torch), and torch's refusals.
"""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

rng = np.random.default_rng(11)


def _spd(m, scale=1.0, batch=()):
    a = rng.standard_normal(batch + (m, m))
    return a @ np.swapaxes(a, -1, -2) * scale / m + np.eye(m)


CASES = [  # (m, k, n, largest, with B, batch, dtype); small, as torch's own solver is slow
    (15, 3, None, True, False, (), np.float64),
    (15, 2, 4, False, False, (), np.float64),
    (12, 2, None, True, False, (), np.float32),
    (12, 2, None, True, True, (), np.float64),
    (9, 1, 3, False, True, (), np.float32),
    (12, 2, None, False, False, (2,), np.float64),
]


def _reference(a, b, k, largest):
    """The k extreme eigenvalues of ``L⁻¹ A L⁻ᵀ`` (``B = L Lᵀ``) from numpy.linalg.eigh."""
    if b is not None:
        li = np.linalg.inv(np.linalg.cholesky(b))
        a = li @ a @ np.swapaxes(li, -1, -2)
    w = np.linalg.eigh(a)[0]
    return (w[..., ::-1] if largest else w)[..., :k]


@pytest.mark.parametrize("m,k,n,largest,with_b,batch,dtype", CASES,
                         ids=[f"m{c[0]}-k{c[1]}-{'largest' if c[3] else 'smallest'}"
                              f"{'-B' if c[4] else ''}{'-batch' if c[5] else ''}-{c[6].__name__}"
                              for c in CASES])
def test_eigenpairs_match_eigh_and_torch(m, k, n, largest, with_b, batch, dtype):
    a = _spd(m, batch=batch).astype(dtype)
    b = _spd(m, 0.5, batch=batch).astype(dtype) if with_b else None
    x = rng.standard_normal(batch + (m, n or k)).astype(dtype)
    # torch's solver rarely meets float64's default tolerance and runs its 1000 steps: 1e-7
    tol = 1e-7 if dtype == np.float64 else None
    e_t, _ = torch.lobpcg(torch.tensor(a), k=k, B=None if b is None else torch.tensor(b),
                          X=torch.tensor(x), largest=largest, tol=tol)
    e_e, x_e = ember.lobpcg(ember.tensor(a), k=k, B=None if b is None else ember.tensor(b),
                            X=ember.tensor(x), largest=largest)
    assert tuple(e_e.shape) == batch + (k,) and tuple(x_e.shape) == batch + (m, k)
    assert e_e.dtype.name == x_e.dtype.name == np.dtype(dtype).name
    ref = _reference(a.astype(np.float64), None if b is None else b.astype(np.float64), k, largest)
    tol = 1e-4 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(e_e.numpy(), ref, rtol=tol)
    np.testing.assert_allclose(e_e.numpy(), e_t.numpy(), rtol=max(tol, 1e-7))
    # A x = λ B x for every returned pair, to the solver's tolerance
    bx = x_e.numpy() if b is None else b @ x_e.numpy()
    resid = a @ x_e.numpy() - bx * e_e.numpy()[..., None, :]
    assert np.abs(resid).max() < 1e3 * tol * np.abs(a).max()


def test_random_start_and_defaults_find_the_largest_eigenvalue():
    a = _spd(15).astype(np.float32)
    ember.manual_seed(0)
    e, x = ember.lobpcg(ember.tensor(a))
    assert e.dtype == ember.float32
    assert tuple(e.shape) == (1,) and tuple(x.shape) == (15, 1)
    np.testing.assert_allclose(e.numpy(), _reference(a.astype(np.float64), None, 1, True),
                               rtol=1e-4)


# m = 3n: the first Rayleigh–Ritz step spans the whole space, so both solvers are exact
GRAD_CASES = [(6, 2, 2, True), (9, 2, 3, False), (6, 1, 2, False)]


def _loss(mod, a, x, k, largest, weights, proj):
    """A sign-free function of the eigenpairs: weighted eigenvalues and ``U diag(E) Uᵀ``."""
    spd = a @ a.mT + 0.5 * mod.eye(a.shape[-1], dtype=a.dtype)
    e, u = mod.lobpcg(spd, k=k, X=mod.tensor(x), largest=largest, tol=1e-12, niter=5)
    return (e * mod.tensor(weights)).sum() + (((u * e.unsqueeze(-2)) @ u.mT) * mod.tensor(proj)).sum()


@pytest.mark.parametrize("m,k,n,largest", GRAD_CASES)
def test_gradient_matches_torch_and_finite_differences(m, k, n, largest):
    a, x = rng.standard_normal((m, m)), rng.standard_normal((m, n))
    weights, proj = rng.standard_normal(k), rng.standard_normal((m, m))
    ta, ea = torch.tensor(a, requires_grad=True), ember.tensor(a, requires_grad=True)
    _loss(torch, ta, x, k, largest, weights, proj).backward()
    _loss(ember, ea, x, k, largest, weights, proj).backward()
    np.testing.assert_allclose(ea.grad.numpy(), ta.grad.numpy(), rtol=1e-7, atol=1e-8)
    assert ember.autograd.gradcheck(lambda t: _loss(ember, t, x, k, largest, weights, proj),
                                    [ember.tensor(a, requires_grad=True)], eps=1e-6, atol=1e-5)


def test_gradient_of_A_is_symmetric_like_torchs():
    a = rng.standard_normal((6, 6))
    t = ember.tensor(a + 8 * np.eye(6), requires_grad=True)    # not symmetric: read as (A + Aᵀ)/2
    ember.lobpcg(t, k=1, X=ember.ones(6, 1))[0].sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), t.grad.numpy().T, atol=1e-12)
    tt = torch.tensor(a + 8 * np.eye(6), requires_grad=True)
    torch.lobpcg(tt, k=1, X=torch.ones(6, 1, dtype=torch.float64))[0].sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), tt.grad.numpy(), atol=1e-6)


@pytest.mark.parametrize("call,exc", [
    (lambda m: m.lobpcg(m.eye(5), k=2), ValueError),
    (lambda m: m.lobpcg(m.eye(9), X=m.ones(9, 4)), ValueError),
])
def test_refuses_like_torch(call, exc):
    with pytest.raises(exc) as theirs:
        call(torch)
    with pytest.raises(exc) as ours:
        call(ember)
    assert str(ours.value) == str(theirs.value)


def test_backward_with_B_is_refused_like_torch():
    a, b = _spd(9), _spd(9, 0.5)
    x = rng.standard_normal((9, 1))
    for mod in (torch, ember):
        e, _ = mod.lobpcg(mod.tensor(a, requires_grad=True), B=mod.tensor(b), X=mod.tensor(x))
        with pytest.raises(ValueError, match="does not support backward with B != I"):
            e.sum().backward()
