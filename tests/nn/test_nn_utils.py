"""nn.utils against torch: clip_grad_norm_ (norm types, return value, non-finite), clip_grad_value_,
parameters_to_vector and vector_to_parameters."""
import math

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn import utils
from nn_helpers import assert_same, copy_state, randn, to_torch

torch = pytest.importorskip("torch")


def _pair_with_grads(scale=1.0):
    em = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    tm = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Linear(3, 2))
    copy_state(em, tm)
    x = randn(5, 4)
    (em(x).sum() * scale).backward()
    (tm(to_torch(x)).sum() * scale).backward()
    return em, tm


@pytest.mark.parametrize("max_norm,norm_type", [(1.0, 2.0), (0.1, 1.0), (100.0, 2.0),
                                                (0.5, math.inf), (0.3, 3.0)])
def test_clip_grad_norm_matches_torch(max_norm, norm_type):
    em, tm = _pair_with_grads(scale=10.0)
    total = utils.clip_grad_norm_(em.parameters(), max_norm, norm_type=norm_type)
    ref = torch.nn.utils.clip_grad_norm_(tm.parameters(), max_norm, norm_type=norm_type)
    assert_same(total, ref, rtol=1e-5, atol=1e-6)
    for p, pt in zip(em.parameters(), tm.parameters()):
        assert_same(p.grad, pt.grad, rtol=1e-5, atol=1e-6)


def test_clip_grad_norm_single_tensor_and_nonfinite():
    p = nn.Parameter(ember.zeros(2))
    p.grad = ember.tensor([3.0, 4.0])
    total = utils.clip_grad_norm_(p, 1.0)
    assert total.item() == pytest.approx(5.0) and total.dtype == ember.float32
    np.testing.assert_allclose(p.grad._data, [0.6, 0.8], rtol=1e-5)
    p.grad = ember.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


@pytest.mark.parametrize("clip", [0.01, 0.5])
def test_clip_grad_value_matches_torch(clip):
    em, tm = _pair_with_grads(scale=3.0)
    utils.clip_grad_value_(em.parameters(), clip)
    torch.nn.utils.clip_grad_value_(tm.parameters(), clip)
    for p, pt in zip(em.parameters(), tm.parameters()):
        assert_same(p.grad, pt.grad)


def test_parameters_vector_round_trip_matches_torch():
    em, tm = _pair_with_grads()
    vec = utils.parameters_to_vector(em.parameters())
    assert_same(vec, torch.nn.utils.parameters_to_vector(tm.parameters()))
    utils.vector_to_parameters(ember.arange(vec.numel()).float(), em.parameters())
    torch.nn.utils.vector_to_parameters(torch.arange(vec.numel()).float(), tm.parameters())
    for p, pt in zip(em.parameters(), tm.parameters()):
        assert_same(p.detach(), pt)
    with pytest.raises(ValueError, match="elements"):
        utils.vector_to_parameters(ember.zeros(3), em.parameters())
