"""The standard-gamma op: draws (moments, dtype, seed) and the implicit reparameterisation
gradient, compared with torch's ``_standard_gamma_grad`` and with a float64 finite difference
of the inverse CDF (the exact ``dx/dalpha`` at fixed ``u``)."""
import numpy as np
import pytest

import ember
from ember.ops.random_gamma import standard_gamma, standard_gamma_grad

torch = pytest.importorskip("torch")

R = np.random.default_rng(11)
ALPHA = np.concatenate([R.uniform(0.05, 1.0, 60), R.uniform(1.0, 8.0, 60), R.uniform(8.0, 60.0, 60)])
X = R.gamma(ALPHA)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradient_formula_matches_torch(dtype):
    a, x = ALPHA.astype(dtype), X.astype(dtype)
    ours = standard_gamma_grad(ember.tensor(a), ember.tensor(x))
    theirs = torch._standard_gamma_grad(torch.tensor(a), torch.tensor(x))
    assert str(ours.dtype) == f"ember.{dtype}"
    tol = dict(rtol=2e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), **tol)


def test_gradient_is_the_derivative_of_the_inverse_cdf():
    special = pytest.importorskip("scipy.special")
    u = special.gammainc(ALPHA, X)
    keep = (u > 1e-6) & (u < 1 - 1e-6)
    h = 1e-6 * ALPHA[keep]
    exact = (special.gammaincinv(ALPHA[keep] + h, u[keep])
             - special.gammaincinv(ALPHA[keep] - h, u[keep])) / (2 * h)
    ours = standard_gamma_grad(ember.tensor(ALPHA[keep]), ember.tensor(X[keep])).numpy()
    np.testing.assert_allclose(ours, exact, rtol=5e-3, atol=1e-4)  # torch's approximation error


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_draws_have_gamma_moments_dtype_and_a_node(dtype):
    ember.manual_seed(0)
    alpha = ember.tensor([0.3, 2.0, 15.0], dtype=dtype, requires_grad=True)
    x = standard_gamma(alpha.expand(20000, 3))
    assert x.dtype == dtype and x.grad_fn.name() == "StandardGammaBackward0"
    draws = x.detach().numpy().astype(np.float64)
    np.testing.assert_allclose(draws.mean(0), [0.3, 2.0, 15.0], rtol=0.05)
    np.testing.assert_allclose(draws.var(0), [0.3, 2.0, 15.0], rtol=0.08)
    assert (draws > 0).all()
    x.mean(0).sum().backward()  # E[dx/dalpha] = d E[x] / dalpha = 1
    np.testing.assert_allclose(alpha.grad.numpy(), [1.0, 1.0, 1.0], rtol=0.05)


def test_same_seed_same_draws():
    ember.manual_seed(3)
    a = standard_gamma(ember.full((5,), 2.0))
    ember.manual_seed(3)
    assert ember.equal(a, standard_gamma(ember.full((5,), 2.0)))
