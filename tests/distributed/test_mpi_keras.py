"""``keras.distribution.DataParallel`` under mpiexec: fit on 2 ranks follows the one-process fit
to float32 rounding; the history is the same on every rank (reduced); only rank 0 prints the
progress and runs the callbacks that write files."""
import json
import os

import numpy as np
import pytest

from mpi_launch import run_ranks


@pytest.fixture(scope="module")
def fits(tmp_path_factory):
    out = {}
    for n, mode in ((0, "single"), (2, "dp")):
        folder = tmp_path_factory.mktemp(mode)
        out[mode] = (run_ranks(n, ["mpi_keras.py", folder, mode]), folder)
    return out


def _result(folder, rank):
    with open(folder / f"rank{rank}.json") as handle:
        return json.load(handle)


def test_data_parallel_fit_matches_one_process(fits):
    for proc, _ in fits.values():
        assert proc.returncode == 0, proc.stdout + proc.stderr
    one, two = _result(fits["single"][1], 0), _result(fits["dp"][1], 0)
    assert sorted(one["history"]) == sorted(two["history"]) == [
        "accuracy", "loss", "val_accuracy", "val_loss"]
    for key in one["history"]:
        np.testing.assert_allclose(two["history"][key], one["history"][key], rtol=1e-5, err_msg=key)
    for a, b in zip(one["weights"], two["weights"]):
        np.testing.assert_allclose(np.array(b), np.array(a), rtol=1e-5, atol=1e-6)


def test_every_rank_holds_the_same_model_and_history(fits):
    folder = fits["dp"][1]
    assert _result(folder, 1) == _result(folder, 0)


def test_only_rank_0_prints_and_writes_files(fits):
    proc, folder = fits["dp"]
    assert proc.stdout.count("Epoch 1/3") == 1 and proc.stdout.count("val_loss") == 3
    assert sorted(os.listdir(folder)) == ["best0.weights.h5", "log0.csv", "rank0.json",
                                          "rank1.json"]
