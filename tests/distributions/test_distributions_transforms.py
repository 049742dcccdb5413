"""Transforms against torch.distributions.transforms: forward, inverse, log-Jacobian (values
and gradients), domains, shapes, caching, equality and repr."""
import numpy as np
import pytest

import ember
import ember.distributions.transforms as et

torch = pytest.importorskip("torch")
import torch.distributions.transforms as tt  # noqa: E402

R = np.random.default_rng(5)
X = R.normal(size=(2, 3))
POS = R.uniform(0.5, 2.0, (2, 3))

# name → (builder of (lib, transforms module), input)
TRANSFORMS = {
    "exp": (lambda L, T: T.ExpTransform(), X),
    "exp_inv": (lambda L, T: T.ExpTransform().inv, POS),
    "sigmoid": (lambda L, T: T.SigmoidTransform(), X),
    "tanh": (lambda L, T: T.TanhTransform(), X * 0.5),
    "softplus": (lambda L, T: T.SoftplusTransform(), X),
    "power": (lambda L, T: T.PowerTransform(L.tensor([0.5, 2.0, 3.0], dtype=L.float64)), POS),
    "affine_number": (lambda L, T: T.AffineTransform(1.5, -2.0), X),
    "affine_tensor": (lambda L, T: T.AffineTransform(L.tensor([1.0, 2.0, 3.0], dtype=L.float64),
                                                     L.tensor([0.5, -1.0, 2.0], dtype=L.float64)), X),
    "affine_event": (lambda L, T: T.AffineTransform(0.0, L.tensor([0.5, -1.0, 2.0], dtype=L.float64),
                                                    event_dim=1), X),
    "compose": (lambda L, T: T.ComposeTransform([T.AffineTransform(0.5, 2.0), T.SigmoidTransform(),
                                                 T.AffineTransform(-1.0, 3.0)]), X),
    "independent": (lambda L, T: T.IndependentTransform(T.ExpTransform(), 1), X),
    "reshape": (lambda L, T: T.ReshapeTransform((3,), (3, 1)), X),
    "abs": (lambda L, T: T.AbsTransform(), X),
    "softmax": (lambda L, T: T.SoftmaxTransform(), X),
    "lower_cholesky": (lambda L, T: T.LowerCholeskyTransform(), R.normal(size=(2, 3, 3))),
    "identity": (lambda L, T: T.identity_transform, X),
    "stick_breaking": (lambda L, T: T.StickBreakingTransform(), X),
    "corr_cholesky": (lambda L, T: T.CorrCholeskyTransform(), R.normal(size=(2, 6))),
    "positive_definite": (lambda L, T: T.PositiveDefiniteTransform(), R.normal(size=(2, 3, 3))),
    "cat": (lambda L, T: T.CatTransform([T.ExpTransform(), T.identity_transform,
                                         T.SigmoidTransform()], dim=1, lengths=[1, 1, 1]), X),
    "stack": (lambda L, T: T.StackTransform([T.ExpTransform(), T.TanhTransform()], dim=0), X),
    "cdf": (lambda L, T: T.CumulativeDistributionTransform(
        L.distributions.Normal(L.tensor(0.5, dtype=L.float64), L.tensor(2.0, dtype=L.float64))), X),
}

# constraint → transform, both registries, compared with torch's
REGISTRY = ["real", "positive", "nonnegative", "unit_interval", "simplex", "real_vector",
            "lower_cholesky", "positive_definite", "corr_cholesky", "greater_than(1.5)",
            "less_than(-1.0)", "interval(-2.0, 3.0)", "half_open_interval(0.0, 1.0)",
            "greater_than_eq(0.5)"]


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("name", REGISTRY)
def test_constraint_registry_matches_torch(name, registry):
    import ember.distributions as ed
    import torch.distributions as td

    def build(D):
        c = eval("D.constraints." + name)  # noqa: S307 - the table above
        try:
            return getattr(D, registry)(c)
        except NotImplementedError as exc:
            return exc
    e, t = build(ed), build(td)
    if isinstance(t, NotImplementedError):
        assert isinstance(e, NotImplementedError) and str(e) == str(t)
        return
    assert repr(e) == repr(t)
    x = R.normal(size=(2, 3, 3)) if "cholesky" in name or "definite" in name else R.normal(size=(2, 3))
    if name == "corr_cholesky":
        x = R.normal(size=(2, 3))
    y_e, y_t = e(ember.tensor(x)), t(torch.tensor(x))
    np.testing.assert_allclose(y_e.numpy(), y_t.numpy(), rtol=1e-10, atol=1e-12)
    assert bool(e.codomain.check(y_e).all())  # the image lies in the constraint


def _pair(name):
    build, x = TRANSFORMS[name]
    return build(ember, et), build(torch, tt), x


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_transform_matches_torch(name):
    e, t, x = _pair(name)
    ex = ember.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    ey, ty = e(ex), t(tx)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(e.inv(ey.detach()).numpy(), t.inv(ty.detach()).detach().numpy(),
                               rtol=1e-10, atol=1e-12)
    assert (e.domain.event_dim, e.codomain.event_dim) == (t.domain.event_dim, t.codomain.event_dim)
    assert e.bijective == t.bijective
    assert tuple(e.forward_shape(ember.Size(x.shape))) == tuple(t.forward_shape(torch.Size(x.shape)))
    try:
        tj = t.log_abs_det_jacobian(tx, ty)
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            e.log_abs_det_jacobian(ex, ey)
        return
    ej = e.log_abs_det_jacobian(ex, ey)
    np.testing.assert_allclose(ej.detach().numpy(), tj.detach().numpy(), rtol=1e-10, atol=1e-12)
    if tj.requires_grad:
        ej.sum().backward()
        tj.sum().backward()
        np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["exp", "sigmoid", "affine_number", "compose", "independent",
                                  "abs", "reshape", "identity"])
def test_repr_and_equality_match_torch(name):
    e, t, _ = _pair(name)
    assert repr(e) == repr(t)
    e2, t2, _ = _pair(name)
    assert (e == e2) == (t == t2)
    assert (e.inv == e2.inv) == (t.inv == t2.inv)


def test_cache_returns_the_input_of_the_last_call():
    t = et.ExpTransform(cache_size=1)
    x = ember.tensor([0.5, 1.0])
    y = t(x)
    assert t.inv(y) is x and t(x) is y
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        et.ExpTransform(cache_size=2)
    assert et.AffineTransform(0.0, 1.0).with_cache()._cache_size == 1


def test_sign_and_shape_errors():
    assert et.AffineTransform(0.0, -2.0).sign == -1
    assert et.ComposeTransform([et.ExpTransform(), et.AffineTransform(0.0, -1.0)]).sign == -1
    with pytest.raises(ValueError, match="in_shape, out_shape have different numbers of elements"):
        et.ReshapeTransform((2, 3), (5,))
    with pytest.raises(ValueError, match="Shape mismatch"):
        et.ReshapeTransform((3,), (3, 1)).forward_shape((2, 4))
