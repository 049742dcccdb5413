"""Bad values torch refuses are refused by ember too, with torch's error type: BCE targets outside
[0, 1], a shuffled loader over an empty dataset, state dicts holding lists or arrays."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, RandomSampler, TensorDataset

torch = pytest.importorskip("torch")

TARGETS = [[2.0, 0.0], [-0.5, 1.0], [float("nan"), 0.0], [float("inf"), 0.0], [0.5, 1.0000001]]


@pytest.mark.parametrize("target", TARGETS, ids=repr)
@pytest.mark.parametrize("how", ["module", "functional"])
def test_bce_refuses_targets_outside_0_1_as_torch_does(target, how):
    x = [0.3, 0.6]
    with pytest.raises(RuntimeError, match="all elements of target should be between 0 and 1"):
        torch.nn.functional.binary_cross_entropy(torch.tensor(x), torch.tensor(target))
    call = nn.BCELoss() if how == "module" else F.binary_cross_entropy
    with pytest.raises(RuntimeError, match="all elements of target should be between 0 and 1"):
        call(ember.tensor(x), ember.tensor(target))


@pytest.mark.parametrize("target", [[0.0, 1.0], [0.25, 0.75], [1.0, 1.0]])
def test_bce_accepts_targets_in_0_1_with_torchs_value(target):
    x = [0.3, 0.6]
    expected = torch.nn.functional.binary_cross_entropy(torch.tensor(x), torch.tensor(target)).item()
    assert F.binary_cross_entropy(ember.tensor(x), ember.tensor(target)).item() == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("make", [lambda m: DataLoader(m, shuffle=True), lambda m: RandomSampler(m)],
                         ids=["DataLoader(shuffle=True)", "RandomSampler"])
def test_shuffling_an_empty_dataset_raises_torchs_value_error(make):
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        make(TensorDataset(ember.zeros(0, 2)))


@pytest.mark.parametrize("torch_make", [lambda d: torch.utils.data.DataLoader(d, shuffle=True),
                                        torch.utils.data.RandomSampler])
def test_torch_itself_refuses_an_empty_dataset(torch_make):
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        torch_make(torch.utils.data.TensorDataset(torch.zeros(0, 2)))


def test_an_empty_dataset_without_shuffle_still_gives_no_batch_like_torch():
    assert list(DataLoader(TensorDataset(ember.zeros(0, 2)))) == []
    assert list(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(0, 2)))) == []


@pytest.mark.parametrize("values", [
    {"weight": [[1.0, 2.0]], "bias": [0.5]},
    {"weight": np.ones((1, 2), np.float32), "bias": np.zeros(1, np.float32)},
    {"weight": ember.ones(1, 2), "bias": 0.5},
], ids=["lists", "arrays", "a float"])
def test_load_state_dict_refuses_values_that_are_not_tensors(values):
    received = {k: type(v) for k, v in values.items() if not isinstance(v, ember.Tensor)}
    theirs = torch.nn.Linear(2, 1)
    with pytest.raises(RuntimeError, match="expected torch.Tensor or Tensor-like object from checkpoint"):
        theirs.load_state_dict({k: v if not isinstance(v, ember.Tensor) else torch.ones(1, 2)
                                for k, v in values.items()})
    ours = nn.Linear(2, 1)
    before = {k: v.numpy().copy() for k, v in ours.state_dict().items()}
    with pytest.raises(RuntimeError) as raised:
        ours.load_state_dict(values)
    for key, kind in received.items():
        assert f'While copying the parameter named "{key}", expected ember.Tensor or Tensor-like ' \
               f"object from checkpoint but received {kind}" in str(raised.value)
    for key, value in ours.state_dict().items():  # nothing was copied
        np.testing.assert_array_equal(value.numpy(), before[key])
