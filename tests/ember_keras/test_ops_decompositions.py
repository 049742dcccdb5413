"""keras.ops's real matrix decompositions, ``rearrange`` and ``vectorize`` on ember against
Keras 3 (torch backend): values, dtypes and shapes, and input gradients. Decompositions whose
vectors carry LAPACK's sign choices (eigh, qr, svd) are compared through sign-free products.
"""
import numpy as np
import pytest

import ember
from ember.keras import ops as eops

RNG = np.random.default_rng(5)
TALL = RNG.normal(size=(5, 3)).astype(np.float32)
WIDE = RNG.normal(size=(3, 5)).astype(np.float32)
SQ = RNG.normal(size=(4, 4)).astype(np.float32)
SYM = (SQ + SQ.T).astype(np.float32)
BATCH = RNG.normal(size=(2, 4, 3)).astype(np.float32)
RHS = RNG.normal(size=(5, 2)).astype(np.float32)
RANK2 = (RNG.normal(size=(4, 2)) @ RNG.normal(size=(2, 5))).astype(np.float32)
IMAGES = RNG.normal(size=(4, 6, 8, 3)).astype(np.float32)


def _sym_products(name, out):
    """What does not depend on the vectors' signs."""
    if name == "eigh":
        w, v = out
        return [w, (v * w[..., None, :]) @ v.mT]
    if name == "qr":
        q, r = out
        return [q @ r, r.abs(), q.mT @ q]
    if name == "svd" and isinstance(out, tuple):
        u, s, vh = out
        k = s.shape[-1]
        return [s, (u[..., :k] * s[..., None, :]) @ vh[..., :k, :]]
    return list(out) if isinstance(out, tuple) else [out]


CASES = [
    ("eigh", (SYM,), {}), ("eigh", (np.stack([SYM, SYM * 2]),), {}),
    ("qr", (TALL,), {}), ("qr", (WIDE,), {}), ("qr", (TALL,), {"mode": "complete"}),
    ("qr", (BATCH,), {}),
    ("svd", (TALL,), {}), ("svd", (WIDE,), {"full_matrices": False}),
    ("svd", (BATCH,), {"compute_uv": False}),
    ("lu_factor", (SQ,), {}), ("lu_factor", (BATCH[:, :3],), {}),
    ("lstsq", (TALL, RHS), {}), ("lstsq", (TALL, RHS[:, 0]), {}), ("lstsq", (WIDE, RHS[:3]), {}),
    ("lstsq", (RANK2.T.copy(), RHS), {"rcond": 1e-3}),
    ("matrix_rank", (RANK2,), {}), ("matrix_rank", (SQ,), {"tol": 1.0}),
    ("matrix_rank", (BATCH,), {}),
    ("pinv", (TALL,), {}), ("pinv", (RANK2,), {"rcond": 1e-3}), ("pinv", (BATCH,), {}),
]


def _numpy(value):
    return value.numpy() if isinstance(value, ember.Tensor) else value.detach().cpu().numpy()


@pytest.mark.parametrize("name,args,kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_decompositions_match_keras(keras_ref, name, args, kwargs):
    import torch
    ref = _sym_products(name, getattr(keras_ref.ops, name)(*[torch.tensor(a) for a in args],
                                                             **kwargs))
    ours = _sym_products(name, getattr(eops, name)(*args, **kwargs))
    assert len(ours) == len(ref)
    for o, r in zip(ours, ref):
        o, r = _numpy(o), _numpy(r)
        assert o.dtype == r.dtype and o.shape == r.shape, (name, o.dtype, r.dtype, o.shape, r.shape)
        np.testing.assert_allclose(o, r, rtol=1e-4, atol=1e-4, err_msg=name)


GRAD_CASES = [
    ("eigh", (SYM,), {}), ("qr", (TALL,), {}), ("qr", (WIDE,), {}), ("svd", (TALL,), {}), ("lstsq", (TALL, RHS), {}),
    ("pinv", (WIDE,), {}), ("svd", (BATCH,), {"compute_uv": False}),
]


def _grads(lib, ops, name, args, kwargs):
    leaves = [lib.tensor(a.copy(), requires_grad=True) for a in args]
    outs = _sym_products(name, getattr(ops, name)(*leaves, **kwargs))
    total = 0
    for i, out in enumerate(outs):
        w = np.linspace(-1.0, 1.5 + i, int(np.prod(tuple(out.shape)))).reshape(tuple(out.shape))
        total = total + (out * lib.tensor(w.astype(np.float32))).sum()
    total.backward()
    return [_numpy(leaf.grad) for leaf in leaves]


@pytest.mark.parametrize("name,args,kwargs", GRAD_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRAD_CASES)])
def test_decomposition_gradients_match_keras(keras_ref, name, args, kwargs):
    import torch
    ref = _grads(torch, keras_ref.ops, name, args, kwargs)
    ours = _grads(ember, eops, name, args, kwargs)
    for o, r in zip(ours, ref):
        assert o.dtype == r.dtype == np.float32
        np.testing.assert_allclose(o, r, rtol=1e-3, atol=1e-3, err_msg=name)


