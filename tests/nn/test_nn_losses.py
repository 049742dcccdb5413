"""Losses against torch: every functional × reduction × dtype, values, dtypes, input and target
gradients; modules' defaults; stability; bad input; float64 gradchecks of the fused nodes."""
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from nn_helpers import assert_same, to_torch

torch = pytest.importorskip("torch")
TF = torch.nn.functional

rng = np.random.default_rng(0)
N, C = 5, 4


def _logits(*shape):
    return rng.standard_normal(shape) * 2


def _probs(*shape):
    e = np.exp(_logits(*shape))
    return e / e.sum(axis=1, keepdims=True)


def _signs(*shape):
    return np.where(rng.random(shape) > 0.5, 1.0, -1.0)


def _log_probs(*shape):
    return np.log(_probs(*shape))


# name, functional name, input, target (float targets get gradients), kwargs
CASES = [
    ("mse", "mse_loss", _logits(N, 3), _logits(N, 3), {}),
    ("l1", "l1_loss", _logits(N, 3), _logits(N, 3), {}),
    ("huber", "huber_loss", _logits(N, 3), _logits(N, 3), {"delta": 0.7}),
    ("smooth_l1", "smooth_l1_loss", _logits(N, 3), _logits(N, 3), {"beta": 0.5}),
    ("smooth_l1_beta0", "smooth_l1_loss", _logits(N, 3), _logits(N, 3), {"beta": 0.0}),
    ("bce", "binary_cross_entropy", _probs(N, 3), rng.random((N, 3)), {}),
    ("bce_weight", "binary_cross_entropy", _probs(N, 3), rng.random((N, 3)),
     {"weight": rng.random(3) + 0.5}),
    ("bce_logits", "binary_cross_entropy_with_logits", _logits(N, 3), rng.random((N, 3)), {}),
    ("bce_logits_w", "binary_cross_entropy_with_logits", _logits(N, 3), rng.random((N, 3)),
     {"weight": rng.random(3) + 0.5, "pos_weight": rng.random(3) + 0.5}),
    ("soft_margin", "soft_margin_loss", _logits(N, 3), _signs(N, 3), {}),
    ("hinge", "hinge_embedding_loss", _logits(N, 3), _signs(N, 3), {"margin": 0.5}),
    ("kl", "kl_div", _log_probs(N, C), _probs(N, C), {}),
    ("kl_log_target", "kl_div", _log_probs(N, C), _log_probs(N, C), {"log_target": True}),
    ("ce", "cross_entropy", _logits(N, C), rng.integers(0, C, N), {}),
    ("ce_weight", "cross_entropy", _logits(N, C), rng.integers(0, C, N),
     {"weight": rng.random(C) + 0.2}),
    ("ce_ignore", "cross_entropy", _logits(N, C), np.array([0, 2, -100, 3, 2]), {}),
    ("ce_ignore_1", "cross_entropy", _logits(N, C), np.array([0, 1, 1, 3, 2]),
     {"ignore_index": 1, "weight": rng.random(C) + 0.2}),
    ("ce_smooth", "cross_entropy", _logits(N, C), rng.integers(0, C, N), {"label_smoothing": 0.2}),
    ("ce_smooth_weight_ignore", "cross_entropy", _logits(N, C), np.array([0, 2, 3, 3, 2]),
     {"label_smoothing": 0.3, "weight": rng.random(C) + 0.2, "ignore_index": 3}),
    ("ce_spatial", "cross_entropy", _logits(N, C, 3), rng.integers(0, C, (N, 3)), {}),
    ("ce_unbatched", "cross_entropy", _logits(C), np.array(2), {}),
    ("ce_probs", "cross_entropy", _logits(N, C), _probs(N, C), {}),
    ("ce_probs_weight_smooth", "cross_entropy", _logits(N, C), _probs(N, C),
     {"weight": rng.random(C) + 0.2, "label_smoothing": 0.1}),
    ("nll", "nll_loss", _log_probs(N, C), rng.integers(0, C, N), {}),
    ("nll_weight_ignore", "nll_loss", _log_probs(N, C), np.array([0, 2, 1, 3, 2]),
     {"weight": rng.random(C) + 0.2, "ignore_index": 2}),
    ("multi_margin", "multi_margin_loss", _logits(N, C), rng.integers(0, C, N), {}),
    ("multi_margin_p2", "multi_margin_loss", _logits(N, C), rng.integers(0, C, N),
     {"p": 2, "margin": 0.5, "weight": rng.random(C) + 0.2}),
    ("multi_margin_unbatched", "multi_margin_loss", _logits(C), np.array(1), {}),
    ("nll_unbatched", "nll_loss", _log_probs(1, C)[0], np.array(3), {}),
    ("ce_spatial_weight_smooth", "cross_entropy", _logits(N, C, 2), rng.integers(0, C, (N, 2)),
     {"weight": rng.random(C) + 0.2, "label_smoothing": 0.15}),
    ("ce_probs_spatial", "cross_entropy", _logits(2, C, 3), _probs(2, C, 3), {}),
    ("mse_broadcast", "mse_loss", _logits(N, 3), _logits(3), {}),
    ("mse_weight", "mse_loss", _logits(N, 3), _logits(N, 3), {"weight": rng.random((N, 3)) + 0.5}),
    ("l1_weight", "l1_loss", _logits(N, 3), _logits(N, 3), {"weight": rng.random((N, 3)) + 0.5}),
    ("huber_weight", "huber_loss", _logits(N, 3), _logits(N, 3), {"weight": rng.random((N, 3)) + 0.5}),
]


