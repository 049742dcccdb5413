"""nn.SyncBatchNorm: in one process it is torch's SyncBatchNorm without a process group
(plain batch norm: values, gradients, running statistics, repr, errors, convert_sync_batchnorm);
under mpiexec on 2 and 4 ranks its statistics and input gradients are the global batch's, so
data-parallel training ends with the parameters and running statistics of one process."""
import re

import numpy as np
import pytest
import torch

import ember
import ember.nn as nn
from mpi_launch import run_ranks


def _pair(cls_name, *args, **kwargs):
    ember.manual_seed(0)
    return getattr(nn, cls_name)(*args, **kwargs), getattr(torch.nn, cls_name)(*args, **kwargs)


@pytest.mark.parametrize("shape,kwargs", [
    ((6, 3), {}), ((4, 3, 5), {"momentum": None}), ((2, 3, 4, 4), {"affine": False}),
    ((2, 3, 2, 3, 3), {"track_running_stats": False}), ((3, 3, 4), {"bias": False}),
])
def test_one_process_is_plain_batch_norm_like_torch(shape, kwargs):
    mine, ref = _pair("SyncBatchNorm", 3, **kwargs)
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(shape) * 2 + 1).astype(np.float32)
    for train in (True, True, False):
        mine.train(train), ref.train(train)
        a, b = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, expected = mine(a), ref(b)
        assert out.dtype == ember.float32
        np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-5,
                                   atol=1e-5)
        up = rng.standard_normal(shape).astype(np.float32)
        (out * ember.tensor(up)).sum().backward(), (expected * torch.tensor(up)).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-5)
    assert sorted(mine.state_dict()) == sorted(ref.state_dict())
    for k, v in ref.state_dict().items():
        np.testing.assert_allclose(mine.state_dict()[k].numpy(), v.numpy(), rtol=1e-5, err_msg=k)
    assert repr(mine) == repr(ref)


def test_errors_like_torch():
    mine, ref = _pair("SyncBatchNorm", 3)
    for x in (np.zeros(3, np.float32), np.zeros((1, 3), np.float32), np.zeros((2, 0), np.float32)):
        with pytest.raises(ValueError) as theirs:
            ref(torch.tensor(x))
        with pytest.raises(ValueError) as ours:
            mine(ember.tensor(x))
        # torch prints sizes as torch.Size([1, 3]) where ember's messages print (1, 3)
        assert str(ours.value) == re.sub(r"torch\.Size\(\[([^]]*)\]\)", r"(\1)", str(theirs.value))


def test_convert_sync_batchnorm_like_torch():
    def build(lib):
        return lib.nn.Sequential(lib.nn.Conv2d(1, 4, 3), lib.nn.BatchNorm2d(4, momentum=0.3),
                                 lib.nn.Sequential(lib.nn.Linear(4, 4), lib.nn.BatchNorm1d(4)))
    ember.manual_seed(0)
    mine, ref = build(ember), build(torch)
    mine[1].eval()
    weight = mine[1].weight
    mine = nn.SyncBatchNorm.convert_sync_batchnorm(mine)
    ref = torch.nn.SyncBatchNorm.convert_sync_batchnorm(ref)
    assert repr(mine) == repr(ref)
    assert mine[1].weight is weight and mine[1].momentum == 0.3 and not mine[1].training
    assert sorted(mine.state_dict()) == sorted(ref.state_dict())
    assert type(mine[2][1]) is nn.SyncBatchNorm


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for n in (0, 2, 4):
        path = tmp_path_factory.mktemp("syncbn") / f"state{n}.safetensors"
        out[n] = (run_ranks(n, ["mpi_sync_bn.py", path, 12]), path)
    return out


@pytest.mark.parametrize("n", [2, 4])
def test_data_parallel_sync_batch_norm_matches_one_process(runs, n):
    from safetensors.numpy import load_file
    for proc, _ in (runs[0], runs[n]):
        assert proc.returncode == 0, proc.stdout + proc.stderr
    one, many = load_file(str(runs[0][1])), load_file(str(runs[n][1]))
    assert sorted(one) == sorted(many) and "1.running_var" in one and "5.running_mean" in one
    for k in one:
        np.testing.assert_allclose(many[k], one[k], rtol=2e-5, atol=2e-6, err_msg=k)
    assert not np.allclose(one["1.running_mean"], 0)  # the statistics did move
