"""ember.distributed under mpiexec: collectives, DistributedDataParallel and a data-parallel
training run on 1 (no mpiexec), 2 and 4 ranks (oversubscribed on 2 cores), which must end with
the same parameters to float32 rounding; a rank that dies, raises or stalls fails the job."""
import numpy as np
import pytest

from mpi_launch import run_ranks

RANKS = [0, 2, 4]  # 0: a plain process (an MPI singleton of size 1)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for n in RANKS:
        path = tmp_path_factory.mktemp("mpi") / f"params{n}.safetensors"
        out[n] = (run_ranks(n, ["mpi_program.py", path, 24]), path)
    return out


@pytest.mark.parametrize("n", RANKS)
def test_collectives_ddp_and_training_run_on_every_rank(runs, n):
    proc, _ = runs[n]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    size = max(n, 1)
    assert sorted(proc.stdout.split("\n")[:-1]) == [f"ok rank {r} of {size}" for r in range(size)]


@pytest.mark.parametrize("n", [2, 4])
def test_data_parallel_training_matches_one_rank(runs, n):
    from safetensors.numpy import load_file
    one, many = load_file(str(runs[0][1])), load_file(str(runs[n][1]))
    assert sorted(one) == sorted(many) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    for k in one:
        assert many[k].dtype == np.float32
        np.testing.assert_allclose(many[k], one[k], rtol=1e-5, atol=1e-6, err_msg=k)
    assert not np.allclose(one["0.weight"], 0)


@pytest.mark.parametrize("mode, message, length", [
    ("exit", "exited with non-zero status", 3),
    ("raise", "rank 1 failed with ValueError; aborting all 2 ranks", 3),
    ("stall", "waited 3 s for the other 1 rank(s) and timed out", 3),
    ("stall", "waited 3 s for the other 1 rank(s) and timed out", 100_000),  # the thread's path
])
def test_a_failing_rank_ends_the_job_with_a_clear_error(mode, message, length):
    proc = run_ranks(2, ["mpi_failure.py", mode, length], timeout=60)
    assert proc.returncode != 0
    assert message in proc.stdout + proc.stderr
    assert "rank 0 finished" not in proc.stdout


def _torch_unused_parameter_error(tmp_path) -> str:
    """torch's message (one process, gloo) for the module mpi_unused.py uses, with ember's class
    path and without its pointer to TORCH_DISTRIBUTED_DEBUG, which ember does not have."""
    torch = pytest.importorskip("torch")
    import torch.distributed as tdist
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c = nn.Linear(3, 2), nn.Linear(3, 2), nn.Linear(2, 2)

        def forward(self, x):
            return self.c(self.a(x))
    tdist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    try:
        model = nn.parallel.DistributedDataParallel(Net())
        x = torch.ones(4, 3)
        model(x).sum().backward()
        with pytest.raises(RuntimeError) as exc:
            model(x)
    finally:
        tdist.destroy_process_group()
    message = str(exc.value).replace("torch.nn.parallel", "ember.nn.parallel")
    return message[:message.index("\n In addition, you can set the environment variable")]


@pytest.mark.parametrize("n", [0, 2])
def test_parameters_without_gradient_follow_torch(n, tmp_path):
    """find_unused_parameters=False: torch's error at the next forward, naming the indices;
    True: a rank that did not use a parameter adds zeros, and a parameter no rank used keeps
    .grad None (rank 0 alone uses branch b, then nobody does)."""
    import json
    proc = run_ranks(n, ["mpi_unused.py"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    reports = sorted((json.loads(line) for line in proc.stdout.splitlines()), key=lambda r: r["rank"])
    assert [r["rank"] for r in reports] == list(range(max(n, 1)))
    torch_message = _torch_unused_parameter_error(tmp_path)
    for r in reports:
        assert r["error"] == torch_message.replace("for rank 0:", f"for rank {r['rank']}:")
        assert r["rank0_uses_b"] == {"none": [], "wrong": []}
        assert r["nobody_uses_b"] == {"none": ["b.bias", "b.weight"], "wrong": []}
