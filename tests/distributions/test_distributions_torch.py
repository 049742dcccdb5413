"""ember.distributions against torch.distributions: values, dtypes and gradients on the same
parameters (float32 and float64), shapes of samples, and errors."""
import numpy as np
import pytest

import ember
import ember.distributions as ed

from dist_cases import CASES, GAPS, METHODS, RSAMPLE_EXEMPT

torch = pytest.importorskip("torch")
import torch.distributions as td  # noqa: E402

DTYPES = {"float32": (ember.float32, torch.float32), "float64": (ember.float64, torch.float64)}


def _build(builder, D, params):
    return getattr(D, builder)(**params) if isinstance(builder, str) else builder(D, params)


def _make(name, dtype):
    builder, params, _ = CASES[name]
    e_dtype, t_dtype = DTYPES[dtype]
    e_params = {k: ember.tensor(v, dtype=e_dtype, requires_grad=True) for k, v in params.items()}
    t_params = {k: torch.tensor(v, dtype=t_dtype, requires_grad=True) for k, v in params.items()}
    return _build(builder, ed, e_params), _build(builder, td, t_params), e_params, t_params


def _torch_twin(name):
    return _make(name, "float64")[1]


def _value(name, t_dist, dtype):
    torch.manual_seed(0)
    v = t_dist.sample((2,))
    return v, ember.tensor(v.numpy())


def _call(dist, method, value, q):
    attr = getattr(dist, method)
    if method in ("log_prob", "cdf"):
        return attr(value)
    if method == "icdf":
        return attr(q)
    return attr() if callable(attr) else attr


def _grads(out, params):
    for p in params.values():
        p.grad = None
    if out.requires_grad:
        mask = np.isfinite(out.detach().numpy())
        (out * type(out)(mask.astype(np.float64)).to(out.dtype)).sum().backward() \
            if isinstance(out, ember.Tensor) else (out * torch.tensor(mask).to(out.dtype)).sum().backward()
    return {k: (None if p.grad is None else p.grad.numpy()) for k, p in params.items()}


@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", list(CASES))
def test_values_dtypes_and_gradients_match_torch(name, method, dtype):
    e, t, e_params, t_params = _make(name, dtype)
    t_value, e_value = _value(name, t, dtype)
    q = np.linspace(0.1, 0.9, int(np.prod(t.batch_shape)) or 1).reshape(tuple(t.batch_shape))
    t_q = torch.tensor(q, dtype=DTYPES[dtype][1])
    e_q = ember.tensor(q, dtype=DTYPES[dtype][0])
    if method == "icdf" and not CASES[name][2]:
        return
    if (name, method) in GAPS:
        pytest.skip(GAPS[name, method])
    try:
        t_out = _call(t, method, t_value, t_q)
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            _call(e, method, e_value, e_q)
        return
    except RuntimeError as exc:  # torch 2.13: GeneralizedPareto compares float64 with float32
        pytest.skip(f"torch itself fails: {exc}")
    e_out = _call(e, method, e_value, e_q)
    assert tuple(e_out.shape) == tuple(t_out.shape)
    assert str(e_out.dtype).split(".")[-1] == str(t_out.dtype).split(".")[-1]
    # float64: ember's trigamma (the gradient of digamma) agrees with torch's to ~1e-9
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), **tol)
    if t_out.requires_grad and t_out.dtype.is_floating_point:
        try:
            t_g = _grads(t_out, t_params)
        except NotImplementedError as exc:  # e.g. Gamma.cdf: igamma has no gradient in alpha
            with pytest.raises(NotImplementedError, match=str(exc)):
                _grads(e_out, e_params)
            return
        e_g = _grads(e_out, e_params)
        for k in t_g:
            if t_g[k] is None:
                continue
            assert e_g[k] is not None, f"no gradient for {k}"
            np.testing.assert_allclose(e_g[k], t_g[k], **tol, err_msg=k)


@pytest.mark.parametrize("name", list(CASES))
def test_samples_have_the_shape_dtype_and_support_of_torchs(name):
    e, t, _, _ = _make(name, "float32")
    ember.manual_seed(0)
    s, ts = e.sample((5, 2)), t.sample((5, 2))
    assert tuple(s.shape) == tuple(ts.shape) == (5, 2) + tuple(t.batch_shape + t.event_shape)
    assert str(s.dtype).split(".")[-1] == str(ts.dtype).split(".")[-1]
    assert not s.requires_grad
    assert bool(e.support.check(s).all())
    assert tuple(e.batch_shape) == tuple(t.batch_shape)
    assert tuple(e.event_shape) == tuple(t.event_shape)
    assert e.has_rsample == t.has_rsample
    assert e.has_enumerate_support == t.has_enumerate_support


