"""CTC loss against torch: values, dtypes, gradients and node names on a batch of random
lengths (padded and concatenated targets, every reduction, zero_infinity, impossible
alignments), ``nn.CTCLoss``, a short training trajectory, and torch's errors."""
import numpy as np
import pytest

import ember
from nn_helpers import train_losses
import ember.nn.functional as EF

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _batch(seed, T=40, N=8, C=12, S=15, dtype=np.float32):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((T, N, C)).astype(dtype)
    target_lengths = rng.integers(0, S + 1, N)
    input_lengths = rng.integers(T // 2, T + 1, N)
    targets = rng.integers(1, C, (N, S))
    targets[:, 1::4] = targets[:, ::4][:, :targets[:, 1::4].shape[1]]  # repeated labels too
    return logits, targets, input_lengths, target_lengths


def _both(logits, targets, il, tl, concat=False, **kw):
    out = []
    for m in (ember, torch):
        x = m.tensor(logits, requires_grad=True)
        lp = m.log_softmax(x, 2)
        lp.retain_grad()
        t = targets
        if concat:
            t = np.concatenate([row[:n] for row, n in zip(targets, tl)])
        F = EF if m is ember else TF
        loss = F.ctc_loss(lp, m.tensor(t), m.tensor(il), m.tensor(tl), **kw)
        up = np.random.default_rng(5).standard_normal(tuple(loss.shape)).astype(logits.dtype)
        (loss * m.tensor(up)).sum().backward()
        out.append((loss, lp.grad, x.grad))
    return out


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("concat", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_torch_on_random_lengths(reduction, concat, dtype):
    (el, elg, exg), (tl_, tlg, txg) = _both(*_batch(1, dtype=dtype), concat=concat,
                                            reduction=reduction)
    assert el.dtype == ember.from_numpy(np.zeros(1, dtype)).dtype and tuple(el.shape) == tuple(tl_.shape)
    assert type(el.grad_fn).__name__ == type(tl_.grad_fn).__name__ or \
        el.grad_fn.name() == tl_.grad_fn.name()
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(el.detach().numpy(), tl_.detach().numpy(), rtol=rtol)
    np.testing.assert_allclose(elg.numpy(), tlg.numpy(), rtol=rtol, atol=rtol / 10)
    np.testing.assert_allclose(exg.numpy(), txg.numpy(), rtol=rtol, atol=rtol / 10)


@pytest.mark.parametrize("zero_infinity", [False, True])
def test_impossible_alignments(zero_infinity):
    logits, targets, _, _ = _batch(2, T=6, N=3, C=5, S=3)
    il, tl = np.array([6, 5, 2]), np.array([3, 3, 3])  # 3 labels cannot fit 2 frames
    (el, elg, _), (tl_, tlg, _) = _both(logits, targets, il, tl, reduction="none",
                                        zero_infinity=zero_infinity)
    np.testing.assert_allclose(el.detach().numpy(), tl_.detach().numpy(), rtol=1e-5)
    assert np.isinf(el.detach().numpy()[2]) != zero_infinity
    np.testing.assert_allclose(elg.numpy(), tlg.numpy(), rtol=1e-5, atol=1e-6, equal_nan=True)
    assert np.isnan(elg.numpy()[:2, 2]).all() != zero_infinity and (elg.numpy()[2:, 2] == 0).all()


def test_module_and_a_training_trajectory():
    """A GRU-free toy: a linear layer over frame features trained with CTCLoss for a few Adam
    steps follows torch's losses step by step."""
    rng = np.random.default_rng(3)
    feats = rng.standard_normal((10, 4, 6)).astype(np.float32)
    targets, il, tl = rng.integers(1, 5, (4, 3)), (10, 9, 8, 10), (3, 2, 3, 1)
    w = rng.standard_normal((5, 6)).astype(np.float32) * 0.3
    losses = []
    for m in (ember, torch):
        layer = m.nn.Linear(6, 5)
        with m.no_grad():
            layer.weight.copy_(m.tensor(w))
            layer.bias.zero_()
        ctc = m.nn.CTCLoss(blank=0, reduction="mean", zero_infinity=True)
        opt = m.optim.Adam(layer.parameters(), lr=0.05)
        losses.append(train_losses(
            opt, lambda: ctc(layer(m.tensor(feats)).log_softmax(2), m.tensor(targets), il, tl), 5))
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
    assert losses[0][-1] < losses[0][0]
    assert repr(ember.nn.CTCLoss(blank=2, reduction="sum")) == "CTCLoss()"


LP = np.log(np.full((6, 3, 5), 0.2, np.float32))
TG, IL, TL = np.array([[1, 2, 3]] * 3), np.array([6, 5, 4]), np.array([3, 2, 0])
ERRORS = [
    ("input_too_long", dict(il=np.array([7, 5, 4]))),
    ("negative_input", dict(il=np.array([6, -1, 4]))),
    ("negative_target", dict(tl=np.array([3, -1, 0]))),
    ("target_too_long", dict(tl=np.array([4, 2, 0]))),
    ("concatenated_wrong_size", dict(tg=np.array([1, 2, 3, 1]))),
    ("lengths_batch", dict(tl=np.array([3, 2]))),
    ("input_lengths_batch", dict(il=np.array([6, 5]))),
    ("float_lengths", dict(il=np.array([6.0, 5.0, 4.0]))),
    ("blank_out_of_range", dict(blank=5)),
    ("log_probs_1d", dict(lp=LP[0, 0])),
    ("bad_reduction", dict(reduction="avg")),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_errors_as_torch(case):
    _, change = case
    kw = {"blank": change.get("blank", 0), "reduction": change.get("reduction", "mean")}
    messages = []
    for m, F in ((ember, EF), (torch, TF)):
        args = [m.tensor(change.get(k, d)) for k, d in (("lp", LP), ("tg", TG), ("il", IL),
                                                         ("tl", TL))]
        with pytest.raises((RuntimeError, ValueError)) as info:
            F.ctc_loss(*args, **kw)
        messages.append((info.type, str(info.value)))
    assert messages[0][0] is messages[1][0]
    assert messages[0][1].startswith(messages[1][1])  # ember may add what it expected


def test_target_class_out_of_range_is_refused():
    """torch reads past the class axis here; ember names the bad class."""
    with pytest.raises(RuntimeError, match="target class 7 is out of range for log_probs with 5"):
        EF.ctc_loss(ember.tensor(LP), ember.tensor([[1, 7, 3]] * 3), ember.tensor(IL),
                    ember.tensor(TL))
