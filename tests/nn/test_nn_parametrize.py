"""nn.utils.parametrize, nn.utils.parametrizations and the hook forms weight_norm/spectral_norm
against torch: state_dict keys and values, forward values, gradients w.r.t. the original
parameters, SGD trajectories, class swap, removal, caching and errors."""
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn.utils import parametrizations as P
from ember.nn.utils import parametrize
from nn_helpers import assert_same, copy_state, error_of, randn, to_torch

torch = pytest.importorskip("torch")
import torch.nn.utils.parametrizations as TP  # noqa: E402
import torch.nn.utils.parametrize as tparametrize  # noqa: E402


def _layer(lib, kind):
    return {"linear": lambda: lib.nn.Linear(4, 3),
            "square": lambda: lib.nn.Linear(4, 4),
            "wide": lambda: lib.nn.Linear(5, 3),
            "conv1d": lambda: lib.nn.Conv1d(2, 3, 3),
            "conv2d": lambda: lib.nn.Conv2d(2, 3, 3),
            "convT1d": lambda: lib.nn.ConvTranspose1d(2, 3, 3),
            "convT2d": lambda: lib.nn.ConvTranspose2d(3, 2, 2)}[kind]()


INPUTS = {"linear": (5, 4), "square": (5, 4), "wide": (5, 5), "conv1d": (2, 2, 7),
          "conv2d": (2, 2, 5, 5), "convT1d": (2, 2, 4), "convT2d": (2, 3, 3, 3)}


def _quiet(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return fn()


# name -> (kind, ember apply, torch apply)
CASES = {
    "P.weight_norm": ("linear", lambda m: P.weight_norm(m), lambda m: TP.weight_norm(m)),
    "P.weight_norm_dim1_conv": ("conv1d", lambda m: P.weight_norm(m, dim=1),
                                lambda m: TP.weight_norm(m, dim=1)),
    "P.weight_norm_dimNone": ("conv2d", lambda m: P.weight_norm(m, dim=None),
                              lambda m: TP.weight_norm(m, dim=None)),
    "P.weight_norm_dim-1": ("convT2d", lambda m: P.weight_norm(m, dim=-1),
                            lambda m: TP.weight_norm(m, dim=-1)),
    "P.spectral_norm": ("linear", lambda m: P.spectral_norm(m), lambda m: TP.spectral_norm(m)),
    "P.spectral_norm_conv_iter3": ("conv2d", lambda m: P.spectral_norm(m, n_power_iterations=3),
                                   lambda m: TP.spectral_norm(m, n_power_iterations=3)),
    "P.spectral_norm_convT": ("convT1d", lambda m: P.spectral_norm(m), lambda m: TP.spectral_norm(m)),
    "P.spectral_norm_bias": ("linear", lambda m: P.spectral_norm(m, "bias"),
                             lambda m: TP.spectral_norm(m, "bias")),
    "P.orthogonal_square": ("square", lambda m: P.orthogonal(m), lambda m: TP.orthogonal(m)),
    "P.orthogonal_cayley": ("square", lambda m: P.orthogonal(m, orthogonal_map="cayley"),
                            lambda m: TP.orthogonal(m, orthogonal_map="cayley")),
    "P.orthogonal_householder": ("wide", lambda m: P.orthogonal(m), lambda m: TP.orthogonal(m)),
    "P.orthogonal_tall_no_triv": ("linear", lambda m: P.orthogonal(
        m, orthogonal_map="householder", use_trivialization=False), lambda m: TP.orthogonal(
        m, orthogonal_map="householder", use_trivialization=False)),
    "P.orthogonal_exp_no_triv": ("wide", lambda m: P.orthogonal(
        m, orthogonal_map="matrix_exp", use_trivialization=False), lambda m: TP.orthogonal(
        m, orthogonal_map="matrix_exp", use_trivialization=False)),
    "weight_norm": ("linear", lambda m: _quiet(lambda: nn.utils.weight_norm(m)),
                    lambda m: _quiet(lambda: torch.nn.utils.weight_norm(m))),
    "weight_norm_dimNone_conv": ("conv1d", lambda m: _quiet(lambda: nn.utils.weight_norm(m, dim=None)),
                                 lambda m: _quiet(lambda: torch.nn.utils.weight_norm(m, dim=None))),
    "spectral_norm": ("linear", lambda m: nn.utils.spectral_norm(m),
                      lambda m: torch.nn.utils.spectral_norm(m)),
    "spectral_norm_conv": ("conv2d", lambda m: nn.utils.spectral_norm(m, n_power_iterations=2),
                           lambda m: torch.nn.utils.spectral_norm(m, n_power_iterations=2)),
    "spectral_norm_convT": ("convT2d", lambda m: nn.utils.spectral_norm(m),
                            lambda m: torch.nn.utils.spectral_norm(m)),
}


def _load_from_torch(em, tm) -> None:
    """Copies every state_dict entry of torch's module into ember's (same keys asserted)."""
    own = em.state_dict()
    assert list(own) == list(tm.state_dict())
    for key, value in tm.state_dict().items():
        own[key]._data[...] = value.detach().numpy()


def _names(module) -> list:
    return [name for name, _ in module.named_parameters()]


def _pair(case):
    kind, apply_e, apply_t = CASES[case]
    em, tm = _layer(ember, kind), _layer(torch, kind)
    copy_state(em, tm)
    torch.manual_seed(0)
    return apply_e(em), apply_t(tm), kind


@pytest.mark.parametrize("case", CASES)
def test_state_dict_forward_and_gradients_match_torch(case):
    em, tm, kind = _pair(case)
    assert type(em).__name__ == type(tm).__name__
    _load_from_torch(em, tm)
    for key, value in tm.state_dict().items():  # registration computed the same values
        assert_same(em.state_dict()[key], value, rtol=1e-5, atol=1e-6)
    assert _names(em) == _names(tm)
    x = randn(*INPUTS[kind])
    for mode in ("train", "eval"):
        getattr(em, mode)(), getattr(tm, mode)()
        y, yt = em(x), tm(to_torch(x))
        assert_same(y, yt, rtol=1e-4, atol=1e-5)
        (y * y).sum().backward()
        (yt * yt).sum().backward()
        for (name, p), (tname, tp) in zip(em.named_parameters(), tm.named_parameters()):
            assert name == tname
            assert_same(p.grad, tp.grad, rtol=1e-4, atol=1e-5)
        em.zero_grad(), tm.zero_grad()
    for key, value in tm.state_dict().items():  # power iterations updated the same buffers
        assert_same(em.state_dict()[key], value, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case", ["P.weight_norm", "P.spectral_norm_conv_iter3", "P.orthogonal_square",
                                  "P.orthogonal_householder", "weight_norm", "spectral_norm_conv"])
