"""``nn.EmbeddingBag`` / ``F.embedding_bag`` against torch: every mode on bags of random sizes
(empty ones too), padding, per-sample weights, 2-D input, include_last_offset, max_norm, the
module's defaults, repr and state_dict, a training trajectory, and torch's errors. (Values and
gradients of single cases, with float64 gradchecks, are rows of tests/ops/test_op_table.py.)"""
import numpy as np
import pytest

import ember
from nn_helpers import train_losses
import ember.nn.functional as EF

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _bags(seed, rows=50, dim=8, bags=16):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 7, bags)
    sizes[3] = 0
    idx = rng.integers(0, rows, int(sizes.sum()))
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return rng.standard_normal((rows, dim)).astype(np.float32), idx, offsets, rng


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 7])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_torch(mode, padding_idx, weighted):
    if weighted and mode != "sum":
        pytest.skip("per_sample_weights is for mode='sum' (an error case below)")
    w0, idx, offsets, rng = _bags(1)
    idx[::5] = 7  # padding entries, and a bag made only of them
    psw = rng.random(idx.shape[0]).astype(np.float32)
    up = rng.standard_normal((offsets.shape[0], w0.shape[1])).astype(np.float32)
    results = []
    for m, F in ((ember, EF), (torch, TF)):
        w = m.tensor(w0, requires_grad=True)
        p = m.tensor(psw, requires_grad=True) if weighted else None
        out = F.embedding_bag(m.tensor(idx), w, m.tensor(offsets), mode=mode,
                              per_sample_weights=p, padding_idx=padding_idx)
        (out * m.tensor(up)).sum().backward()
        results.append((out.detach().numpy(), w.grad.numpy(),
                        None if p is None else p.grad.numpy(), str(out.dtype)))
    (eo, ew, ep, ed), (to, tw, tp, td) = results
    assert ed.split(".")[-1] == td.split(".")[-1] == "float32"
    np.testing.assert_allclose(eo, to, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ew, tw, rtol=1e-5, atol=1e-6)
    if weighted:
        np.testing.assert_allclose(ep, tp, rtol=1e-5, atol=1e-6)


def test_module_defaults_state_and_training():
    ember.manual_seed(0)
    bag = ember.nn.EmbeddingBag(10, 3, mode="sum", padding_idx=0)
    assert repr(bag) == repr(torch.nn.EmbeddingBag(10, 3, mode="sum", padding_idx=0))
    assert repr(ember.nn.EmbeddingBag(5, 2, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True)) \
        == repr(torch.nn.EmbeddingBag(5, 2, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True))
    assert list(bag.state_dict()) == ["weight"] and (bag.weight.detach().numpy()[0] == 0).all()
    w = bag.weight.detach().numpy()
    assert abs(w[1:].std() - 1) < 0.5  # N(0, 1) as torch
    losses = []
    tokens, offsets = np.array([1, 4, 2, 2, 9, 0, 3]), np.array([0, 3, 5])
    target = np.array([0, 2, 1])
    for m in (ember, torch):
        model = m.nn.Sequential()
        emb = m.nn.EmbeddingBag.from_pretrained(m.tensor(w), freeze=False, mode="mean")
        head = m.nn.Linear(3, 3)
        with m.no_grad():
            head.weight.copy_(m.tensor(np.eye(3, dtype=np.float32)))
            head.bias.zero_()
        opt = m.optim.SGD(list(emb.parameters()) + list(head.parameters()), lr=0.5)
        losses.append(train_losses(opt, lambda: m.nn.functional.cross_entropy(
            head(emb(m.tensor(tokens), m.tensor(offsets))), m.tensor(target)), 4))
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
    assert losses[0][-1] < losses[0][0]
    frozen = ember.nn.EmbeddingBag.from_pretrained(ember.ones(4, 2), mode="max")
    assert repr(frozen) == "EmbeddingBag(4, 2, mode='max')" and not frozen.weight.requires_grad