def _kw(kwargs, dtype, to_t):
    out = {}
    for k, v in kwargs.items():
        if isinstance(v, np.ndarray):
            v = v.astype(dtype)
            out[k] = torch.from_numpy(v) if to_t else ember.tensor(v)
        else:
            out[k] = v
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_functional_matches_torch(case, reduction, dtype):
    _, fname, x_np, y_np, kwargs = case
    x = ember.tensor(x_np.astype(dtype), requires_grad=True)
    float_target = y_np.dtype.kind == "f"
    y = ember.tensor(y_np.astype(dtype) if float_target else y_np.astype(np.int64))
    target_grad = float_target and fname not in ("soft_margin_loss", "hinge_embedding_loss")
    y.requires_grad_(target_grad)
    xt = to_torch(x, requires_grad=True)
    yt = to_torch(y, requires_grad=target_grad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = getattr(F, fname)(x, y, reduction=reduction, **_kw(kwargs, dtype, False))
        ref = getattr(TF, fname)(xt, yt, reduction=reduction, **_kw(kwargs, dtype, True))
    tol = {"rtol": 2e-5, "atol": 2e-6} if dtype == np.float32 else {}
    assert_same(out, ref, **tol)
    g = np.asarray(np.random.default_rng(1).random(out.shape) + 0.5, dtype=dtype)
    out.backward(ember.tensor(g))
    ref.backward(torch.from_numpy(g))
    assert_same(x.grad, xt.grad, **tol)
    if target_grad:
        assert_same(y.grad, yt.grad, **tol)


# the module of each functional, with its defaults, on one case each
MODULE_CASES = [
    ("MSELoss", {}, "mse"), ("L1Loss", {}, "l1"), ("HuberLoss", {"delta": 0.7}, "huber"),
    ("SmoothL1Loss", {"beta": 0.5}, "smooth_l1"), ("BCELoss", {}, "bce"),
    ("BCEWithLogitsLoss", {}, "bce_logits"), ("SoftMarginLoss", {}, "soft_margin"),
    ("HingeEmbeddingLoss", {"margin": 0.5}, "hinge"), ("KLDivLoss", {"reduction": "batchmean"}, "kl"),
    ("CrossEntropyLoss", {"label_smoothing": 0.1}, "ce"), ("CrossEntropyLoss", {}, "ce_probs"),
    ("NLLLoss", {}, "nll"), ("MultiMarginLoss", {}, "multi_margin"),
]


@pytest.mark.parametrize("name,kwargs,case", MODULE_CASES, ids=[f"{m[0]}-{m[2]}" for m in MODULE_CASES])
def test_module_matches_torch(name, kwargs, case):
    _, _, x_np, y_np, _ = next(c for c in CASES if c[0] == case)
    em, tm = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    x = ember.tensor(x_np.astype(np.float32), requires_grad=True)
    y = ember.tensor(y_np.astype(np.float32) if y_np.dtype.kind == "f" else y_np)
    xt = to_torch(x, requires_grad=True)
    out, ref = em(x, y), tm(xt, to_torch(y))
    assert_same(out, ref, rtol=2e-5, atol=2e-6)
    out.backward()
    ref.backward()
    assert_same(x.grad, xt.grad, rtol=2e-5, atol=2e-6)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())


