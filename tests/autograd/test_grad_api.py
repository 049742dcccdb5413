"""ember.autograd.grad / backward / functional.jacobian / functional.vjp / gradcheck against torch:
the same calls, with torch's arguments, on both libraries."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
LIBS = [ember, torch]
RNG = np.random.default_rng(3)
A = RNG.standard_normal((2, 3)).astype(np.float32)
B = RNG.standard_normal(3).astype(np.float32)


def _leaves(m):
    return m.tensor(A, requires_grad=True), m.tensor(B, requires_grad=True)


def _np(t):
    return None if t is None else t.detach().numpy()


# (id, call(m, a, b) -> tuple of gradients); each call builds its graph from the two leaves
GRADS = [
    ("one_output", lambda m, a, b: m.autograd.grad((a * b).sum(), [a, b])),
    ("single_tensor_input", lambda m, a, b: m.autograd.grad((a.exp() * b).sum(), a)),
    ("non_leaf_input", lambda m, a, b: (lambda h: m.autograd.grad((h * h).sum(), [h, a]))(a * b)),
    ("two_outputs", lambda m, a, b: m.autograd.grad([(a * a).sum(), (a * b).sum()], [a, b])),
    ("grad_outputs", lambda m, a, b: m.autograd.grad(a * b, b, grad_outputs=m.ones(2, 3) * 2)),
    ("two_outputs_seeded", lambda m, a, b: m.autograd.grad(
        [a * 2, (b * b).sum()], [a, b], grad_outputs=[m.tensor(A), None])),
    ("unused_allowed", lambda m, a, b: m.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)),
    ("unused_materialized", lambda m, a, b: m.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True)),
    ("output_is_input", lambda m, a, b: m.autograd.grad(b, b, grad_outputs=m.tensor(B))),
    ("batched", lambda m, a, b: m.autograd.grad(a * b, [a, b], grad_outputs=m.tensor(
        RNG.standard_normal((4, 2, 3)).astype(np.float32)), is_grads_batched=True)),
]


@pytest.mark.parametrize("name,call", GRADS, ids=[g[0] for g in GRADS])
def test_grad_matches_torch_and_leaves_dot_grad_alone(name, call):
    rng_state = RNG.bit_generator.state
    e = call(ember, *_leaves(ember))
    RNG.bit_generator.state = rng_state   # the batched case draws its seeds: same draw for both
    t = call(torch, *_leaves(torch))
    assert isinstance(e, tuple) and len(e) == len(t)
    for eg, tg in zip(e, t):
        if tg is None:
            assert eg is None
        else:
            np.testing.assert_allclose(_np(eg), _np(tg), rtol=1e-5, atol=1e-6)
            assert eg.dtype == ember.float32 and not eg.requires_grad


def test_grad_writes_no_dot_grad_and_frees_the_graph_unless_retained():
    a, b = _leaves(ember)
    loss = (a * b).sum()
    ember.autograd.grad(loss, a, retain_graph=True)
    ember.autograd.grad(loss, a)
    assert a.grad is None and b.grad is None
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        ember.autograd.grad(loss, a)


def test_grad_runs_only_the_part_of_the_graph_that_leads_to_the_inputs():
    a, b = _leaves(ember)
    h = a * 2
    loss = (h * b).sum()
    (h * 1).sum().backward()          # frees h's node: grad w.r.t. h must not need it
    (g,) = ember.autograd.grad(loss, h)
    np.testing.assert_allclose(g.numpy(), np.broadcast_to(B, (2, 3)))


ERRORS = [
    ("input_without_grad", lambda m, a, b: m.autograd.grad((a * 2).sum(), [a, m.ones(3)]), RuntimeError,
     "One of the differentiated Tensors does not require grad"),
    ("output_without_grad", lambda m, a, b: m.autograd.grad(m.ones(2).sum(), a), RuntimeError,
     "element 0 of tensors does not require grad and does not have a grad_fn"),
    ("non_scalar_output", lambda m, a, b: m.autograd.grad(a * 2, a), RuntimeError,
     "grad can be implicitly created only for scalar outputs"),
    ("unused", lambda m, a, b: m.autograd.grad((a * 2).sum(), [a, b]), RuntimeError,
     "The differentiated Tensor at index 1 appears to not have been used in the graph. Set "
     "allow_unused=True if this is the desired behavior."),
    ("allow_unused_false_with_materialize", lambda m, a, b: m.autograd.grad(
        (a * 2).sum(), [a, b], allow_unused=False, materialize_grads=True), ValueError,
     "Expected allow_unused to be True or not passed when materialize_grads=True"),
]


@pytest.mark.parametrize("m", LIBS, ids=["ember", "torch"])
@pytest.mark.parametrize("name,call,err,match", ERRORS, ids=[e[0] for e in ERRORS])
def test_grad_errors_match_torch(m, name, call, err, match):
    with pytest.raises(err, match=match):
        call(m, *_leaves(m))


def test_create_graph_is_refused_with_a_clear_error():
    a, _ = _leaves(ember)
    with pytest.raises(RuntimeError, match="create_graph=True .* not supported by ember"):
        ember.autograd.grad((a * a).sum(), a, create_graph=True)


BACKWARDS = [
    ("two_roots", lambda m, a, b: m.autograd.backward([(a * b).sum(), (a * a).sum()])),
    ("roots_with_seeds", lambda m, a, b: m.autograd.backward([a * b, b], [m.tensor(A), m.tensor(B)])),
    ("inputs_leaf_only", lambda m, a, b: (a * b).sum().backward(inputs=[b])),
    ("inputs_single_tensor", lambda m, a, b: (a * b * a).sum().backward(inputs=a)),
    ("accumulates", lambda m, a, b: [(a * b).sum().backward() for _ in range(2)]),
]


@pytest.mark.parametrize("name,call", BACKWARDS, ids=[b[0] for b in BACKWARDS])
def test_backward_forms_match_torch(name, call):
    (ea, eb), (ta, tb) = _leaves(ember), _leaves(torch)
    call(ember, ea, eb)
    call(torch, ta, tb)
    for e, t in ((ea, ta), (eb, tb)):
        if t.grad is None:
            assert e.grad is None
        else:
            np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-5)


def test_backward_inputs_accumulates_into_a_non_leaf_like_torch():
    results = []
    for m in LIBS:
        a, b = _leaves(m)
        h = a * 3
        (h * b).sum().backward(inputs=[h])
        results.append((_np(h.grad), a.grad))
    np.testing.assert_allclose(results[0][0], results[1][0])
    assert results[0][1] is None and results[1][1] is None


# ------------------------------------------------------------------ functional
FUNCS = [
    ("one_in_one_out", lambda m: (lambda x: x.exp() * x), lambda m: m.tensor(B)),
    ("matrix_in", lambda m: (lambda x: x.sum(0) * 2), lambda m: m.tensor(A)),
    ("two_in_one_out", lambda m: (lambda x, y: (x * y).sum(1)), lambda m: (m.tensor(A), m.tensor(B))),
    ("one_in_two_out", lambda m: (lambda x: (x * x, x.sum())), lambda m: m.tensor(B)),
    ("two_in_two_out", lambda m: (lambda x, y: (x @ y, x.t())), lambda m: (m.tensor(A), m.tensor(B))),
    ("independent_input", lambda m: (lambda x, y: x * 2), lambda m: (m.tensor(B), m.tensor(B))),
]


def _flat(result):
    if isinstance(result, tuple):
        return [v for r in result for v in _flat(r)]
    return [result]


@pytest.mark.parametrize("name,func,inputs", FUNCS, ids=[f[0] for f in FUNCS])
def test_jacobian_matches_torch_in_value_and_nesting(name, func, inputs):
    from ember.autograd.functional import jacobian
    e = jacobian(func(ember), inputs(ember))
    t = torch.autograd.functional.jacobian(func(torch), inputs(torch))
    assert type(e) is type(t) or (isinstance(e, ember.Tensor) and isinstance(t, torch.Tensor))
    ef, tf = _flat(e), _flat(t)
    assert len(ef) == len(tf)
    for x, y in zip(ef, tf):
        assert x.shape == tuple(y.shape)
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("m", LIBS, ids=["ember", "torch"])
def test_jacobian_strict_mode_refuses_an_independent_input(m):
    func = FUNCS[-1][1](m)
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function is independent of input 1"):
        m.autograd.functional.jacobian(func, FUNCS[-1][2](m), strict=True)


VJPS = [
    ("vector", lambda m: (lambda x: x.exp() * x), lambda m: m.tensor(B), lambda m: m.tensor(B)),
    ("scalar_without_v", lambda m: (lambda x: (x * x).sum()), lambda m: m.tensor(A), lambda m: None),
    ("two_inputs", lambda m: (lambda x, y: x * y), lambda m: (m.tensor(A), m.tensor(B)),
     lambda m: m.ones(2, 3)),
]


@pytest.mark.parametrize("name,func,inputs,v", VJPS, ids=[v[0] for v in VJPS])
def test_vjp_matches_torch(name, func, inputs, v):
    from ember.autograd.functional import vjp
    e_out, e_vjp = vjp(func(ember), inputs(ember), v(ember))
    t_out, t_vjp = torch.autograd.functional.vjp(func(torch), inputs(torch), v(torch))
    for x, y in zip(_flat((e_out, e_vjp)), _flat((t_out, t_vjp))):
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-5, atol=1e-6)
        assert not x.requires_grad


# -------------------------------------------------------------------- gradcheck
def _noisy(m, additive=False):
    class Noisy(m.autograd.Function):
        """A backward with a little noise each time: not reentrant (and, when the noise is added
        rather than multiplied, not even zero for a zero grad_output)."""

        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            noise = m.tensor(np.random.default_rng().uniform(0, 1e-3), dtype=m.float64)
            return g * 2 + noise if additive else g * (2 + noise)
    return Noisy


def _wrong(m):
    class Wrong(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2.1
    return Wrong


GRADCHECKS = [
    ("correct", lambda m: (lambda x: (x * x).sin()), {}, True),
    ("wrong_gradient", lambda m: _wrong(m).apply, {"raise_exception": False}, False),
    ("not_reentrant", lambda m: _noisy(m).apply, {"raise_exception": False}, False),
    ("not_reentrant_tolerated", lambda m: _noisy(m).apply, {"nondet_tol": 1e-2, "atol": 1e-2}, True),
    ("not_multiplied_by_grad_output", lambda m: _noisy(m, additive=True).apply,
     {"raise_exception": False, "nondet_tol": 1e-2, "atol": 1e-2}, False),
    ("torch_keywords", lambda m: (lambda x: x.exp()), {"eps": 1e-6, "atol": 1e-5, "rtol": 1e-3,
                                                      "check_undefined_grad": False, "fast_mode": True,
                                                      "check_grad_dtypes": True, "masked": None}, True),
]


@pytest.mark.parametrize("name,func,kwargs,expected", GRADCHECKS, ids=[g[0] for g in GRADCHECKS])
def test_gradcheck_agrees_with_torch(name, func, kwargs, expected):
    for m in LIBS:
        x = m.tensor(RNG.standard_normal(3), requires_grad=True)
        assert m.autograd.gradcheck(func(m), (x,), **kwargs) is expected


@pytest.mark.parametrize("m", LIBS, ids=["ember", "torch"])
def test_gradcheck_failure_raises_a_runtime_error_naming_the_jacobian(m):
    x = m.tensor(RNG.standard_normal(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to input 0"):
        m.autograd.gradcheck(_wrong(m).apply, (x,))


def test_gradcheck_refuses_checks_ember_cannot_run():
    x = ember.tensor(RNG.standard_normal(3), requires_grad=True)
    with pytest.raises(NotImplementedError, match="check_forward_ad=True"):
        ember.autograd.gradcheck(lambda t: t * 2, (x,), check_forward_ad=True)
    assert issubclass(ember.autograd.GradcheckError, RuntimeError)
