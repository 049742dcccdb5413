"""Samplers: index sets, lengths and validation against torch; reproducibility."""
import numpy as np
import pytest

import ember
from ember.utils.data import (BatchSampler, RandomSampler, SequentialSampler, SubsetRandomSampler,
                              WeightedRandomSampler)

torch = pytest.importorskip("torch")
import torch.utils.data as tud  # noqa: E402


def test_sequential_matches_torch():
    assert list(SequentialSampler(range(7))) == list(tud.SequentialSampler(range(7)))
    assert len(SequentialSampler(range(7))) == 7


@pytest.mark.parametrize("n, replacement, num_samples", [(10, False, None), (10, False, 25),
                                                        (10, False, 4), (10, True, None),
                                                        (10, True, 33), (1, False, 3)])
def test_random_sampler_counts_match_torch(n, replacement, num_samples):
    ours = list(RandomSampler(range(n), replacement, num_samples, ember.Generator().manual_seed(0)))
    theirs = list(tud.RandomSampler(range(n), replacement, num_samples, torch.Generator().manual_seed(0)))
    assert len(ours) == len(theirs) == len(RandomSampler(range(n), replacement, num_samples))
    assert all(isinstance(i, int) and 0 <= i < n for i in ours)
    if not replacement:  # whole permutations back to back, then a partial one
        for start in range(0, len(ours) - len(ours) % n, n):
            assert sorted(ours[start:start + n]) == list(range(n))
        assert len(set(ours[len(ours) - len(ours) % n:])) == len(ours) % n


def test_random_sampler_reproducible_with_global_seed():
    sampler = RandomSampler(range(50))
    ember.manual_seed(0)
    first, second = list(sampler), list(sampler)
    assert first != second  # a new order each epoch
    ember.manual_seed(0)
    assert [list(sampler), list(sampler)] == [first, second]


def test_random_sampler_reproducible_with_generator():
    a = RandomSampler(range(50), generator=ember.Generator().manual_seed(7))
    b = RandomSampler(range(50), generator=ember.Generator().manual_seed(7))
    assert [list(a), list(a)] == [list(b), list(b)]
    assert list(RandomSampler(range(50), generator=ember.Generator().manual_seed(8))) != \
        list(RandomSampler(range(50), generator=ember.Generator().manual_seed(7)))


@pytest.mark.parametrize("kwargs, error", [({"replacement": 1}, TypeError), ({"num_samples": 0}, ValueError),
                                           ({"num_samples": 2.5}, ValueError)])
def test_random_sampler_validation_matches_torch(kwargs, error):
    with pytest.raises(error, match=str(next(iter(kwargs.values())))):
        RandomSampler(range(3), **kwargs)
    with pytest.raises((TypeError, ValueError)):
        tud.RandomSampler(range(3), **kwargs)


def test_random_sampler_rejects_bool_num_samples():
    with pytest.raises(ValueError, match="num_samples=True"):
        RandomSampler(range(3), num_samples=True)


@pytest.mark.parametrize("indices", [[5, 3, 9, 1], np.array([4, 8]), ember.tensor([2, 6, 0])])
def test_subset_random_sampler(indices):
    drawn = list(SubsetRandomSampler(indices, ember.Generator().manual_seed(0)))
    assert sorted(drawn) == sorted(np.asarray(indices).tolist())
    assert len(SubsetRandomSampler(indices)) == len(indices)


@pytest.mark.parametrize("weights, num_samples, replacement", [([0.0, 1.0, 0.0, 3.0], 50, True),
                                                               ([1.0, 1.0, 0.0, 2.0], 3, False),
                                                               (ember.tensor([0.5, 0.5]), 4, True)])
def test_weighted_sampler_draws_only_weighted_indices(weights, num_samples, replacement):
    drawn = list(WeightedRandomSampler(weights, num_samples, replacement, ember.Generator().manual_seed(0)))
    theirs = list(tud.WeightedRandomSampler(torch.as_tensor(np.asarray(weights, np.float64)), num_samples,
                                            replacement, torch.Generator().manual_seed(0)))
    w = np.asarray(weights)
    assert len(drawn) == len(theirs) == num_samples
    assert all(w[i] > 0 for i in drawn)
    if not replacement:
        assert len(set(drawn)) == num_samples


def test_weighted_sampler_follows_weights():
    drawn = np.array(list(WeightedRandomSampler([1.0, 3.0], 4000, generator=ember.Generator().manual_seed(0))))
    assert 0.72 < drawn.mean() < 0.78


@pytest.mark.parametrize("weights, num_samples, replacement, match", [
    ([[1.0, 2.0]], 2, True, "1d"), ([1.0, -1.0], 2, True, "non-negative"), ([0.0, 0.0], 2, True, "zero"),
    ([1.0, 0.0], 2, False, "without replacement"), ([1.0], 0, True, "num_samples"),
    ([1.0], 1, "yes", "replacement")])
def test_weighted_sampler_errors(weights, num_samples, replacement, match):
    with pytest.raises((ValueError, TypeError), match=match):
        WeightedRandomSampler(weights, num_samples, replacement)


@pytest.mark.parametrize("n, batch_size, drop_last", [(10, 3, False), (10, 3, True), (9, 3, True),
                                                     (2, 5, False), (2, 5, True), (0, 2, False)])
def test_batch_sampler_matches_torch(n, batch_size, drop_last):
    order = list(np.random.default_rng(n).permutation(n))
    ours = BatchSampler(order, batch_size, drop_last)
    theirs = tud.BatchSampler(order, batch_size, drop_last)
    assert list(ours) == list(theirs)
    assert len(ours) == len(theirs)


@pytest.mark.parametrize("batch_size, drop_last, error", [(0, False, ValueError), (True, False, ValueError),
                                                          (2, None, ValueError)])
def test_batch_sampler_validation(batch_size, drop_last, error):
    with pytest.raises(error, match="batch_size|drop_last"):
        BatchSampler(range(3), batch_size, drop_last)