def test_sgd_trajectory_matches_torch(case):
    em, tm, kind = _pair(case)
    _load_from_torch(em, tm)
    x = randn(*INPUTS[kind], seed=1)
    opt = ember.optim.SGD(em.parameters(), lr=0.1, momentum=0.9)
    topt = torch.optim.SGD(tm.parameters(), lr=0.1, momentum=0.9)
    for _ in range(4):
        losses = []
        for model, o, inp in ((em, opt, x), (tm, topt, to_torch(x))):
            o.zero_grad()
            loss = ((model(inp) - 0.5) ** 2).mean()
            loss.backward()
            o.step()
            losses.append(loss.item())
        np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
    for key, value in tm.state_dict().items():
        assert_same(em.state_dict()[key], value, rtol=1e-4, atol=1e-5)
    assert_same(em.eval()(x), tm.eval()(to_torch(x)), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case", ["P.weight_norm", "P.spectral_norm", "P.orthogonal_square"])
@pytest.mark.parametrize("leave", [True, False])
def test_remove_parametrizations_matches_torch(case, leave):
    em, tm, _ = _pair(case)
    _load_from_torch(em, tm)
    if not leave and case == "P.weight_norm":
        assert error_of(lambda: parametrize.remove_parametrizations(em, "weight", False)) == \
            error_of(lambda: tparametrize.remove_parametrizations(tm, "weight", False))
        return
    kept = getattr(em.parametrizations.weight, "original", None)
    parametrize.remove_parametrizations(em, "weight", leave_parametrized=leave)
    tparametrize.remove_parametrizations(tm, "weight", leave_parametrized=leave)
    assert type(em) is nn.Linear and not parametrize.is_parametrized(em)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert_same(em.weight, tm.weight, rtol=1e-5, atol=1e-6)
    assert isinstance(em.weight, nn.Parameter)
    if kept is not None:
        assert em.weight is kept  # the optimizer's Parameter object survives, as in torch


@pytest.mark.parametrize("case", ["weight_norm", "spectral_norm"])
def test_hook_forms_remove_to_one_parameter(case):
    em, tm, _ = _pair(case)
    _load_from_torch(em, tm)
    em(randn(2, 4)), tm(torch.from_numpy(randn(2, 4)._data))
    remove_e = nn.utils.remove_weight_norm if case == "weight_norm" else nn.utils.remove_spectral_norm
    remove_t = getattr(torch.nn.utils, remove_e.__name__)
    remove_e(em), remove_t(tm)
    assert list(em.state_dict()) == list(tm.state_dict()) == ["bias", "weight"]
    assert not em._forward_pre_hooks
    assert_same(em.weight, tm.weight, rtol=1e-5, atol=1e-6)


def test_old_weight_norm_warns_like_torch():
    with pytest.warns(FutureWarning, match="torch.nn.utils.weight_norm` is deprecated"):
        nn.utils.weight_norm(nn.Linear(2, 2))


class Symmetric:
    """A parametrization without right_inverse (built per library)."""

    @staticmethod
    def make(lib):
        class Sym(lib.nn.Module):
            def forward(self, X):
                return X.triu() + X.triu(1).transpose(-1, -2)
        return Sym()


def _rank_one(lib):
    class RankOne(lib.nn.Module):
        def forward(self, x, y):
            return x.unsqueeze(-1) @ y.unsqueeze(-2)

        def right_inverse(self, Z):
            return Z[:, 0].clone(), Z[0, :].clone() / Z[0, 0]
    return RankOne()


def _scale(lib, k):
    class Scale(lib.nn.Module):
        def forward(self, X):
            return X * k

        def right_inverse(self, X):
            return X / k
    return Scale()


def _both(build):
    em, tm = nn.Linear(3, 3), torch.nn.Linear(3, 3)
    copy_state(em, tm)
    build(em, ember), build(tm, torch)
    return em, tm


CUSTOM = {
    "symmetric": lambda m, lib: (lib.nn.utils.parametrize if lib is torch else parametrize)
    .register_parametrization(m, "weight", Symmetric.make(lib)),
    "chain": lambda m, lib: [(lib.nn.utils.parametrize if lib is torch else parametrize)
                             .register_parametrization(m, "weight", _scale(lib, k)) for k in (2.0, 3.0)],
    "rank_one": lambda m, lib: (lib.nn.utils.parametrize if lib is torch else parametrize)
    .register_parametrization(m, "weight", _rank_one(lib), unsafe=True),
    "bias_and_weight": lambda m, lib: [(lib.nn.utils.parametrize if lib is torch else parametrize)
                                       .register_parametrization(m, name, _scale(lib, 0.5))
                                       for name in ("bias", "weight")],
}


@pytest.mark.parametrize("case", CUSTOM)
def test_custom_parametrizations_match_torch(case):
    em, tm = _both(CUSTOM[case])
    assert list(em.state_dict()) == list(tm.state_dict())
    for key, value in tm.state_dict().items():
        assert_same(em.state_dict()[key], value, rtol=1e-6, atol=1e-6)
    assert_same(em.weight, tm.weight, rtol=1e-6, atol=1e-6)
    x = randn(2, 3)
    assert _names(em) == _names(tm)
    em(x).sum().backward(), tm(to_torch(x)).sum().backward()
    for (name, p), (tname, tp) in zip(em.named_parameters(), tm.named_parameters()):
        assert name == tname
        assert_same(p.grad, tp.grad, rtol=1e-5, atol=1e-6)
    if case != "symmetric":  # assignment goes through right_inverse
        value = randn(3, 3, seed=3)
        with ember.no_grad():
            em.weight = value
        with torch.no_grad():
            tm.weight = to_torch(value)
        for key, val in tm.state_dict().items():
            assert_same(em.state_dict()[key], val, rtol=1e-5, atol=1e-6)


def test_registration_keeps_the_parameter_object_and_swaps_the_class():
    m = nn.Linear(3, 3)
    w = m.weight
    parametrize.register_parametrization(m, "weight", _scale(ember, 2.0))
    assert m.parametrizations.weight.original is w
    assert type(m).__name__ == "ParametrizedLinear" and isinstance(m, nn.Linear)
    assert type(m).__module__ == "ember.nn.utils.parametrize"
    assert parametrize.type_before_parametrizations(m) is nn.Linear
    assert parametrize.is_parametrized(m) and parametrize.is_parametrized(m, "weight")
    assert not parametrize.is_parametrized(m, "bias")
    assert "weight" not in m._parameters and [n for n, _ in m.named_parameters()] == [
        "bias", "parametrizations.weight.original"]
    other = nn.Linear(3, 3)
    assert type(other) is nn.Linear  # only this instance's class changed


def test_cached_computes_once_per_context():
    calls = []

    class Counting(nn.Module):
        def forward(self, X):
            calls.append(1)
            return X * 2

    m = parametrize.register_parametrization(nn.Linear(2, 2), "weight", Counting())
    calls.clear()
    with parametrize.cached():
        a, b = m.weight, m.weight
    assert a is b and len(calls) == 1
    m.weight, m.weight
    assert len(calls) == 3


def test_transfer_parametrizations_and_params():
    src = P.weight_norm(nn.Linear(3, 2))
    dst = parametrize.transfer_parametrizations_and_params(src, nn.Linear(3, 2))
    assert type(dst).__name__ == "ParametrizedLinear"
    assert dst.parametrizations.weight.original0 is src.parametrizations.weight.original0
    np.testing.assert_allclose(dst.weight._data, src.weight._data, rtol=1e-6)
    plain = nn.Linear(2, 2)
    assert parametrize.transfer_parametrizations_and_params(plain, nn.Linear(2, 2)) is not plain


def _normalize(msg):
    return None if msg is None else msg.replace("torch.", "ember.").replace("ember.Size", "Size")


ERRORS = {
    "missing_name": lambda lib, P_, pz: pz.register_parametrization(lib.nn.Linear(2, 2), "nope",
                                                                    lib.nn.Identity()),
    "remove_unparametrized": lambda lib, P_, pz: pz.remove_parametrizations(lib.nn.Linear(2, 2), "weight"),
    "shape_change": lambda lib, P_, pz: pz.register_parametrization(
        lib.nn.Linear(2, 3), "weight", _transpose(lib)),
    "no_right_inverse_assign": lambda lib, P_, pz: setattr(pz.register_parametrization(
        lib.nn.Linear(2, 2), "weight", Symmetric.make(lib)), "weight", lib.ones(2, 2)),
    "spectral_dim": lambda lib, P_, pz: P_.spectral_norm(lib.nn.Linear(2, 2), dim=2),
    "spectral_iters": lambda lib, P_, pz: P_.spectral_norm(lib.nn.Linear(2, 2), n_power_iterations=0),
    "spectral_missing": lambda lib, P_, pz: P_.spectral_norm(lib.nn.Linear(2, 2), "nope"),
    "orthogonal_1d": lambda lib, P_, pz: P_.orthogonal(lib.nn.Linear(2, 2), "bias"),
    "orthogonal_map": lambda lib, P_, pz: P_.orthogonal(lib.nn.Linear(2, 2), orthogonal_map="qr"),
    "orthogonal_assign_shape": lambda lib, P_, pz: setattr(P_.orthogonal(lib.nn.Linear(2, 2)),
                                                           "weight", lib.ones(3, 3)),
    "old_spectral_twice": lambda lib, P_, pz: lib.nn.utils.spectral_norm(
        lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2))),
    "old_spectral_iters": lambda lib, P_, pz: lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2),
                                                                         n_power_iterations=0),
    "old_weight_norm_twice": lambda lib, P_, pz: _quiet(lambda: lib.nn.utils.weight_norm(
        lib.nn.utils.weight_norm(lib.nn.Linear(2, 2)))),
    "remove_weight_norm_missing": lambda lib, P_, pz: lib.nn.utils.remove_weight_norm(lib.nn.Linear(2, 2)),
    "remove_spectral_norm_missing": lambda lib, P_, pz: lib.nn.utils.remove_spectral_norm(
        lib.nn.Linear(2, 2), "bias"),
    "parametrization_list_empty": lambda lib, P_, pz: pz.ParametrizationList([], lib.ones(2)),
    "second_shape_change": lambda lib, P_, pz: pz.register_parametrization(
        pz.register_parametrization(lib.nn.Linear(2, 3), "weight", _scale(lib, 2.0)), "weight",
        _transpose(lib)),
    "second_right_inverse_shape": lambda lib, P_, pz: pz.register_parametrization(
        pz.register_parametrization(lib.nn.Linear(2, 2), "weight", _scale(lib, 2.0)), "weight",
        _bad_inverse(lib)),
    "right_inverse_not_tensor": lambda lib, P_, pz: pz.register_parametrization(
        lib.nn.Linear(2, 2), "weight", _bad_inverse(lib, value=3)),
}


