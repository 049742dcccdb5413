"""nn.Embedding / F.embedding against torch: values, gradients (padding row, frequency
scaling, repeated indices), max_norm renormalisation in place, from_pretrained, init, repr and
torch's errors."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from nn_helpers import copy_state

torch = pytest.importorskip("torch")

INDEX = [[0, 2, 2, 5], [3, 1, 2, 0]]
CASES = [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
         {"padding_idx": 0, "scale_grad_by_freq": True}, {"max_norm": 1.0},
         {"max_norm": 0.5, "norm_type": 1.0}]


@pytest.mark.parametrize("index_dtype", [np.int64, np.int32])
@pytest.mark.parametrize("kwargs", CASES, ids=[str(k) for k in CASES])
def test_embedding_matches_torch(kwargs, index_dtype):
    em, tm = nn.Embedding(6, 3, **kwargs), torch.nn.Embedding(6, 3, **kwargs)
    copy_state(em, tm)
    assert repr(em) == repr(tm)
    idx = np.array(INDEX, index_dtype)
    eo, to = em(ember.tensor(idx)), tm(torch.tensor(idx))
    assert eo.dtype == ember.float32 and eo.shape == tuple(to.shape)
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(em.weight.detach().numpy(), tm.weight.detach().numpy(), rtol=1e-6,
                               atol=1e-7)  # max_norm rescales rows in place
    up = np.random.default_rng(0).standard_normal(eo.shape).astype(np.float32)
    (eo * ember.tensor(up)).sum().backward(), (to * torch.tensor(up)).sum().backward()
    np.testing.assert_allclose(em.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-6, atol=1e-7)
    assert str(eo.grad_fn).startswith("<EmbeddingBackward0")


def test_default_init_and_padding_row():
    ember.manual_seed(0)
    w = nn.Embedding(2000, 8, padding_idx=3).weight.detach().numpy()
    assert np.all(w[3] == 0)
    rest = np.delete(w, 3, axis=0)
    assert abs(rest.mean()) < 0.02 and abs(rest.std() - 1) < 0.02


def test_from_pretrained():
    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    em = nn.Embedding.from_pretrained(ember.tensor(table), padding_idx=1)
    tm = torch.nn.Embedding.from_pretrained(torch.tensor(table), padding_idx=1)
    assert repr(em) == repr(tm) and em.weight.requires_grad is False
    np.testing.assert_array_equal(em(ember.tensor([1, 3])).numpy(), tm(torch.tensor([1, 3])).numpy())
    assert nn.Embedding.from_pretrained(ember.tensor(table), freeze=False).weight.requires_grad


def test_functional_with_a_float64_table():
    w = ember.randn(5, 2, dtype=ember.float64, requires_grad=True)
    out = F.embedding(ember.tensor([4, 4]), w)
    assert out.dtype == ember.float64
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy()[4], [2.0, 2.0])


@pytest.mark.parametrize("index,exc,text", [
    ([[0, 6]], IndexError, "index out of range in self: index 6 for an embedding table of 6 rows"),
    ([-1], IndexError, "index -1"),
    (np.array([1.0]), RuntimeError, "Expected tensor for argument #1 'indices' to have one of the "
                                     "following scalar types: Long, Int; but got torch.FloatTensor"),
])
def test_bad_indices(index, exc, text):
    layer = nn.Embedding(6, 2)
    with pytest.raises(exc, match=text.replace("(", r"\(").replace(")", r"\)")):
        layer(ember.tensor(np.asarray(index, np.float32 if np.asarray(index).dtype.kind == "f"
                                      else np.int64)))
    with pytest.raises(exc):
        torch.nn.Embedding(6, 2)(torch.tensor(np.asarray(index)))


def test_bad_construction():
    with pytest.raises(ValueError, match="Padding_idx must be within num_embeddings, got "
                                         "padding_idx=6 for num_embeddings=6"):
        nn.Embedding(6, 2, padding_idx=6)
    with pytest.raises(ValueError, match="expected to be 2-dimensional, got 1-D"):
        nn.Embedding.from_pretrained(ember.ones(3))
