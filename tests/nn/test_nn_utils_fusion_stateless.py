"""nn.utils against torch: batch-norm folding (fusion), skip_init, the deprecated clip_grad_norm,
the memory-format converters and stateless.functional_call."""
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
from nn_helpers import assert_same, copy_state, error_of, randn, to_torch

torch = pytest.importorskip("torch")


def _with_stats(em, tm, shape):
    """Trains ``em``/``tm``'s batch norms for one batch (non-default running statistics, the
    same in both), then sets eval mode."""
    copy_state(em, tm)
    x = randn(*shape, seed=4) * 2 + 1
    em(x), tm(to_torch(x))
    return em.eval(), tm.eval()


# name -> (builder(lib) -> (layer, bn), input shape, transpose)
FUSIONS = {
    "conv2d": (lambda lib: (lib.nn.Conv2d(3, 4, 3), lib.nn.BatchNorm2d(4)), (2, 3, 6, 6), False),
    "conv1d_nobias_noaffine": (lambda lib: (lib.nn.Conv1d(2, 3, 3, bias=False),
                                            lib.nn.BatchNorm1d(3, affine=False)), (4, 2, 8), False),
    "conv3d": (lambda lib: (lib.nn.Conv3d(2, 3, 2), lib.nn.BatchNorm3d(3)), (2, 2, 4, 4, 4), False),
    "convT2d": (lambda lib: (lib.nn.ConvTranspose2d(4, 6, 3),
                                     lib.nn.BatchNorm2d(6)), (2, 4, 5, 5), True),
    "linear": (lambda lib: (lib.nn.Linear(5, 4), lib.nn.BatchNorm1d(4)), (6, 5), None),
    "linear_nobias": (lambda lib: (lib.nn.Linear(5, 4, bias=False), lib.nn.BatchNorm1d(4)),
                      (6, 5), None),
}


@pytest.mark.parametrize("case", FUSIONS)
def test_fused_layer_matches_torch_and_the_unfused_pair(case):
    build, shape, transpose = FUSIONS[case]
    (el, ebn), (tl, tbn) = build(ember), build(torch)
    copy_state(el, tl)
    (ebn, tbn) = _with_stats(ebn, tbn, (shape[0], *(el(randn(*shape)).shape[1:])))
    el.eval(), tl.eval()
    if transpose is None:
        ef, tf = nn.utils.fuse_linear_bn_eval(el, ebn), torch.nn.utils.fuse_linear_bn_eval(tl, tbn)
    else:
        ef = nn.utils.fuse_conv_bn_eval(el, ebn, transpose=transpose)
        tf = torch.nn.utils.fuse_conv_bn_eval(tl, tbn, transpose=transpose)
    assert ef is not el and type(ef) is type(el)
    for (name, p), (tname, tp) in zip(ef.named_parameters(), tf.named_parameters()):
        assert name == tname and isinstance(p, nn.Parameter)
        assert_same(p, tp, rtol=1e-5, atol=1e-6)
    x = randn(*shape, seed=5)
    assert_same(ef(x), tf(to_torch(x)), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ef(x)._data, ebn(el(x))._data, rtol=1e-4, atol=1e-5)


def test_fuse_weights_functions_match_torch():
    w, b = randn(4, 3, 2, 2), randn(4, seed=1)
    rm, rv, g, beta = randn(4, seed=2), randn(4, seed=3).abs() + 0.5, randn(4, seed=6), randn(4, seed=7)
    out = nn.utils.fuse_conv_bn_weights(w, None, rm, rv, 1e-3, g, None)
    ref = torch.nn.utils.fuse_conv_bn_weights(*(to_torch(t) for t in (w,)), None, to_torch(rm),
                                               to_torch(rv), 1e-3, to_torch(g), None)
    for e, t in zip(out, ref):
        assert_same(e, t, rtol=1e-5, atol=1e-6)
        assert e.requires_grad == t.requires_grad
    lw = randn(4, 3, seed=8)
    out = nn.utils.fuse_linear_bn_weights(lw, b, rm, rv, 1e-5, g, beta)
    ref = torch.nn.utils.fuse_linear_bn_weights(to_torch(lw), to_torch(b), to_torch(rm),
                                                 to_torch(rv), 1e-5, to_torch(g), to_torch(beta))
    for e, t in zip(out, ref):
        assert_same(e, t, rtol=1e-5, atol=1e-6)