@pytest.mark.parametrize("call", [
    lambda ops: ops.eigh(np.ones((2, 3), np.float32)),
    lambda ops: ops.qr(np.ones((2, 3), np.float32), mode="raw"),
    lambda ops: ops.svd(np.ones(3, np.float32)),
])
def test_decompositions_refuse_like_keras(keras_ref, call):
    with pytest.raises(ValueError) as theirs:
        call(keras_ref.ops)
    with pytest.raises(ValueError) as ours:
        call(eops)
    assert str(ours.value).split(" Received")[0] == str(theirs.value).split(" Received")[0]


REARRANGE = [
    ("b h w c -> b c h w", {}), ("b h w c -> (b h) w c", {}), ("b h w c -> h (b w) c", {}),
    ("b h w c -> b (c h w)", {}), ("b (h1 h) (w1 w) c -> (b h1 w1) h w c", {"h1": 2, "w1": 2}),
    ("b (h h1) (w w1) c -> b h w (c h1 w1)", {"h1": 2, "w1": 2}), ("b h w c->c w h b", {}),
    ("(a b) h w c -> b a (h w c)", {"b": 2}),
]


@pytest.mark.parametrize("pattern,lengths", REARRANGE, ids=[p for p, _ in REARRANGE])
def test_rearrange_matches_keras(keras_ref, pattern, lengths):
    import torch
    ref_in = torch.tensor(IMAGES, requires_grad=True)
    ref = keras_ref.ops.rearrange(ref_in, pattern, **lengths)
    x = ember.tensor(IMAGES, requires_grad=True)
    ours = eops.rearrange(x, pattern, **lengths)
    assert tuple(ours.shape) == tuple(ref.shape) and ours.dtype == ember.float32
    np.testing.assert_array_equal(ours.detach().numpy(), ref.detach().numpy())
    w = np.arange(ours.numel(), dtype=np.float32).reshape(tuple(ours.shape))
    (ref * torch.tensor(w)).sum().backward()
    (ours * ember.tensor(w)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), ref_in.grad.numpy())


@pytest.mark.parametrize("pattern,lengths,match", [
    ("b h w -> b w h", {}, "has 3 axes but the tensor has 4"),
    ("b h w c -> b h w", {}, "same axes"),
    ("b (h1 h) w c -> b h1 h w c", {}, "cannot infer"),
    ("b (h1 h) w c -> b h1 h w c", {"h1": 4}, "cannot be split"),
    ("b h w c", {}, "one '->'"),
    ("b h w c -> b ... c", {}, "unexpected"),
])
def test_rearrange_bad_patterns_are_named(pattern, lengths, match):
    with pytest.raises(ValueError, match=match):
        eops.rearrange(IMAGES, pattern, **lengths)


def _vectorize_cases(ops):
    return [
        ops.vectorize(lambda a, b: a + b)([1, 2, 3, 4], 2),
        ops.vectorize(lambda a, b: a * b)(TALL, RHS[:, :1]),
        ops.vectorize(lambda m, v: ops.matmul(m, v), signature="(m,n),(n)->(m)")(BATCH, TALL[0]),
        ops.vectorize(lambda v: ops.sum(v * v), signature="(n)->()")(TALL),
        ops.vectorize(lambda v: (ops.max(v), ops.min(v)), signature="(n)->(),()")(BATCH),
        ops.vectorize(lambda x: x * 2)(3.0),
    ]


def test_vectorize_matches_keras(keras_ref):
    theirs, ours = _vectorize_cases(keras_ref.ops), _vectorize_cases(eops)
    for i, (r, o) in enumerate(zip(theirs, ours)):
        r, o = (list(r), list(o)) if isinstance(r, tuple) else ([r], [o])
        assert len(r) == len(o), i
        for rr, oo in zip(r, o):
            rr, oo = _numpy(keras_ref.ops.convert_to_tensor(rr)), _numpy(oo)
            assert rr.dtype == oo.dtype and rr.shape == oo.shape, (i, rr.dtype, oo.dtype)
            np.testing.assert_allclose(oo, rr, rtol=1e-6, err_msg=str(i))


def test_vectorize_gradient_and_excluded():
    x = ember.tensor(TALL, requires_grad=True)
    out = eops.vectorize(lambda v, scale: eops.sum(v * v) * scale, signature="(n)->()",
                         excluded={1})(x, 3.0)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6.0 * TALL, rtol=1e-6)
    with pytest.raises(ValueError, match="inconsistent size for core dimension 'n'"):
        eops.vectorize(lambda a, b: a @ b, signature="(n),(n)->()")(TALL, WIDE)