def test_weight_is_a_buffer_like_torch():
    w = [1.0, 2.0, 0.5]
    assert list(nn.CrossEntropyLoss(weight=ember.tensor(w)).state_dict()) == \
        list(torch.nn.CrossEntropyLoss(weight=torch.tensor(w)).state_dict()) == ["weight"]


def test_seed_cross_entropy_one_hot_doubles():
    scores = ember.tensor([[0.1, 6.0, -2.0, 3.2]])
    one_hot = F.one_hot(ember.tensor([2]), num_classes=4)
    loss = nn.CrossEntropyLoss()(scores.double(), one_hot.double())
    assert repr(loss) == "tensor(8.0619, dtype=ember.float64)"


def test_seed_cross_entropy_single_logit_is_zero_with_nll_node():
    out = ember.tensor([[0.37]], requires_grad=True) * 1
    loss = nn.CrossEntropyLoss()(out, ember.tensor([0]))
    assert repr(loss) == "tensor(0., grad_fn=<NllLossBackward0>)"


def test_seed_mse_on_doubles():
    y_pred = np.array([3, 5.0, 2.5, 7.0])
    y = np.array([3.0, 4.5, 2.0, 8.0])
    assert repr(nn.MSELoss()(ember.tensor(y), ember.tensor(y_pred))) == \
        "tensor(0.3750, dtype=ember.float64)"


@pytest.mark.parametrize("fname,target", [
    ("cross_entropy", [0, 1]), ("binary_cross_entropy_with_logits", [[1.0, 0.0], [0.0, 1.0]]),
])
def test_extreme_logits_stay_finite(fname, target):
    x = ember.tensor([[1000.0, -1000.0], [-1000.0, 1000.0]], requires_grad=True)
    loss = getattr(F, fname)(x, ember.tensor(target))
    loss.backward()
    ref = getattr(TF, fname)(torch.tensor([[1000.0, -1000.0], [-1000.0, 1000.0]]),
                             torch.tensor(target))
    assert np.isfinite(loss.item()) and np.all(np.isfinite(x.grad._data))
    np.testing.assert_allclose(loss.item(), ref.item(), atol=1e-6)


def test_bce_clamps_log_at_minus_100():
    x = ember.tensor([0.0, 1.0], requires_grad=True)
    loss = F.binary_cross_entropy(x, ember.tensor([1.0, 0.0]))
    assert loss.item() == pytest.approx(100.0)
    loss.backward()
    ref_x = torch.tensor([0.0, 1.0], requires_grad=True)
    TF.binary_cross_entropy(ref_x, torch.tensor([1.0, 0.0])).backward()
    assert_same(x.grad, ref_x.grad, rtol=1e-6, atol=0)


def test_ignore_everything_gives_nan_like_torch():
    loss = F.cross_entropy(ember.tensor([[1.0, 2.0]]), ember.tensor([-100]))
    assert np.isnan(loss.item())


@pytest.mark.parametrize("call,err,match", [
    (lambda: F.cross_entropy(ember.zeros(2, 3), ember.tensor([0, 3])), IndexError, "Target 3.*3 classes"),
    (lambda: F.cross_entropy(ember.zeros(2, 3), ember.tensor([-1, 0])), IndexError, "Target -1"),
    (lambda: F.nll_loss(ember.zeros(2, 3), ember.tensor([0, 1, 2])), ValueError, r"\(2,\)"),
    (lambda: F.binary_cross_entropy(ember.tensor([1.5]), ember.tensor([1.0])), RuntimeError,
     "between 0 and 1"),
    (lambda: F.binary_cross_entropy(ember.tensor([[0.5]]), ember.tensor([1.0])), ValueError,
     r"\[1\].*\[1, 1\]"),
    (lambda: F.binary_cross_entropy_with_logits(ember.zeros(2, 1), ember.zeros(2)), ValueError,
     r"\[2\].*\[2, 1\]"),
    (lambda: F.mse_loss(ember.zeros(3), ember.zeros(4)), RuntimeError, r"\(3,\).*\(4,\)"),
    (lambda: nn.MSELoss(reduction="avg"), ValueError, "avg"),
    (lambda: F.l1_loss(ember.zeros(2, 2), ember.zeros(2, 2), weight=ember.ones(2)), ValueError,
     r"same size.*\(2,\).*\(2, 2\)"),
    (lambda: nn.CrossEntropyLoss(label_smoothing=1.5), ValueError, "1.5"),
    (lambda: nn.MultiMarginLoss(p=3), ValueError, "p=3"),
    (lambda: F.cross_entropy(ember.zeros(2, 3), ember.tensor([0, 1]), weight=ember.ones(2)),
     RuntimeError, "3 classes"),
])
def test_bad_input_raises(call, err, match):
    with pytest.raises(err, match=match):
        call()