FUSION_ERRORS = {
    "conv_training": lambda lib: lib.nn.utils.fuse_conv_bn_eval(lib.nn.Conv2d(1, 2, 1),
                                                                lib.nn.BatchNorm2d(2).eval()),
    "bn_training": lambda lib: lib.nn.utils.fuse_linear_bn_eval(lib.nn.Linear(2, 2).eval(),
                                                                lib.nn.BatchNorm1d(2)),
    "no_running_stats": lambda lib: lib.nn.utils.fuse_conv_bn_eval(
        lib.nn.Conv2d(1, 2, 1).eval(), lib.nn.BatchNorm2d(2, track_running_stats=False).eval()),
    "features": lambda lib: lib.nn.utils.fuse_linear_bn_eval(lib.nn.Linear(2, 3).eval(),
                                                             lib.nn.BatchNorm1d(2).eval()),
    "skip_init_not_module": lambda lib: lib.nn.utils.skip_init(int),
    "skip_init_no_device": lambda lib: lib.nn.utils.skip_init(lib.nn.ReLU),
    "skip_init_cuda": lambda lib: lib.nn.utils.skip_init(lib.nn.Linear, 2, 2, device="cuda"),
    "memory_format_str": lambda lib: lib.nn.utils.convert_conv2d_weight_memory_format(
        lib.nn.Conv2d(1, 1, 1), "channels_last"),
}


@pytest.mark.parametrize("case", FUSION_ERRORS)
def test_errors_match_torch(case):
    kind, msg = error_of(lambda: FUSION_ERRORS[case](ember))
    tkind, tmsg = error_of(lambda: FUSION_ERRORS[case](torch))
    assert tkind is not None
    assert kind is tkind
    assert msg.replace("ember", "torch").replace("Torch", "torch") == \
        tmsg.replace("Torch", "torch"), (msg, tmsg)


@pytest.mark.parametrize("cls,args,kwargs", [(nn.Linear, (5, 3), {}),
                                             (nn.Conv2d, (2, 4, 3), {"bias": False}),
                                             (nn.BatchNorm1d, (4,), {"dtype": ember.float64})])
def test_skip_init_builds_the_module_with_its_shapes_and_dtypes(cls, args, kwargs):
    m = nn.utils.skip_init(cls, *args, **kwargs)
    ref = cls(*args, **kwargs)
    assert type(m) is cls
    assert [(n, tuple(t.shape), t.dtype, t.requires_grad) for n, t in m.state_dict(keep_vars=True).items()] == \
        [(n, tuple(t.shape), t.dtype, t.requires_grad) for n, t in ref.state_dict(keep_vars=True).items()]


def test_clip_grad_norm_is_the_deprecated_alias():
    p = nn.Parameter(ember.zeros(2))
    p.grad = ember.tensor([3.0, 4.0])
    with pytest.warns(FutureWarning, match="clip_grad_norm` is now deprecated"):
        total = nn.utils.clip_grad_norm(p, 1.0)
    assert float(total) == 5.0
    np.testing.assert_allclose(p.grad._data, [0.6, 0.8], rtol=1e-5)


@pytest.mark.parametrize("convert,fmt", [("convert_conv2d_weight_memory_format", "channels_last"),
                                         ("convert_conv3d_weight_memory_format", "channels_last_3d"),
                                         ("convert_conv2d_weight_memory_format", "contiguous_format")])
def test_memory_format_converters_keep_the_values(convert, fmt):
    em = nn.Sequential(nn.Conv2d(2, 3, 3), nn.Sequential(nn.Conv3d(3, 2, 1)))
    tm = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.Sequential(torch.nn.Conv3d(3, 2, 1)))
    copy_state(em, tm)
    assert getattr(nn.utils, convert)(em, getattr(ember, fmt)) is em
    assert getattr(torch.nn.utils, convert)(tm, getattr(torch, fmt)) is tm
    for key, value in tm.state_dict().items():
        assert_same(em.state_dict()[key], value)


class Tied(object):
    @staticmethod
    def make(lib):
        m = lib.nn.Sequential(lib.nn.Embedding(5, 3), lib.nn.Linear(3, 5, bias=False))
        m[1].weight = m[0].weight
        m.register_buffer("scale", lib.ones(1))
        return m


STATELESS = {
    "linear_all": (lambda lib: lib.nn.Linear(3, 2), lambda lib, x: {"weight": x[0], "bias": x[1]},
                   (2, 3), {}),
    "partial": (lambda lib: lib.nn.Linear(3, 2), lambda lib, x: {"weight": x[0]}, (2, 3), {}),
    "nested_buffer": (lambda lib: lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.BatchNorm1d(3)),
                      lambda lib, x: {"1.running_mean": x[2], "0.weight": x[3]}, (4, 3), {}),
    "tied": (Tied.make, lambda lib, x: {"0.weight": x[4]}, None, {}),
    "untied": (Tied.make, lambda lib, x: {"0.weight": x[4]}, None, {"tie_weights": False}),
}


def _values(lib):
    conv = (lambda t: t) if lib is ember else to_torch
    return [conv(t) for t in (randn(2, 3, seed=11), randn(2, seed=12), randn(3, seed=13),
                              randn(3, 3, seed=14), randn(5, 3, seed=15))]