@pytest.mark.parametrize("name", list(CASES))
def test_sample_moments_match_the_distributions(name):
    e, t, _, _ = _make(name, "float64")
    ember.manual_seed(1)
    n = 20000
    s = e.sample((n,)).to(ember.float64).numpy()
    if type(t) is td.Categorical:  # mean/variance are NaN: compare frequencies instead
        freq = np.stack([(s == k).mean(0) for k in range(t.probs.shape[-1])], -1)
        np.testing.assert_allclose(freq, t.probs.detach().numpy(), atol=0.02)
        return
    try:
        mean, std = t.mean.detach().numpy(), t.stddev.detach().numpy()
    except NotImplementedError:  # no closed-form moments: compare with torch's own draws
        torch.manual_seed(1)
        ts = t.sample((n,)).numpy()
        try:  # the CDF at ember's quartiles
            q = torch.tensor(np.quantile(s, [0.25, 0.5, 0.75], axis=0))
            np.testing.assert_allclose(t.cdf(q).detach().numpy(),
                                       np.broadcast_to([[0.25], [0.5], [0.75]], q.shape),
                                       atol=0.02)
        except NotImplementedError:  # or the two samples' means and spreads
            spread = np.maximum(ts.std(0), s.std(0))
            np.testing.assert_allclose(s.mean(0), ts.mean(0), atol=6 * spread.max() / np.sqrt(n))
            np.testing.assert_allclose(s.std(0), ts.std(0), rtol=0.05, atol=0.01)
        return
    if not np.isfinite(std).all() or type(t) is td.VonMises:  # heavy tails, or circular
        # moments: compare quartiles with torch's own draws
        torch.manual_seed(1)
        ts = t.sample((n,)).numpy()
        ours, theirs = (np.quantile(v, [0.25, 0.5, 0.75], axis=0) for v in (s, ts))
        iqr = theirs[2] - theirs[0]
        np.testing.assert_allclose(ours, theirs, atol=0.05 * iqr.max())
        return
    np.testing.assert_allclose(s.mean(0), mean, atol=5 * std.max() / np.sqrt(n) + 1e-9)
    np.testing.assert_allclose(s.std(0), std, rtol=0.05)


@pytest.mark.parametrize("name", [n for n in CASES if _torch_twin(n).has_rsample])
def test_rsample_carries_the_gradient_of_the_mean(name):
    """d/dθ of the average of many reparameterised draws ≈ d/dθ of the mean."""
    if name in RSAMPLE_EXEMPT:
        pytest.skip(RSAMPLE_EXEMPT[name])
    e, t, e_params, _ = _make(name, "float64")
    try:
        if not np.isfinite(t.variance.detach().numpy()).all():
            pytest.skip("no finite mean")
    except NotImplementedError:
        pytest.skip("torch gives no closed-form mean")
    ember.manual_seed(2)
    e.rsample((40000,)).mean(0).sum().backward()
    sampled = {k: p.grad.numpy().copy() for k, p in e_params.items()}
    for p in e_params.values():
        p.grad = None
    _build(CASES[name][0], ed, e_params).mean.sum().backward()  # a fresh graph
    for k, p in e_params.items():
        exact = np.zeros(p.shape) if p.grad is None else p.grad.numpy()
        np.testing.assert_allclose(sampled[k], exact, rtol=0.03, atol=0.05, err_msg=k)


@pytest.mark.parametrize("name", list(CASES))
def test_expand_matches_torch(name):
    e, t, _, _ = _make(name, "float32")
    shape = (2,) + tuple(t.batch_shape)
    ee, tt = e.expand(shape), t.expand(shape)
    assert tuple(ee.batch_shape) == tuple(tt.batch_shape)
    assert type(ee) is type(e)
    t_value, e_value = _value(name, tt, "float32")
    np.testing.assert_allclose(ee.log_prob(e_value).detach().numpy(),
                               tt.log_prob(t_value).detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", [n for n in CASES if _torch_twin(n).has_enumerate_support])
def test_enumerate_support_matches_torch(name):
    e, t, _, _ = _make(name, "float32")
    for expand in (True, False):
        try:
            want = t.enumerate_support(expand).numpy()
        except NotImplementedError as exc:
            with pytest.raises(NotImplementedError, match=str(exc).replace("`", ".")):
                e.enumerate_support(expand)
            continue
        np.testing.assert_array_equal(e.enumerate_support(expand).numpy(), want)