def _bad_inverse(lib, value=None):
    class BadInverse(lib.nn.Module):
        def forward(self, X):
            return X

        def right_inverse(self, X):
            return X.flatten() if value is None else value
    return BadInverse()


def _transpose(lib):
    class T(lib.nn.Module):
        def forward(self, X):
            return X.T
    return T()


@pytest.mark.parametrize("case", ERRORS)
def test_errors_match_torch(case):
    kind, msg = error_of(lambda: ERRORS[case](ember, P, parametrize))
    tkind, tmsg = error_of(lambda: ERRORS[case](torch, TP, tparametrize))
    assert tkind is not None
    assert (kind, _normalize(msg)) == (tkind, _normalize(tmsg))


def test_weight_norm_loads_a_state_dict_of_the_hook_form_as_torch():
    old, told = nn.Conv1d(2, 3, 3), torch.nn.Conv1d(2, 3, 3)
    copy_state(old, told)
    old = _quiet(lambda: nn.utils.weight_norm(old))
    told = _quiet(lambda: torch.nn.utils.weight_norm(told))
    new = nn.Sequential(P.weight_norm(nn.Conv1d(2, 3, 3)))
    tnew = torch.nn.Sequential(TP.weight_norm(torch.nn.Conv1d(2, 3, 3)))
    given = {"0." + k: v for k, v in old.state_dict().items()}
    tgiven = {"0." + k: v for k, v in told.state_dict().items()}
    result = new.load_state_dict(given)
    tresult = tnew.load_state_dict(tgiven)
    assert (list(result.missing_keys), list(result.unexpected_keys)) == \
        (list(tresult.missing_keys), list(tresult.unexpected_keys)) == ([], [])
    assert set(given) == {"0.bias", "0.weight_g", "0.weight_v"}  # the caller's dict is untouched
    assert_same(new[0].weight, tnew[0].weight, rtol=1e-6, atol=1e-6)


def test_load_state_dict_pre_hooks_see_prefixes_and_can_be_removed():
    seen = []
    model = nn.Sequential(nn.Linear(2, 2))
    handle = model[0].register_load_state_dict_pre_hook(
        lambda module, sd, prefix, *rest: seen.append((type(module).__name__, prefix, sorted(sd))))
    model.load_state_dict(model.state_dict())
    handle.remove()
    model.load_state_dict(model.state_dict())
    assert seen == [("Linear", "0.", ["0.bias", "0.weight"])]


def test_parametrized_buffer_matches_torch():
    em, tm = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    x = randn(5, 3)
    em(x), tm(to_torch(x))
    parametrize.register_parametrization(em, "running_var", _scale(ember, 2.0))
    tparametrize.register_parametrization(tm, "running_var", _scale(torch, 2.0))
    assert list(em.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in em.named_buffers()] == [n for n, _ in tm.named_buffers()]
    for key, value in tm.state_dict().items():
        assert_same(em.state_dict()[key], value, rtol=1e-6, atol=1e-6)
    em.eval(), tm.eval()
    assert_same(em(x), tm(to_torch(x)), rtol=1e-5, atol=1e-6)