@pytest.mark.parametrize("case", STATELESS)
def test_functional_call_matches_torch(case):
    build, values, shape, kw = STATELESS[case]
    em, tm = build(ember), build(torch)
    copy_state(em, tm)
    before = {k: v._data.copy() for k, v in em.state_dict().items()}
    ev, tv = values(ember, _values(ember)), values(torch, _values(torch))
    for values_ in (ev, tv):  # gradients flow to the given parameters (not to statistics)
        for key, v in values_.items():
            v.requires_grad_("running" not in key)
    x = ember.tensor([[1, 4, 2]]) if shape is None else randn(*shape, seed=16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        y = nn.utils.stateless.functional_call(em, ev, (x,), **kw)
        ty = torch.nn.utils.stateless.functional_call(tm, tv, (to_torch(x),), **kw)
    assert_same(y, ty, rtol=1e-5, atol=1e-6)
    y.sum().backward(), ty.sum().backward()
    for key in ev:
        if tv[key].grad is not None:
            assert_same(ev[key].grad, tv[key].grad, rtol=1e-5, atol=1e-6)
    for key, value in tm.state_dict().items():  # the module's own tensors are back
        assert_same(em.state_dict()[key], value, rtol=1e-6, atol=1e-6)
        if key not in ev and key in dict(em.named_parameters()):
            np.testing.assert_array_equal(em.state_dict()[key]._data, before[key])
    for key in ev:  # a given buffer is updated in place by batch norm, as in torch
        assert_same(ev[key], tv[key], rtol=1e-6, atol=1e-6)
    assert all(isinstance(p, nn.Parameter) for p in em.parameters())


STATELESS_ERRORS = {
    "strict_missing": lambda lib, f: f(lib.nn.Linear(2, 2), {"weight": lib.ones(2, 2)},
                                       (lib.ones(1, 2),), strict=True),
    "strict_unexpected": lambda lib, f: f(lib.nn.Linear(2, 2), {"weight": lib.ones(2, 2),
                                          "bias": lib.ones(2), "extra": lib.ones(1)},
                                          (lib.ones(1, 2),), strict=True),
    "tied_conflict": lambda lib, f: f(Tied.make(lib), {"0.weight": lib.ones(5, 3),
                                                       "1.weight": lib.zeros(5, 3)},
                                      (lib.tensor([[1]]),)),
}


@pytest.mark.parametrize("case", STATELESS_ERRORS)
def test_functional_call_errors_match_torch(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        got = error_of(lambda: STATELESS_ERRORS[case](ember, nn.utils.stateless.functional_call))
        want = error_of(lambda: STATELESS_ERRORS[case](torch, torch.nn.utils.stateless.functional_call))
    assert want[0] is not None and got == want


def test_functional_call_warns_like_torch():
    with pytest.warns(FutureWarning, match="stateless.functional_call` is deprecated"):
        nn.utils.stateless.functional_call(nn.Linear(2, 1), {}, ember.ones(1, 2))


FUNC_CALLS = {
    "dict": lambda lib, m, w, b: (m, {"weight": w, "bias": b}),
    "tuple_of_dicts": lambda lib, m, w, b: (m, ({"weight": w}, {"bias": b})),
    "repeated_keys": lambda lib, m, w, b: (m, [{"weight": w}, {"weight": w}]),
    "not_dicts": lambda lib, m, w, b: (m, [{"weight": w}, 3]),
    "not_a_dict": lambda lib, m, w, b: (m, 3),
}


@pytest.mark.parametrize("case", FUNC_CALLS)
def test_func_functional_call_matches_torch(case):
    import torch.func
    em, tm = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    w, b = randn(2, 3, seed=21).requires_grad_(), randn(2, seed=22)
    tw, tb = to_torch(w, requires_grad=True), to_torch(b)
    x = randn(4, 3, seed=23)
    got = error_of(lambda: ember.func.functional_call(*FUNC_CALLS[case](ember, em, w, b), x))
    want = error_of(lambda: torch.func.functional_call(*FUNC_CALLS[case](torch, tm, tw, tb), to_torch(x)))
    assert (got[0], got[1] and got[1].replace("ember", "torch")) == want
    if want[0] is None:  # a meta-learning step: gradients w.r.t. the given weights
        y = ember.func.functional_call(*FUNC_CALLS[case](ember, em, w, b), x)
        ty = torch.func.functional_call(*FUNC_CALLS[case](torch, tm, tw, tb), to_torch(x))
        assert_same(y, ty, rtol=1e-5, atol=1e-6)
        (g,) = ember.autograd.grad(y.pow(2).sum(), [w])
        (tg,) = torch.autograd.grad(ty.pow(2).sum(), [tw])
        assert_same(g, tg, rtol=1e-5, atol=1e-6)
