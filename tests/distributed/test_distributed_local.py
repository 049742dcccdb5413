"""ember.distributed's single-process parts: DistributedSampler against torch's, the engine's
post-accumulate-grad hooks against torch's, and the errors before a process group exists."""
import subprocess
import sys

import numpy as np
import pytest

import ember
import ember.distributed as dist
from ember.nn.parallel import DataParallel, DistributedDataParallel
from ember.utils.data import DistributedSampler

torch = pytest.importorskip("torch")
from torch.utils.data import DistributedSampler as TorchSampler  # noqa: E402


@pytest.mark.parametrize("n", [0, 1, 5, 10, 11, 13])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sampler_indices_are_torchs_without_shuffle(n, replicas, drop_last):
    for rank in range(replicas):
        mine = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        ref = TorchSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(mine) == list(ref) and len(mine) == len(ref)
        assert (mine.num_samples, mine.total_size) == (ref.num_samples, ref.total_size)


@pytest.mark.parametrize("n, replicas, drop_last", [(10, 3, False), (10, 3, True), (7, 4, False)])
def test_shuffled_shards_follow_torchs_rule(n, replicas, drop_last):
    """One permutation per (seed, epoch) shared by all ranks, padded/cut and strided as torch."""
    shards = [list(DistributedSampler(range(n), replicas, r, seed=3, drop_last=drop_last))
              for r in range(replicas)]
    ref = [list(TorchSampler(range(n), replicas, r, seed=3, drop_last=drop_last))
           for r in range(replicas)]
    assert [len(s) for s in shards] == [len(s) for s in ref]
    merged = [shards[i % replicas][i // replicas] for i in range(sum(map(len, shards)))]
    head = merged[:n] if not drop_last else merged
    assert len(set(head)) == len(head)  # one permutation, each index once before the padding
    if not drop_last:
        assert sorted(head) == list(range(n)) and merged[n:] == merged[:len(merged) - n]
    again = DistributedSampler(range(n), replicas, 0, seed=3, drop_last=drop_last)
    assert list(again) == shards[0]
    again.set_epoch(1)
    assert list(again) != shards[0]


@pytest.mark.parametrize("kwargs, message", [
    (dict(num_replicas=2, rank=2), "Invalid rank 2, rank should be in the interval [0, 1]"),
    (dict(num_replicas=2, rank=-1), "Invalid rank -1, rank should be in the interval [0, 1]"),
    (dict(num_replicas=0, rank=0), "num_replicas should be a positive integer, but got 0"),
])
def test_sampler_rejects_bad_ranks(kwargs, message):
    with pytest.raises(ValueError) as exc:
        DistributedSampler(range(4), **kwargs)
    assert message in str(exc.value)


def _hook_calls(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([0.5], requires_grad=True)
    calls = []
    w.register_post_accumulate_grad_hook(lambda p: calls.append(("w", p.grad.tolist())))
    b.register_post_accumulate_grad_hook(lambda p: calls.append(("b", p.grad.tolist())))
    (w * w + w * b).sum().backward()
    lib.autograd.grad((w * 3).sum(), w)  # no .grad written: no hook
    (w * 2).sum().backward()  # b gets no gradient: its hook does not run
    return sorted(calls, key=lambda call: call[0])  # each leaf's calls in order


def test_post_accumulate_grad_hooks_fire_once_after_all_gradients_as_torch():
    assert _hook_calls(ember) == _hook_calls(torch)


def test_post_accumulate_grad_hook_errors_as_torch():
    with pytest.raises(RuntimeError, match="cannot be registered on non-leaf tensors"):
        (ember.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(print)
    handle = (w := ember.ones(2, requires_grad=True)).register_post_accumulate_grad_hook(
        lambda p: pytest.fail("removed hook ran"))
    handle.remove()
    w.sum().backward()


@pytest.mark.parametrize("call, error, message", [
    (lambda: dist.get_rank(), ValueError, "Default process group has not been initialized"),
    (lambda: dist.all_reduce(ember.ones(1)), ValueError, "has not been initialized"),
    (lambda: DistributedDataParallel(ember.nn.Linear(1, 1)), ValueError, "not been initialized"),
    (lambda: dist.init_process_group("nccl"), ValueError, "ember runs its collectives on MPI"),
    (lambda: DistributedSampler(range(3)), ValueError, "has not been initialized"),
])
def test_errors_before_a_process_group(call, error, message):
    assert not dist.is_initialized()
    with pytest.raises(error, match=message):
        call()


def test_missing_mpi4py_gives_an_install_hint():
    code = ("import sys; sys.modules['mpi4py'] = None\n"
            "import ember.distributed as dist\n"
            "try:\n    dist.init_process_group()\n"
            "except ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "pip install 'ember[distributed]'" in out.stdout, out.stderr


def test_data_parallel_is_the_module_with_torchs_state_dict_keys():
    net = ember.nn.Linear(3, 2)
    model = DataParallel(net)
    x = ember.randn(4, 3)
    assert ember.equal(model(x), net(x))
    ref = torch.nn.DataParallel(torch.nn.Linear(3, 2))
    assert list(model.state_dict()) == list(ref.state_dict())


@pytest.mark.parametrize("call, message", [
    (lambda k: k.distribution.set_distribution("mirrored"),
     "Expected a keras.distribution.DataParallel or None, received 'mirrored'"),
    (lambda k: k.distribution.DeviceMesh((2,), ["batch", "model"]),
     "Shape and axis_names cannot be mismatched"),
    (lambda k: k.distribution.DeviceMesh((2,), ["batch"], ["cpu:0"]),
     "Shape (2,) does not match the number of devices 1"),
])
def test_keras_distribution_errors(call, message):
    from ember import keras
    with pytest.raises(ValueError) as exc:
        call(keras)
    assert message in str(exc.value)
    assert keras.distribution.distribution() is None
    assert keras.distribution.list_devices() == ["cpu:0"]
