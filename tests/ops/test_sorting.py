"""sort / argsort / topk / masked_fill and the reflected operators, against torch."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

DATA = np.array([[3.0, -1.0, 2.0, 7.0], [0.5, 4.0, -2.0, 1.0], [9.0, 8.0, 7.0, 6.0]], np.float32)

CASES = [
    ("sort", lambda m, x: x.sort()),
    ("sort_dim0_desc", lambda m, x: x.sort(dim=0, descending=True)),
    ("argsort", lambda m, x: x.argsort(dim=1)),
    ("argsort_desc", lambda m, x: x.argsort(dim=0, descending=True)),
    ("topk", lambda m, x: x.topk(3)),
    ("topk_smallest", lambda m, x: x.topk(2, dim=0, largest=False)),
    ("topk_int", lambda m, x: x.long().topk(1)),
    ("masked_fill", lambda m, x: x.masked_fill(x > 2, -5.0)),
    ("masked_fill_int", lambda m, x: x.long().masked_fill(x > 2, 1)),
    ("masked_fill_tensor_value", lambda m, x: x.masked_fill(x < 0, m.tensor(0.25))),
    ("rfloordiv", lambda m, x: 10 // (x.abs() + 1)),
    ("rmod", lambda m, x: 10 % (x.abs() + 1)),
    ("rmod_int", lambda m, x: 7 % m.tensor([2, 3, 4])),
]


@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, fn):
    e, t = fn(ember, ember.tensor(DATA)), fn(torch, torch.tensor(DATA))
    es = e if isinstance(e, tuple) else (e,)
    ts = t if isinstance(t, tuple) else (t,)
    for a, b in zip(es, ts):
        assert a.dtype.name == str(b.dtype).replace("torch.", "")
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)


def test_contains():
    x = ember.tensor([[1, 2], [3, 4]])
    assert 3 in x and 5 not in x


def test_topk_bad_k():
    with pytest.raises(RuntimeError, match="k=5"):
        ember.ones(4).topk(5)


def test_masked_fill_needs_bool_mask():
    with pytest.raises(RuntimeError, match="boolean"):
        ember.ones(2).masked_fill(ember.tensor([1, 0]), 0.0)
