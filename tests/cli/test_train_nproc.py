"""``ember train --nproc N``: N ranks through mpiexec follow the one-process run to float32
rounding, write one run folder, and resume from its checkpoint with a different N."""
import csv
import os

import numpy as np
import pytest

pytest.importorskip("mpi4py", reason="--nproc needs mpi4py: pip install 'ember[distributed]'")

# no dropout or batch norm: with them each rank's masks and batch statistics are its own
OPTIONS = ["--hidden", "16", "--batch-size", "30", "--optimizer", "momentum", "--lr", "0.05",
           "--quiet", "--no-plots"]


def _tensors(path):
    from safetensors.numpy import load_file
    return load_file(str(path))


def _losses(folder):
    with open(folder / "history.csv") as handle:
        return [float(row["loss"]) for row in csv.DictReader(handle)]


def _same_model(a, b):
    ta, tb = _tensors(a / "model.safetensors"), _tensors(b / "model.safetensors")
    assert sorted(ta) == sorted(tb)
    for k in ta:
        np.testing.assert_allclose(tb[k], ta[k], rtol=1e-5, atol=1e-6, err_msg=k)
    np.testing.assert_allclose(_losses(b), _losses(a), rtol=1e-5)


def test_nproc_follows_one_process_and_resumes_with_another_count(cli, tmp_path, animals_csv):
    one, many = tmp_path / "one", tmp_path / "many"
    assert cli("train", animals_csv, "--epochs", "2", "--out", one, *OPTIONS).returncode == 0
    result = cli("train", animals_csv, "--epochs", "2", "--out", many, *OPTIONS, "--nproc", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(os.listdir(many)) == sorted(os.listdir(one))
    _same_model(one, many)
    assert cli("train", "--resume", one, "--epochs", "3", "--quiet").returncode == 0
    result = cli("train", "--resume", many, "--epochs", "3", "--quiet", "--nproc", "3")
    assert result.returncode == 0, result.stdout + result.stderr
    _same_model(one, many)


@pytest.mark.parametrize("args, message", [
    (["--nproc", "0"], "--nproc must be a positive whole number of processes, got '0'"),
    (["--nproc", "two"], "--nproc must be a positive whole number of processes, got 'two'"),
    (["--nproc", "2", "--lr", "auto"], "--lr auto runs on one process; give --lr with --nproc"),
])
def test_nproc_user_errors_are_one_line(cli, tmp_path, animals_csv, args, message):
    result = cli("train", animals_csv, "--out", tmp_path / "r", *args)
    assert result.returncode == 2
    assert result.stderr.strip() == f"ember: error: {message}"
    assert not (tmp_path / "r").exists()