def test_max_norm_renormalises_the_rows_used():
    w0 = np.random.default_rng(4).standard_normal((6, 3)).astype(np.float32) * 3
    outs = []
    for m, F in ((ember, EF), (torch, TF)):
        w = m.tensor(w0)
        outs.append((F.embedding_bag(m.tensor([[1, 2], [2, 5]]), w, max_norm=1.0).numpy(),
                     w.numpy().copy()))
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-5)
    np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-5)


def test_scale_grad_by_freq_divides_by_the_count_in_the_batch():
    """torch's kernel gives other numbers here (and reads uninitialised memory with
    include_last_offset), so ember follows the documented rule, as its F.embedding does."""
    w = ember.ones(6, 2, requires_grad=True)
    EF.embedding_bag(ember.tensor([1, 1, 4, 0, 1, 3]), w, ember.tensor([0, 2]), mode="sum",
                     scale_grad_by_freq=True).sum().backward()
    np.testing.assert_allclose(w.grad.numpy()[:, 0], [1, 1, 0, 1, 1, 0])


def test_entries_past_the_last_offset_belong_to_no_bag():
    """With include_last_offset, entries after the last offset are ignored, and get no gradient
    (torch's backward reads uninitialised memory for them, so this is checked on ember alone)."""
    w = ember.ones(6, 2, requires_grad=True)
    out = EF.embedding_bag(ember.tensor([1, 1, 4, 0, 1, 3]), w, ember.tensor([0, 2, 5]),
                           include_last_offset=True, mode="sum")
    expected = torch.nn.functional.embedding_bag(
        torch.tensor([1, 1, 4, 0, 1, 3]), torch.ones(6, 2), torch.tensor([0, 2, 5]),
        include_last_offset=True, mode="sum")
    np.testing.assert_array_equal(out.detach().numpy(), expected.numpy())
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy()[:, 0], [1, 3, 0, 0, 1, 0])


IDX, OFF, W = np.array([1, 2, 4, 5, 4, 3, 2, 9]), np.array([0, 4, 4]), np.zeros((10, 3), np.float32)
ERRORS = [
    ("no_offsets", dict(offsets=None)),
    ("2d_with_offsets", dict(input=IDX.reshape(2, 4))),
    ("first_offset", dict(offsets=np.array([1, 4]))),
    ("last_offset", dict(offsets=np.array([0, 9]))),
    ("per_sample_weights_mean", dict(per_sample_weights=np.ones(8, np.float32))),
    ("bad_mode", dict(mode="avg")),
    ("float_indices", dict(input=IDX.astype(np.float32))),
    ("weights_shape", dict(per_sample_weights=np.ones(4, np.float32), mode="sum")),
    ("weights_dtype", dict(per_sample_weights=np.ones(8), mode="sum")),
    ("3d_input", dict(input=IDX.reshape(1, 2, 4), offsets=None)),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_errors_as_torch(case):
    change = case[1]
    messages = []
    for m, F in ((ember, EF), (torch, TF)):
        kw = {k: v for k, v in change.items() if k not in ("input", "offsets")}
        if "per_sample_weights" in kw:
            kw["per_sample_weights"] = m.tensor(kw["per_sample_weights"])
        offsets = change.get("offsets", OFF)
        with pytest.raises(Exception) as info:
            F.embedding_bag(m.tensor(change.get("input", IDX)), m.tensor(W),
                            None if offsets is None else m.tensor(offsets), **kw)
        messages.append((info.type, str(info.value).replace("torch.", "ember.")
                         .replace("<class 'ember.Tensor'>", "<class 'ember.Tensor'>")))
    assert messages[0][0] is messages[1][0], messages
    first_line = messages[1][1].split("\n")[0].replace("torch.Size", "ember.Size")
    assert messages[0][1].split("\n")[0] == first_line, messages