@pytest.mark.parametrize("make,expected", [
    (lambda m: m.nn.functional.mse_loss(m.ones(2), m.zeros(2), size_average=False), "sum"),
    (lambda m: m.nn.functional.mse_loss(m.ones(2), m.zeros(2), True, False), "none"),
    (lambda m: m.nn.MSELoss(reduce=False)(m.ones(2), m.zeros(2)), "none"),
    (lambda m: m.nn.CrossEntropyLoss(size_average=True, reduce=True)(m.ones(2, 3),
                                                                       m.tensor([0, 1])), "mean"),
])
def test_legacy_size_average_and_reduce_map_to_reduction_with_torchs_warning(make, expected):
    outs = []
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match=f"reduction='{expected}'"):
            outs.append(make(lib).detach().numpy())
    np.testing.assert_allclose(outs[0], outs[1])


def test_mse_broadcast_warns_naming_both_shapes():
    with pytest.warns(UserWarning, match=r"target size \(ember.Size\(\[3\]\)\).*\(ember.Size\(\[2, 3\]\)\)"):
        F.mse_loss(ember.zeros(2, 3), ember.zeros(3))


@pytest.mark.parametrize("fname,x,y,kwargs", [
    ("cross_entropy", _logits(3, 4), np.array([0, 3, 1]), {"label_smoothing": 0.2,
                                                           "weight": rng.random(4) + 0.2}),
    ("cross_entropy", _logits(3, 4), _probs(3, 4), {"weight": rng.random(4) + 0.2}),
    ("nll_loss", _log_probs(3, 4), np.array([0, 3, 1]), {}),
    ("binary_cross_entropy", _probs(3, 2), rng.random((3, 2)), {}),
    ("binary_cross_entropy_with_logits", _logits(3, 2), rng.random((3, 2)),
     {"pos_weight": rng.random(2) + 0.5}),
    ("huber_loss", _logits(3, 2), _logits(3, 2), {"delta": 0.5}),
    ("smooth_l1_loss", _logits(3, 2), _logits(3, 2), {"beta": 0.5}),
    ("soft_margin_loss", _logits(3, 2), _signs(3, 2), {}),
    ("kl_div", _log_probs(3, 2), _probs(3, 2), {"reduction": "batchmean"}),
    ("multi_margin_loss", _logits(3, 4), np.array([0, 3, 1]), {"p": 2}),
    ("mse_loss", _logits(3, 2), _logits(3, 2), {}),
    ("l1_loss", _logits(3, 2), _logits(3, 2), {}),
    ("hinge_embedding_loss", _logits(3, 2), _signs(3, 2), {"margin": 0.5}),
    ("kl_div", _log_probs(3, 2), _log_probs(3, 2), {"log_target": True, "reduction": "sum"}),
    ("cross_entropy", _logits(2, 3, 2), np.array([[0, 2], [1, 1]]), {"ignore_index": 1}),
])
def test_gradcheck_float64(fname, x, y, kwargs):
    xe = ember.tensor(x.astype(np.float64), requires_grad=True)
    float_target = y.dtype.kind == "f"
    ye = ember.tensor(y.astype(np.float64) if float_target else y, requires_grad=float_target
                      and fname not in ("soft_margin_loss", "hinge_embedding_loss"))
    kw = _kw(kwargs, np.float64, False)
    assert ember.autograd.gradcheck(lambda a, b: getattr(F, fname)(a, b, **kw), (xe, ye))
